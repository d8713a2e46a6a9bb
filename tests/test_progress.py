"""Long work shows progress on a terminal: the PDF's chunks are counted as they are laid out."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import sys
import termios

from conftest import DATA, ROOT


def _run_on_terminal(args: list[str]) -> str:
    """Run a command with a 100-column pseudo-terminal as its stdout and stderr."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: build.py on the terminal
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, *args])
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


def test_a_build_on_a_terminal_counts_the_pdf_chunks(tmp_path):
    shown = _run_on_terminal(["build.py", "pdf", "--book", str(DATA / "sample"), "--no-cache",
                              "--out", str(tmp_path / "out")])  # no cache: every chunk is laid out
    frames = shown.replace("\r", "\n").splitlines()
    assert any(f.startswith("PDF chunks: ") and "/4 [" in f for f in frames), frames


def test_quiet_builds_show_no_bars(tmp_path):
    shown = _run_on_terminal(["build.py", "pdf", "-q", "--book", str(DATA / "sample"),
                              "--out", str(tmp_path / "out")])
    assert "PDF chunks: " not in shown
