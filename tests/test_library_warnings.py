"""WeasyPrint's own warnings, which no change to the book can silence, are shown with -v only.

Where WeasyPrint lacks HarfBuzz's subsetter (a pip user's machine without libharfbuzz-subset0)
it warns once per font and build, nine lines for the sample book: the build shows instead
casebook's one line that names the package. The library is taken away for real, in a mount
namespace of the build's own (``unshare``), where it reads as an empty file.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess

import pytest
from bookfactory import sample_copy
from conftest import CLI, ROOT

from casebook import cli

SUBSET_LIBRARY = "libharfbuzz-subset.so.0"
WEASYPRINT_SAYS = "Using fontTools instead of HarfBuzz-Subset"


def _subset_library() -> str | None:
    listing = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True,
                             check=False).stdout
    found = re.search(rf"\s{re.escape(SUBSET_LIBRARY)}\s.*=>\s*(\S+)", listing)
    return found.group(1) if found else None


def _without_subset_library(cmd: list[str]) -> list[str]:
    """``cmd`` run where libharfbuzz-subset cannot be loaded."""
    library = _subset_library()
    if library is None:
        return cmd  # not installed here: WeasyPrint warns anyway
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-m", "true"], capture_output=True, check=False).returncode != 0:
        pytest.skip("needs libharfbuzz-subset0 absent, or unshare -m (root) to hide it")
    return ["unshare", "-m", "sh", "-c", 'mount --bind /dev/null "$0" && exec "$@"', library,
            *cmd]


@pytest.fixture
def logging_restored():
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("casebook").level
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    logging.getLogger("casebook").setLevel(saved[2])


@pytest.mark.slow  # fontTools subsets the CJK fonts here: the build takes about 17 s, not 4
def test_a_sample_build_shows_no_weasyprint_line_without_v(tmp_path):
    book = sample_copy(tmp_path / "sample", cache=False)  # no cache: WeasyPrint runs
    cmd = [*CLI, "pdf", "--book", str(book), "--out", str(tmp_path / "out")]
    result = subprocess.run(_without_subset_library(cmd), cwd=ROOT, capture_output=True,
                            text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith("Painting the PDF") for line in lines), lines
    assert not [line for line in lines if "weasyprint:" in line or WEASYPRINT_SAYS in line], lines
    ours = [line for line in lines if "libharfbuzz-subset is not installed" in line]
    assert ours == [("warning: libharfbuzz-subset is not installed, so WeasyPrint subsets the "
                     "fonts with fontTools, several times slower; install it: apt-get install "
                     "libharfbuzz-subset0")], lines


@pytest.mark.parametrize("verbose", [False, True])
def test_weasyprint_warnings_need_v_and_its_errors_do_not(capsys, logging_restored, verbose):
    cli.setup_logging(verbose=verbose, quiet=False)
    weasyprint = logging.getLogger("weasyprint")
    weasyprint.warning("Ignored `x: y` at 1:1, unknown property.")
    weasyprint.error("Failed to load image at 'a.png'")
    # casebook has warned about the image at its line (missing-alt): said again with -v only
    weasyprint.error('Image "source/map/a.png" has no required alt description')
    logging.getLogger("casebook.editions.pdf").warning("casebook's own warning")
    err = capsys.readouterr().err.splitlines()
    expected = ["error: weasyprint: Failed to load image at 'a.png'",
                "warning: casebook's own warning"]
    if verbose:
        expected.insert(0, "warning: weasyprint: Ignored `x: y` at 1:1, unknown property.")
        expected.insert(2, 'error: weasyprint: Image "source/map/a.png" has no required alt '
                           'description')
    assert err == expected
