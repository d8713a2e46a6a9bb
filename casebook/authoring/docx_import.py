"""`import`: turn a Word manuscript into case files through pandoc's docx reader.

The docx is read into pandoc's AST (JSON) once. Each Heading 1 starts a case and is its title;
a document without one is a single case titled by the docx's title property. Inside a case,
the paragraph starting with 点评 opens the commentary: it and everything after it down to the
case's end become ``::: {.commentary by="…"}``, whose ``by`` is the last paragraph (the
signature line, brackets and leading dashes removed); a 点评 without one stays a commentary
without ``by``, reported after the import as ``path:line: 点评 without a signature``. Images
are copied into the book's ``images/`` folder as ``<case file name>-<n>.<ext>`` and linked
relatively from the case. Each case is then written back as Markdown by pandoc, so footnotes,
emphasis, lists and tables keep pandoc's own Markdown form.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from casebook.authoring import newcase
from casebook.errors import SourceError, ToolError
from casebook.source import bodycheck

log = logging.getLogger(__name__)
IMAGE_DIR = "images"
WRITER = ("markdown-smart-raw_html-raw_attribute-raw_tex-simple_tables-multiline_tables"
          "-link_attributes")
COMMENTARY = re.compile(r"^\s*点评\s*[:：]?\s*")
SIGNATURE_MAX = 60  # a longer last paragraph is text, not a signature line
_SIGNATURE_TRIM = "（）()【】[]—－-– 　"


def _pandoc(args: list[str], stdin: str | None = None) -> str:
    import pypandoc
    try:
        cmd = [pypandoc.get_pandoc_path(), *args]
        run = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ToolError(f"pandoc is not available ({exc}); run `make book`") from None
    if run.returncode:
        raise SourceError(f"pandoc could not read it: {run.stderr.strip()}")
    for line in run.stderr.splitlines():
        log.warning("pandoc: %s", line.removeprefix("[WARNING] "))
    return run.stdout


def read_docx(docx: Path, media: Path) -> dict:
    """The docx as pandoc's JSON AST; its images are extracted below ``media``."""
    if not docx.is_file():
        raise SourceError("no such file", docx)
    try:
        text = _pandoc(["--from", "docx", "--to", "json", f"--extract-media={media}",
                        str(docx)])
    except SourceError as exc:
        raise SourceError(exc.message, docx) from None
    return json.loads(text)


def stringify(node) -> str:
    """The plain text of an AST node or list of nodes."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("t")
    if kind == "Str":
        return node["c"]
    if kind in ("Space", "SoftBreak"):
        return " "
    if kind == "LineBreak":
        return "\n"
    if kind in ("Note", "Image"):
        return ""
    return stringify(node.get("c", []))


def _meta_title(ast: dict) -> str:
    return stringify(ast.get("meta", {}).get("title", {}).get("c", [])).strip()


def split_cases(ast: dict, docx: Path) -> list[tuple[str, list]]:
    """(title, blocks) for each case: split at Heading 1, or one case for the whole docx."""
    blocks = ast["blocks"]
    starts = [i for i, b in enumerate(blocks) if b["t"] == "Header" and b["c"][0] == 1]
    if not starts:
        title = _meta_title(ast)
        if not title:
            raise SourceError("the manuscript has no Heading 1 and no title property: mark "
                              "each case title with the style Heading 1 (标题 1)", docx)
        return [(title, blocks)]
    if stringify(blocks[:starts[0]]).strip():
        log.warning("%s: the text before the first Heading 1 is not part of any case and was "
                    "left out: %.40s…", docx, stringify(blocks[:starts[0]]).strip())
    ends = starts[1:] + [len(blocks)]
    cases = []
    for start, end in zip(starts, ends):
        title = " ".join(stringify(blocks[start]["c"][2]).split())
        if not title:
            raise SourceError(f"Heading 1 number {len(cases) + 1} is empty", docx)
        cases.append((title, blocks[start + 1:end]))
    return cases


def _trim_label(inlines: list) -> bool:
    """Remove the 点评 label from the first text of ``inlines`` (depth first); True when done."""
    while inlines:
        head = inlines[0]
        if head["t"] in ("Space", "SoftBreak"):
            inlines.pop(0)
        elif head["t"] == "Str":
            rest = COMMENTARY.sub("", head["c"], count=1)
            inlines[0:1] = [{"t": "Str", "c": rest}] if rest else []
            return True
        elif isinstance(head.get("c"), list):
            done = _trim_label(head["c"])
            if not stringify(head).strip():
                inlines.pop(0)
            if done:
                return True
        else:
            return False
    return False


def _strip_label(para: dict) -> dict | None:
    """The 点评 paragraph without its label, or None when the label is all it holds."""
    inlines = json.loads(json.dumps(para["c"]))
    _trim_label(inlines)
    while inlines and (inlines[0]["t"] in ("Space", "SoftBreak") or
                       (inlines[0]["t"] == "Str" and not inlines[0]["c"].strip("：: "))):
        inlines.pop(0)
    return {"t": para["t"], "c": inlines} if inlines else None


def _signature(inner: list) -> str:
    """The signature line ending a commentary's blocks (after some text), or '' when none."""
    if len(inner) < 2 or inner[-1]["t"] not in ("Para", "Plain"):
        return ""
    signature = re.sub(r"[ \t\n]+", " ", stringify(inner[-1])).strip(_SIGNATURE_TRIM)
    if len(signature) > SIGNATURE_MAX or signature.endswith("。"):
        return ""
    return signature


def commentary(blocks: list) -> list:
    """Wrap the 点评 paragraph and what follows it in the commentary div, signature as by."""
    at = next((i for i, b in enumerate(blocks) if b["t"] in ("Para", "Plain")
               and COMMENTARY.match(stringify(b))), None)
    if at is None:
        return blocks
    first = _strip_label(blocks[at])
    inner = ([first] if first else []) + blocks[at + 1:]
    signature = _signature(inner)
    attributes = [["by", signature]] if signature else []
    body = inner[:-1] if signature else inner
    return blocks[:at] + [{"t": "Div", "c": [["", ["commentary"], attributes], body]}]


def _report_unsigned(written: list[Path]) -> None:
    """Warn about each 点评 imported without a signature, at its fence in the written file."""
    for path in written:
        for line in bodycheck.unsigned_commentaries(path.read_text(encoding="utf-8")):
            log.warning("%s:%d: %s", path, line, bodycheck.UNSIGNED)


def _walk(node, visit) -> None:
    if isinstance(node, list):
        for child in node:
            _walk(child, visit)
    elif isinstance(node, dict):
        visit(node)
        _walk(node.get("c"), visit)


def _tidy(node: dict) -> None:
    """Drop Word's heading ids, image sizes and column widths: the book's Markdown has none."""
    if node["t"] == "Table":
        node["c"][2] = [[align, {"t": "ColWidthDefault"}] for align, _ in node["c"][2]]
    elif node["t"] == "Header":
        node["c"][1] = ["", [], []]
    elif node["t"] == "Image":
        node["c"][0] = ["", [], []]


def _unwrap_spans(node):
    """Replace Word's bookmark spans (an id, no class) by their content."""
    if isinstance(node, list):
        out = []
        for child in node:
            child = _unwrap_spans(child)
            if (isinstance(child, dict) and child.get("t") == "Span"
                    and not child["c"][0][1] and not child["c"][0][2]):
                out.extend(child["c"][1])
            else:
                out.append(child)
        return out
    if isinstance(node, dict) and "c" in node:
        node["c"] = _unwrap_spans(node["c"])
    return node


def place_images(blocks: list, book_dir: Path, case_rel: str) -> list[tuple[Path, Path]]:
    """Point each image at ``images/<case>-<n>.<ext>``; return (extracted, destination) pairs."""
    moves: list[tuple[Path, Path]] = []
    case_dir = (book_dir / case_rel).parent
    stem = Path(case_rel).stem

    def visit(node: dict) -> None:
        if node["t"] != "Image":
            return
        extracted = Path(node["c"][2][0])
        dest = book_dir / IMAGE_DIR / f"{stem}-{len(moves) + 1}{extracted.suffix.lower()}"
        if dest.exists():
            raise SourceError("refusing to overwrite an existing image", dest)
        moves.append((extracted, dest))
        node["c"][2][0] = Path(os.path.relpath(dest, case_dir)).as_posix()
    _walk(blocks, visit)
    return moves


def to_markdown(blocks: list, api_version: list) -> str:
    """Blocks written back as the Markdown the book's sources use."""
    doc = {"pandoc-api-version": api_version, "meta": {}, "blocks": blocks}
    return _pandoc(["--from", "json", "--to", WRITER, "--wrap=none"], json.dumps(doc))


def import_docx(docx: Path, book_dir: Path, part: int | None = None) -> list[Path]:
    """Read ``docx``, write one case file per case at the end of part ``part``; return them."""
    book = newcase.BookYaml(book_dir)
    if part is None:
        part = len(book.parts)
        log.info("Adding the cases to the last part, %d; use --part N to choose", part)
    with tempfile.TemporaryDirectory(prefix="casebook-import-") as tmp:
        ast = read_docx(Path(docx), Path(tmp))
        cases = split_cases(ast, Path(docx))
        rels = newcase.plan_paths(book, part, [title for title, _ in cases])
        new, moves = [], []
        for (title, blocks), rel in zip(cases, rels):
            blocks = _unwrap_spans(commentary(blocks))
            _walk(blocks, _tidy)
            moves += place_images(blocks, Path(book_dir), rel)
            body = to_markdown(blocks, ast["pandoc-api-version"])
            new.append(newcase.NewCase(rel, newcase.render_case(title, body=body)))
        written = newcase.add_cases(Path(book_dir), book, part, new)
        for extracted, dest in moves:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(extracted, dest)
    for path in written:
        log.info("Imported %s", path)
    _report_unsigned(written)
    return written
