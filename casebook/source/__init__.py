"""Reading a book project: book.yaml and the Markdown sources, validated, with path:line."""
