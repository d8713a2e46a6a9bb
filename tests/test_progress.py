"""Long work shows progress on a terminal: pages of a short book, chunks of a long one's PDF."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import termios

import pytest
import synthetic
from conftest import CLI, DATA, ROOT

from casebook.editions.pdf import plan as pdf_plan
from casebook.source import loader as source


def _run_on_terminal(args: list[str]) -> str:
    """Run a command with a 100-column pseudo-terminal as its stdout and stderr."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: build.py on the terminal
        os.chdir(ROOT)
        os.execv(CLI[0], [*CLI, *args])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, out.decode(errors="replace")
    return out.decode(errors="replace")


def test_a_short_book_on_a_terminal_counts_pages_laid_out_and_painted(tmp_path):
    shown = _run_on_terminal(["pdf", "--book", str(DATA / "sample"), "--no-cache",
                              "--out", str(tmp_path / "out")])
    frames = shown.replace("\r", "\n").splitlines()
    assert any(f.startswith("layout: ") and "page" in f for f in frames), frames
    assert any(f.startswith("paint: ") and "page" in f for f in frames), frames


@pytest.mark.slow
def test_a_long_book_on_a_terminal_counts_the_pdf_chunks(tmp_path):
    book = synthetic.make_book(tmp_path / "long", parts=2, cases_per_part=3, paragraphs=90)
    assert len(pdf_plan.plan(source.load(book))) > 1, "the book is laid out as one document"
    shown = _run_on_terminal(["pdf", "--book", str(book), "--out",
                              str(tmp_path / "out")])
    frames = shown.replace("\r", "\n").splitlines()
    assert any(f.startswith("PDF chunks: ") and "chunk" in f for f in frames), frames


def test_quiet_builds_show_no_bars(tmp_path):
    shown = _run_on_terminal(["pdf", "-q", "--book", str(DATA / "sample"),
                              "--out", str(tmp_path / "out")])
    assert "PDF chunks: " not in shown and "layout: " not in shown and "paint: " not in shown
