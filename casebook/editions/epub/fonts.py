"""Optional embedded EPUB fonts: the declared families, subset to the characters each one sets."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from fontTools import subset
from fontTools.ttLib import TTFont

from casebook import model
from casebook.editions.epub.docs import XHTML_NS, Doc
from casebook.render.faces import face, load

log = logging.getLogger(__name__)
MEDIA_TYPE = "font/otf"
_SKIP = frozenset(" \t\r\n\u3000")


@dataclass(frozen=True)
class Role:
    """Which face sets which text: ``selects`` picks the elements whose text it needs."""

    family: str
    style: str
    weight: int
    stem: str
    selects: str


def roles(spec: model.FontSpec) -> tuple[Role, ...]:
    """The declared CJK faces an EPUB can embed, each for the elements it sets; the Latin
    faces are named, by local(), in shared/screen-fonts.css.j2."""
    return (
        Role(spec.serif.cjk, "Regular", 400, "serif", "//x:body"),
        Role(spec.sans.cjk, "Bold", 700, "sans-bold",
             "//x:h1|//x:h2|//x:h3|//x:h4|//x:h5|//x:h6|//*[contains(@class,'commentary-label')]"),
        Role(spec.kai.cjk, "Regular", 400, "kai", "//x:aside[contains(@class,'commentary')]"),
        Role(spec.mono.cjk, "Regular", 400, "mono", "//x:code|//x:pre|//x:kbd|//x:samp"),
    )


ROLES = roles(model.FontSpec())


@dataclass(frozen=True)
class Embedded:
    role: Role
    data: bytes
    chars: int

    @property
    def name(self) -> str:
        return f"fonts/{self.role.stem}.otf"


def characters(docs: list[Doc], role: Role) -> set[str]:
    """Every character the role's elements hold, across all documents (no spaces)."""
    found: set[str] = set()
    for doc in docs:
        for element in doc.root.xpath(role.selects, namespaces={"x": XHTML_NS}):
            found.update("".join(element.itertext()))
    return found - _SKIP


def embed(docs: list[Doc], spec: model.FontSpec | None = None) -> list[Embedded]:
    """Subset each role's face to its characters; log the size each one adds."""
    out = []
    for role in roles(spec or model.FontSpec()):
        chars = characters(docs, role)
        if not chars:
            continue
        data = _subset(role, chars)
        out.append(Embedded(role, data, len(chars)))
        log.info("Embedded font %s %s: %d characters, %d KB", role.family, role.style,
                 len(chars), len(data) // 1024)
    log.info("Embedded fonts add %d KB before compression",
             sum(len(e.data) for e in out) // 1024)
    return out


def _subset(role: Role, chars: set[str]) -> bytes:
    with load(face(role.family, role.style)) as font:
        options = subset.Options()
        options.hinting = False
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(ord(c) for c in chars))
        subsetter.subset(font)
        font.recalcTimestamp = False  # keep head.modified as shipped: reproducible bytes
        buffer = io.BytesIO()
        font.save(buffer)
        return buffer.getvalue()


def covered(data: bytes) -> set[str]:
    """The characters an embedded font maps (for tests and reports)."""
    return {chr(c) for c in TTFont(io.BytesIO(data)).getBestCmap()}
