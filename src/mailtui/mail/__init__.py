"""MIME composition and S/MIME."""
