"""The draft marking every edition of a ``--draft`` build shows: 草稿 · <build date>."""

from __future__ import annotations

import re

DRAFT_LABEL = "草稿"
_MARK = re.compile(r"草稿\s*·\s*\d{4}-\d{2}-\d{2}")


def label() -> str:
    """``草稿 · 2026-11-26``: the build date is SOURCE_DATE_EPOCH's when set (reproducible)."""
    from casebook.clock import build_time
    return f"{DRAFT_LABEL} · {build_time().date().isoformat()}"


def strip(text: str) -> str:
    """``text`` without the draft marking: for checks that read the PDF's margins."""
    return _MARK.sub(" ", text)
