"""Datasette plugin: the archive served as the full experience by a plain ``datasette archive.db``."""
