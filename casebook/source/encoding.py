"""fix-encoding: rewrite legacy-encoded (GB18030/GBK) sources as UTF-8, keeping a backup."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from casebook.errors import SourceError
from casebook.fsio import rewrite_file

log = logging.getLogger(__name__)


def fix(path: Path, encoding: str = "gb18030") -> bool:
    """Convert one file to UTF-8 (backup in FILE.orig); False if it already was UTF-8."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        return False
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"not {encoding} either ({exc}); convert it by hand", path) from None
    backup = path.with_name(path.name + ".orig")
    if backup.exists():
        raise SourceError(f"backup {backup.name} already exists; move it away first", path)
    shutil.copy2(path, backup)
    rewrite_file(path, text.encode("utf-8"))
    log.info("%s: converted from %s to UTF-8 (backup: %s)", path, encoding, backup.name)
    return True
