"""Face marks: chunks painted without font subsets, resolved into real subsets by the merge."""

from __future__ import annotations

import io
import json

import pikepdf
import pypdfium2
import pytest
import weasyprint

from casebook.editions.pdf import fontmark as pdf_fontmark
from casebook.editions.pdf import fontshare as pdf_fontshare
from casebook.editions import weasy
from casebook.editions.weasy import fontmark as weasy_fontmark
from casebook.errors import RenderError

SERIF, KAI = "Noto Serif CJK SC", "LXGW WenKai"
TEXTS = ("天地玄黄，宇宙洪荒。日月盈昃，辰宿列张。", "闰余成岁，律吕调阳。云腾致雨，露结为霜。")


def _chunk(text: str, marked: bool) -> bytes:
    html = (f'<html lang="zh"><body><p style="font-family:\'{SERIF}\'">{text}</p>'
            f'<p style="font-family:\'{KAI}\'"><b>{text[::-1]}</b>{text[3:9]}</p></body></html>')
    weasy.install()
    document = weasyprint.HTML(string=html).render()
    if not marked:
        return document.write_pdf(pdf_variant="pdf/x-4", pdf_tags=True)
    with weasy_fontmark.marking():
        return document.write_pdf(pdf_variant="pdf/x-4", pdf_tags=True)


def _merged(marked: bool) -> pikepdf.Pdf:
    out = pikepdf.new()
    for text in TEXTS:
        out.pages.extend(pikepdf.open(io.BytesIO(_chunk(text, marked))).pages)
    return out


def _programs(pdf: pikepdf.Pdf) -> list[bytes]:
    return [obj[key].read_bytes() for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
            for key in pdf_fontshare.FONT_FILES if key in obj]


def _saved(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, static_id=True)
    return out.getvalue()


def _bitmaps(data: bytes) -> list[bytes]:
    document = pypdfium2.PdfDocument(data)
    return [page.render(scale=1).to_pil().convert("L").tobytes() for page in document]


def test_a_marked_chunk_embeds_marks_not_fonts():
    with pikepdf.open(io.BytesIO(_chunk(TEXTS[0], marked=True))) as pdf:
        marks = [pdf_fontmark.read(data) for data in _programs(pdf)]
    assert marks and all(marks), "every program of a marked chunk is a mark"
    assert {m.ps_name for m in marks} >= {"NotoSerifCJKsc-Regular", "LXGWWenKai-Regular"}
    assert all(len(m.sha256) == 64 and m.size > 1_000_000 for m in marks)


def test_marking_is_scoped_to_its_block():
    with pikepdf.open(io.BytesIO(_chunk(TEXTS[0], marked=False))) as pdf:
        assert not any(pdf_fontmark.read(data) for data in _programs(pdf))


def test_the_merge_resolves_every_mark_into_the_same_pages():
    marked = _merged(marked=True)
    stats = pdf_fontshare.share(marked)
    assert stats["shared"] == stats["faces"] >= 2
    assert not any(pdf_fontmark.read(data) for data in _programs(marked))
    plain = _merged(marked=False)
    pdf_fontshare.share(plain)
    assert _bitmaps(_saved(marked)) == _bitmaps(_saved(plain))


def test_a_mark_without_its_file_is_an_error():
    pdf = _merged(marked=True)
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            for key in pdf_fontshare.FONT_FILES:
                if key in obj and (mark := pdf_fontmark.read(obj[key].read_bytes())):
                    forged = obj[key].read_bytes().replace(mark.sha256.encode(), b"0" * 64)
                    obj[key].write(forged)
    with pytest.raises(RenderError, match="no installed file has the bytes"):
        pdf_fontshare.share(pdf)


def test_font_files_hashed_once_are_remembered_and_rechecked(tmp_path):
    with pikepdf.open(io.BytesIO(_chunk(TEXTS[0], marked=True))) as pdf:
        mark = next(m for m in map(pdf_fontmark.read, _programs(pdf))
                    if m.ps_name == "NotoSerifCJKsc-Regular")
    path = pdf_fontmark.original(mark, tmp_path)
    assert path is not None and path.stat().st_size == mark.size
    known = json.loads((tmp_path / pdf_fontmark.KNOWN_FILES).read_text())
    assert known[str(path)][2] == mark.sha256
    known[str(path)] = [mark.size, 0, "0" * 64]  # a stale record: another mtime, other bytes
    (tmp_path / pdf_fontmark.KNOWN_FILES).write_text(json.dumps(known))
    assert pdf_fontmark.original(mark, tmp_path) == path
    assert json.loads((tmp_path / pdf_fontmark.KNOWN_FILES).read_text())[str(path)][2] == \
        mark.sha256
