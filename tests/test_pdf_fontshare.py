"""Font sharing across naively merged WeasyPrint chunks: one program per face, same pages."""

from __future__ import annotations

import io
import logging
import re
import subprocess
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import weasyprint

from casebook.editions.pdf import fontshare as pdf_fontshare

SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"
CHUNKS = (  # different text in every chunk, so every chunk embeds a different subset
    ("天地玄黄，宇宙洪荒。日月盈昃，辰宿列张。", "寒来暑往", "秋收冬藏"),
    ("闰余成岁，律吕调阳。云腾致雨，露结为霜。", "金生丽水", "玉出昆冈"),
    ("剑号巨阙，珠称夜光。果珍李柰，菜重芥姜。", "海咸河淡", "鳞潜羽翔"),
)
FACES = {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold",
         "Noto-Serif-CJK-SC-Bold"}


def _chunk(body: str, sans: str, bold: str) -> bytes:
    html = (f'<html lang="zh"><body><p style="font-family:\'{SERIF}\'">{body}</p>'
            f'<p style="font-family:\'{SANS}\'">{body[::-1]}<b>{sans}</b></p>'
            f'<p style="font-family:\'{SERIF}\'"><b>{bold}</b></p>'
            f'<p style="break-before:page;font-family:\'{SANS}\'">{bold}{body[5:]}</p>'
            f'</body></html>')
    return weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/x-4", pdf_tags=True)


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> Path:
    """Three chunks, their pages concatenated naively: every chunk keeps its own subsets."""
    out = pikepdf.new()
    for chunk in CHUNKS:
        out.pages.extend(pikepdf.open(io.BytesIO(_chunk(*chunk))).pages)
    path = tmp_path_factory.mktemp("fontshare") / "before.pdf"
    out.save(path, static_id=True)
    return path


def _share(source: Path, target: Path, cache_dir: Path | None = None) -> dict:
    with pikepdf.open(source) as pdf:
        stats = pdf_fontshare.share(pdf, cache_dir)
        pdf.save(target, static_id=True)
    return stats


@pytest.fixture(scope="module")
def shared(merged) -> tuple[Path, dict]:
    target = merged.with_name("after.pdf")
    return target, _share(merged, target)


def _programs_by_face(path: Path) -> dict[str, set]:
    with pikepdf.open(path) as pdf:
        faces: dict[str, set] = {}
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                name = re.sub(r"^[A-Z]{6}\+", "", str(obj.FontName)[1:])
                faces.setdefault(name, set()).add(obj.FontFile3.objgen)
        return faces


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=False)


def _pages(path: Path) -> list[bytes]:
    doc = pypdfium2.PdfDocument(str(path))
    try:
        return [bytes(page.render(scale=100 / 72).buffer) for page in doc]
    finally:
        doc.close()


def test_one_program_per_face(merged, shared):
    before, after = _programs_by_face(merged), _programs_by_face(shared[0])
    assert set(before) == FACES and set(after) == FACES
    assert all(len(programs) == len(CHUNKS) for programs in before.values())
    assert all(len(programs) == 1 for programs in after.values()), after
    stats = shared[1]
    assert (stats["faces"], stats["shared"], stats["skipped"]) == (4, 4, [])
    assert (stats["streams_before"], stats["streams_after"]) == (12, 4)


def test_smaller(merged, shared):
    before, after = merged.stat().st_size, shared[0].stat().st_size
    assert after < 0.6 * before, (before, after)
    assert shared[1]["bytes_saved"] > 0.5 * shared[1]["bytes_before"]


def test_pdffonts_embedded_and_subset(merged, shared):
    rows = _run("pdffonts", str(shared[0])).stdout.splitlines()[2:]
    assert len(rows) == len(_run("pdffonts", str(merged)).stdout.splitlines()[2:]) == 12
    for row in rows:
        assert re.search(r"\s+yes\s+yes\s+yes\s+\d+\s+\d+$", row), row
        assert re.match(r"[A-Z]{6}\+Noto-S", row), row


def test_qpdf_check_clean(shared):
    result = _run("qpdf", "--check", str(shared[0]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_text_unchanged(merged, shared):
    before = _run("pdftotext", str(merged), "-").stdout
    assert all(chunk[0][:8] in before and chunk[2] in before for chunk in CHUNKS)
    assert _run("pdftotext", str(shared[0]), "-").stdout == before


def test_pages_render_identically(merged, shared):
    before, after = _pages(merged), _pages(shared[0])
    assert len(before) == len(after) == 2 * len(CHUNKS)
    blank = bytes([255]) * len(before[0])
    for number, (old, new) in enumerate(zip(before, after), 1):
        assert old != blank, f"page {number} rendered blank"
        assert old == new, f"page {number} renders differently after sharing"


def test_cache_skips_subsetting(merged, tmp_path):
    cache = tmp_path / "cache"
    first = _share(merged, tmp_path / "first.pdf", cache)
    second = _share(merged, tmp_path / "second.pdf", cache)
    assert (first["subset_runs"], first["cache_hits"]) == (4, 0)
    assert (second["subset_runs"], second["cache_hits"]) == (0, 4)
    assert len(list(cache.iterdir())) == 4
    assert (tmp_path / "first.pdf").read_bytes() == (tmp_path / "second.pdf").read_bytes()


def test_missing_original_leaves_face_alone(merged, tmp_path, monkeypatch, caplog):
    real = pdf_fontshare._originals
    monkeypatch.setattr(pdf_fontshare, "_originals",
                        lambda ps: [] if ps == "NotoSansCJKsc-Bold" else real(ps))
    with caplog.at_level(logging.WARNING, logger=pdf_fontshare.__name__):
        stats = _share(merged, tmp_path / "out.pdf")
    assert stats["skipped"] == ["Noto-Sans-CJK-SC-Bold (NotoSansCJKsc-Bold)"]
    assert "Noto-Sans-CJK-SC-Bold" in caplog.text and "NotoSansCJKsc-Bold" in caplog.text
    after = _programs_by_face(tmp_path / "out.pdf")
    assert len(after["Noto-Sans-CJK-SC-Bold"]) == len(CHUNKS)
    assert len(after["Noto-Serif-CJK-SC"]) == 1
    caplog.clear()  # the warning was the point


def test_wrong_original_is_caught(merged, tmp_path, monkeypatch, caplog):
    """A union subset whose glyphs differ from the embedded ones is refused, not used."""
    sans = Path(pdf_fontshare._originals("NotoSansCJKsc-Regular")[0][0])
    real = pdf_fontshare._originals
    monkeypatch.setattr(pdf_fontshare, "_originals",
                        lambda ps: [(sans, 2)] if ps == "NotoSerifCJKsc-Regular" else real(ps))
    with caplog.at_level(logging.WARNING, logger=pdf_fontshare.__name__):
        stats = _share(merged, tmp_path / "out.pdf")
    assert stats["skipped"] == ["Noto-Serif-CJK-SC (NotoSerifCJKsc-Regular)"]
    assert re.search(r"Noto-Serif-CJK-SC .*glyph \d+ of embedded program", caplog.text)
    assert len(_programs_by_face(tmp_path / "out.pdf")["Noto-Serif-CJK-SC"]) == len(CHUNKS)
    caplog.clear()  # the warning was the point


def test_truetype_face_shared(tmp_path):
    """LXGW WenKai is TrueType (FontFile2, glyf): shared the same way, pages unchanged."""
    out = pikepdf.new()
    for body, _, bold in CHUNKS:
        html = (f'<html lang="zh"><body style="font-family:\'LXGW WenKai\'">'
                f'<p>{body}<b>{bold}</b></p></body></html>')
        pdf = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/x-4", pdf_tags=True)
        out.pages.extend(pikepdf.open(io.BytesIO(pdf)).pages)
    out.save(tmp_path / "kai.pdf", static_id=True)
    stats = _share(tmp_path / "kai.pdf", tmp_path / "kai-shared.pdf")
    assert (stats["streams_before"], stats["streams_after"], stats["skipped"]) == (6, 2, [])
    with pikepdf.open(tmp_path / "kai-shared.pdf") as pdf:
        kinds = {key for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)
                 and obj.get("/Type") == "/FontDescriptor" for key in obj.keys()
                 if key.startswith("/FontFile")}
    assert kinds == {"/FontFile2"}
    assert _pages(tmp_path / "kai.pdf") == _pages(tmp_path / "kai-shared.pdf")


def _cid_sets(path: Path) -> tuple[dict, set]:
    """CIDSet streams by objgen (their set bits), and every CID the fonts' /W arrays list."""
    sets, widths = {}, {0}
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/CIDFontType0":
                bits = obj.FontDescriptor.CIDSet.read_bytes()
                sets[obj.FontDescriptor.CIDSet.objgen] = {
                    i for i in range(8 * len(bits)) if bits[i // 8] & (0x80 >> i % 8)}
                w = list(obj.W)  # WeasyPrint writes runs as: first [w1 w2 ...]
                for first, run in zip(w[::2], w[1::2]):
                    widths.update(range(int(first), int(first) + len(run)))
    return sets, widths


def test_cidset_lists_the_union(tmp_path):
    """PDF 1.4 variants carry a CIDSet: after sharing, one CIDSet naming every CID shown."""
    out = pikepdf.new()
    for body, _, _ in CHUNKS:
        html = f'<html lang="zh"><body style="font-family:\'{SERIF}\'"><p>{body}</p></body></html>'
        pdf = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/a-1b")
        out.pages.extend(pikepdf.open(io.BytesIO(pdf)).pages)
    out.save(tmp_path / "a.pdf", static_id=True)
    _share(tmp_path / "a.pdf", tmp_path / "b.pdf")
    before, _ = _cid_sets(tmp_path / "a.pdf")
    after, shown = _cid_sets(tmp_path / "b.pdf")
    assert len(before) == len(CHUNKS) and len(after) == 1
    (union,) = after.values()
    assert all(cids < union for cids in before.values())
    assert union == shown
