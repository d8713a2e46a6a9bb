"""The HTML edition: a static site with Chinese search."""
