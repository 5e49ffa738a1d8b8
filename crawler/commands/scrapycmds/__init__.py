"""Scrapy commands of this project (``COMMANDS_MODULE``): ``scrapy crawl`` that tells the truth.

The archive verbs are a click group (``python -m crawler …``, ``crawler/__main__.py``); this
package only replaces Scrapy's own ``crawl`` so that ``scrapy crawl <spider>`` and
``make crawl`` check their inputs and exit with the documented status.
"""
