"""The HTML and EPUB editions are safe to publish: XSS payloads in bodies and metadata never run."""

import re
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree
from lxml import html as lxml_html
from playwright.sync_api import sync_playwright
from test_browser import CHROMIUM, FLAGS

from casebook.build.pipeline import Options, build
from casebook.errors import CasebookError

ALERT = "alert(1)"
BODY_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "[点击](javascript:alert(1))",
    "[点击](JaVaScRiPt:alert(1))",
    "[点击](&#106;avascript:alert(1))",
    "[点击](data:text/html,<script>alert(1)</script>)",
    '<a href="javascript:alert(1)">链接</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "[文字]{onmouseover=\"alert(1)\" onclick=\"alert(1)\"}",
    '::: {onclick="alert(1)" style="background:url(javascript:alert(1))"}\n分块\n:::',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<style>@import 'javascript:alert(1)';</style>",
    '<p style="width: expression(alert(1))">表达式</p>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>按钮</button></form>',
    "<input autofocus onfocus=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "```{=html}\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`{=html}",
    '<a href="#" onclick="alert(1)">井号</a>',
]
META_PAYLOADS = {
    "title": '"><script>alert(1)</script>',
    "unit": "<img src=x onerror=alert(1)>",
    "part": "</title><script>alert(1)</script>",
    "subtitle": "<svg/onload=alert(1)>",
    "creator": "javascript:alert(1)",
}


def _book(root: Path) -> Path:
    cases = []
    for i, payload in enumerate(BODY_PAYLOADS, start=1):
        rel = f"source/cases/x{i:02d}.md"
        meta = {"title": f"载荷{i}{META_PAYLOADS['title']}", "unit": META_PAYLOADS["unit"]}
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n\n"
                                f"正文开始。\n\n{payload}\n\n正文结束。\n", encoding="utf-8")
        cases.append(rel)
    book = {"slug": "xss", "title": "安全测试", "subtitle": META_PAYLOADS["subtitle"],
            "lang": "zh-CN", "creators": [{"name": META_PAYLOADS["creator"], "role": "主编"}],
            "parts": [{"title": META_PAYLOADS["part"], "cases": cases}]}
    (root / "book.yaml").write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def xss_build(tmp_path_factory):
    root = _book(tmp_path_factory.mktemp("xss"))
    return build(Options(book_dir=root, out_dir=root / "dist", editions=("epub", "html"),
                         cache=False))


def test_there_are_enough_payloads():
    assert len(BODY_PAYLOADS) + len(META_PAYLOADS) >= 25


@pytest.mark.slow
def test_no_payload_runs_in_chromium(xss_build):
    pages = sorted(xss_build["html"].parent.rglob("*.html"))
    assert len(pages) >= len(BODY_PAYLOADS)
    fired = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.on("dialog", lambda d: (fired.append(f"dialog {d.message}"), d.dismiss()))
        page.on("request", lambda r: fired.append(f"request {r.url}")
                if not r.url.startswith(("file:", "data:image")) else None)
        for path in pages:
            page.goto(path.as_uri())
            page.wait_for_timeout(50)
            for link in page.locator("main a").all()[:40]:
                href = link.get_attribute("href") or ""
                assert not href.lower().startswith(("javascript", "data:")), (path, href)
            page.mouse.move(5, 5)
        browser.close()
    assert not fired


def _unsafe(tree) -> list[str]:
    """Inline scripts, event-handler attributes and script URLs in a parsed page."""
    found = [f"inline <script>: {s.text[:40]!r}" for s in tree.iter("{*}script", "script")
             if not s.get("src")]
    for element in tree.iter():
        for name, value in element.attrib.items():
            name = name.rsplit("}", 1)[-1].lower()
            if name.startswith("on"):
                found.append(f"handler {name}={value!r}")
            if name in ("href", "src", "action", "data", "formaction") and \
                    re.match(r"\s*(javascript|vbscript|data):", value, re.I):
                found.append(f"{name}={value!r}")
    return found


def test_every_page_has_the_csp_meta_and_nothing_executable(xss_build):
    for path in xss_build["html"].parent.rglob("*.html"):
        tree = lxml_html.parse(str(path))
        assert tree.xpath("//meta[@http-equiv='Content-Security-Policy']"), path
        assert not _unsafe(tree.getroot()), (path, _unsafe(tree.getroot()))


def test_epub_gets_the_same_sanitising(xss_build):
    with zipfile.ZipFile(xss_build["epub"]) as z:
        for name in z.namelist():
            if name.endswith(".xhtml"):
                root = etree.fromstring(z.read(name))
                assert not _unsafe(root), (name, _unsafe(root))


def test_an_image_with_a_script_url_is_refused(tmp_path, caplog):
    root = _book(tmp_path)
    case = root / "source/cases/x01.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n![图](javascript:alert(1))\n",
                    encoding="utf-8")
    with pytest.raises(CasebookError, match=r"x01\.md:\d+: an image here has an address that is not allowed"):
        build(Options(book_dir=root, out_dir=root / "dist", editions=("html",), cache=False))
    assert "raw HTML <script> is removed" in caplog.text  # the payloads' tags: each warned
    caplog.clear()
