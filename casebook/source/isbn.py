"""ISBN-13 checking: a wrong ISBN is found when the book is read, not when its barcode is drawn."""

from __future__ import annotations

import re

from barcode.errors import BarcodeError
from barcode.isxn import ISBN13

from casebook.errors import SourceError


def isbn_digits(isbn: str) -> str:
    """The 13 digits of an ISBN-13 whose prefix and check digit are right; else a SourceError."""
    digits = re.sub(r"[\s-]", "", isbn.upper().removeprefix("ISBN"))
    if not re.fullmatch(r"\d{13}", digits):
        raise SourceError(f"'isbn' {isbn!r} is not a 13-digit ISBN", "book.yaml")
    try:
        full = ISBN13(digits).get_fullcode()
    except BarcodeError as exc:
        raise SourceError(f"'isbn' {isbn!r}: {exc}", "book.yaml") from None
    if full != digits:
        raise SourceError(f"'isbn' {isbn!r} has the check digit {digits[-1]}; "
                          f"it should be {full[-1]}", "book.yaml")
    return digits
