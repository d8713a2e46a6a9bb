"""`init DIR`: write a new book project, labelled example text, into a new or empty folder.

The project is casebook/assets/init as it ships: book.yaml (from ``book.yaml.j2``, its slug
made from the folder's name), a preface, one case with a 点评, empty ``styles/`` and
``templates/`` folders that each say what a file there does, and ``.gitignore`` (shipped as
``gitignore``: package data leaves dotfiles out). Every text in it says it is 示例文本.

The files are written into a temporary folder beside DIR and moved into place at the end, so
a failure leaves no half-made project; a folder that holds anything is refused, never merged.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import jinja2

from casebook import resources
from casebook.authoring import newcase
from casebook.errors import CasebookError

log = logging.getLogger(__name__)

RENAMED = {"gitignore": ".gitignore"}  # shipped name -> name in the project
TEMPLATE_SUFFIX = ".j2"  # rendered with the slug; every other file is copied as it is


def project_slug(folder: Path) -> str:
    """book.yaml's slug from the folder's name: ``My Book`` → ``my-book``, 案例集 → ``an-li-ji``."""
    return newcase.slug(folder.name, fallback="book")


def create(target: Path) -> list[Path]:
    """Write a new book project into ``target``; return the files written, relative to it."""
    target = Path(target)
    _refuse_unless_empty(target)
    slug = project_slug(target.resolve())
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{target.resolve().name}.init-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()  # not mkdtemp: the project gets the umask's mode, not 0700
    try:
        written = _write(staging, slug)
        if target.is_dir():
            for entry in staging.iterdir():
                os.replace(entry, target / entry.name)
        else:
            os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.debug("init: wrote %s into %s", ", ".join(map(str, written)), target)
    return written


def _refuse_unless_empty(target: Path) -> None:
    if target.is_dir():
        entries = sorted(p.name for p in target.iterdir())
        if entries:
            shown = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
            raise CasebookError(f"the folder is not empty (it holds {shown}); casebook init "
                                "writes a new book only into a new or empty folder, so that "
                                "it never overwrites one: name another folder", target)
    elif target.exists():
        raise CasebookError("this is a file, not a folder; casebook init writes a new book "
                            "into a new or empty folder", target)


def _write(root: Path, slug: str) -> list[Path]:
    """Every file of the example project under ``root``; the folders listed first."""
    if not (resources.INIT / f"book.yaml{TEMPLATE_SUFFIX}").is_file():
        raise CasebookError("casebook's example project is missing from its installation; "
                            "reinstall casebook", resources.INIT)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             autoescape=False)
    written = []
    for source in sorted(resources.INIT.rglob("*")):
        rel = source.relative_to(resources.INIT)
        if source.is_dir() or "__pycache__" in rel.parts:
            continue
        name = RENAMED.get(rel.name, rel.name)
        if name.endswith(TEMPLATE_SUFFIX):
            name = name[:-len(TEMPLATE_SUFFIX)]
            data = env.from_string(source.read_text(encoding="utf-8")).render(
                slug=slug).encode("utf-8")
        else:
            data = source.read_bytes()
        out = root / rel.parent / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        written.append(out.relative_to(root))
    return written
