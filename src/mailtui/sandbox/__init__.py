"""The embedded sandbox SMTP server."""
