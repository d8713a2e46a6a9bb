"""The Chinese copy lint: each rule on its fixtures, positions, masking, --fix, the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bookfactory import make_book, md, yaml_line
from conftest import DATA, ROOT, cli

from casebook.authoring import lint
from casebook.authoring.lint_rules import RULES, Settings
from casebook.errors import SourceError

FIXTURES = DATA / "lint"
_LINE = re.compile(r"^([+-]) (?:\{([^}]*)\} )?(.*?)(?: => (.*))?$")


def _fixtures():
    for rule in RULES:
        text = (FIXTURES / f"{rule}.txt").read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip() and not line.startswith("#"):
                m = _LINE.match(line)
                assert m, f"{rule}.txt:{number}: not a fixture line"
                options = dict(kv.split("=") for kv in m.group(2).split(",")) if m.group(2) else {}
                yield pytest.param(rule, m.group(1) == "+", Settings(**options), m.group(3),
                                   m.group(4), id=f"{rule}:{number}{m.group(1)}")


def _lint_body(body: str, options: Settings) -> tuple[str, list[lint.Finding]]:
    text = md("甲", body + "\n")
    return text, lint.lint_text(text, Path("x.md"), options)


@pytest.mark.parametrize("rule, positive, options, body, fixed", list(_fixtures()))
def test_rule_fixture(rule, positive, options, body, fixed):
    text, findings = _lint_body(body, options)
    mine = [f for f in findings if f.rule == rule]
    if not positive:
        assert not mine, [str(f) for f in mine]
        return
    assert mine, f"no {rule} finding in {body!r}"
    if fixed is not None:
        result, _ = lint.apply_safe(text, mine)
        assert result == md("甲", fixed + "\n")


def test_every_rule_has_positive_and_negative_fixtures():
    counts = {rule: [0, 0] for rule in RULES}
    for param in _fixtures():
        counts[param.values[0]][0 if param.values[1] else 1] += 1
    assert len(RULES) == 8
    assert all(pos >= 4 and neg >= 4 for pos, neg in counts.values()), counts


def test_positions_count_the_front_matter_and_characters():
    text = "---\ntitle: 外资银行,探索\nunit: 单位\n---\n\n第一段。\n\n## 一、标题\n\n正文中文,中文。\n"
    found = {(f.line, f.col, f.rule) for f in lint.lint_text(text, Path("a.md"), Settings())}
    assert found == {(2, 12, "halfwidth-punctuation"), (10, 5, "halfwidth-punctuation")}


def test_front_matter_keys_code_urls_and_fences_are_not_linted():
    text = ("---\ntitle: '标题,一'\nprint_page: 3\nkeywords_x: 中文,中文\n---\n\n"
            "见`中文,中文`与https://example.org/a,b及<span title=\"中,文\">字</span>。\n\n"
            "```\n中文,中文\n```\n\n    中文,中文\n\n"
            "::: {.commentary by=\"研究室主任,方世雄\"}\n点评。\n:::\n")
    found = [(f.line, f.rule) for f in lint.lint_text(text, Path("a.md"), Settings())]
    assert found == [(2, "halfwidth-punctuation"), (4, "front-matter-key"),
                     (15, "halfwidth-punctuation")]  # keywords_x: no key of casebook's


def test_a_commentary_without_by_is_a_finding_at_its_fence():
    text = md("甲", "正文。\n\n::: commentary\n评。\n:::\n\n```\n::: commentary\n```\n\n"
                    '::: {.commentary by="主任　某某"}\n评。\n:::\n')
    found = [str(f) for f in lint.lint_text(text, Path("a.md"), Settings())]
    assert found == ["a.md:7:1: commentary-signature: 点评 without a signature"]


def test_fix_applies_only_safe_fixes_and_keeps_bom_crlf_and_permissions(tmp_path):
    path = tmp_path / "a.md"
    original = "---\r\ntitle: 标题\r\n---\r\n\r\n中文,中文 2 600名，，他说“走吧“。\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + original.encode("utf-8"))
    path.chmod(0o640)
    findings, fixed = lint.lint_file(path, Settings(), fix=True)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "---\r\ntitle: 标题\r\n---\r\n\r\n中文，中文2600名，他说“走吧“。\r\n"
    assert fixed == 4
    assert [(f.rule, f.new, f.safe) for f in findings] == [("quote-pairs", "”", False)]
    assert not list(tmp_path.glob(".a.md.*"))  # no temporary file left
    assert path.stat().st_mode & 0o777 == 0o640


def test_fix_leaves_a_clean_file_untouched(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(md("甲", "中文，中文。\n"), encoding="utf-8")
    before = path.stat().st_mtime_ns
    assert lint.lint_file(path, Settings(), fix=True) == ([], 0)
    assert path.stat().st_mtime_ns == before


def test_settings_come_from_book_yaml_and_are_checked(tmp_path):
    root = make_book(tmp_path, yaml_extra="lint: {cjk_latin_space: space, digit_grouping: comma}\n")
    assert lint.settings(root) == Settings("space", "comma")
    bad = make_book(tmp_path / "bad", yaml_extra="lint:\n  cjk_latin_space: wide\n")
    with pytest.raises(SourceError, match=r"'cjk_latin_space' must be one of: none, space") as exc:
        lint.settings(bad)
    assert exc.value.line == yaml_line(bad, "cjk_latin_space")


def test_real_book_sources_are_clean():
    """Case 1 and the preface were transcribed carefully: a finding there is a false alarm."""
    for rel in ("source/cases/01/001-foreign-banks.md", "source/front/preface.md",
                "source/front/editorial-board.md"):
        findings, _ = lint.lint_file(ROOT / rel, Settings())
        assert not findings, [str(f) for f in findings]


def test_cli_reports_findings_fixes_and_exit_codes(tmp_path):
    cases = {"source/cases/01/001-a.md": md("外资,银行", "中文,中文。\n\n《书名\n"),
             "source/cases/01/002-b.md": md("乙", "干净的正文。\n")}
    root = make_book(tmp_path, cases)
    first = cli("lint", "--book", str(root))
    assert first.returncode == 1, first.stderr
    assert "Traceback" not in first.stderr
    lines = first.stdout.splitlines()
    assert len(lines) == 3, lines
    assert all(re.match(r"^\S+\.md:\d+:\d+: [a-z-]+: ", line) for line in lines), lines
    assert lines[0].endswith("001-a.md:2:10: halfwidth-punctuation: half-width ',' in Chinese "
                             "text; use '，' [fix: ',' → '，']")
    fixed = cli("lint", "--book", str(root), "--fix")
    assert fixed.returncode == 1 and "2 fix(es) applied in 1 file(s)" in fixed.stderr
    assert [line.split(": ")[1] for line in fixed.stdout.splitlines()] == ["bracket-pairs"]
    only_b = cli("lint", "--book", str(root), str(root / "source/cases/01/002-b.md"))
    assert only_b.returncode == 0 and only_b.stdout == ""


def test_cli_reports_a_bad_setting_without_traceback(tmp_path):
    root = make_book(tmp_path, yaml_extra="lint: {digit_grouping: dots}\n")
    result = cli("lint", "--book", str(root))
    assert result.returncode == 1
    assert (f"book.yaml:{yaml_line(root, 'lint:')}: 'digit_grouping' must be one of: none, "
            "comma, space") in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_reports_a_missing_file_or_book_without_traceback(tmp_path):
    root = make_book(tmp_path)
    missing = cli("lint", "--book", str(root), str(tmp_path / "nothere.md"))
    assert missing.returncode == 1 and "nothere.md: no such file" in missing.stderr
    no_book = cli("lint", cwd=tmp_path)
    assert no_book.returncode == 1 and "no book.yaml here" in no_book.stderr
    assert "Traceback" not in missing.stderr + no_book.stderr
