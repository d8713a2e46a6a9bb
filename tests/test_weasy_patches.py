"""The WeasyPrint and pydyf patches: each upstream function unchanged, one versioned install.

A failure of ``test_upstream_source_is_the_one_patched`` names the patch whose upstream
function changed: docs/weasyprint.md says how to re-check it and update its hash.
"""

from __future__ import annotations

import ast
import re
import time
import tomllib

import pytest
from conftest import ROOT

from casebook.editions import weasy
from casebook.errors import ToolError

WEASY = ROOT / "casebook" / "editions" / "weasy"


@pytest.mark.parametrize("patch", weasy.PATCHES, ids=[p.name for p in weasy.PATCHES])
def test_upstream_source_is_the_one_patched(patch):
    found = weasy.source_sha256(weasy.upstream(patch.name))
    assert found == patch.sha256, (
        f"patch {patch.name!r} ({patch.module}) {patch.how} {patch.target}, whose source is "
        f"no longer the one it was written against (sha256 {found}, expected "
        f"{patch.sha256}): re-check the patch against the new upstream source and update "
        f"its hash in casebook/editions/weasy/__init__.py (docs/weasyprint.md)")


def test_the_registry_names_each_patch_once_and_its_files_exist():
    names = [p.name for p in weasy.PATCHES]
    assert len(names) == len(set(names))
    for patch in weasy.PATCHES:
        assert (ROOT / patch.module).is_file(), patch
        assert patch.how in {"replaces", "wraps", "reads", "copies"}, patch
        assert re.fullmatch(r"[0-9a-f]{64}", patch.sha256), patch


def test_install_puts_every_replacing_patch_in_place_once():
    weasy.install()
    patched = {p.name: weasy.resolve(p.target) for p in weasy.PATCHES}
    for patch in weasy.PATCHES:
        now = patched[patch.name]
        now = now.fget if isinstance(now, property) else now
        if patch.how in {"replaces", "wraps"}:
            assert now is not weasy.upstream(patch.name), f"{patch.name} is not installed"
    start = time.perf_counter()
    for _ in range(1000):
        weasy.install()
    assert time.perf_counter() - start < 0.05, "a second install() must return at once"
    assert {p.name: weasy.resolve(p.target) for p in weasy.PATCHES} == patched


def test_other_versions_are_refused_naming_installed_and_tested():
    weasy.check(dict(weasy.TESTED))
    weasy.check(weasy.installed_versions())  # the environment the tests run in
    with pytest.raises(ToolError) as refused:
        weasy.check({**weasy.TESTED, "weasyprint": "71.0"})
    message = str(refused.value)
    assert "weasyprint 71.0" in message and "weasyprint 70.0" in message
    assert "pydyf 0.13.0" in message and "docs/weasyprint.md" in message
    with pytest.raises(ToolError, match="pydyf 0.14.0"):
        weasy.check({**weasy.TESTED, "pydyf": "0.14.0"})


def test_pyproject_pins_the_tested_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = set(project["project"]["dependencies"])
    for name, version in weasy.TESTED.items():
        assert f"{name}=={version}" in pins, f"pyproject.toml must pin {name}=={version}"


def test_only_the_weasy_package_patches_weasyprint_or_pydyf():
    """No module outside casebook/editions/weasy/ assigns into WeasyPrint or pydyf."""
    found = []
    for path in sorted((ROOT / "casebook").rglob("*.py")):
        if WEASY in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _upstream_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setattr":
                roots = [_root(node.args[0], plain=True)] if node.args else []
            else:
                targets = (node.targets if isinstance(node, ast.Assign)
                           else [node.target] if isinstance(node, ast.AugAssign) else [])
                roots = [_root(t) for t in _flat(targets)]
            found += [f"{path.relative_to(ROOT)}:{node.lineno}"
                      for root in roots if root in names]
    assert not found, found


def _flat(targets: list[ast.AST]) -> list[ast.AST]:
    """Assignment targets with tuples and lists unpacked (``a.x, b.y = ...``)."""
    out = []
    for target in targets:
        out += _flat(target.elts) if isinstance(target, (ast.Tuple, ast.List)) else [target]
    return out


def _upstream_names(tree: ast.AST) -> set[str]:
    """Names a module binds to WeasyPrint or pydyf objects by importing them."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names
                      if a.name.split(".")[0] in {"weasyprint", "pydyf"}}
        elif isinstance(node, ast.ImportFrom) and not node.level \
                and (node.module or "").split(".")[0] in {"weasyprint", "pydyf"}:
            names |= {a.asname or a.name for a in node.names}
    return names


def _root(target: ast.AST, plain: bool = False) -> str | None:
    """The name an attribute chain starts from (a plain name only if ``plain``)."""
    if not plain and not isinstance(target, (ast.Attribute, ast.Subscript)):
        return None
    while isinstance(target, (ast.Attribute, ast.Subscript)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def test_a_patch_replaces_an_upstream_function_once_and_keeps_the_original():
    """weasy/hook.py: the one way the patches put their functions in place."""
    from types import SimpleNamespace

    from casebook.editions.weasy import hook

    class Owner:
        value = property(lambda self: 1)

    module, also = SimpleNamespace(f=lambda: "upstream"), SimpleNamespace(f=None)
    kept = hook.Originals()
    assert kept.replace(module, "f", lambda: "ours", also)
    assert not kept.replace(module, "f", lambda: "again")  # a second install: nothing
    assert module.f() == also.f() == "ours" and kept["f"]() == "upstream"
    assert kept.replace(Owner, "value", property(lambda self: 2))
    assert Owner().value == 2 and kept["value"].fget(Owner()) == 1  # the property itself


_FRESH = """
import hashlib, io, sys
from pathlib import Path
import pikepdf
from casebook.source import loader as source
from casebook.editions import weasy
from casebook.editions.cover import edition as cover
from casebook.editions.pdf import folios
book = source.load(Path(sys.argv[1])).select(False)
def made(out):
    with pikepdf.open(io.BytesIO(folios.sheet(book, ["1", "2", None, "iv"]))) as pdf:
        sheet = b"".join(page.Contents.read_bytes() for page in pdf.pages)  # not its ID
    spread = cover.write(book, Path(out), 120).read_bytes()
    return [hashlib.sha256(data).hexdigest() for data in (sheet, spread)]
first = made(sys.argv[2])  # a new worker's first job: nothing installed the patches yet
weasy.install()            # as any layout of a chunk before would have
second = made(sys.argv[3])
print(first == second, first, second)
"""


def test_a_layout_is_the_same_whatever_the_process_did_before(tmp_path, monkeypatch):
    """A worker's first job may be a folio sheet or the cover: both must come out as they do
    after the worker laid out a chunk (which installs the patches). A sheet laid out without
    the strut patch put its folio 0.53 pt higher, so the print PDF depended on which worker
    took which job (about one build in ten under load). The cover is checked the same way."""
    import subprocess
    import sys

    from bookfactory import sample_copy
    book = sample_copy(tmp_path / "sample")
    for out in ("a", "b"):
        (tmp_path / out).mkdir()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    done = subprocess.run([sys.executable, "-c", _FRESH, str(book), str(tmp_path / "a"),
                           str(tmp_path / "b")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("True"), done.stdout
