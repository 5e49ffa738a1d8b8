"""The archive's schema: every change to it is one migration here, applied in order.

``Archive`` applies them when it opens a database (once per process and file). Append a new
schema change as the next ``mNNN_`` function; never edit one that has shipped, since archives
in the field record by name which ones they have run.
"""

from __future__ import annotations

import sqlite_utils

migrations = sqlite_utils.Migrations("archive")


@migrations()
def m001_core_tables(db: sqlite_utils.Database) -> None:
    db.table("articles").create(
        {
            "hash": str,
            "url": str,
            "site": str,
            "title": str,
            "text": str,
            "published": str,
            "author": str,
            "description": str,
            "language": str,
            "tags": str,
            "canonical_url": str,
            "fetched_at": str,
        },
        pk="hash",
        not_null={"url", "site", "text", "fetched_at"},
    )
    db.table("urls").create(
        {"url": str, "hash": str, "site": str, "first_seen": str, "last_seen": str},
        pk="url",
        foreign_keys=[("hash", "articles", "hash")],
        not_null={"hash", "site", "first_seen", "last_seen"},
    )
    db.table("rejects").create(
        {
            "url": str,
            "site": str,
            "reason": str,
            "detail": str,
            "status": int,
            "first_seen": str,
            "last_seen": str,
            "attempts": int,
        },
        pk="url",
        not_null={"site", "reason", "first_seen", "last_seen"},
    )
    db.table("crawls").create(
        {
            "id": int,
            "site": str,
            "started": str,
            "finished": str,
            "finish_reason": str,
            "requests": int,
            "new_articles": int,
            "duplicates": int,
            "rejects": int,
            "errors": int,
            "args": str,
            "stats": str,
        },
        pk="id",
    )
    db.table("articles").create_index(["site", "published"])
    db.table("articles").create_index(["published"])
    db.table("urls").create_index(["hash"])
    db.table("urls").create_index(["site"])
    db.table("rejects").create_index(["site", "reason"])
    # The full-text index comes with m002.


# -- migrations for serving and searching the archive (Datasette) ------------------------------


@migrations()
def m002_search_index(db: sqlite_utils.Database) -> None:
    """FTS5 over the original ``title`` and ``text`` only; the query is folded instead.

    ``unicode61 remove_diacritics 2`` drops every Vietnamese mark but keeps ``đ``;
    ``crawler.store.search.fts_query`` folds the query and ORs ``d``/``đ`` spellings, so every way of
    typing a word meets every way it was published (see that module). Indexing a folded copy of
    the text as well (the obvious alternative) made the index 1.7 times larger (2.9 instead of
    1.7 KB per article of ~3 KB), and ``snippet()`` here highlights the article's own words.

    The update trigger fires only when an indexed column changes, so maintenance updates of
    other columns (``province``) do not re-index the article. ``rank`` is bm25 with a title
    match worth five body matches.
    """
    db.table("articles").enable_fts(
        ["title", "text"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
        replace=True,
    )
    # One statement per execute(): executescript() would COMMIT the migration's transaction.
    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute(
        """CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text)
                VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END"""
    )
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(5.0, 1.0)')")


@migrations()
def m003_sites_and_facets(db: sqlite_utils.Database) -> None:
    """The newspapers (``sites``, filled from the spider classes by ``crawler.jobs.sitesync``) and the
    columns Datasette facets on: ``articles.province`` and ``articles.published_month``.

    ``province`` is the site's, copied onto each article so that Datasette can facet and filter
    on it; triggers keep the copy right (a new article takes its site's province, a site whose
    province changes takes its articles along), so no writer has to know about it.
    ``published_month`` (``YYYY-MM``) is a virtual generated column: computed, never stored.
    """
    if not db["sites"].exists():
        db.table("sites").create(
            {"name": str, "paper": str, "domains": str, "province": str, "former_province": str},
            pk="name",
        )
    columns = {c.name for c in db["articles"].columns}
    if "province" not in columns:
        db.execute("ALTER TABLE articles ADD COLUMN province TEXT")
    xcolumns = {row[1] for row in db.execute("PRAGMA table_xinfo(articles)")}
    if "published_month" not in xcolumns:
        db.execute(
            "ALTER TABLE articles ADD COLUMN published_month TEXT"
            " GENERATED ALWAYS AS (substr(published, 1, 7)) VIRTUAL"
        )
    # Backfill (the sites table may come from elsewhere already filled). m002 made the FTS
    # update trigger ignore this column, so this does not re-index anything.
    db.execute(
        "UPDATE articles SET province = (SELECT province FROM sites WHERE sites.name = articles.site)"
        " WHERE site IN (SELECT name FROM sites)"
    )
    for trigger in (
        """CREATE TRIGGER IF NOT EXISTS articles_province AFTER INSERT ON articles BEGIN
            UPDATE articles SET province = (SELECT province FROM sites WHERE name = new.site)
            WHERE rowid = new.rowid;
        END""",
        """CREATE TRIGGER IF NOT EXISTS sites_province_ai AFTER INSERT ON sites BEGIN
            UPDATE articles SET province = new.province
            WHERE site = new.name AND province IS NOT new.province;
        END""",
        """CREATE TRIGGER IF NOT EXISTS sites_province_au AFTER UPDATE OF province ON sites
        WHEN new.province IS NOT old.province BEGIN
            UPDATE articles SET province = new.province WHERE site = new.name;
        END""",
    ):
        db.execute(trigger)
    db.table("articles").create_index(["province", "published"], if_not_exists=True)


# -- migrations for raw captures and revisions (crawler/store/warc.py, crawler/store/revisions.py) ---------


@migrations()
def m004_warc_captures_and_revisions(db: sqlite_utils.Database) -> None:
    """Where each page's raw capture is, and the later versions of edited articles.

    ``articles.warc_file``/``warc_offset``: the WARC response record the article's text was
    extracted from (file relative to ``ARCHIVE_WARC_DIR``, byte offset of the record's gzip
    member); ``urls.warc_file``/``warc_offset``: the latest capture of that URL, and
    ``urls.text_hash``: the hash of the text the URL showed last, when it is no longer the
    article's original text. ``revisions``: see ``crawler/store/revisions.py``.
    """
    for table, columns in (("articles", ("warc_file", "warc_offset")),
                           ("urls", ("warc_file", "warc_offset", "text_hash"))):
        existing = {c.name for c in db[table].columns}
        for column in columns:
            if column not in existing:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} "
                           f"{'INTEGER' if column == 'warc_offset' else 'TEXT'}")
    if not db["revisions"].exists():
        db.table("revisions").create(
            {
                "article": str,
                "revision": int,
                "hash": str,
                "url": str,
                "fetched_at": str,
                "title": str,
                "text": str,
                "warc_file": str,
                "warc_offset": int,
            },
            pk=("article", "revision"),
            foreign_keys=[("article", "articles", "hash")],
            not_null={"hash", "fetched_at", "text"},
        )
        db.table("revisions").create_index(["hash"])


# -- migrations for the store's outcomes (crawler/store/archive.py, pipelines/store.py) -----------


@migrations()
def m005_store_outcomes(db: sqlite_utils.Database) -> None:
    """``crawls.lost_records``: records of the run the store could not write at all (the run
    then ends as ``store-failed``); 0 for a run that lost nothing, NULL for runs logged before
    this column. Records the store could not write but could reject are ``rejects`` rows with
    reason ``unstorable`` instead, not lost."""
    if "lost_records" not in {c.name for c in db["crawls"].columns}:
        db.execute("ALTER TABLE crawls ADD COLUMN lost_records INTEGER")


# -- discovery state (crawler/spiders/progress.py) ---------------------------------------------------


@migrations()
def m006_discovery_state(db: sqlite_utils.Database) -> None:
    """How far each listing was walked, and how each run of discovery ended.

    ``listing_walks``: one row per site and listing (a section path, or a sitemap index URL):
    ``walked`` (depth the last run reached), ``owed`` (depth the next run must reach at least,
    left by a run that did not finish), ``complete`` (1 once a completed run walked it to its
    end, so that what the archive holds of it has no gap and a run of known pages may end a
    walk), ``ended`` (why the walk stopped: a stop reason or ``budget``), ``crawl``, ``updated``. ``crawls.section_sweep``: when the run started walking
    every section (NULL: it did not); ``crawls.completed``: 1 when the run stored or rejected
    everything it asked for (0 or NULL: killed, timed out, failed); ``crawls.budget_ended``: JSON,
    which budget ended which branches. Runs recorded before this migration that swept their
    sections (a ``listing/section_sweep`` stat) get their start time as ``section_sweep``.
    """
    if not db["listing_walks"].exists():
        db.table("listing_walks").create(
            {"site": str, "listing": str, "kind": str, "walked": int, "owed": int, "complete": int, "ended": str,
             "crawl": int, "updated": str},
            pk=("site", "listing"),
            not_null={"walked", "owed", "complete"},
            defaults={"walked": 0, "owed": 0, "complete": 0},
        )
    existing = {c.name for c in db["crawls"].columns}
    for column, kind in (("section_sweep", "TEXT"), ("completed", "INTEGER"), ("budget_ended", "TEXT")):
        if column not in existing:
            db.execute(f"ALTER TABLE crawls ADD COLUMN {column} {kind}")
    db.execute(
        """UPDATE crawls SET completed = 1,
               section_sweep = CASE WHEN json_extract(stats, '$."listing/section_sweep"') = 1
                                    THEN started END
           WHERE completed IS NULL AND finish_reason = 'finished' AND json_valid(stats)""")


# -- migrations for stories: the same report across papers (crawler/stories/) ---------------------


@migrations()
def m007_stories(db: sqlite_utils.Database) -> None:
    """Stories (the same event reported by several papers) and the state that places each new
    article without re-clustering the archive; see ``crawler/stories/__init__.py``.

    - ``stories``: ``id``, ``title`` and ``source`` (hash) of the earliest member,
      ``first_published``, ``papers`` and ``provinces`` (distinct sites and provinces among the
      members), ``members``, ``updated``.
    - ``story_members``: ``article`` (→ ``articles.hash``, one story per article), ``story``,
      ``kind`` (``copy``: the same text with small edits as ``copy_of``, the earliest-published
      member of its copy group; ``rewrite``: a text of its own), ``similarity`` (to the member
      it was matched with), ``earliest`` (1 for the story's source).
    - ``story_index``: every placed article, ``doc`` (day number × 2^24 + a counter: the FTS
      rowid, so a date window is a rowid range), ``article``, ``at`` (publication time, else
      fetch time), ``minhash`` (512-byte MinHash sketch), ``shingles`` (how many), ``keys`` (the FTS tokens); an
      article without a row here is not placed yet.
    - ``story_lsh``: (``bucket``, ``doc``): the MinHash LSH bands.
    - ``story_fts``: FTS5 over ``story_index.keys`` (external content, no positions).
    No foreign keys: the ``stories`` pass removes rows whose article is gone, and writers that
    change an article's text call ``crawler.stories.placement.forget``.
    """
    db.execute(
        """CREATE TABLE IF NOT EXISTS stories (
            id INTEGER PRIMARY KEY, title TEXT, source TEXT, first_published TEXT,
            papers INTEGER NOT NULL DEFAULT 0, provinces INTEGER NOT NULL DEFAULT 0,
            members INTEGER NOT NULL DEFAULT 0, updated TEXT)"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS story_members (
            article TEXT PRIMARY KEY, story INTEGER NOT NULL, kind TEXT NOT NULL,
            copy_of TEXT, similarity REAL, earliest INTEGER NOT NULL DEFAULT 0)"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS story_index (
            doc INTEGER PRIMARY KEY, article TEXT NOT NULL UNIQUE, at TEXT,
            minhash BLOB NOT NULL, shingles INTEGER NOT NULL, keys TEXT NOT NULL, placed_at TEXT)"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS story_lsh (
            bucket INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (bucket, doc)) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE VIRTUAL TABLE IF NOT EXISTS story_fts USING fts5(
            keys, content='story_index', content_rowid='doc', detail='none',
            tokenize="unicode61 remove_diacritics 0 tokenchars '_:/.,'")"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS story_members_story ON story_members (story)")
    db.execute("CREATE INDEX IF NOT EXISTS story_members_copy_of ON story_members (copy_of)")
    db.execute("CREATE INDEX IF NOT EXISTS stories_first_published ON stories (first_published)")


# -- search: prefix queries (crawler/store/search.py) ----------------------------------------------

# Prefix lengths (in characters of the index's diacritic-free tokens) that FTS5 keeps a
# ready-merged posting list for. Without one, ``kho*`` makes FTS5 merge the posting lists of
# every term starting ``kho`` (khong, khoa, khoan…) in full, in memory, on each MATCH, before it
# can return the newest match: at a million articles ~1 s for two letters, ~250 ms for three,
# 50–100 ms for four. From five letters the terms are few and mostly one word, so a merge
# costs about what reading that word costs; one letter is not a useful search.
SEARCH_PREFIX_LENGTHS = (2, 3, 4)


@migrations()
def m008_search_prefix(db: sqlite_utils.Database) -> None:
    """Rebuild ``articles_fts`` with prefix indexes (``SEARCH_PREFIX_LENGTHS``), once.

    FTS5 fixes its options when the table is created, so the table is dropped and made again
    with the same columns, tokenizer and external content (``articles``; sqlite-utils and
    Datasette recognise it by that declaration), then rebuilt from ``articles`` and merged into
    one segment. The triggers of m002 write to the table by name and keep working; the rank
    setting lived in the dropped table's config and is set again. This rewrites the whole
    index: minutes at a million articles (see README, "Benchmarks"), paid once when the
    archive is next opened by the crawler.
    """
    if not db["articles_fts"].exists():  # an archive made without the index (bench baseline)
        return
    prefix = " ".join(str(n) for n in SEARCH_PREFIX_LENGTHS)
    db.execute("DROP TABLE articles_fts")
    db.execute(
        f"""CREATE VIRTUAL TABLE "articles_fts" USING FTS5 (
    "title", "text",
    tokenize='unicode61 remove_diacritics 2',
    prefix='{prefix}',
    content="articles"
)"""
    )
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(5.0, 1.0)')")


# -- dead feeds and sitemaps (crawler/store/deadsources.py) ---------------------------------------


@migrations()
def m009_dead_sources(db: sqlite_utils.Database) -> None:
    """Feeds and sitemaps of a site that answered 404/410 or were not a feed or sitemap: skipped
    until ``ARCHIVE_DEAD_SOURCE_DAYS`` after ``checked``, then tried again (a row is deleted when
    its source answers)."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS dead_sources (
            site TEXT NOT NULL, url TEXT NOT NULL, kind TEXT NOT NULL, why TEXT NOT NULL,
            first_failed TEXT NOT NULL, checked TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (site, url)) WITHOUT ROWID"""
    )


# -- one crawl of each paper at a time (crawler/store/runs.py) -------------------------------------


@migrations()
def m011_crawl_locks(db: sqlite_utils.Database) -> None:
    """``crawl_locks``: the one crawl of each paper running on this archive (``crawler.store.runs``).

    A row names its holder (``pid``, ``host``, ``pid_started``: the process's start time, so a
    reused pid is not taken for the holder) and the run (``crawl``, ``started``). A crawl that
    ends deletes its row; a killed one leaves it, and the next crawl, finding its holder dead,
    takes it over.
    """
    db.execute(
        """CREATE TABLE IF NOT EXISTS crawl_locks (
            site TEXT PRIMARY KEY,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            pid_started TEXT,
            crawl INTEGER,
            started TEXT NOT NULL
        )"""
    )
