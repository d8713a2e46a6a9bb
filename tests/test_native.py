"""The quick library lookup finds what ctypes finds, and WeasyPrint loads the same libraries."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

from conftest import ROOT

from casebook import native

NAMES = ["c", "m", "gobject-2.0", "pango-1.0", "harfbuzz", "fontconfig", "pangoft2-1.0",
         "libgobject-2.0-0", "harfbuzz-vector", "no-such-library-at-all"]


def test_each_name_is_found_as_ctypes_finds_it_and_the_lookup_is_restored():
    real = ctypes.util.find_library
    expected = {name: real(name) for name in NAMES}
    assert expected["c"] and expected["gobject-2.0"], "ldconfig should list these"
    with native.quick_lookup():
        assert ctypes.util.find_library is not real
        found = {name: ctypes.util.find_library(name) for name in NAMES}
    assert ctypes.util.find_library is real
    assert found == expected


_LOADED = """
import sys
sys.path.insert(0, {root!r})
from casebook import native
if {quick}:
    with native.quick_lookup():
        import weasyprint
else:
    import weasyprint
libs = {{line.split()[-1] for line in open("/proc/self/maps") if ".so" in line}}
print("\\n".join(sorted(p for p in libs if any(k in p for k in
      ("pango", "harfbuzz", "gobject", "fontconfig", "glib")))))
"""


def test_weasyprint_loads_the_same_native_libraries_with_the_quick_lookup():
    runs = [subprocess.run([sys.executable, "-c", _LOADED.format(root=str(ROOT), quick=quick)],
                           capture_output=True, text=True, check=True).stdout.split()
            for quick in (True, False)]
    assert runs[0] == runs[1]
    assert any("libpango-1.0" in p for p in runs[0])
