"""Datasette's own pages in Vietnamese, with no copies of its templates.

Datasette's core templates are read through ``TranslatingLoader``: each exact piece of English
listed in ``translations.yml`` is replaced in the template's source as it is loaded (once; Jinja
caches the compiled template), so the index, database, table, row, query and error pages keep
Datasette's markup, blocks and behaviour, and only their words change. Text Datasette makes in
Python is translated by the template filters registered here: ``vn_lookup`` (filter names),
``vn_error`` (error messages and titles), ``vn_description`` (the "where … sorted by …" line),
``vn_short_label`` (a column's Vietnamese name), ``vn_table`` (a table's title), ``vn_param``
(a canned query's parameter).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import datasette
import yaml
from jinja2 import BaseLoader

from crawler.datasette.vietnamese import PARAM_LABELS, label

CORE_TEMPLATES = Path(datasette.__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def catalog() -> dict:
    text = resources.files(__package__).joinpath("translations.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def translate_source(name: str, source: str) -> str:
    """A core template's source with its listed English pieces in Vietnamese."""
    for english, vietnamese in catalog()["templates"].get(name, []):
        source = source.replace(english, vietnamese)
    return source


class TranslatingLoader(BaseLoader):
    """Wraps Datasette's loader; translates the sources that come from Datasette's own folder."""

    def __init__(self, inner: BaseLoader):
        self.inner = inner

    def get_source(self, environment, template):
        source, filename, uptodate = self.inner.get_source(environment, template)
        if filename and Path(filename).resolve().parent == CORE_TEMPLATES:
            source = translate_source(Path(filename).name, source)
        return source, filename, uptodate

    def list_templates(self):
        return self.inner.list_templates()


def vn_lookup(display: str) -> str:
    return catalog()["lookups"].get(display, display)


def vn_error(message) -> str:
    """An error message or title Datasette raised, in Vietnamese (ours already are)."""
    if message is None:
        return ""
    text = str(message)
    if re.search(r"[^\x00-\x7f]", text):
        return text  # our own messages: Vietnamese first already
    errors = catalog()["errors"]
    if text in errors:
        return errors[text]
    for english in sorted(errors, key=len, reverse=True):
        if text.startswith(english) and text[len(english):len(english) + 1] in (":", " ", "."):
            rest = text[len(english):].lstrip(":. ")
            return f"{errors[english]}: {rest}" if rest else errors[english]
    return f"Lỗi: {text}"


def short_label(column) -> str:
    """A column's Vietnamese name (the part of its label before " · "); the name itself if none."""
    text = label(str(column))
    return text.split(" · ", 1)[0]


def vn_table(name: str) -> str:
    from crawler.datasette.metadata import config

    title = (config()["database"].get("tables", {}).get(name) or {}).get("title")
    return f"{title.split(' · ', 1)[0]} ({name})" if title else name


def vn_param(name: str) -> str:
    return PARAM_LABELS.get(name, name)


_QUOTED = re.compile(r'("[^"]*")')
_CLAUSE_COLUMN = re.compile(r"\b(\w+) (=|!=|>|<|≥|≤|contains|does not contain|ends with|starts with|like|"
                            r"not like|glob|is null|is not null|is blank|is not blank|in|not in)(?=\s|$)")


def vn_description(text) -> str:
    """``where site = "x" and published > 2025 sorted by published descending`` in Vietnamese."""
    if not text:
        return ""
    words = catalog()["words"]
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b")
    out = []
    for part in _QUOTED.split(str(text)):
        if part.startswith('"') and part.endswith('"') and len(part) > 1:
            out.append(part)  # a typed value: as typed
            continue
        part = re.sub(r"\bsorted by (\w+)", lambda m: f"sorted by {short_label(m.group(1))}", part)
        # A clause's column ("site = ", "published ≥ "): by its Vietnamese name.
        part = _CLAUSE_COLUMN.sub(lambda m: f"{short_label(m.group(1))} {m.group(2)}", part)
        out.append(pattern.sub(lambda m: words[m.group(1)], part))
    return "".join(out)


def install(env) -> None:
    """Datasette's Jinja environment reads core templates translated, and has the filters."""
    if not isinstance(env.loader, TranslatingLoader):
        env.loader = TranslatingLoader(env.loader)
    env.filters.update(vn_lookup=vn_lookup, vn_error=vn_error, vn_description=vn_description,
                       vn_short_label=short_label, vn_table=vn_table, vn_param=vn_param)
