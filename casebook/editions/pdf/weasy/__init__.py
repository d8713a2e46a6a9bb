"""Every patch of WeasyPrint's and pydyf's internals, in one place."""
