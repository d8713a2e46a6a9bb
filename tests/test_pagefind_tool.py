"""Pagefind: a missing one is named with the one command that installs it; another version
than 1.6.0 outside node_modules is refused (PyPI's 1.5.2 finds no 党建 inside 党建工作)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from bookfactory import sample_copy
from conftest import ROOT

from casebook import resources


def _html(tmp_path: Path, pagefind: Path) -> subprocess.CompletedProcess:
    book = sample_copy(tmp_path / "sample", cache=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CASEBOOK_PAGEFIND": str(pagefind)}
    return subprocess.run([sys.executable, "-m", "casebook", "html", "--book", str(book),
                           "--out", str(tmp_path / "out"), "-q"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def _the_error(result: subprocess.CompletedProcess) -> str:
    """The one line that is not a warning; exit 3 (a tool), no traceback, nothing written."""
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    lines = [l for l in result.stderr.splitlines() if not l.startswith("warning:")]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture(scope="module")
def pypi_pagefind(tmp_path_factory) -> Path:
    """PyPI's Pagefind 1.5.2 binary (the pagefind-bin wheel), as pip installs it."""
    where = tmp_path_factory.mktemp("pagefind-bin")
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                    "--only-binary=:all:", "-d", str(where), "pagefind-bin==1.5.2"],
                   check=True, capture_output=True, timeout=300)
    wheel = next(where.glob("pagefind_bin-1.5.2-*.whl"))
    binary = Path(zipfile.ZipFile(wheel).extract("pagefind_bin/pagefind", where / "bin"))
    binary.chmod(0o755)
    return binary


def test_a_missing_pagefind_is_named_with_the_command_that_installs_it(tmp_path):
    line = _the_error(_html(tmp_path, tmp_path / "no" / "pagefind"))
    book = tmp_path / "sample"
    assert f"CASEBOOK_PAGEFIND names {tmp_path / 'no' / 'pagefind'}, which does not exist" in line
    assert line.endswith(f"install Pagefind with: npm install --prefix {book} pagefind@1.6.0")
    assert not (tmp_path / "out" / "html").exists()


def test_the_install_command_installs_where_casebook_looks():
    assert resources.install_pagefind(Path("my book")).startswith(
        "npm install --prefix 'my book' pagefind@1.6.0")
    assert resources.INSTALL_NODE.startswith("npm install pagefind@1.6.0")


def test_pypi_pagefind_1_5_2_is_refused(tmp_path, pypi_pagefind):
    assert subprocess.run([pypi_pagefind, "--version"], capture_output=True, text=True,
                          check=True).stdout.split() == ["pagefind", "1.5.2"]
    line = _the_error(_html(tmp_path, pypi_pagefind))
    assert line.startswith(f"{pypi_pagefind}: this is Pagefind 1.5.2; casebook needs Pagefind "
                           "1.6.0"), line
    assert f"npm install --prefix {tmp_path / 'sample'} pagefind@1.6.0" in line
    assert not (tmp_path / "out" / "html").exists()


def test_npm_pagefind_1_6_0_builds_the_index(tmp_path):
    result = _html(tmp_path, ROOT / "node_modules" / ".bin" / "pagefind")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "html" / "pagefind" / "pagefind-entry.json").is_file()
