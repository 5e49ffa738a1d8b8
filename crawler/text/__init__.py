"""Vietnamese text: normalisation (the one place for its traps), extraction and site-chrome data.

``from crawler.text import clean, canonical, fold, content_hash`` is the public entry point for
normalisation; the functions live in :mod:`crawler.text.normalize`.
"""

from crawler.text.normalize import canonical, clean, content_hash, fold, normalize_tone

__all__ = ["canonical", "clean", "content_hash", "fold", "normalize_tone"]
