"""Run pandoc once per worker for many documents (filters/batch.lua), not once per document.

Starting pandoc costs about 30 ms of CPU, which for a 110-case book was more than the
conversion itself. ``run`` splits the documents into ``workers`` batches, each converted by
one ``pandoc lua`` process exactly as the command line would convert it on its own.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

import pypandoc

from casebook import model, resources
from casebook.errors import RenderError, ToolError

SCRIPT = resources.FILTERS / "batch.lua"


def shift(doc: model.Document) -> int:
    """Cases sit under their part: their headings move down one level."""
    return 1 if isinstance(doc, model.Case) else 0


def run(docs: Sequence[model.Document], fmt: str, filters: Sequence[Path],
        workers: int = 2) -> dict[str, tuple[str, list[str]]]:
    """Each document's HTML and pandoc's warnings for it, keyed by document id."""
    docs = list(docs)
    if not docs:
        return {}
    batches = [docs[i::workers] for i in range(min(workers, len(docs)))]
    with ThreadPoolExecutor(max_workers=len(batches)) as pool:
        results = list(pool.map(lambda batch: _run_batch(batch, fmt, filters), batches))
    return {key: value for result in results for key, value in result.items()}


def _run_batch(docs: list[model.Document], fmt: str,
               filters: Sequence[Path]) -> dict[str, tuple[str, list[str]]]:
    # The command line expands tabs (tab stop 4) before it reads; pandoc.read does not.
    payload = [{"id": d.id, "body": d.body.expandtabs(4), "shift": shift(d),
                "prefix": f"{d.id}--"} for d in docs]
    cmd = [pypandoc.get_pandoc_path(), "lua", str(SCRIPT), fmt, *map(str, filters)]
    try:
        done = subprocess.run(cmd, input=json.dumps(payload, ensure_ascii=False),
                              capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ToolError(f"pandoc could not run ({exc}); run `make book`") from None
    if done.returncode:
        first = docs[0]
        raise RenderError(f"pandoc failed: {done.stderr.strip()}", first.source, first.body_line)
    by_id = {d.id: d for d in docs}
    out = {}
    for item in json.loads(done.stdout):
        doc = by_id[item["id"]]
        warnings = list(item.get("warnings") or [])
        if "error" in item:
            raise RenderError(f"pandoc failed: {item['error']}", doc.source, doc.body_line)
        out[doc.id] = (item["html"], warnings)
    return out
