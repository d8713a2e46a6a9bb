"""Atomic outputs: a build killed at any moment leaves the previous editions intact."""

import hashlib
import signal
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest
import synthetic
from conftest import CLI, cli

from casebook import check

pytestmark = pytest.mark.slow  # ten builds killed at chosen moments, EPUBCheck

# (log text that marks the phase, seconds to wait after it): 10 kill points in all
KILL_POINTS = [
    ("Step 2/", 0.05), ("Step 2/", 0.4),                        # pandoc
    ("Laying out", 0.1), ("Laying out", 1.0), ("Laying out", 2.0),  # WeasyPrint layout, HTML
    ("Painting the PDF", 0.05), ("Painting the PDF", 0.3),     # PDF painted, EPUB written
    ("Cover: spine", 0.05),                                      # the cover spread
    ("Step 4/4", 0.0), ("Step 4/4", 0.02),                       # publishing
]


EDITIONS = {"synthetic.pdf", "synthetic-screen.pdf", "synthetic.epub", "html/index.html"}


def _args(book: Path, out: Path) -> list[str]:
    return ["--book", str(book), "--out", str(out), "--no-cache"]


def _digest(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")
            and ".staging-" not in p.as_posix()}


def _kill_at(book: Path, out: Path, marker: str, delay: float) -> bool:
    """Start a build, SIGKILL it `delay` s after `marker` appears; True if it was killed."""
    proc = subprocess.Popen([*CLI, *_args(book, out)], stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if marker in line:
            time.sleep(delay)
            break
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    proc.wait()
    assert not _survivors(out), "the build's worker processes must die with it"
    return killed


def _survivors(out: Path, wait: float = 2.0) -> list[int]:
    """Processes still running with this output folder on their command line."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if entry.name.isdigit() and str(out).encode() in cmdline:
                found.append(int(entry.name))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return synthetic.make_book(tmp_path_factory.mktemp("atomic"), parts=3, cases_per_part=6)


def test_killed_builds_never_damage_the_previous_editions(book, tmp_path):
    out = tmp_path / "dist"
    assert cli(*_args(book, out)).returncode == 0
    before = _digest(out)
    assert "synthetic.pdf" in before and "synthetic.epub" in before
    case = next((book / "source" / "cases").rglob("*.md"))
    case.write_text(case.read_text(encoding="utf-8") + "\n修改后的段落。\n", encoding="utf-8")
    killed = 0
    for marker, delay in KILL_POINTS:
        killed += _kill_at(book, out, marker, delay)
        now = _digest(out)
        assert EDITIONS <= set(now), "no edition may go missing"
        assert all(name in now for name in before if not name.startswith("html/")), "files lost"
        assert subprocess.run(["qpdf", "--check", str(out / "synthetic.pdf")],
                              capture_output=True).returncode == 0, (marker, delay)
        with zipfile.ZipFile(out / "synthetic.epub") as epub:
            assert epub.testzip() is None, (marker, delay)
        assert "</html>" in (out / "html" / "index.html").read_text(encoding="utf-8")
    assert killed >= 8, f"only {killed} of {len(KILL_POINTS)} builds were still running"
    assert check.epubcheck(out / "synthetic.epub").errors == 0
    assert subprocess.run(["qpdf", "--check", str(out / "synthetic.pdf")],
                          capture_output=True).returncode == 0
    result = cli(*_args(book, out))
    assert result.returncode == 0, result.stderr
    assert not list(out.glob(".staging-*")), "the next build cleans up after killed ones"


def test_two_builds_on_one_folder_do_not_collide(book, tmp_path):
    out = tmp_path / "dist"
    first = subprocess.Popen([*CLI, *_args(book, out)], stderr=subprocess.PIPE, text=True)
    for line in first.stderr:
        if "Step 2/" in line:
            break
    second = cli(*_args(book, out))
    first.stderr.read()
    assert first.wait() == 0
    assert second.returncode == 5
    assert "another build is running" in second.stderr
    assert "Traceback" not in second.stderr
    assert check.epubcheck(out / "synthetic.epub").errors == 0
