"""The print and screen PDF editions: layout in chunks, merge, finishing."""
