"""How the print edition is cut into chunks that WeasyPrint lays out one by one.

A chunk is the front matter, the table of contents (apart, since it is laid out again
whenever a folio it prints moves), one part (cut at a case when the part is long), or the
back matter. All of these open on a recto, so such a chunk never
depends on the page it lands on: the merge puts a blank verso before it when needed. A
chunk that continues a long part starts on whichever side its first page falls
(``start_left``), which the chunked layout learns from the chunks before it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from casebook import model

CHUNK_CHARS = 7_500  # about 11 pages: a longer part is cut at a case
WHOLE_BELOW = 40_000  # a shorter book is one document: chunks would cost more than they save
ONE_CASE = 1  # a limit that cuts a chunk per case: the preview's, whose edit shows once the
#               edited case alone is laid out (the pages are the same, tests/test_pdf_chunks.py)


@dataclass(frozen=True)
class Piece:
    """Cases of one part, with or without the part's opening page."""

    part: model.Part
    opener: bool
    cases: tuple[model.Case, ...]


@dataclass(frozen=True)
class Chunk:
    """One WeasyPrint document of the print edition."""

    name: str
    front: bool = False     # half title, title page, copyright page, front-matter documents
    toc: bool = False
    pieces: tuple[Piece, ...] = ()
    back: bool = False
    start_left: bool = False

    @property
    def opens_recto(self) -> bool:
        """Whether the first page is a recto by design (not by where the chunk lands)."""
        return self.front or self.toc or (self.pieces[0].opener if self.pieces else self.back)

    def on(self, left: bool) -> "Chunk":
        """This chunk starting on a verso (``left``) or a recto."""
        return dataclasses.replace(self, start_left=left and not self.opens_recto)


def whole(book: model.Book) -> Chunk:
    """The whole book as one document."""
    pieces = tuple(Piece(p, True, p.cases) for p in book.parts)
    return Chunk("book", front=True, toc=True, pieces=pieces, back=bool(book.back))


def plan(book: model.Book, limit: int | None = None) -> list[Chunk]:
    """The chunks of the book, in reading order; parts cut at ``limit`` (CHUNK_CHARS) characters.

    A book of fewer than WHOLE_BELOW characters is one chunk, ``whole(book)``.
    """
    limit = limit or CHUNK_CHARS
    if book.characters() < WHOLE_BELOW:
        return [whole(book)]
    chunks = [Chunk("front", front=True), Chunk("toc", toc=True)]
    for number, part in enumerate(book.parts, 1):
        for index, cases in enumerate(_cut(part.cases, limit)):
            piece = Piece(part, index == 0, cases)
            chunks.append(Chunk(f"part{number}" + (f".{index + 1}" if index else ""),
                                pieces=(piece,)))
    if book.back:
        chunks.append(Chunk("back", back=True))
    return chunks


def _cut(cases: tuple[model.Case, ...], limit: int) -> list[tuple[model.Case, ...]]:
    """Runs of cases of about ``limit`` characters each; a part with no cases is one run."""
    runs: list[list[model.Case]] = [[]]
    size = 0
    for case in cases:
        if runs[-1] and size + len(case.body) > limit:
            runs.append([])
            size = 0
        runs[-1].append(case)
        size += len(case.body)
    return [tuple(run) for run in runs]
