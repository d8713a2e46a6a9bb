"""The Jinja environment every edition renders with: the book's own templates/ first, then
casebook's; template mistakes become errors naming the template and line; stylesheets."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import jinja2

from casebook import model, resources
from casebook.errors import RenderError
from casebook.render import mathsvg, notes, xref

log = logging.getLogger(__name__)
TEMPLATES_DIR = resources.TEMPLATES
STYLES_DIR = resources.STYLES
MATH_TEMPLATE = "pdf/math.html.j2"  # one formula drawn for print (mathsvg.for_print)
_ENVIRONMENTS: dict[tuple[str, ...], jinja2.Environment] = {}  # one per template path


def environment(book: model.Book) -> jinja2.Environment:
    """The Jinja environment: the book's own templates/ first, then casebook's.

    One per template path in a process: compiled templates are kept, and reloaded when
    their file changes (Jinja checks the mtime).
    """
    dirs = [book.root / "templates"] if (book.root / "templates").is_dir() else []
    if TEMPLATES_DIR not in dirs:
        dirs.append(TEMPLATES_DIR)
    key = tuple(str(d.resolve()) for d in dirs)
    if key not in _ENVIRONMENTS:
        _ENVIRONMENTS[key] = _new_environment(dirs)
    return _ENVIRONMENTS[key]


def _new_environment(dirs: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=jinja2.select_autoescape(["html", "xhtml", "j2"], default=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.globals.update(PENDING_LABEL=model.PENDING_LABEL, Case=model.Case, Part=model.Part,
                       Matter=model.Matter)
    from casebook.render.draftmark import (
        label as draft_mark,  # 草稿 · build date, for --draft builds
    )
    env.globals["draft_mark"] = draft_mark
    env.filters["print_notes"] = notes.for_print  # the PDF's page-foot notes (notes.py)
    env.filters["print_folios"] = xref.with_folios  # page references of a chunked PDF
    # formulas drawn as SVG for WeasyPrint. Bound here, not @pass_environment: Jinja compiles
    # that into the calling template, and the bytecode cache keeps what book.html.j2 compiled to
    env.filters["print_math"] = functools.partial(_print_math, env)
    return env


def _print_math(env: jinja2.Environment, html: str, math_font: str) -> str:
    """``html`` with each formula drawn (mathsvg.for_print) and set by MATH_TEMPLATE."""
    return mathsvg.for_print(html, math_font,
                             lambda **image: render_template(env, MATH_TEMPLATE, **image))


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between processes in Jinja's own per-user temp folder, and
    checked against each template's source (every build process compiled them anew). None,
    with a note, where that folder cannot be made safely: templates are then compiled."""
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError) as exc:
        log.info("Templates are compiled in every process: no bytecode cache (%s)", exc)
        return None


def render_template(env: jinja2.Environment, name: str, **context) -> str:
    """Render a template; template mistakes become errors naming the template and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"template error: {exc.message}", exc.filename or name,
                          exc.lineno) from None
    except jinja2.TemplateError as exc:
        raise RenderError(f"template error in {name}: {exc}", _template_path(env, name),
                          _template_line(exc)) from None


def _template_path(env: jinja2.Environment, name: str) -> str:
    try:
        return env.get_template(name).filename or name
    except jinja2.TemplateError:
        return name


def _template_line(exc: Exception) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith((".j2", ".html", ".xhtml")):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def style(name: str, book: model.Book | None = None) -> str:
    """The text of a stylesheet: the book's own ``styles/<name>`` if it has one, else casebook's."""
    own = book.root / "styles" / name if book is not None else None
    return ((own if own and own.is_file() else STYLES_DIR / name)).read_text(encoding="utf-8")
