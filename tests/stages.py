"""Pipeline stages for tests: a stage that raises on a page, as a third party's stage or a bug
in one of ours would (``-s ITEM_PIPELINES=…`` puts it in a real crawl)."""

from __future__ import annotations

from crawler.items import PageItem

MARKER = "TRANG-GAY-LOI"


class RaisesOnMarker:
    """Raises ``ValueError`` on a page whose HTML holds ``MARKER``; passes every other page."""

    def process_item(self, item: PageItem) -> PageItem:
        if item.html and MARKER in item.html:
            raise ValueError(f"this stage cannot read {item.url}")
        return item
