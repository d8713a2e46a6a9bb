"""fontconfig's best match for a font pattern, as ``fc-match`` gives it, asked in this process.

A build asks for every declared face (about twenty) before it lays anything out; one
``fc-match`` process per face cost about 0.4 s of every build's start. libfontconfig, which
WeasyPrint loads through Pango anyway, answers the same question here in 0.3 ms (6 ms for
the first, which loads the configuration). The configuration is loaded once per
``FONTCONFIG_FILE``, as ``fc-match`` would read it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from dataclasses import dataclass

_MATCH_PATTERN = 0  # FcMatchPattern
_RESULT_MATCH = 0   # FcResultMatch
_lock = threading.Lock()
_configs: dict[str | None, int] = {}


@dataclass(frozen=True)
class Match:
    families: tuple[str, ...]
    styles: tuple[str, ...]
    file: str
    index: int


def _load():
    name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    p = ctypes.c_void_p
    for fn, res, args in (("FcInitLoadConfigAndFonts", p, []),
                          ("FcNameParse", p, [ctypes.c_char_p]),
                          ("FcConfigSubstitute", ctypes.c_int, [p, p, ctypes.c_int]),
                          ("FcDefaultSubstitute", None, [p]),
                          ("FcFontMatch", p, [p, p, ctypes.POINTER(ctypes.c_int)]),
                          ("FcPatternGetString", ctypes.c_int,
                           [p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]),
                          ("FcPatternGetInteger", ctypes.c_int,
                           [p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]),
                          ("FcPatternDestroy", None, [p])):
        getattr(lib, fn).restype, getattr(lib, fn).argtypes = res, args
    return lib


_lib = _load()


def available() -> bool:
    """Whether libfontconfig could be loaded (otherwise ask ``fc-match``)."""
    return _lib is not None


def match(pattern: str) -> Match | None:
    """The best match for ``pattern`` (``family:style=Bold``), or None if none is found."""
    with _lock:
        config = _config()
        parsed = _lib.FcNameParse(pattern.encode())
        if not parsed:
            return None
        try:
            _lib.FcConfigSubstitute(config, parsed, _MATCH_PATTERN)
            _lib.FcDefaultSubstitute(parsed)
            result = ctypes.c_int()
            found = _lib.FcFontMatch(config, parsed, ctypes.byref(result))
        finally:
            _lib.FcPatternDestroy(parsed)
        if not found:
            return None
        try:
            files = _strings(found, b"file")
            index = ctypes.c_int(0)
            _lib.FcPatternGetInteger(found, b"index", 0, ctypes.byref(index))
            return Match(_strings(found, b"family"), _strings(found, b"style"),
                         files[0] if files else "", index.value)
        finally:
            _lib.FcPatternDestroy(found)


def _config() -> int:
    """The configuration ``FONTCONFIG_FILE`` names now, loaded once."""
    key = os.environ.get("FONTCONFIG_FILE")
    if key not in _configs:
        _configs[key] = _lib.FcInitLoadConfigAndFonts()
    return _configs[key]


def _strings(pattern, name: bytes) -> tuple[str, ...]:
    values, n = [], 0
    out = ctypes.c_char_p()
    while _lib.FcPatternGetString(pattern, name, n, ctypes.byref(out)) == _RESULT_MATCH:
        values.append(out.value.decode())
        n += 1
    return tuple(values)
