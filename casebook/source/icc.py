"""ICC profiles: read the header of a profile file and say whether it can be a CMYK output intent."""

from __future__ import annotations

from pathlib import Path

_HEADER_SIZE = 128


def header(path: Path) -> dict[str, str] | None:
    """The profile's device class and colour space, or None if it is no ICC file."""
    with open(path, "rb") as handle:
        data = handle.read(_HEADER_SIZE)
    if len(data) < _HEADER_SIZE or data[36:40] != b"acsp":
        return None
    return {"class": data[12:16].decode("latin-1"), "space": data[16:20].decode("latin-1")}


def cmyk_output_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a CMYK output intent, or None when it can."""
    if not path.is_file():
        return "does not exist"
    fields = header(path)
    if fields is None:
        return "is not an ICC profile (no 'acsp' signature in its header)"
    if fields["space"] != "CMYK":
        return f"is a {fields['space'].strip()} profile, not a CMYK one"
    if fields["class"] != "prtr":
        return f"is a '{fields['class']}' profile, not an output ('prtr') profile"
    return None
