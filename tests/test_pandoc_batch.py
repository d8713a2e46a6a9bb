"""Batched pandoc: one `pandoc lua` process gives what the command line gives, body by body."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import unicodedata

import pypandoc
import pytest
from conftest import DATA

from casebook import model
from casebook.errors import RenderError
from casebook.render import fragments as render
from casebook.render import pandoc_batch

CJK_BODIES = ["第一行\n第二行\n", "“引号”\n第二行\n", "中文\nEnglish\n", "*强调*\n文字\n",
              "数字１\n２三\n", "한국어\n문장\n", "句末。\n[链接](#x)起\n"]
WARNING_BODIES = ["正文。\n\n[a]: /x\n[a]: /y\n",               # duplicate link reference
                  "一\n\n[^1]: 注一\n[^1]: 注二\n\n正文[^1]。\n"]  # duplicate note


def _doc(n: int, body: str, case: bool = True) -> model.Document:
    cls = model.Case if case else model.Matter
    fields = {f.name for f in dataclasses.fields(cls)}
    values = {"id": f"{'case' if case else 'front'}-t{n}", "title": "合成", "body": body,
              "source": f"synthetic-{n}.md", "body_line": 4}
    return cls(**{k: v for k, v in values.items() if k in fields})


def _cli(doc: model.Document) -> tuple[str, list[str]]:
    cmd = [pypandoc.get_pandoc_path(), "--from", render.PANDOC_FORMAT, "--to", "html5",
           *render._args(doc)]
    done = subprocess.run(cmd, input=doc.body, capture_output=True, text=True, check=True)
    return done.stdout, [line for line in done.stderr.splitlines() if line.strip()]


@pytest.mark.slow
def test_batch_equals_the_command_line_on_commonmark_and_warnings():
    examples = json.loads((DATA / "commonmark" / "commonmark-0.31.2.json").read_text())
    bodies = [e["markdown"] for e in examples[::4]] + CJK_BODIES + WARNING_BODIES
    bodies.append("::: {.commentary by=\"合成作者\"}\n合成点评。\n:::\n\n# 标题\n")
    docs = [_doc(n, body, case=n % 2 == 0) for n, body in enumerate(bodies)]
    batch = pandoc_batch.run(docs, render.PANDOC_FORMAT, render.FILTERS, workers=2)
    different = [d.id for d in docs if batch[d.id] != _cli(d)]
    assert not different
    assert any(batch[d.id][1] for d in docs[-3:-1]), "the warning bodies warn"
    assert "<aside" in batch[docs[-1].id][0] and "<h" in batch[docs[-1].id][0]


def test_a_failing_filter_names_the_document(tmp_path):
    broken = tmp_path / "broken.lua"
    broken.write_text("function Para(el) error('synthetic failure') end\n")
    docs = [_doc(0, "正文。\n"), _doc(1, "第二篇。\n")]
    with pytest.raises(RenderError) as caught:
        pandoc_batch.run(docs, render.PANDOC_FORMAT, [broken], workers=1)
    assert "synthetic failure" in str(caught.value)
    assert str(caught.value).startswith("synthetic-0.md:4: ")


def _wide_ranges() -> list[tuple[int, int]]:
    def wide(code: int) -> bool:
        char = chr(code)
        return unicodedata.category(char) != "Cn" and unicodedata.east_asian_width(char) in "WF"
    ranges, start = [], None
    for code in range(0x110000):
        if wide(code) and start is None:
            start = code
        elif not wide(code) and start is not None:
            ranges.append((start, code - 1))
            start = None
    return ranges


def test_the_wide_character_table_matches_unicodedata():
    lua = (pandoc_batch.SCRIPT.parent / "wide.lua").read_text(encoding="utf-8")
    found = [(int(a, 16), int(b, 16)) for a, b in re.findall(r"\{0x([0-9A-F]+), 0x([0-9A-F]+)\}",
                                                               lua)]
    assert found == _wide_ranges()
