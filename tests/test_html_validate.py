"""The Nu HTML Checker (vnu-jar) finds no error on any page of the built HTML sites."""

import pytest

from casebook.check import html as check_html

pytestmark = pytest.mark.slow  # vnu (Java)


def test_vnu_finds_no_errors_on_any_page(builds):
    sites = [builds(*key).html for key in [("real", True), ("synthetic", True),
                                            ("synthetic110", False)]]
    pages = [page for site in sites for page in sorted(site.rglob("*.html"))]
    assert len(pages) > 150
    findings = check_html.vnu(pages)
    assert not findings, "\n".join(map(str, findings))


def test_vnu_reports_errors(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html lang=zh-CN><head><title>x</title></head>"
                   "<body><img src=a.png></body></html>", encoding="utf-8")
    findings = check_html.vnu([bad])
    assert len(findings) == 1 and "alt" in findings[0].message
