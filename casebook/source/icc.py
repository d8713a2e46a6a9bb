"""ICC profiles: read the header of a profile file and say whether it can be a CMYK output intent."""

from __future__ import annotations

from pathlib import Path

from casebook.model import DEFAULT_CMYK_ICC

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


def output_intent(intent: str, rel: str | None, root: Path) -> tuple[str, Path | None, list]:
    """book.yaml's ``print.output_intent`` and ``print.icc`` as (intent, profile, problems):
    each problem a (key, message). A CMYK intent without ``icc`` takes ``DEFAULT_CMYK_ICC``."""
    if intent != "cmyk":
        wrong = [("icc", "'print.icc' is only used with 'print.output_intent: cmyk'")]
        return "srgb", None, wrong if rel is not None else []
    if rel is None:
        problem = cmyk_output_problem(DEFAULT_CMYK_ICC)
        return intent, DEFAULT_CMYK_ICC, [("output_intent", (
            f"the default CMYK output profile {DEFAULT_CMYK_ICC} {problem}: install the Debian "
            "package libgs-common (`make book` does), name another CMYK profile in 'print.icc', "
            "or set 'print.output_intent: srgb'"))] if problem else []
    path = (root / rel).resolve()
    problem = cmyk_output_problem(path)
    return intent, path, [("icc", f"'print.icc' {rel!r} {problem}")] if problem else []
