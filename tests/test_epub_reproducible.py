"""Reproducible EPUBs: two builds with one SOURCE_DATE_EPOCH are byte-identical."""

import hashlib
import os
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT
from lxml import etree

pytestmark = pytest.mark.slow  # two builds of the real book

EPOCH = "1306886400"  # 2011-06-01T00:00:00Z
BUILD = ("import sys; from pathlib import Path; from casebook.build.pipeline import Options, build; "
         "build(Options(book_dir=Path(sys.argv[1]), out_dir=Path(sys.argv[2]), "
         "editions=('pdf', 'epub'), cache=False))")


def _build(out, seed):
    """Build in a fresh interpreter, with its own hash seed, so set and dict order can differ."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": seed}
    return subprocess.Popen([sys.executable, "-c", BUILD, str(ROOT), str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_builds_are_byte_identical(tmp_path):
    runs = [(tmp_path / name, _build(tmp_path / name, seed)) for name, seed in (("a", "1"),
                                                                              ("b", "2"))]
    for _, run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    first, second = (out / "yiliu-dangjian.epub" for out, _ in runs)
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second)}
    assert len(digests) == 1, "the two EPUBs differ"
    with zipfile.ZipFile(first) as z:
        assert {i.date_time for i in z.infolist()} == {(2011, 6, 1, 0, 0, 0)}
        assert z.namelist()[0] == "mimetype"
        assert z.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        opf = etree.fromstring(z.read("EPUB/content.opf"))
    modified = opf.xpath("//*[@property='dcterms:modified']/text()")
    assert modified == ["2011-06-01T00:00:00Z"]
