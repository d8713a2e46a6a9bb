"""The PageMap: which print page each anchored block starts on, as plain data from the PDF layout."""

from __future__ import annotations

from dataclasses import dataclass

_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def roman(number: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


@dataclass(frozen=True)
class Page:
    index: int              # 0-based position in the PDF
    label: str              # the folio as printed: "vii", "3"
    anchors: tuple[str, ...]  # ids of the elements that start on this page, in order
    continued: tuple[str, ...] = ()  # ids of elements carried over from an earlier page
    split: tuple[str, int] | None = None  # starts inside this block, after this many of its
                                          # characters (white space aside), or not


@dataclass(frozen=True)
class PageMap:
    pages: tuple[Page, ...]

    def labels(self) -> dict[str, str]:
        """Every anchor's printed page label."""
        return {a: p.label for p in self.pages for a in p.anchors}

    @classmethod
    def from_anchors(cls, anchors_per_page: list[list[str]], body_start: str | None,
                     splits: list | None = None) -> "PageMap":
        """Label pages like the CSS does: roman until the body starts, then arabic from 1;
        ``splits`` gives each page's ``split``."""
        splits = list(splits or [])
        splits += [None] * (len(anchors_per_page) - len(splits))
        start = next((i for i, ids in enumerate(anchors_per_page) if body_start in ids),
                     len(anchors_per_page))
        seen: set[str] = set()
        pages = []
        for i, ids in enumerate(anchors_per_page):
            label = roman(i + 1) if i < start else str(i - start + 1)
            new = tuple(a for a in ids if a not in seen)
            split = tuple(splits[i]) if splits[i] else None
            pages.append(Page(i, label, new, tuple(a for a in ids if a in seen), split))
            seen.update(ids)
        return cls(tuple(pages))
