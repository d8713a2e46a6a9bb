"""The CLI: every option is documented in the README, and a build writes the three editions."""

import argparse
import re

from bookfactory import make_book
from conftest import ROOT, cli

from casebook.cli import parser


def _subparsers():
    action = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_every_cli_command_and_option_is_documented_in_the_command_reference():
    readme = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    commands = _subparsers()
    assert {"all", "epub", "pdf", "html", "check", "doctor", "fix-encoding"} <= set(commands)
    missing = [c for c in commands if f"`{c}`" not in readme]
    for name, sub in commands.items():
        options = [s for a in sub._actions for s in a.option_strings if s not in ("-h", "--help")]
        missing += [f"{name} {o}" for o in options
                    if not re.search(rf"`{re.escape(o)}[` ]", readme)]
    assert not missing


def test_build_one_edition_into_out_dir(tmp_path):
    out = tmp_path / "out"
    result = cli("html", "--book", "tests/data/sample", "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    assert (out / "html" / "index.html").exists()
    assert not (out / "sample.pdf").exists()
    assert "Traceback" not in result.stderr
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]


def test_check_lists_every_problem_and_fails(tmp_path):
    root = make_book(tmp_path, {"source/cases/01/001-a.md": "---\ntitle: 甲\n---\n\n![图](no.png)\n",
                                "source/cases/01/002-b.md": "---\ntitel: 乙\n---\n\n正文\n"})
    result = cli("check", "--book", str(root))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any("002-b.md:2: unknown key 'titel'" in line for line in lines), lines
    assert "Traceback" not in result.stderr


def test_check_passes_on_the_real_book():
    result = cli("check", "-q")
    assert result.returncode == 0, result.stderr


def test_doctor_reports_every_tool():
    result = cli("doctor")
    assert result.returncode == 0, result.stdout
    for tool in ("pandoc", "weasyprint", "Noto Serif CJK SC", "LXGW WenKai", "pagefind", "java"):
        assert tool in result.stdout


def test_gbk_file_builds_with_encoding_and_is_fixed_by_fix_encoding(tmp_path):
    case = "---\ntitle: 甲\n---\n\n中文正文。\n".encode("gb18030")
    root = make_book(tmp_path, {"source/cases/01/001-a.md": case})
    refused = cli("html", "--book", str(root), "-q")
    assert refused.returncode == 1 and "fix-encoding" in refused.stderr
    built = cli("html", "--book", str(root), "--encoding", "gb18030", "-q")
    assert built.returncode == 0, built.stderr
    path = root / "source/cases/01/001-a.md"
    path.chmod(0o640)
    fixed = cli("fix-encoding", str(path))
    assert fixed.returncode == 0, fixed.stderr
    assert path.read_text(encoding="utf-8").endswith("中文正文。\n")
    assert (path.parent / "001-a.md.orig").read_bytes() == case
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["001-a.md", "001-a.md.orig"]
    assert cli("html", "--book", str(root), "-q").returncode == 0


def test_check_reports_a_bad_lint_setting_with_its_line(tmp_path):
    root = make_book(tmp_path, yaml_extra="lint: {cjk_latin_space: sometimes}\n")
    result = cli("check", "--book", str(root))
    assert result.returncode == 1
    assert "book.yaml:" in result.stderr and "cjk_latin_space" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
