"""Work done over a whole archive, outside a crawl: re-extraction from the WARC captures
(``reextract``), portable copies (``exports``: WARC and JSON lines), plain-text export and
import (``textfiles``), and the ``sites`` table kept in step with the spider classes
(``sitesync``). They use ``crawler.store`` (and, for re-extraction, ``crawler.stories``);
the store uses none of them."""
