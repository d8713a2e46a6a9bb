"""Shared test helpers: the project root, the command line, built real and synthetic books."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import synthetic

from casebook.build.pipeline import Options, build
from casebook.source import loader as source

ROOT = Path(__file__).resolve().parents[1]  # the project: every test and helper finds it here
DATA = ROOT / "tests" / "data"
CLI = (sys.executable, str(ROOT / "build.py"))  # the command line, for Popen and terminals


def cli(*args, cwd: Path | str = ROOT, env: dict | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``build.py ARGS`` in a new process and wait: stdout and stderr captured as text.

    ``env`` adds to (or overrides) this process's environment. build.py is given by its full
    path, so the project's own casebook is imported whatever ``cwd`` is.
    """
    return subprocess.run([*CLI, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **env} if env else None, timeout=timeout)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden files in tests/data/ from the current output")
    parser.addoption("--slow", action="store_true",
                     help="fuzz with 2,000 examples instead of 200 (this is not the slow "
                          "marker: -m 'not slow' leaves the slow tests out)")


def pytest_configure(config):
    if config.getoption("--slow"):
        os.environ.setdefault("CASEBOOK_FUZZ_EXAMPLES", "2000")


SLOW_BOOKS = {"real", "synthetic110"}  # a test that builds one of these is marked slow
_RUNNING = pytest.StashKey()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item.config.stash[_RUNNING] = item  # the test whose fixtures (and body) run now


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def write_edition(name: str, book, out: Path, fragments=None, **options) -> Path:
    """One edition written the way a build writes it (the registry, in this process)."""
    from casebook.build import jobs
    from casebook.render.fragments import render_all
    return jobs.edition(name, book, out, fragments or render_all(book), options)[0]


class Built:
    """One book built into a temporary folder, with its selected Book model."""

    def __init__(self, book_dir: Path, out: Path, draft: bool):
        self.paths = build(Options(book_dir=book_dir, out_dir=out, draft=draft))
        self.book = source.load(book_dir).select(draft)
        self.out = out
        self.epub, self.pdf = self.paths["epub"], self.paths["pdf"]
        self.html = self.paths["html"].parent


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory) -> Path:
    """A synthetic 9-part, 36-case book (every 5th case pending), labelled synthetic."""
    return synthetic.make_book(tmp_path_factory.mktemp("synthetic"), parts=9,
                               cases_per_part=4, pending_every=5)


@pytest.fixture(scope="session")
def synthetic110_dir(tmp_path_factory) -> Path:
    """A synthetic book in the original's shape: 110 cases in 9 parts, a figure every 10th."""
    return synthetic.make_book(tmp_path_factory.mktemp("synthetic110"),
                               part_sizes=synthetic.ORIGINAL_PARTS, figure_every=10)


@pytest.fixture(scope="session")
def builds(tmp_path_factory, synthetic_dir, request):
    """Build on demand, once per session: builds('real'|'synthetic'|'synthetic110', draft)."""
    cache: dict[tuple[str, bool], Built] = {}

    def get(kind: str, draft: bool) -> Built:
        test = request.config.stash.get(_RUNNING, None)
        if kind in SLOW_BOOKS and test is not None and not test.get_closest_marker("slow"):
            pytest.fail(f"{test.nodeid} builds the {kind} book: mark it @pytest.mark.slow, "
                        "so that `-m 'not slow'` stays a quick loop", pytrace=False)
        if (kind, draft) not in cache:
            book_dir = {"real": ROOT, "synthetic": synthetic_dir}.get(kind) or \
                request.getfixturevalue("synthetic110_dir")
            out = tmp_path_factory.mktemp(f"{kind}-{'draft' if draft else 'default'}")
            cache[kind, draft] = Built(book_dir, out, draft)
        return cache[kind, draft]
    return get


SLOW = pytest.mark.slow
BOOKS = [pytest.param(("real", False), marks=SLOW), pytest.param(("real", True), marks=SLOW),
         ("synthetic", False), ("synthetic", True)]
BOOK_IDS = ["real-default", "real-draft", "synthetic-default", "synthetic-draft"]


@pytest.fixture(params=BOOKS, ids=BOOK_IDS)
def built(request, builds) -> Built:
    return builds(*request.param)


@pytest.fixture(autouse=True)
def no_unexpected_warnings(caplog):
    """Fail a test that logs a warning it did not expect (pending notices are expected)."""
    yield
    bad = [r for r in caplog.get_records("call") if r.levelno >= logging.WARNING
           and "pending" not in r.getMessage() and not _thin_spine(r.getMessage())]
    assert not bad, [r.getMessage() for r in bad]


def _thin_spine(message: str) -> bool:
    """Small test books make covers whose spine has no room for text: that warning is expected."""
    return message.startswith("Cover: the ") and "spine is too narrow" in message
