"""The package's folders are the pipeline's stages, and imports only run down the pipeline.

Stages, from the top: cli → authoring, check → build → editions → render → source → the
base modules (model, errors, findings, resources, geometry, pagemap, progress, native).
No edition imports another edition, no check imports an edition's internals, and there
are no import circles. Lazy imports inside functions count as imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "casebook"
RANK = {"__main__": 7, "cli": 6, "authoring": 5, "check": 5, "build": 4, "editions": 3, "render": 2,
        "source": 1}  # any other top-level module is the base, rank 0
EDITION_API = {"casebook.editions"}  # the registry
SHARED = {"weasy"}  # editions' shared packages: the WeasyPrint patches (the PDF's and the cover's)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The casebook modules ``name`` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                target = f"{base}.{alias.name}"
                out.add(target if target in MODULES else base)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _stage(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else "base"


def _edition(name: str) -> str | None:
    """The edition package a module belongs to; editions' shared modules belong to none."""
    parts = name.split(".")
    if (len(parts) > 2 and parts[1] == "editions" and parts[2] not in SHARED
            and (PACKAGE / "editions" / parts[2]).is_dir()):
        return parts[2]
    return None


def test_imports_run_down_the_pipeline():
    upward = [f"{a} -> {b}" for a, deps in GRAPH.items() for b in deps
              if RANK.get(_stage(b), 0) > RANK.get(_stage(a), 0)]
    assert not upward, upward


def test_no_edition_imports_another():
    crossing = [f"{a} -> {b}" for a, deps in GRAPH.items() for b in deps
                if _edition(a) and _edition(b) and _edition(a) != _edition(b)]
    assert not crossing, crossing


def test_no_check_reads_an_editions_internals():
    inside = [f"{a} -> {b}" for a, deps in GRAPH.items() for b in deps
              if _stage(a) == "check" and _stage(b) == "editions" and b not in EDITION_API]
    assert not inside, inside


def test_there_are_no_import_circles():
    circles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for dep in sorted(GRAPH[node]):
            if dep.startswith(node + "."):
                continue  # a package importing its own submodule
            if state.get(dep) == "open":
                circles.append(" -> ".join(path[path.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, path + [dep])
        state[node] = "done"
    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert not circles, circles


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_is_short_and_says_what_it_is(name):
    text = MODULES[name].read_text(encoding="utf-8")
    tree = ast.parse(text)
    assert ast.get_docstring(tree), f"{name} has no docstring"
    assert len(text.splitlines()) <= 420, f"{name}: {len(text.splitlines())} lines"
