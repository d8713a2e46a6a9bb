"""Markdown to HTML fragments and the book's apparatus: pandoc, Lua filters, Jinja, typography."""
