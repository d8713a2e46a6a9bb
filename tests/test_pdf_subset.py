"""Subsets started ahead from the chunks' recorded glyphs: used by the merge, same bytes."""

from __future__ import annotations

import io

import pikepdf
from test_pdf_fontmark import TEXTS, _chunk, _saved

from casebook.editions.pdf import fontshare as pdf_fontshare
from casebook.editions.pdf import subset as pdf_subset


def _merged(chunks: list[bytes]) -> pikepdf.Pdf:
    out = pikepdf.new()
    for chunk in chunks:
        out.pages.extend(pikepdf.open(io.BytesIO(chunk)).pages)
    return out


def _glyphs(chunk: bytes) -> tuple:
    with pikepdf.open(io.BytesIO(chunk)) as pdf:
        return pdf_fontshare.marked_glyphs(pdf)


def test_a_chunk_records_each_marked_face_with_its_glyphs():
    glyphs = _glyphs(_chunk(TEXTS[0], marked=True))
    assert {face[3] for face in glyphs} >= {"NotoSerifCJKsc-Regular", "LXGWWenKai-Regular"}
    for _, sha256, index, _, size, gids, notdef in glyphs:
        assert len(sha256) == 64 and size > 1_000_000 and index >= 0
        assert gids == tuple(sorted(gids)) and 0 in gids and len(gids) > 5
        assert isinstance(notdef, bool)
    assert _glyphs(_chunk(TEXTS[0], marked=False)) == ()


def test_the_merge_takes_the_prefetched_subsets_and_writes_the_same_bytes(tmp_path):
    chunks = [_chunk(text, marked=True) for text in TEXTS]
    plain = _merged(chunks)
    alone = pdf_fontshare.share(plain)
    assert alone["prefetch_unused"] == 0 and alone["subset_runs"] == alone["faces"]
    ahead = _merged(chunks)
    started = pdf_subset.prefetch([_glyphs(chunk) for chunk in chunks])
    assert started == alone["faces"]
    stats = pdf_fontshare.share(ahead)
    assert stats["prefetch_unused"] == 0, "every face took its subset from the prefetch"
    assert stats["prefetched"] == stats["faces"] and alone["prefetched"] == 0
    assert stats["subset_runs"] == alone["subset_runs"]
    assert _saved(ahead) == _saved(plain)


def test_a_prefetch_with_other_glyphs_goes_unused_and_changes_nothing(tmp_path):
    chunks = [_chunk(text, marked=True) for text in TEXTS]
    plain = _merged(chunks)
    pdf_fontshare.share(plain, tmp_path)
    short = [_glyphs(chunks[0])]  # the second chunk's glyphs are missing from the unions
    assert pdf_subset.prefetch(short, tmp_path) >= 2
    other = _merged(chunks)
    stats = pdf_fontshare.share(other, tmp_path)
    assert stats["prefetch_unused"] >= 2 and stats["prefetched"] == 0
    assert stats["cache_hits"] == stats["faces"], "the merge made or read its own subsets"
    assert _saved(other) == _saved(plain)
