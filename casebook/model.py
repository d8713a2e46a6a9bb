"""The frozen Book model that every edition reads: metadata, front matter, parts, cases, back matter."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

PENDING = "pending"
PENDING_LABEL = "稿件待补"
INDEX_KINDS = {"contributors": "供稿单位索引", "topics": "主题索引"}  # generated back matter
# The print files' CMYK output intent unless book.yaml names another: Ghostscript's SWOP-like
# profile (AGPL-3+, Debian's libgs-common, which `make book` installs; never copied into
# casebook, only embedded in the print PDFs as PDF/X requires).
DEFAULT_CMYK_ICC = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


@dataclass(frozen=True)
class Creator:
    name: str
    role: str = ""


@dataclass(frozen=True)
class ImprintLine:
    value: str
    label: str = ""


@dataclass(frozen=True)
class Copyright:
    cip_title: str = ""
    cip: tuple[str, ...] = ()
    cip_record: str = ""
    imprint: tuple[ImprintLine, ...] = ()


@dataclass(frozen=True)
class PrintSpec:
    """Print geometry in millimetres; margins are top, outer, bottom, inner.

    ``output_intent`` is ``cmyk`` (the default) or ``srgb``; a CMYK intent takes its ICC
    profile from ``icc`` (``DEFAULT_CMYK_ICC`` unless book.yaml names one).
    """

    trim_width: float = 185.0
    trim_height: float = 260.0
    bleed: float = 3.0
    margins: tuple[float, float, float, float] = (24.0, 22.0, 22.0, 24.0)
    output_intent: str = "cmyk"
    icc: Path | None = DEFAULT_CMYK_ICC
    paper_caliper_mm: float = 0.1  # one leaf (two pages): 70 g offset paper
    cover_board_mm: float = 0.0    # added to the spine: the cover board's own thickness


@dataclass(frozen=True)
class CoverSpec:
    """book.yaml ``cover:``: the design shared by the print cover and the EPUB/HTML cover image.

    ``layout`` is ``classic``, ``vertical`` or ``image`` (the image fills the front); ``addon``
    holds the barcode's add-on digits (2 or 5; 00 by default when ``price`` is set).
    """

    background: str = "#961b1e"
    image: Path | None = None
    layout: str = "classic"
    blurb: str = ""
    addon: str = ""


@dataclass(frozen=True)
class HtmlSpec:
    """Settings of the HTML edition: ``base_url`` is the site's public address, ending in /."""

    base_url: str = ""


@dataclass(frozen=True)
class FontRole:
    """One role's faces: ``latin`` sets Latin, Greek, Cyrillic and superscripts (by the
    unicode-range render/fontstack.py gives it), ``cjk`` sets the rest."""

    latin: str
    cjk: str


@dataclass(frozen=True)
class FontSpec:
    """The book's declared fonts (book.yaml ``fonts:`` overrides any of them), the one place
    every edition takes its faces from. Each role's stack is its Latin face, its CJK face,
    the body serif's CJK face, then the ``fallbacks`` in order; the PDF embeds no other font.
    ``math`` is the OpenType MATH font the print edition draws formulas with (ziamath);
    ``bundled`` is the STIX Two Math that the ziamath package ships."""

    serif: FontRole = FontRole("Noto Serif", "Noto Serif CJK SC")
    sans: FontRole = FontRole("Noto Sans", "Noto Sans CJK SC")
    kai: FontRole = FontRole("Noto Serif", "LXGW WenKai")
    mono: FontRole = FontRole("Noto Sans Mono", "Noto Sans Mono CJK SC")
    fallbacks: tuple[str, ...] = ("DejaVu Sans", "Noto Sans Symbols2", "Noto Sans Math")
    math: str = "bundled"
    ROLES = ("serif", "sans", "kai", "mono")

    def role(self, name: str) -> FontRole:
        return getattr(self, name)

    def families(self) -> tuple[str, ...]:
        """Every declared family, each once, in declaration order."""
        names = [f for r in self.ROLES for f in (self.role(r).latin, self.role(r).cjk)]
        return tuple(dict.fromkeys([*names, *self.fallbacks]))


@dataclass(frozen=True)
class EpubSpec:
    """Settings of the EPUB edition: ``embed_fonts`` embeds subset fonts (off by default)."""

    embed_fonts: bool = False


@dataclass(frozen=True)
class Meta:
    slug: str
    title: str
    lang: str
    title_lines: tuple[str, ...] = ()  # where a title page breaks the title (book.yaml)
    subtitle: str = ""
    isbn: str = ""
    publisher: str = ""
    date: str = ""
    price: str = ""
    creators: tuple[Creator, ...] = ()
    copyright: Copyright = field(default_factory=Copyright)
    print: PrintSpec = field(default_factory=PrintSpec)
    html: HtmlSpec = field(default_factory=HtmlSpec)
    epub: EpubSpec = field(default_factory=EpubSpec)
    cover: CoverSpec = field(default_factory=CoverSpec)
    accept: tuple[str, ...] = ()  # content warnings a release ships with (findings.NAMES)
    fonts: FontSpec = field(default_factory=FontSpec)

    @property
    def editors(self) -> str:
        """The creators as printed on a title page: 吴信宝　主编."""
        return "；".join(f"{c.name}　{c.role}".strip() for c in self.creators)


@dataclass(frozen=True)
class Document:
    """One Markdown source: a case or a page of front or back matter."""

    id: str
    title: str
    body: str
    source: Path
    body_line: int
    status: str = ""
    print_page: int | None = None

    @property
    def pending(self) -> bool:
        return self.status == PENDING

    @property
    def toc_title(self) -> str:
        return self.title


@dataclass(frozen=True)
class Matter(Document):
    """Front or back matter: preface, editorial board, afterword."""

    author: str = ""
    in_toc: bool = True
    type: str = "other"
    section: str = "front"
    generated: str = ""  # "contributors" or "topics": an index written by casebook/indexes.py

    @property
    def toc_title(self) -> str:
        return f"{self.title}（{self.author}）" if self.author else self.title


@dataclass(frozen=True)
class Case(Document):
    unit: str = ""
    number: int = 0
    part_id: str = ""


@dataclass(frozen=True)
class Part:
    id: str
    number: int
    title: str
    cases: tuple[Case, ...]
    source: Path
    line: int

    @property
    def toc_title(self) -> str:
        return self.title


@dataclass(frozen=True)
class TocEntry:
    level: int
    title: str
    target: str


@dataclass(frozen=True)
class Book:
    meta: Meta
    root: Path
    front: tuple[Matter, ...]
    parts: tuple[Part, ...]
    back: tuple[Matter, ...]
    draft: bool = False
    pending_omitted: int = 0

    def cases(self) -> Iterator[Case]:
        for part in self.parts:
            yield from part.cases

    def documents(self) -> Iterator[Document]:
        """Every Markdown document in reading order."""
        yield from self.front
        yield from self.cases()
        yield from self.back

    def characters(self) -> int:
        """The length of every document's Markdown body: how long the book is."""
        return sum(len(doc.body) for doc in self.documents())

    def reading_order(self) -> Iterator[Matter | Part | Case]:
        """Front matter, then each part followed by its cases, then back matter."""
        yield from self.front
        for part in self.parts:
            yield part
            yield from part.cases
        yield from self.back

    def toc(self) -> tuple[TocEntry, ...]:
        """The one table of contents every edition prints."""
        entries: list[TocEntry] = []
        for item in self.reading_order():
            if isinstance(item, Matter) and not item.in_toc:
                continue
            level = 2 if isinstance(item, Case) else 1
            entries.append(TocEntry(level, item.toc_title, item.id))
        return tuple(entries)

    def part_of(self, case: Case) -> Part:
        return next(p for p in self.parts if p.id == case.part_id)

    def preface(self) -> Matter | None:
        return next((m for m in self.front if m.type == "preface"), None)

    def select(self, draft: bool) -> "Book":
        """The book as an edition sees it: pending documents only in draft mode."""
        if draft:
            return dataclasses.replace(self, draft=True, pending_omitted=0)
        omitted = sum(1 for d in self.documents() if d.pending)
        parts = tuple(
            dataclasses.replace(p, cases=tuple(c for c in p.cases if not c.pending))
            for p in self.parts
        )
        return dataclasses.replace(
            self,
            draft=False,
            pending_omitted=omitted,
            front=tuple(m for m in self.front if not m.pending),
            parts=tuple(p for p in parts if p.cases),
            back=tuple(m for m in self.back if not m.pending),
        )
