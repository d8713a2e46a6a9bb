"""Internal links: every href in the EPUB and the HTML site resolves, anchors included; every
PDF link annotation has a destination."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pikepdf
from lxml import etree
from lxml import html as lxml_html

_WEB = ("http:", "https:", "mailto:")


def epub_links(epub: Path) -> tuple[int, list[str]]:
    """How many internal hrefs/srcs the EPUB's XHTML documents hold, and the dangling ones."""
    count, problems = 0, []
    with zipfile.ZipFile(epub) as z:
        docs = {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")}
        names = set(z.namelist())
    ids = {n: {e.get("id") for e in tree.iter() if e.get("id")} for n, tree in docs.items()}
    for name, tree in docs.items():
        for element in tree.iter():
            for attr in ("href", "src"):
                target = element.get(attr)
                if target and not target.startswith(_WEB):
                    count += 1
                    problems += _epub_target(name, target, names, ids)
    return count, problems


def _epub_target(name: str, target: str, names: set, ids: dict) -> list[str]:
    parts = urlsplit(target)
    path = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path))) \
        if parts.path else name
    if path not in names:
        return [f"{name}: '{target}' points to a missing file"]
    if parts.fragment and path in ids and unquote(parts.fragment) not in ids[path]:
        return [f"{name}: '{target}' points to a missing anchor"]
    return []


def html_links(site: Path) -> tuple[int, list[str]]:
    """How many links, stylesheets, scripts and images join the site's pages; the dangling ones."""
    count, problems, id_cache = 0, [], {}
    for page in sorted(site.rglob("*.html")):
        tree = lxml_html.parse(str(page))
        for target in tree.xpath("//a/@href | //link/@href | //img/@src | //script/@src"):
            parts = urlsplit(target)
            if parts.scheme or target.startswith("//"):
                continue
            count += 1
            path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not path.exists():
                problems.append(f"{page.relative_to(site)}: '{target}' points to a missing file")
            elif parts.fragment and path.suffix == ".html":
                ids = id_cache.setdefault(path, set(lxml_html.parse(str(path)).xpath("//@id")))
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{page.relative_to(site)}: '{target}' has no such anchor")
    return count, problems


def pdf_link_problems(pdf_path: Path) -> list[str]:
    """Every /Link annotation has a URI, or a destination that exists."""
    problems = []
    with pikepdf.open(pdf_path) as pdf:
        names = _named_dests(pdf)
        for number, page in enumerate(pdf.pages, start=1):
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                action = annot.get("/A", {})
                dest = annot.get("/Dest", action.get("/D"))
                if action.get("/URI") is not None:
                    continue
                if dest is None:
                    problems.append(f"page {number}: a link without a destination")
                elif isinstance(dest, (pikepdf.String, pikepdf.Name)) and str(dest) not in names:
                    problems.append(f"page {number}: a link to the missing destination {dest}")
    return problems


def pdf_link_count(pdf_path: Path) -> int:
    with pikepdf.open(pdf_path) as pdf:
        return sum(1 for page in pdf.pages for a in page.obj.get("/Annots", [])
                   if a.get("/Subtype") == "/Link")


def _named_dests(pdf: pikepdf.Pdf) -> set[str]:
    names = set()
    tree = pdf.Root.get("/Names", {}).get("/Dests")
    if tree is not None:
        names.update(str(k) for k, _ in pikepdf.NameTree(tree).items())
    old = pdf.Root.get("/Dests")
    if old is not None:
        names.update(str(k).lstrip("/") for k in old.keys())
    return names
