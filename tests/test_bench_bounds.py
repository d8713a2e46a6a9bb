"""bench/bounds.py: the EPUB text bound reads a real EPUB's spine and drops only block ids."""

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import bounds  # noqa: E402  (bench/bounds.py)


def test_body_drops_block_ids_and_keeps_the_rest():
    xhtml = ('<html><head><title>t</title></head><body epub:type="bodymatter">'
             '<p id="case-1--b1">甲</p><h3 id="case-1--一">乙</h3></body></html>')
    assert bounds._body(xhtml) == '<p>甲</p><h3 id="case-1--一">乙</h3>'


def test_epub_groups_the_spine_by_part(builds):
    built = builds("synthetic", False)
    found = bounds.epub(built.epub)
    assert found["parts"] == len(built.book.parts) + 1  # the front matter, then each part
    assert 0 < found["one_document_kb"] <= found["per_part_kb"]
