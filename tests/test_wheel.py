"""casebook installs like any Python tool: its wheel, in a fresh venv, makes and builds a book.

The wheel is built the PEP 517 way without isolation: a fresh venv (no system site
packages) gets pyproject's build requirements from the package index, and setuptools' own
backend builds the wheel from a copy of the package's files (so no build/ lands in the
checkout); the backend must say no warning. The wheel is then installed in that venv with
its dependencies from the index, pinned by a constraints file to the versions this test's
environment has, so that the wheel and the checkout build with the same libraries and the
EPUB they write can be compared byte for byte. In a folder outside the repository the
installed ``casebook`` runs ``init``, ``epub`` and (as ``python -m casebook``) ``html``.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow
EPOCH = "1306886400"  # 2011-06-01
PAGEFIND = ROOT / "node_modules" / ".bin" / "pagefind"
# what the wheel is built from: the package and the files pyproject names
SHIPPED = ("pyproject.toml", "README.md", "casebook")


def _run(cmd, env, cwd, timeout=900) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{cmd}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _clean_env(venv: Path) -> dict[str, str]:
    """The environment a user's shell gives: the venv first on PATH, no checkout on
    PYTHONPATH, bytecode allowed (setuptools warns when it is not)."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("CASEBOOK_")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["SOURCE_DATE_EPOCH"] = EPOCH
    return env


def _constraints(path: Path) -> Path:
    """This environment's distributions at their versions (casebook itself left out)."""
    pins = sorted({f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
                   if d.metadata["Name"] and d.metadata["Name"].lower() != "casebook"})
    path.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv, wheel, backend output): casebook's wheel, built and installed in a fresh venv."""
    work = tmp_path_factory.mktemp("wheel")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env, python = _clean_env(venv), venv / "bin" / "python"
    source = work / "source"
    source.mkdir()
    for name in SHIPPED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, source / name)
    system = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    _run([python, "-m", "pip", "install", "-q", *system["requires"]], env, work)
    dist = work / "dist"
    hook = f"import {system['build-backend']} as b; print(b.build_wheel({str(dist)!r}))"
    backend = _run([python, "-c", hook], env, source)
    wheel = dist / backend.stdout.strip().splitlines()[-1]
    _run([python, "-m", "pip", "install", "-q", "-c", _constraints(work / "pins.txt"),
          wheel], env, work)
    return venv, wheel, backend.stdout + backend.stderr


def test_the_wheel_builds_without_a_warning(installed):
    _, wheel, output = installed
    warnings = [line for line in output.splitlines() if re.search(r"warn", line, re.IGNORECASE)]
    assert not warnings, "\n".join(warnings)
    assert wheel.name == "casebook-0.1.0-py3-none-any.whl"


def test_the_wheel_holds_the_assets_and_filters_and_no_tests(installed):
    _, wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    package = [n for n in names if not n.startswith("casebook-0.1.0.dist-info/")]
    assert all(n.startswith("casebook/") for n in package), package
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "casebook").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert set(package) == shipped, set(package) ^ shipped
    for name in ("casebook/assets/templates/epub/case.xhtml.j2",
                 "casebook/assets/styles/pdf.css", "casebook/assets/static/html/search.js",
                 "casebook/assets/init/book.yaml.j2", "casebook/assets/init/gitignore",
                 "casebook/render/filters/commentary.lua", "casebook/cli/init.py"):
        assert name in package, name
    filters = sorted(p.name for p in (ROOT / "casebook" / "render" / "filters").glob("*.lua"))
    assert len(filters) >= 3
    assert sorted(n.rsplit("/", 1)[1] for n in package
                  if n.startswith("casebook/render/filters/") and n.endswith(".lua")) == filters
    assert not [n for n in names if re.search(r"(^|/)(tests?|conftest|bookfactory|synthetic)"
                                               r"(/|\.py$)", n)]


def test_the_installed_tool_makes_and_builds_a_book_as_the_checkout_does(installed, tmp_path):
    venv, _, _ = installed
    env = _clean_env(venv)
    home = tmp_path / "user"  # a folder outside the repository
    home.mkdir()
    where = _run(["python", "-c", "import casebook; print(casebook.__file__)"], env, home)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    _run(["casebook", "init", "book"], env, home)
    pristine = tmp_path / "checkout"
    shutil.copytree(home / "book", pristine / "book")  # the same book, before any build

    _run(["casebook", "epub", "--book", "book"], env, home)
    html = _run(["python", "-m", "casebook", "html", "--book", "book"],
                {**env, "CASEBOOK_PAGEFIND": str(PAGEFIND)}, home)
    assert "indexed by Pagefind 1.6.0" in html.stderr
    assert (home / "book" / "dist" / "html" / "pagefind" / "pagefind-entry.json").is_file()

    checkout_env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
    _run([sys.executable, "-m", "casebook", "epub", "--book", "book"], checkout_env, pristine)
    from_wheel = (home / "book" / "dist" / "book.epub").read_bytes()
    from_checkout = (pristine / "book" / "dist" / "book.epub").read_bytes()
    assert from_wheel == from_checkout
