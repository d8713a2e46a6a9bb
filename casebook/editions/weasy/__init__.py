"""Every patch of WeasyPrint's and pydyf's internals, in one place: ``install()`` applies them.

The modules of this package replace or wrap functions inside WeasyPrint and pydyf
(``justify``, ``strut``, ``lineend``, ``grid``, ``lastline``, ``fill``, ``leaders``,
``links``, ``fontmark``, ``speed``, ``progress``) or read their private state (``pages``: margin boxes, and the tables a page holds). Nothing else in
casebook patches either library. ``install`` checks once that the installed WeasyPrint and
pydyf are the versions the patches were tested with (``TESTED``, pinned in pyproject.toml)
and applies every patch; a second call returns at once. ``PATCHES`` lists each upstream
function casebook depends on this way, with the SHA-256 of its source as it was when the
patch was written: tests/test_weasy_patches.py fails, naming the patch, when the upstream
source changes (docs/weasyprint.md: what to do then).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata

from casebook.editions.weasy import (
    fill,
    fontmark,
    grid,
    justify,
    lastline,
    leaders,
    lineend,
    links,
    progress,
    speed,
    strut,
)
from casebook.errors import ToolError

log = logging.getLogger(__name__)

#: The versions whose internals the patches were written for; pyproject.toml pins them.
TESTED = {"weasyprint": "70.0", "pydyf": "0.13.0"}


@dataclass(frozen=True)
class Patch:
    """One upstream function casebook patches (or reads or copies), and its source's hash."""

    name: str    # the test id in tests/test_weasy_patches.py
    target: str  # the upstream object, "module:qualname"
    how: str     # "replaces", "wraps", "reads" (private state), "copies" (its logic)
    module: str  # casebook's module that depends on it
    sha256: str  # of inspect.getsource(target) when the patch was written


_W, _PDF = "casebook/editions/weasy/", "casebook/editions/pdf/"
PATCHES = (
    Patch("justify-count", "weasyprint.layout.inline:count_expandable_spaces", "wraps",
          _W + "justify.py", "175fe6f42576ed3842d240a5048b4816ed702e8f97d49389b5b528aee51476ad"),
    Patch("justify-set-text", "weasyprint.text.line_break:Layout.set_text", "wraps",
          _W + "justify.py", "fe23ca9937dbf5205bda422f9c01103f301ef2c511228842632ea86e853274f7"),
    Patch("strut", "weasyprint.layout.inline:split_text_box", "wraps",
          _W + "strut.py", "8c564329599ef23fac6cc8c403768e9e51638226d87a8b2de69c49c9c5f408c8"),
    Patch("strut-inline", "weasyprint.layout.inline:_adjust_line_height", "wraps",
          _W + "strut.py", "822443b08f53654f84607568d3ea0be43ded5cda170eb5d43ea29094c8df3390"),
    Patch("lineend", "weasyprint.layout.inline:remove_last_whitespace", "wraps",
          _W + "lineend.py", "53f0c79c9fbbda500488edce48d95e80a43243d63824606aab2b0f77916e8601"),
    Patch("lineend-align", "weasyprint.layout.inline:text_align", "wraps",
          _W + "lineend.py", "e953d41b87ccfc30405f83f6cc3c73918ef4638662794db4f834b1d788d6ed67"),
    Patch("lastline", "weasyprint.layout.block:iter_line_boxes", "wraps",
          _W + "lastline.py", "04aec48abfcad809bc94c54eeba0e23a389e824cec85fe67bc1b21412d29dc3a"),
    Patch("lastline-measure", "weasyprint.layout.inline:get_next_linebox", "reads",
          _W + "lastline.py", "67af458c2545e74f0803072103c6c5d392d5e353dfdaa4f5bac5a96e20ed024d"),
    Patch("fill", "weasyprint.layout.page:make_page", "wraps",
          _W + "fill.py", "656f183328e8b1b56311a342621442056c067422958dcaf6730acdfb6c7b8971"),
    Patch("grid", "weasyprint.layout.block:block_level_layout", "wraps",
          _W + "grid.py", "c1301dde9284e24519ee0432b508d6cd79768018d2564d4066f0fdf103982dd6"),
    Patch("leaders", "weasyprint.layout.leader:handle_leader", "replaces",
          _W + "leaders.py", "e4bf5941eb946d0b2029b21c3613f384d6157edb01d98add8d3bfa120ac3e571"),
    Patch("links", "weasyprint.pdf.anchors:resolve_links", "replaces",
          _W + "links.py", "f95937bb4e4f100754065a4aaab8ec8a97465dc5deeae67ce2c36ce859dde92b"),
    Patch("fontmark-subset", "weasyprint.pdf.fonts:Font.subset", "wraps",
          _W + "fontmark.py", "61ed6bc2e9a7e43a7ad4c50e4bd61a0c5b6db06069754e66c6e328f4a97a6311"),
    Patch("fontmark-face-data", "weasyprint.pdf.fonts:get_hb_object_data", "wraps",
          _W + "fontmark.py", "03040a623df04c2b5fe464037e14b07fe430fd1ec43602abf955fdf3fbe77ea6"),
    Patch("fontmark-clean", "weasyprint.pdf.fonts:Font.clean", "copies",
          _W + "fontmark.py", "794f0211f18453f1a291056fcd6659cdcb262f7c1133cf5b2ea015df379c6813"),
    Patch("speed-page-references", "pydyf:PDF.page_references", "wraps",
          _W + "speed.py", "060bf90aad55931bc24c3575a52af9478a89916aa307e5323142663841cb7798"),
    Patch("progress-layout", "weasyprint.document:layout_document", "wraps",
          _W + "progress.py", "a5cbf437e99caf7293e7ed2289278048bca734f7ead2e947b4e24e4a3a536dbc"),
    Patch("progress-paint", "weasyprint.document:Page.paint", "wraps",
          _W + "progress.py", "b2f0dcbda755b5d5bd3969e12620c743cdd57fd6d4855685793e128175714410"),
    Patch("pages-margin-boxes", "weasyprint.document:Page.__init__", "reads",
          _W + "pages.py", "56afceec729bf2c1d6d4d28495726a179882a23dec2234aefaf33bb1027a8dc0"),
    Patch("pages-tables", "weasyprint.layout.table:table_layout", "reads",
          _W + "pages.py", "6594fa40743fbc0bd49b2ba12682897bfa86b75b7f6f1e395d8ba947b0641376"),
    Patch("subset-harfbuzz", "weasyprint.pdf.fonts:Font._harfbuzz_subset", "copies",
          _PDF + "subset.py", "f80805663ede8080a3e1ffff831e20c74bd25fa3b8e4410334ba807158dc685f"),
)

_upstream: dict[str, object] = {}  # patch name -> the upstream object, saved before patching
_state = {"installed": False}


def install() -> None:
    """Check the WeasyPrint and pydyf versions, then apply every patch; once per process."""
    if _state["installed"]:
        return
    check(installed_versions())
    for patch in PATCHES:
        _upstream.setdefault(patch.name, resolve(patch.target))
    justify.patch()
    strut.patch()
    lineend.patch()
    grid.patch()
    lastline.patch()
    fill.patch()
    leaders.patch()
    links.patch()
    fontmark.patch()
    speed.patch()
    progress.patch()
    _state["installed"] = True
    log.debug("WeasyPrint patches installed: %s", ", ".join(p.name for p in PATCHES))


@contextmanager
def typesetting(top_pt: float, pitch_pt: float, face: str):
    """Lay out a book's pages inside: its baseline grid (the text block's top and the line
    pitch, pt), the face whose metrics place baselines, line-end marks and last lines set
    as a Chinese composer sets them. Outside, WeasyPrint lays out as upstream does (but for
    the justification of Chinese, which is always on). The patches are installed first: a
    layout never depends on whether the process laid out something else before."""
    install()
    grid.configure(top_pt, pitch_pt)
    strut.configure(face)
    lineend.activate(True)
    lastline.activate(True)
    fill.activate(True)
    try:
        yield
    finally:
        grid.configure(None, None)
        strut.configure(None)
        lineend.activate(False)
        lastline.activate(False)
        fill.activate(False)
        lastline.LOOSE.clear()


def installed_versions() -> dict[str, str]:
    """The installed version of each library in TESTED."""
    return {name: metadata.version(name) for name in TESTED}


def check(installed: dict[str, str]) -> None:
    """Refuse versions other than TESTED: the patches replace those versions' internals."""
    if all(installed.get(name) == version for name, version in TESTED.items()):
        return
    found = ", ".join(f"{name} {installed.get(name)}" for name in TESTED)
    tested = ", ".join(f"{name} {version}" for name, version in TESTED.items())
    pins = " ".join(f"{name}=={version}" for name, version in TESTED.items())
    raise ToolError(f"{found} installed, but casebook's patches of their internals "
                    f"(casebook/editions/weasy/) were tested with {tested}: "
                    f"pip install {pins}, or re-check the patches (docs/weasyprint.md)")


def upstream(name: str):
    """The upstream object patch ``name`` targets, as it was before ``install`` (a
    property's getter for a property)."""
    patch = next(p for p in PATCHES if p.name == name)
    found = _upstream.get(name) or resolve(patch.target)
    return found.fget if isinstance(found, property) else found


def resolve(target: str):
    """The object ``"module:qualname"`` names, as it is now."""
    module, _, qualname = target.partition(":")
    found = importlib.import_module(module)
    for part in qualname.split("."):
        found = inspect.getattr_static(found, part) if inspect.isclass(found) \
            else getattr(found, part)
    return found


def source_sha256(function) -> str:
    """The SHA-256 of a function's source text (``inspect.getsource``)."""
    return hashlib.sha256(inspect.getsource(function).encode("utf-8")).hexdigest()
