"""Length thresholds shared by several extraction stages."""

from __future__ import annotations




# Shorter bodies are captions, teasers or stubs, not articles.
MIN_TEXT_CHARS = 200


# The header zone (date line, sapo) ends at the first body-sized paragraph.
_BODY_PARAGRAPH_CHARS = 150
