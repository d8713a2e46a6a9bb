"""Authoring commands' work: new cases, Word import, the copy lint, status, live preview."""
