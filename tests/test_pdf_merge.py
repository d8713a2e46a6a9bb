"""PDF chunks painted apart by WeasyPrint, merged: pages, structure tree, links across chunks."""

import ctypes
import io
import logging
import re
import subprocess
from contextlib import ExitStack

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from pikepdf import Array, Dictionary, Name
from weasyprint import HTML

from casebook import pdfstruct
from casebook.editions.pdf import merge as pdf_merge
from casebook.editions.pdf import names as pdf_names
from casebook.editions.pdf import tags as pdf_tags
from casebook.editions import weasy
from casebook.editions.weasy import links as pdf_links
from casebook.errors import CheckError

STYLE = """<style>
@page { size: 100mm 140mm; bleed: 3mm; @bottom-center { content: counter(page) } }
body { font-family: "Noto Serif CJK SC"; }
.note { float: footnote; }
.page { break-before: page; }
</style>"""

FRONT = """<h1 id="toc">目录</h1>
<ol><li><a href="#part-1">第一编　总则</a></li><li><a href="#case-2">案例二</a></li></ol>"""
PART = """<h1 id="part-1">第一编　总则</h1>
<p>本编规定了基本原则<span class="note">注释：见宪法第一条。</span>，另见<a href="#case-2">案例二</a>。</p>
<p class="page" id="case-1">案例一：返回<a href="#toc">目录</a>。</p>"""
BACK = """<h1 id="case-2">案例二</h1><p>参见<a href="#part-1">第一编</a>和<a href="#case-1">案例一</a>。</p>
<ul><li>甲</li><li>乙</li></ul>"""
BLANKS = [0, 1, 1]
TEXTS = {"#toc": "目录", "#part-1": "第一编", "#case-1": "案例一", "#case-2": "案例二"}


def page_of(body: str) -> str:
    return f'<html lang="zh-CN"><head><title>案例集</title>{STYLE}</head><body>{body}</body></html>'


def paint(body: str, external=()) -> tuple[bytes, dict[str, int]]:
    """A tagged PDF/X-4 chunk, and the chunk page index of each anchor (from WeasyPrint)."""
    document = HTML(string=page_of(body)).render()
    anchors = {name: i for i, page in enumerate(document.pages) for name in page.anchors}
    with pdf_links.external(external):
        data = document.write_pdf(pdf_variant="pdf/x-4", pdf_tags=True, output_intent="srgb",
                                  pdf_identifier=b"casebook")
    return data, anchors


@pytest.fixture(scope="module", autouse=True)
def patched():
    """WeasyPrint with casebook's patches, the links patch among them."""
    weasy.install()


@pytest.fixture(scope="module")
def chunks():
    """Three chunks (front, a part, back) and where each anchor lands in the merged PDF."""
    names = {anchor[1:] for anchor in TEXTS}
    painted = [paint(body, names) for body in (FRONT, PART, BACK)]
    expected, start = {}, 0
    for (data, anchors), blanks in zip(painted, BLANKS):
        start += blanks
        expected.update({name: start + i for name, i in anchors.items()})
        with pikepdf.open(io.BytesIO(data)) as pdf:
            start += len(pdf.pages)
    return [data for data, _ in painted], expected, start


@pytest.fixture(scope="module")
def merged(chunks, tmp_path_factory):
    data, _, _ = chunks
    path = tmp_path_factory.mktemp("merge") / "book.pdf"
    pdf_merge.merge(data, BLANKS).save(path)
    return path


def elements(root: Dictionary) -> list[Dictionary]:
    """Every structure element under the root, parents before children."""
    out, stack, seen = [], pdfstruct.kids(root), set()
    while stack:
        element = stack.pop()
        if isinstance(element, Dictionary) and element.get(Name.Type) != Name.OBJR \
                and element.objgen not in seen:
            seen.add(element.objgen)
            out.append(element)
            stack.extend(pdfstruct.kids(element))
    return out


def mcids(page: pikepdf.Page) -> list[int]:
    data = b"".join(s.read_bytes() for s in (
        page.obj.Contents if isinstance(page.obj.Contents, Array) else [page.obj.Contents]))
    return [int(m) for m in re.findall(rb"/MCID\s+(\d+)", data)]


def viewer_links(path) -> list[tuple[int, int]]:
    """(page, destination page) of every link, as PDFium resolves them."""
    doc, out = pdfium.PdfDocument(str(path)), []
    for number in range(len(doc)):
        page, position, link = doc[number], ctypes.c_int(0), pdfium_c.FPDF_LINK()
        while pdfium_c.FPDFLink_Enumerate(page.raw, ctypes.byref(position),
                                          ctypes.byref(link)):
            dest = pdfium_c.FPDFLink_GetDest(doc.raw, link)
            out.append((number, pdfium_c.FPDFDest_GetDestPageIndex(doc.raw, dest) if dest else -1))
    return out


def texts(path) -> list[str]:
    doc = pdfium.PdfDocument(str(path))
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def test_pages_come_in_order_with_blanks_of_the_next_pages_size(chunks, merged):
    _, expected, total = chunks
    pages = texts(merged)
    assert len(pages) == total == 6
    assert ["目录" in pages[0], pages[1].strip(), "总则" in pages[2], "案例一" in pages[3],
            pages[4].strip(), "案例二" in pages[5]] == [True, "", True, True, "", True]
    assert expected == {"toc": 0, "part-1": 2, "case-1": 3, "case-2": 5}
    with pikepdf.open(merged) as pdf:
        for blank, after in ((1, 2), (4, 5)):
            page, model = pdf.pages[blank].obj, pdf.pages[after].obj
            assert [list(page[b]) for b in pdf_merge._BOXES if b in page] == \
                [list(model[b]) for b in pdf_merge._BOXES if b in model]
            assert Name.TrimBox in page and Name.BleedBox in page
            assert page.Contents.read_bytes() == b""
            assert Name.StructParents not in page and Name.Annots not in page


def test_qpdf_check_is_clean(merged):
    result = subprocess.run(["qpdf", "--check", str(merged)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def test_catalog_of_chunk_zero_is_kept_outlines_and_labels_are_dropped(chunks, merged):
    with pikepdf.open(io.BytesIO(chunks[0][0])) as first:
        assert Name.Outlines in first.Root  # so that dropping them below means something
    with pikepdf.open(merged) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "zh-CN" and bool(root.MarkInfo.Marked)
        assert Name.ViewerPreferences in root and Name.Metadata in root
        assert root.OutputIntents[0].S == Name.GTS_PDFX
        assert Name.Outlines not in root and Name.PageLabels not in root
        assert str(pdf.docinfo.Title) == "案例集"
        profiles = {space[1].objgen for page in pdf.pages
                    for space in page.obj.Resources.get(Name.ColorSpace, Dictionary()).values()
                    if isinstance(space, Array) and space[0] == Name.ICCBased}
        profiles.add(root.OutputIntents[0].DestOutputProfile.objgen)
        assert len(profiles) == 1


def test_structure_tree_is_one_document_whose_pages_and_annots_are_the_merged_ones(merged):
    with pikepdf.open(merged) as pdf:
        root = pdf.Root.StructTreeRoot
        (document,) = pdfstruct.kids(root)
        assert document.S == Name.Document and document.P.objgen == root.objgen
        assert [str(h.S) for h in pdfstruct.kids(document) if h.S == Name.H1] == ["/H1"] * 3
        pages = {page.obj.objgen for page in pdf.pages}
        annots = {a.objgen for page in pdf.pages for a in page.obj.get(Name.Annots, [])}
        tree = elements(root)
        assert len(tree) > 20
        for element in tree:
            assert element.Pg.objgen in pages if Name.Pg in element else True
            for kid in pdfstruct.kids(element):
                if isinstance(kid, Dictionary) and kid.get(Name.Type) == Name.OBJR:
                    assert kid.Obj.objgen in annots and kid.Pg.objgen in pages
                elif isinstance(kid, Dictionary):
                    assert kid.P.objgen == element.objgen


def test_parent_tree_is_flat_renumbered_and_reaches_every_mcid(merged):
    with pikepdf.open(merged) as pdf:
        root = pdf.Root.StructTreeRoot
        nums = root.ParentTree.Nums
        keys = [int(k) for k in nums[::2]]
        assert keys == sorted(set(keys)) and int(root.ParentTreeNextKey) == max(keys) + 1
        parents = {int(p.obj.StructParents) for p in pdf.pages if Name.StructParents in p.obj}
        links = {int(a.StructParent) for p in pdf.pages for a in p.obj.get(Name.Annots, [])}
        assert len(parents) == 4 and len(links) == 6 and parents | links == set(keys)
        table = pdfstruct.parent_tree(root)
        assert set(table) == parents
        assert pdf_tags.paginate_artifacts(pdf) == 4  # one folio per painted page
        treed = pdfstruct.reachable(root)
        for page in pdf.pages:
            found = mcids(page)
            if Name.StructParents not in page.obj:
                assert found == []
                continue
            entries = table[int(page.obj.StructParents)]
            assert found and len(entries) == len(found) + 1  # + the folio, now an artifact
            for mcid in found:
                assert entries[mcid].objgen in treed
                assert entries[mcid].Pg.objgen == page.obj.objgen
        for key in links:
            element = next(nums[i + 1] for i in range(0, len(nums), 2) if int(nums[i]) == key)
            assert element.S == Name.Link and element.objgen in treed


def test_links_across_chunks_lead_to_the_anchor_page(chunks, merged):
    _, expected, _ = chunks
    with pikepdf.open(merged) as pdf:
        dests = dict(pdf_names.named_dests(pdf))
        page_index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        assert list(dests) == sorted(name.encode() for name in expected)  # a sorted name tree
        assert {name.decode(): page_index[dest[0].objgen] for name, dest in dests.items()} \
            == expected
        targets = sorted((page, name.decode()) for page, name in pdf_names.link_targets(pdf))
    assert targets == [(0, "case-2"), (0, "part-1"), (2, "case-2"), (3, "toc"),
                       (5, "case-1"), (5, "part-1")]
    assert {(page, expected[name]) for page, name in targets} == set(viewer_links(merged))
    assert set(viewer_links(merged)) == {(0, 2), (0, 5), (2, 5), (3, 0), (5, 2), (5, 3)}


def test_describe_links_works_on_the_merged_pdf(merged):
    with pikepdf.open(merged) as pdf:
        pdf_tags.describe_links(pdf, TEXTS)
        described = {str(a.Contents) for p in pdf.pages for a in p.obj.get(Name.Annots, [])}
        assert described == {"目录", "第一编", "案例一", "案例二"}
        with pytest.raises(CheckError, match="#case-2"):
            pdf_tags.describe_links(pdf, {k: v for k, v in TEXTS.items() if k != "#case-2"})


def test_a_link_to_an_anchor_in_no_chunk_raises(chunks):
    data, _, _ = chunks
    dangling, _ = paint('<p>见<a href="#nowhere">别处</a>。</p>', {"nowhere"})
    with pytest.raises(CheckError, match="#nowhere"):
        pdf_merge.merge([*data, dangling], [0, 0, 0, 0])
    assert pdf_merge.merge(data, BLANKS) is not None  # the same chunks without it merge


def test_without_the_opt_in_a_missing_anchor_still_errors_and_is_dropped(caplog):
    body = '<p id="here">见<a href="#elsewhere">别处</a>和<a href="#here">此处</a>。</p>'
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        plain, _ = paint(body)
    assert "No anchor #elsewhere" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        kept, _ = paint(body, {"elsewhere"})
    assert "No anchor" not in caplog.text and pdf_links.external_anchors == set()
    with pikepdf.open(io.BytesIO(plain)) as pdf:
        assert [str(a.Dest) for a in pdf.pages[0].Annots] == ["here"]
    with pikepdf.open(io.BytesIO(kept)) as pdf:
        annots = pdf.pages[0].Annots
        assert sorted(str(a.Dest) for a in annots) == ["elsewhere", "here"]
        assert all(Name.StructParent in a for a in annots)
        assert dict(pdf_names.named_dests(pdf)).keys() == {b"here"}


def test_a_name_defined_twice_keeps_the_first_and_warns(chunks, caplog):
    data, _, _ = chunks
    with caplog.at_level(logging.WARNING, logger="casebook.editions.pdf.merge"):
        pdf = pdf_merge.merge([*data, data[0]], [*BLANKS, 1])
    assert "'toc'" in caplog.text and "chunk 3" in caplog.text
    caplog.clear()  # the warning was the point
    dests = dict(pdf_names.named_dests(pdf))
    assert len(pdf.pages) == 8 and dests[b"toc"][0].objgen == pdf.pages[0].obj.objgen


TABLE = """<h1>{title}</h1><table><thead><tr><th scope="col">{a}</th><th scope="col">{b}</th></tr>
</thead><tbody><tr><td>张三</td><td>三十</td></tr><tr><td>李四</td><td>四十</td></tr></tbody></table>"""


def ids_of(root: Dictionary) -> list[bytes]:
    return [bytes(e.ID) for e in elements(root) if Name.ID in e]


def with_id_tree(data: bytes) -> bytes:
    """The chunk with an IDTree naming its elements that have an /ID."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.StructTreeRoot
        named = sorted((bytes(e.ID), e) for e in elements(root) if Name.ID in e)
        root.IDTree = pdf.make_indirect(Dictionary(
            Names=Array([x for name, e in named for x in (pikepdf.String(name), e)])))
        buffer = io.BytesIO()
        pdf.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("known", [False, True], ids=["walked", "ids-known"])
@pytest.mark.parametrize("id_tree", [False, True], ids=["weasyprint", "with-idtree"])
def test_table_header_ids_that_clash_across_chunks_are_renamed(id_tree, known, caplog,
                                                               tmp_path):
    data = [paint(TABLE.format(title=title, a=a, b=b))[0]
            for title, a, b in (("表一", "姓名", "年龄"), ("表二", "城市", "人口"))]
    if id_tree:
        data = [with_id_tree(chunk) for chunk in data]
    chunk_ids = []
    for chunk in data:
        with pikepdf.open(io.BytesIO(chunk)) as pdf:
            chunk_ids.append(ids_of(pdf.Root.StructTreeRoot))
    assert len(chunk_ids[0]) == 2 and chunk_ids[0] == chunk_ids[1]  # WeasyPrint's clash
    with caplog.at_level(logging.WARNING, logger="casebook.editions.pdf.merge"):
        pdf = pdf_merge.merge(data, [0, 0],
                              [pdf_merge.prepare(c)[1] for c in data] if known else None)
    assert "structure ID" not in caplog.text
    root = pdf.Root.StructTreeRoot
    ids = ids_of(root)
    assert len(ids) == 4 and len(set(ids)) == 4 and set(chunk_ids[0]) <= set(ids)
    assert sorted(set(ids) - set(chunk_ids[0])) == sorted(b"1-" + i for i in chunk_ids[0])
    tables = [e for e in elements(root) if e.S == Name.Table]
    assert len(tables) == 2
    for table in tables:
        cells = elements(Dictionary(K=table))
        heads = {bytes(e.ID): e for e in cells if e.S == Name.TH}
        tds = [e for e in cells if e.S == Name.TD]
        assert len(heads) == 2 and len(tds) == 4
        for td in tds:
            (name,) = td.A.Headers
            assert bytes(name) in heads
    if id_tree:
        tree = dict(pdf_names.name_tree(root.IDTree))
        assert sorted(tree) == sorted(ids)
        assert all(bytes(element.ID) == name for name, element in tree.items())
    else:
        assert Name.IDTree not in root
    pdf.save(tmp_path / "tables.pdf")
    result = subprocess.run(["qpdf", "--check", str(tmp_path / "tables.pdf")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "WARNING" not in result.stdout + result.stderr


def test_known_unique_ids_spare_the_walk_and_merge_as_walked(monkeypatch):
    data = [paint(TABLE.format(title="表一", a="姓名", b="年龄"))[0],
            paint("<h1>表二</h1><p>合成正文，没有表格。</p>")[0]]
    ids = [pdf_merge.prepare(chunk)[1] for chunk in data]
    assert len(ids[0]) == 2 and ids[1] == frozenset()
    walked = pdf_merge.merge(data, [0, 0])
    walks = []
    real = pdfstruct.reachable
    monkeypatch.setattr(pdfstruct, "reachable", lambda root: walks.append(1) or real(root))
    spared = pdf_merge.merge(data, [0, 0], ids)
    assert walks == [], "the structure trees were walked though the IDs were known"
    assert ids_of(spared.Root.StructTreeRoot) == ids_of(walked.Root.StructTreeRoot)
    out = [io.BytesIO(), io.BytesIO()]
    walked.save(out[0], deterministic_id=True)
    spared.save(out[1], deterministic_id=True)
    assert out[0].getvalue() == out[1].getvalue()


def test_chunks_held_open_until_the_save_merge_to_the_same_bytes(chunks, tmp_path):
    data, _, _ = chunks
    pdf_merge.merge(data, BLANKS).save(tmp_path / "copied.pdf", deterministic_id=True)
    with ExitStack() as held:
        pdf = pdf_merge.merge(data, BLANKS, hold=held)
        pdf.save(tmp_path / "held.pdf", deterministic_id=True)
    assert (tmp_path / "held.pdf").read_bytes() == (tmp_path / "copied.pdf").read_bytes()


def _saved(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def test_a_merge_taken_ahead_in_any_order_saves_the_same_bytes(chunks):
    """Chunks laid out in any order, one laid out again: the same bytes as one merge."""
    data, _, _ = chunks
    whole = _saved(pdf_merge.merge(data, BLANKS))
    again = bytes(data[1])  # chunk 1 laid out again: equal bytes, another object
    for order in ([2], [2, 0], [0, 2, 1], [1, 0]):
        ahead = pdf_merge.Ahead()
        try:
            laid = {}
            for index in order:
                laid[index] = data[index]
                ahead.take(laid)
            prefix = next(n for n in range(len(data) + 1) if n not in laid)
            taken = len(ahead.merger.taken) if ahead.merger else 0
            assert taken == max(prefix - 1, 0), "only chunks whose predecessors are in"
            laid[1] = again
            ahead.take(laid)
            assert _saved(ahead.merge([data[0], again, data[2]], BLANKS)) == whole
        finally:
            ahead.close()
