"""The CLI: every option is documented in the README, and a build writes the three editions."""

import re
import subprocess
import sys

from casebook.cli import parser

from conftest import ROOT


def test_every_cli_option_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    options = [s for a in parser()._actions for s in a.option_strings if s not in ("-h", "--help")]
    assert options
    missing = [o for o in options if not re.search(rf"`{re.escape(o)}[` ]", readme)]
    assert not missing
    for choice in parser()._actions[1].choices:
        assert f"`{choice}`" in readme


def test_build_one_edition_into_out_dir(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "build.py", "html", "--book", "tests/data/sample",
                             "--out", str(out), "-q"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (out / "html" / "index.html").exists()
    assert not (out / "sample.pdf").exists()
    assert "Traceback" not in result.stderr
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]
