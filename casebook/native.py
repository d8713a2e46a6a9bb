"""Native libraries looked up from one ``ldconfig -p`` listing while WeasyPrint is imported.

WeasyPrint tries several names for each of its libraries (``libgobject-2.0-0``,
``gobject-2.0-0``, ``gobject-2.0``, ...), and cffi asks ``ctypes.util.find_library`` for
each one that is not a file. On Linux every miss runs ``ldconfig -p`` and then the C
compiler and the linker: about 0.2 s of a build's start, spent failing. Inside
``quick_lookup()`` a name is looked up in one ``ldconfig -p`` listing, as the first step of
``find_library`` does; a name the listing lacks is a miss at once. WeasyPrint then tries its
next name, and in the end the plain soname, which the dynamic loader finds by itself.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import struct
import subprocess
import threading
from contextlib import contextmanager

_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}
_lock = threading.Lock()


@contextmanager
def quick_lookup():
    """``ctypes.util.find_library`` answers from one ldconfig listing within this block."""
    listing = _ldconfig()
    if listing is None:  # no glibc ldconfig: leave find_library as it is
        yield
        return
    with _lock:
        real = ctypes.util.find_library
        ctypes.util.find_library = lambda name: _find(listing, name)
        try:
            yield
        finally:
            ctypes.util.find_library = real


def _ldconfig() -> bytes | None:
    try:
        return subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, check=True,
                              env={"LC_ALL": "C", "LANG": "C"}).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def _find(listing: bytes, name: str) -> str | None:
    """What ``ctypes.util._findSoname_ldconfig`` finds for ``name`` in ``listing``."""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    pattern = r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), _ABI.get(machine, "libc6"))
    found = re.search(os.fsencode(pattern), listing)
    return os.fsdecode(found.group(1)) if found else None
