"""Read book.yaml and the Markdown sources, validate everything, and build the frozen Book."""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path

from casebook import findings, model
from casebook.errors import Collector, SourceError
from casebook.source import comments, frontmatter, icc, yamlines
from casebook.source.bodycheck import check_body
from casebook.source.fontspec import font_spec
from casebook.source.schema import Field, check_mapping, line_of
from casebook.source.textfile import read_text, split_front_matter
from casebook.source.titlelines import title_lines

log = logging.getLogger(__name__)

BOOK_FILE = "book.yaml"
BOOK_FIELDS = (
    Field("slug", required=True), Field("title", required=True), Field("title_lines", list),
    Field("subtitle"),
    Field("lang", required=True), Field("isbn"), Field("publisher"), Field("date"),
    Field("price"), Field("creators", list), Field("print", dict), Field("copyright", dict),
    Field("front", list), Field("parts", list, required=True), Field("back", list),
    Field("html", dict), Field("epub", dict), Field("cover", object),
    Field("lint", dict),  # checked by casebook.lint.settings
    Field("verify", dict), Field("fonts", dict),
)
VERIFY_FIELDS = (Field("accept", list),)
CREATOR_FIELDS = (Field("name", required=True), Field("role"))
PRINT_FIELDS = (Field("trim"), Field("bleed"), Field("margins"),
                Field("output_intent", choices=("srgb", "cmyk")), Field("icc"),
                Field("paper_caliper_mm"), Field("cover_board_mm"))
HTML_FIELDS = (Field("base_url"),)
EPUB_FIELDS = (Field("embed_fonts", bool),)
COVER_TYPES = (".png", ".jpg", ".jpeg")
COVER_FIELDS = (Field("background"), Field("image"), Field("blurb"), Field("addon"),
                Field("layout", choices=("classic", "vertical", "image")))
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ADDON = re.compile(r"^(\d{2}|\d{5})$")
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*$")
COPYRIGHT_FIELDS = (Field("cip_title"), Field("cip", list), Field("cip_record"),
                    Field("imprint", list))
IMPRINT_FIELDS = (Field("label"), Field("value", required=True))
PART_FIELDS = (Field("title", required=True), Field("cases", list, required=True))
CASE_FIELDS = (Field("title", required=True), Field("unit"),
               Field("status", choices=(model.PENDING,)), Field("print_page", int))
INDEX_FIELDS = (Field("index", required=True, choices=tuple(model.INDEX_KINDS)), Field("title"))
MATTER_FIELDS = (Field("title", required=True), Field("author"), Field("toc", bool),
                 Field("type", choices=("preface", "afterword", "contributors", "foreword",
                                        "acknowledgments", "appendix", "other")),
                 Field("status", choices=(model.PENDING,)), Field("print_page", int))
PREFACE_TITLES = ("序言", "序", "前言", "代序")  # front matter with one of these titles and no type
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*mm\s*$")
_BASE_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


def load(root: Path, encoding: str | None = None) -> model.Book:
    """Read the book project in ``root`` and return the complete, validated Book."""
    root = Path(root)
    book_path = root / BOOK_FILE
    if not book_path.is_file():
        raise SourceError(f"no {BOOK_FILE} here; pass --book DIR of a book project", book_path)
    loader = _Loader(root, encoding)
    return loader.load()


class _Loader:
    """One pass over a book project that gathers every problem before raising."""

    def __init__(self, root: Path, encoding: str | None = None):
        self.encoding = encoding
        self.root = root
        self.yaml_path = root / BOOK_FILE
        self.shown_yaml = self.shown(self.yaml_path)
        self.errors = Collector()
        self.seen: dict[Path, int] = {}
        self.ids: dict[str, str] = {}
        self.foreign = frontmatter.Foreign(self.errors, CASE_FIELDS + MATTER_FIELDS)

    def shown(self, path: Path) -> Path:
        try:
            return path.relative_to(Path.cwd())
        except ValueError:
            return path

    def load(self) -> model.Book:
        data = yamlines.load(read_text(self.yaml_path, self.shown_yaml, self.encoding), self.shown_yaml)
        top = check_mapping(data, BOOK_FIELDS, self.shown_yaml, self.errors, BOOK_FILE)
        meta = self.meta(top, data) if top else None
        front = self.matters(top.get("front", []), "front")
        parts = self.parts(top.get("parts", []))
        back = self.matters(top.get("back", []), "back")
        self.foreign.report(log)
        self.errors.raise_if_any()
        book = model.Book(meta=meta, root=self.root, front=front, parts=parts, back=back)
        log.info("Read %d parts, %d cases; %d document(s) pending, from %s", len(parts),
                 sum(len(p.cases) for p in parts), sum(d.pending for d in book.documents()),
                 self.shown_yaml)
        return book

    # -- book.yaml --------------------------------------------------------------------------
    def meta(self, top: dict, data) -> model.Meta:
        slug = top.get("slug", "book")
        if not _SLUG.match(slug):
            self.errors.add(f"'slug' must be lowercase ASCII letters, digits and '-' "
                            f"(got {slug!r})", self.shown_yaml, line_of(data, "slug"))
        if top.get("isbn"):
            self.isbn(str(top["isbn"]), data)
        creators = tuple(model.Creator(**c) for c in self.items(
            top.get("creators", []), CREATOR_FIELDS, "a creator"))
        return model.Meta(
            slug=slug, title=top.get("title", ""), lang=top.get("lang", ""),
            title_lines=title_lines(top, data, self.shown_yaml, self.errors),
            subtitle=top.get("subtitle", ""), isbn=top.get("isbn", ""),
            publisher=top.get("publisher", ""), date=top.get("date", ""),
            price=top.get("price", ""), creators=creators,
            copyright=self.copyright(data.get("copyright")),
            print=self.print_spec(data.get("print")),
            html=self.html_spec(data.get("html")),
            epub=model.EpubSpec(**check_mapping(data.get("epub", {}), EPUB_FIELDS,
                                                self.shown_yaml, self.errors, "epub")),
            cover=self.cover(top.get("cover"), data),
            accept=self.accept(data.get("verify")),
            fonts=font_spec(data.get("fonts"), self.shown_yaml, self.errors,
                            line_of(data, "fonts")),
        )

    def accept(self, data) -> tuple[str, ...]:
        """``verify: {accept: [name, ...]}``: content warnings a release may ship with."""
        if data is None:
            return ()
        good = check_mapping(data, VERIFY_FIELDS, self.shown_yaml, self.errors, "verify")
        names = []
        for i, name in enumerate(good.get("accept", [])):
            if name not in findings.NAMES:
                self.errors.add(f"verify: accept: unknown warning {name!r}; known: "
                                f"{', '.join(findings.NAMES)}", self.shown_yaml,
                                line_of(good["accept"], i))
            names.append(str(name))
        return tuple(names)

    def items(self, seq, fields, what) -> list[dict]:
        out = []
        for i, item in enumerate(seq):
            good = check_mapping(item, fields, self.shown_yaml, self.errors, what,
                                 line_of(seq, i))
            if all(f.name in good for f in fields if f.required):
                out.append(good)
        return out

    def copyright(self, data) -> model.Copyright:
        if data is None:
            return model.Copyright()
        top = check_mapping(data, COPYRIGHT_FIELDS, self.shown_yaml, self.errors, "copyright")
        imprint = tuple(model.ImprintLine(**i) for i in self.items(
            top.get("imprint", []), IMPRINT_FIELDS, "an imprint line"))
        return model.Copyright(cip_title=top.get("cip_title", ""),
                               cip=tuple(s for _, s in self.strings(top.get("cip", []), "cip")),
                               cip_record=top.get("cip_record", ""), imprint=imprint)

    def strings(self, seq, what: str) -> list[tuple[int, str]]:
        """The string entries of a list, each with its index (for its line)."""
        good = []
        for i, item in enumerate(seq):
            if isinstance(item, str):
                good.append((i, str(item)))
            else:
                self.errors.add(f"each entry of '{what}' must be a string", self.shown_yaml,
                                line_of(seq, i))
        return good

    def print_spec(self, data) -> model.PrintSpec:
        if data is None:
            intent, profile = self.output_intent({}, None)
            return model.PrintSpec(output_intent=intent, icc=profile)
        top = check_mapping(data, PRINT_FIELDS, self.shown_yaml, self.errors, "print")
        default = model.PrintSpec()
        trim = self.lengths(top.get("trim"), 2, data, "trim") or (
            default.trim_width, default.trim_height)
        bleed = self.lengths(top.get("bleed"), 1, data, "bleed") or (default.bleed,)
        margins = self.lengths(top.get("margins"), 4, data, "margins") or default.margins
        intent, profile = self.output_intent(top, data)
        return model.PrintSpec(trim[0], trim[1], bleed[0], tuple(margins), intent, profile,
                               paper_caliper_mm=self.thickness(top, data, "paper_caliper_mm",
                                                               default.paper_caliper_mm),
                               cover_board_mm=self.thickness(top, data, "cover_board_mm",
                                                             default.cover_board_mm))

    def thickness(self, top: dict, data, key: str, default: float) -> float:
        """``print.paper_caliper_mm`` / ``print.cover_board_mm``: a number of millimetres."""
        if key not in top:
            return default
        match = _NUMBER.match(str(top[key]))
        if not match or (key == "paper_caliper_mm" and float(match.group(1)) <= 0):
            self.errors.add(f"'print.{key}' must be a positive number of millimetres, like "
                            f"0.1 (got {top[key]!r})", self.shown_yaml, line_of(data, key))
            return default
        return float(match.group(1))

    def isbn(self, value: str, data) -> None:
        """A wrong ISBN is found when the book is read, not when its barcode is drawn."""
        from casebook.source.isbn import isbn_digits
        try:
            isbn_digits(value)
        except SourceError as exc:
            self.errors.add(exc.message, self.shown_yaml, line_of(data, "isbn"))

    def output_intent(self, top: dict, data) -> tuple[str, Path | None]:
        """``print.output_intent`` (``cmyk`` unless set) and its ``print.icc`` (icc.py)."""
        intent, path, problems = icc.output_intent(top.get("output_intent", "cmyk"),
                                                   top.get("icc"), self.root)
        for key, message in problems:
            line = line_of(data, key) if data is not None else 1  # no print: at all
            self.errors.add(message, self.shown_yaml, line)
        return intent, path

    def html_spec(self, data) -> model.HtmlSpec:
        if data is None:
            return model.HtmlSpec()
        url = check_mapping(data, HTML_FIELDS, self.shown_yaml, self.errors, "html").get(
            "base_url", "")
        if url and not _BASE_URL.match(url):
            self.errors.add(f"'html.base_url' must be an absolute http(s) URL without query "
                            f"or fragment, like 'https://example.org/book/' (got {url!r})",
                            self.shown_yaml, line_of(data, "base_url"))
            return model.HtmlSpec()
        return model.HtmlSpec(base_url=url if not url or url.endswith("/") else url + "/")

    def cover(self, value, data) -> model.CoverSpec:
        """``cover:``: the design; a bare path is short for ``{image: …, layout: image}``."""
        if value is None:
            return model.CoverSpec()
        if isinstance(value, str):
            image = self.cover_image(value, data, "cover")
            return model.CoverSpec(image=image, layout="image") if image else model.CoverSpec()
        top = check_mapping(value, COVER_FIELDS, self.shown_yaml, self.errors, "cover",
                            line_of(data, "cover"))
        default = model.CoverSpec()
        background = top.get("background", default.background)
        if not _COLOUR.match(background):
            self.errors.add(f"'cover.background' must be a colour like '#961b1e' (got "
                            f"{background!r})", self.shown_yaml, line_of(value, "background"))
        addon = top.get("addon", "")
        if addon and not _ADDON.match(addon):
            self.errors.add(f"'cover.addon' must be 2 or 5 digits, quoted, like '00' (got "
                            f"{addon!r})", self.shown_yaml, line_of(value, "addon"))
        image = self.cover_image(top["image"], value, "image") if "image" in top else None
        layout = top.get("layout", default.layout)
        if layout == "image" and image is None:
            self.errors.add("'cover.layout: image' needs 'cover.image'", self.shown_yaml,
                            line_of(value, "layout"))
        return model.CoverSpec(background=background, image=image, layout=layout,
                               blurb=top.get("blurb", "").strip(), addon=addon)

    def cover_image(self, rel: str, data, key: str) -> Path | None:
        """A PNG or JPEG inside the book, for the front cover."""
        path = (self.root / rel).resolve()
        problem = ("points outside the book directory"
                   if not path.is_relative_to(self.root.resolve()) else
                   f"does not exist (looked for {path})" if not path.is_file() else
                   "must be a PNG or JPEG image (.png, .jpg, .jpeg)"
                   if path.suffix.lower() not in COVER_TYPES else "")
        if problem:
            shown = "cover" if key == "cover" else f"cover.{key}"
            self.errors.add(f"'{shown}' {rel!r} {problem}", self.shown_yaml, line_of(data, key))
            return None
        return path

    def lengths(self, text, count: int, data, key: str) -> tuple[float, ...] | None:
        if text is None:
            return None
        parts = [_LENGTH.match(p) for p in str(text).split()]
        if len(parts) != count or not all(parts):
            self.errors.add(f"'print.{key}' must be {count} length(s) in mm, like "
                            f"'{' '.join(['10mm'] * count)}' (got {text!r})",
                            self.shown_yaml, line_of(data, key))
            return None
        return tuple(float(m.group(1)) for m in parts)

    # -- documents -----------------------------------------------------------------------------
    def parts(self, seq) -> tuple[model.Part, ...]:
        parts = []
        number = 0
        for index, item in enumerate(seq):
            good = check_mapping(item, PART_FIELDS, self.shown_yaml, self.errors, "a part",
                                 line_of(seq, index))
            part_id = f"part-{index + 1}"
            cases = []
            entries = good.get("cases", [])
            for j, rel in self.strings(entries, "cases"):
                number += 1
                doc = self.document(rel, line_of(entries, j), "case", number=number,
                                    part_id=part_id)
                if doc is not None:
                    cases.append(doc)
            parts.append(model.Part(part_id, index + 1, good.get("title", ""), tuple(cases),
                                    self.shown_yaml, line_of(seq, index)))
        return tuple(parts)

    def matters(self, seq, section: str) -> tuple[model.Matter, ...]:
        docs = []
        for i, item in enumerate(seq):
            if section == "back" and isinstance(item, dict):  # - index: contributors
                doc = self.index_matter(item, line_of(seq, i))
            elif isinstance(item, str):
                doc = self.document(item, line_of(seq, i), section)
            else:
                self.errors.add(f"each entry of '{section}' must be a string", self.shown_yaml,
                                line_of(seq, i))
                continue
            if doc is not None:
                docs.append(doc)
        return tuple(docs)

    def index_matter(self, item, yaml_line: int) -> model.Matter | None:
        """A generated index in ``back:`` (``index: contributors`` or ``topics``; indexes.py)."""
        good = check_mapping(item, INDEX_FIELDS, self.shown_yaml, self.errors,
                             "an index entry", yaml_line)
        if "index" not in good:
            return None
        kind = good["index"]
        doc_id = f"back-index-{kind}"
        if doc_id in self.ids:
            self.errors.add(f"the {kind} index is listed twice", self.shown_yaml, yaml_line)
            return None
        self.ids[doc_id] = str(self.shown_yaml)
        return model.Matter(id=doc_id, title=good.get("title", model.INDEX_KINDS[kind]).strip(),
                            body="", source=self.shown_yaml, body_line=yaml_line,
                            type="index", section="back", generated=kind)

    def document(self, rel: str, yaml_line: int, kind: str, **extra):
        path = self.resolve(rel, yaml_line)
        if path is None:
            return None
        shown = self.shown(path)
        try:
            src = split_front_matter(read_text(path, shown, self.encoding), shown)
            meta = yamlines.load(src.meta_text, shown, src.meta_line) if src.meta_text else None
        except SourceError as exc:
            self.errors.extend(exc)
            return None
        fields = CASE_FIELDS if kind == "case" else MATTER_FIELDS
        what = "case front matter" if kind == "case" else "front matter"
        meta = self.foreign.own(meta, fields, shown, what, kind == "case")  # others' keys out
        good = check_mapping(meta, fields, shown, self.errors, what, src.meta_line)
        if "title" not in good:
            if meta is None:
                self.errors.add(f"'title' is missing from {what}", shown, src.meta_line)
            return None
        body = comments.strip(src.body)  # editors' notes reach no edition
        check_body(body, src.body_line, shown, good.get("status") == model.PENDING,
                   self.errors)
        return self.make(kind, path, shown, dataclasses.replace(src, body=body), good, yaml_line, extra)

    def make(self, kind, path, shown, src, good, yaml_line, extra):
        slug = path.stem
        doc_id = f"case-{slug}" if kind == "case" else f"{kind}-{slug}"
        if doc_id in self.ids:
            self.errors.add(f"two documents map to the same output name '{slug}' "
                            f"({self.ids[doc_id]} and {shown}); rename one",
                            self.shown_yaml, yaml_line)
        self.ids[doc_id] = str(shown)
        common = dict(id=doc_id, title=good["title"].strip(), body=src.body, source=shown,
                      body_line=src.body_line, status=good.get("status", ""),
                      print_page=good.get("print_page"))
        if kind == "case":
            return model.Case(**common, unit=good.get("unit", ""), **extra)
        return model.Matter(**common, author=good.get("author", ""),
                            in_toc=good.get("toc", True),
                            type=self.matter_type(kind, shown, good), section=kind)

    def matter_type(self, section: str, shown: Path, good: dict) -> str:
        """The ``type:`` given, else ``preface`` for front matter titled 序言, 序, 前言 or 代序."""
        title = good["title"].strip()
        if "type" in good or section != "front" or title not in PREFACE_TITLES:
            return good.get("type", "other")
        log.debug("%s: titled %s without a type: taken as the preface", shown, title)
        return "preface"

    def resolve(self, rel: str, yaml_line: int) -> Path | None:
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root.resolve()):
            self.errors.add(f"'{rel}' points outside the book directory", self.shown_yaml,
                            yaml_line)
            return None
        if not path.is_file():
            close = _close_paths(self.root, rel)
            self.errors.add(f"'{rel}' does not exist{close}", self.shown_yaml, yaml_line)
            return None
        if path in self.seen:
            self.errors.add(f"'{rel}' is listed twice (first at line {self.seen[path]})",
                            self.shown_yaml, yaml_line)
            return None
        self.seen[path] = yaml_line
        return path


def _close_paths(root: Path, rel: str) -> str:
    import difflib
    folder = (root / rel).parent
    names = [p.name for p in folder.glob("*.md")] if folder.is_dir() else []
    close = difflib.get_close_matches(Path(rel).name, names, n=1)
    return f"; did you mean '{(Path(rel).parent / close[0]).as_posix()}'?" if close else ""
