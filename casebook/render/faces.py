"""One style (Regular, Bold) of a declared font family, found through fontconfig; never a substitute."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from casebook.errors import ToolError
from casebook.render import fcmatch

# The Debian package of each default family (`make book` installs them: Makefile BOOK_APT)
APT_PACKAGE = {"Noto Serif CJK SC": "fonts-noto-cjk", "Noto Sans CJK SC": "fonts-noto-cjk",
               "Noto Sans Mono CJK SC": "fonts-noto-cjk", "LXGW WenKai": "fonts-lxgw-wenkai",
               "Noto Serif": "fonts-noto-core", "Noto Sans": "fonts-noto-core",
               "Noto Sans Symbols2": "fonts-noto-core", "Noto Sans Math": "fonts-noto-core",
               "Noto Sans Mono": "fonts-noto-mono", "DejaVu Sans": "fonts-dejavu-core"}


@dataclass(frozen=True)
class FontFile:
    family: str
    path: Path
    index: int


@functools.lru_cache(maxsize=None)
def face(family: str, style: str | None = "Regular") -> FontFile:
    """The file and collection index of ``family`` in ``style`` (None: the family's default
    face, "Book" for DejaVu Sans); anything else is an error."""
    out = best_match(f"{family}:style={style}" if style else family)
    if len(out) < 4 or family not in out[0].split(",") or (
            style and style not in out[1].split(",")):
        offered = " ".join(out[:2]) if out else "?"
        package = APT_PACKAGE.get(family)
        fix = (f"`apt-get install {package}`" if package else
               "the Debian package that ships it, or declare another in book.yaml fonts:")
        raise ToolError(f"font '{family}'{' ' + style if style else ''} is not installed "
                        f"(fontconfig offers '{offered}' instead); install it with {fix}")
    return FontFile(family, Path(out[2]), int(out[3] or 0))


def best_match(pattern: str) -> list[str]:
    """fontconfig's answer for ``pattern``: its families, styles (each comma-joined), file
    and index, as ``fc-match -f '%{family}\\n%{style}\\n%{file}\\n%{index}'`` prints them;
    asked in this process (fcmatch) where libfontconfig loads."""
    if fcmatch.available():
        found = fcmatch.match(pattern)
        return ([",".join(found.families), ",".join(found.styles), found.file,
                 str(found.index)] if found else [])
    if shutil.which("fc-match") is None:
        raise ToolError("fontconfig (fc-match) is missing; run `make book`")
    return subprocess.run(["fc-match", "-f", "%{family}\n%{style}\n%{file}\n%{index}", pattern],
                          capture_output=True, text=True, check=False).stdout.split("\n")


def load(font: FontFile, lazy: bool | None = None) -> TTFont:
    """Open the face, whether it sits alone in its file or inside a collection."""
    if font.path.suffix.lower() in {".ttc", ".otc"}:
        return TTCollection(str(font.path), lazy=lazy).fonts[font.index]
    return TTFont(str(font.path), lazy=lazy, fontNumber=font.index)
