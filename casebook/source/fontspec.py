"""book.yaml ``fonts:``: the book's own choice of faces for any role, over casebook's defaults."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from casebook import model
from casebook.errors import Collector
from casebook.source.schema import Field, check_mapping, line_of

ROLE_FIELDS = (Field("latin"), Field("cjk"))
FONT_FIELDS = (*(Field(role, dict) for role in model.FontSpec.ROLES),
               Field("fallbacks", list), Field("math"))


def font_spec(data, path: Path, errors: Collector, line: int) -> model.FontSpec:
    """The declared fonts: casebook's defaults, each role or list book.yaml names replaced."""
    default = model.FontSpec()
    if data is None:
        return default
    top = check_mapping(data, FONT_FIELDS, path, errors, "fonts", line)
    changes: dict = {}
    for role in model.FontSpec.ROLES:
        if role in top:
            given = check_mapping(top[role], ROLE_FIELDS, path, errors, f"fonts: {role}",
                                  line_of(data, role))
            changes[role] = dataclasses.replace(default.role(role), **{
                k: v.strip() for k, v in given.items() if v.strip()})
    if "fallbacks" in top:
        names = top["fallbacks"]
        for i, name in enumerate(names):
            if not isinstance(name, str) or not name.strip():
                errors.add("each entry of 'fonts: fallbacks' must be a font family name",
                           path, line_of(names, i))
        changes["fallbacks"] = tuple(str(n).strip() for n in names if isinstance(n, str))
    if top.get("math", "").strip():
        changes["math"] = top["math"].strip()
    return dataclasses.replace(default, **changes)
