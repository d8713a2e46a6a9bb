"""Golden file of the sample book's print pagination: each page's label, head, folio, starts."""

import difflib

import pytest
import readback
from conftest import DATA

from casebook import check
from casebook.build.pipeline import Options, build
from casebook.check import pdf as preflight
from casebook.geometry import Geometry
from casebook.source import loader as source

GOLDEN = DATA / "golden" / "pdf" / "pages.txt"


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1306886400")
    out = tmp_path_factory.mktemp("sample-pdf")
    paths = build(Options(book_dir=DATA / "sample", out_dir=out, editions=("pdf",),
                          draft=True, cache=False))
    mp.undo()
    return paths["pdf"]


def pages_text(path, book) -> str:
    """One line per page: label | running head | folio | the ids of what starts there."""
    geometry = Geometry.of(book.meta.print)
    starts: dict[int, list[str]] = {}
    for name, page in sorted(check.pdf_anchor_pages(path).items(), key=lambda kv: kv[1]):
        if "--" not in name:
            starts.setdefault(page, []).append(name)
    rows = zip(preflight.page_labels(path), readback.running_heads(path, geometry),
               readback.folios(path, geometry))
    return "".join(f"{label:>4} | {head or '-'} | {folio or '-'} | "
                   f"{' '.join(starts.get(number, [])) or '-'}\n"
                   for number, (label, head, folio) in enumerate(rows, start=1))


def test_sample_pagination_matches_the_golden_file(sample_pdf, update_golden):
    text = pages_text(sample_pdf, source.load(DATA / "sample").select(True))
    if update_golden:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                        "golden/pdf/pages.txt", "pages.txt"))
    assert not diff, diff + "\n(run pytest --update-golden if intended)"


def test_pdfs_are_reproducible_with_source_date_epoch(sample_pdf, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1306886400")
    again = build(Options(book_dir=DATA / "sample", out_dir=tmp_path, editions=("pdf",),
                          draft=True, cache=False))["pdf"]
    assert again.read_bytes() == sample_pdf.read_bytes()
    screen = f"{again.stem}-screen.pdf"
    assert (tmp_path / screen).read_bytes() == (sample_pdf.parent / screen).read_bytes()
