"""The cover: its design, the print spread (PDF/X-4) and the screen cover image."""
