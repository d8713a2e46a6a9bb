"""`serve`: the open page reloads itself after an edit and shows a failed build as an overlay.

Runs the real `build.py serve` in a subprocess on a free port, drives Debian's Chromium with
Playwright, and edits synthetic case files on disk. The reload latency (write → new text
visible) is printed and recorded as the test property ``reload_latency_s``.
"""

import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from bookfactory import make_book, md
from conftest import CLI
from playwright.sync_api import expect, sync_playwright

from casebook.check import html as check_html

pytestmark = pytest.mark.slow  # serve in a subprocess, driven in Chromium

CASES = {"source/cases/01/001-a.md": md("甲", "合成正文一，尚未修改。\n"),
         "source/cases/01/002-b.md": md("乙", "合成正文二，尚未修改。\n"),
         "source/cases/01/003-c.md": md("丙", "合成正文三。\n")}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the preview server did not answer {url}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    book = make_book(tmp_path_factory.mktemp("serve"), CASES)
    port = _free_port()
    log = (book.parent / "serve.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen([*CLI, "serve", "--book", str(book), "--port", str(port)],
                            stdout=log, stderr=log)
    try:
        _wait_for(f"http://127.0.0.1:{port}/cases/001-a.html")
        yield book, f"http://127.0.0.1:{port}/", book.parent / "serve.log"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = check_html.launch_chromium(p)
        yield b
        b.close()


def _open_live(browser, url):
    page = browser.new_page()
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("data-casebook-preview", "live")
    return page


def test_editing_a_case_updates_the_open_page_within_3_seconds(server, browser,
                                                                record_property):
    book, url, _ = server
    page = _open_live(browser, url + "cases/001-a.html")
    expect(page.locator("main")).to_contain_text("合成正文一，尚未修改。")
    reloads = []
    page.on("load", lambda: reloads.append(time.monotonic()))
    started = time.monotonic()
    with page.expect_event("load", timeout=3000):  # the listener has seen it once this returns
        (book / "source/cases/01/001-a.md").write_text(md("甲", "合成正文一，已经改过。\n"),
                                                        encoding="utf-8")
    expect(page.locator("main")).to_contain_text("合成正文一，已经改过。", timeout=3000)
    latency = time.monotonic() - started
    record_property("reload_latency_s", round(latency, 3))
    print(f"\npreview reload latency: {latency:.2f} s")
    page.wait_for_timeout(500)  # a second reload for the same edit would arrive here
    assert latency < 3 and len(reloads) == 1
    served = page.content()
    on_disk = (book / ".casebook-preview/html/cases/001-a.html").read_text(encoding="utf-8")
    assert "/__casebook/reload.js" in served and "/__casebook/reload.js" not in on_disk
    assert "script-src 'none'" in on_disk and "已经改过" in on_disk
    assert not (book / "dist").exists()
    page.close()
    index = book / ".casebook-preview/html/pagefind/pagefind-entry.json"
    deadline = time.monotonic() + 30  # the search index follows the reload
    while not index.is_file():
        assert time.monotonic() < deadline, "the preview was not indexed for search"
        time.sleep(0.2)


def test_a_failed_build_shows_an_overlay_over_the_last_good_page(server, browser):
    book, url, log = server
    case = book / "source/cases/01/002-b.md"
    page = _open_live(browser, url + "cases/002-b.html")
    broken = md("乙", "合成正文二，改坏了。\n\n::: {.commentary by=\"某\"}\n合成点评。\n")
    case.write_text(broken, encoding="utf-8")
    overlay = page.locator("#casebook-preview-error")
    message = f"{case}:7: fenced div opened here is never closed"
    expect(overlay).to_contain_text(message, timeout=3000)
    expect(page.locator("main")).to_contain_text("合成正文二，尚未修改。")
    other = urllib.request.urlopen(url + "cases/003-c.html", timeout=5).read().decode()
    assert "合成正文三" in other
    assert message in log.read_text(encoding="utf-8")
    case.write_text(md("乙", "合成正文二，修好了。\n"), encoding="utf-8")
    expect(page.locator("main")).to_contain_text("合成正文二，修好了。", timeout=3000)
    expect(overlay).to_have_count(0)
    page.close()


def _pdf_text(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            data = response.read()
    except urllib.error.HTTPError:
        return ""
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_with_pdf_a_warm_process_rebuilds_it_and_the_pdf_page_shows_the_changed_page(
        tmp_path, browser):
    book = make_book(tmp_path, CASES)
    port = _free_port()
    with (tmp_path / "serve.log").open("w", encoding="utf-8") as log:
        proc = subprocess.Popen([*CLI, "serve", "--book", str(book), "--port", str(port),
                                 "--pdf"], stdout=log, stderr=log)
        try:
            base = f"http://127.0.0.1:{port}/__casebook/pdf/"
            _wait_for(base + "test-book-screen.pdf", 120)
            assert "合成正文三。" in _pdf_text(base + "test-book-screen.pdf")
            page = browser.new_page()
            page.goto(base)
            expect(page.locator("html")).to_have_attribute("data-pdf-generation", "1")
            warm = _children(proc.pid)[0]  # forked first, before any build
            workers = set(_children(warm))  # the pool it keeps from build to build
            (book / "source/cases/01/003-c.md").write_text(md("丙", "合成正文三，改过。\n"),
                                                          encoding="utf-8")
            shown = page.locator("img[alt*='合成正文三，改过。']")
            expect(shown).to_have_count(1, timeout=120_000)  # the one changed page, its text
            expect(page.locator("img")).to_have_count(1)
            assert page.evaluate("i => i.complete && i.naturalWidth > 500",
                                 shown.element_handle())
            assert "合成正文三，改过。" in _pdf_text(base + "test-book-screen.pdf")
            assert not (book / ".casebook-preview/pdf/test-book.pdf").exists()  # no print file
            assert _children(proc.pid)[0] == warm, "the PDF process was not kept"
            assert len(workers) == 2 and workers <= set(_children(warm)), \
                "the PDF workers were not kept"
            assert "1 page(s) changed" in (tmp_path / "serve.log").read_text("utf-8")
            page.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def _children(pid: int) -> list[int]:
    """The processes a process started (the preview's warm PDF process first)."""
    from pathlib import Path
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def test_before_any_good_build_a_waiting_page_shows_the_error_then_the_book(tmp_path, browser):
    broken = md("甲", "合成正文。\n\n::: {.commentary by=\"某\"}\n合成点评。\n")
    book = make_book(tmp_path, {"source/cases/01/001-a.md": broken})
    port = _free_port()
    with (tmp_path / "serve.log").open("w", encoding="utf-8") as log:
        proc = subprocess.Popen([*CLI, "serve", "--book", str(book), "--port", str(port)],
                                stdout=log, stderr=log)
        try:
            page = browser.new_page()
            deadline = time.monotonic() + 60
            while "preview build failed" not in (tmp_path / "serve.log").read_text("utf-8"):
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.2)
            response = page.goto(f"http://127.0.0.1:{port}/")
            assert response.status == 503
            expect(page.locator("#casebook-preview-error")).to_contain_text(
                f"{book / 'source/cases/01/001-a.md'}:7: fenced div opened here is never "
                "closed")
            (book / "source/cases/01/001-a.md").write_text(md("甲", "合成正文，好了。\n"),
                                                          encoding="utf-8")
            expect(page.locator("#toc")).to_contain_text("甲", timeout=5000)
            page.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def test_with_pdf_the_edited_pages_are_shown_before_the_merge(tmp_path, browser):
    """A chunked book: the edited chunk's changed page is handed to the preview as soon as it
    is laid out (an interim build), before the merged PDF is written."""
    import synthetic
    book = synthetic.make_book(tmp_path / "book", parts=2, cases_per_part=10, paragraphs=24)
    port = _free_port()
    logged = tmp_path / "serve.log"
    with logged.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen([*CLI, "serve", "--book", str(book), "--port", str(port),
                                 "--pdf", "-v"], stdout=log, stderr=log)
        try:
            base = f"http://127.0.0.1:{port}/__casebook/pdf/"
            _wait_for(base + "synthetic-screen.pdf", 180)
            assert "as one document" not in logged.read_text("utf-8")  # laid out in chunks
            page = browser.new_page()
            page.goto(base)
            expect(page.locator("html")).to_have_attribute("data-pdf-generation", "1")
            case = sorted((book / "source/cases").rglob("*.md"))[15]
            case.write_text(case.read_text("utf-8").replace("\n\n", "\n\n合成改动句。", 1),
                            encoding="utf-8")
            expect(page.locator("img[alt*='合成改动句']")).to_have_count(1, timeout=120_000)
            deadline = time.monotonic() + 120
            while logged.read_text("utf-8").count("Preview PDF rebuilt") < 2:
                assert time.monotonic() < deadline, "the PDF was not rebuilt after the edit"
                time.sleep(0.2)
            text = logged.read_text("utf-8")
            early = text.index(" changed page(s) shown")
            assert early < text.rindex("Preview PDF rebuilt"), "shown after the merge"
            interim = book / ".casebook-preview/pdf/.preview-early.pdf"
            assert "合成改动句" in subprocess.run(["pdftotext", str(interim), "-"],
                                             capture_output=True, check=True).stdout.decode()
            assert "合成改动句" in _pdf_text(base + "synthetic-screen.pdf")
            shown = int(page.locator("img[alt*='合成改动句']").get_attribute("src")
                        .split("/page/")[1].split(".")[0])
            early = [n for n in range(1, 9) if "合成改动句" in subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), str(interim), "-"],
                capture_output=True, check=False).stdout.decode()]
            _same_but_the_folio(interim, early[0],
                                book / ".casebook-preview/pdf/synthetic-screen.pdf", shown + 1,
                                tmp_path)
            page.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def _same_but_the_folio(early, early_page: int, final, final_page: int, tmp) -> None:
    """The early page looks as the merged PDF's does (same size, every glyph drawn) above
    the foot of the page, where only the merged one has its folio."""
    from PIL import Image, ImageChops
    images = []
    for n, (pdf, number) in enumerate(((early, early_page), (final, final_page))):
        subprocess.run(["pdftoppm", "-r", "50", "-gray", "-png", "-f", str(number), "-l",
                        str(number), "-singlefile", str(pdf), str(tmp / f"look{n}")],
                       check=True)
        images.append(Image.open(tmp / f"look{n}.png"))
    assert images[0].size == images[1].size, "the early page is not cut as the screen PDF"
    width, height = images[0].size
    box = (0, 0, width, int(height * 0.88))  # above the folio
    diff = ImageChops.difference(images[0].crop(box), images[1].crop(box)).getbbox()
    assert diff is None, f"the early page differs from the merged one at {diff}"


def test_early_pages_that_cannot_be_made_never_fail_the_build(tmp_path, caplog):
    """The early look at an edit is a warning when it fails: the merged PDF still follows."""
    from casebook.authoring.preview_pdf import _Early
    from casebook.editions.pdf.chunks import Placed
    sent = []
    early = _Early(tmp_path, sent.append)
    early.chunks = {"part1": (b"an earlier build's digest", ["a page's"])}
    early([Placed("part1", 0, b"not a PDF")], None)
    assert not sent and "early pages could not be shown" in caplog.text
    caplog.clear()  # the warning this test expects
