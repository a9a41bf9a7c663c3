"""client-vault: an encrypted vault for client notes with a signed access log."""

__version__ = "0.1.0"
