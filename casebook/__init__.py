"""casebook: one Markdown file per case in, an EPUB, a print PDF and an HTML site out."""

__version__ = "0.1.0"
