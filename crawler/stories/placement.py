"""Placing articles into stories, one new article at a time, against what is already placed.

For a new article (``Placer.place``):

1. its features (``features.compute``): MinHash sketch, facts (names, dates, numbers), keys;
2. copies: the placed articles sharing an LSH band with it (``story_lsh``, any date), kept
   when ``copies.copy_score`` and the own-facts limit say so;
3. rewrites: the placed articles within ``window_days`` of its date that share its most
   informative keys (``_story_candidates``), kept when ``similarity.same_story`` says so
   (the fact gate first, then the text score);
4. it joins the story of what it matched, but only a story whose source (earliest member) it
   matches as well; two matched stories become one only if their sources match each other;
   articles it matched that were alone so far join if they match the source too (or start a
   new story with it). A copy points at the earliest-published member of its copy group
   (``copy_of``); an earlier text placed late becomes the head of its group;
5. its own index rows are written (``story_index``, ``story_lsh``, ``story_fts``) and the
   touched story's figures (title and time of the earliest member, papers, provinces) are
   recomputed from its members.

Nothing else in the archive is read or rewritten, so the cost per article depends on the
number of articles in its date window and its LSH buckets, not on the archive's size
(``bench/stories.py`` measures it at 100,000 and 1,000,000 articles).

``forget`` takes articles out (their text changed, or they were deleted); ``place_unplaced``
places every article without a ``story_index`` row, oldest first.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlite_utils

from crawler.stories import copies, similarity
from crawler.stories.features import Features, compute, facts_of
from crawler.stories.tokens import syllables

WINDOW_DAYS = 7
CANDIDATES = 10
# Keys looked up per new article (the facts first, then the title's and lead's bigrams).
QUERY_KEYS = 20
# A key in more placed articles of the window than this is not evidence of one event.
KEY_CAP = 100
VECTOR_CACHE = 2000  # bigram vectors of candidate texts kept between placements
DAY_SHIFT = 24  # story_index.doc = day << DAY_SHIFT | counter

_EPOCH = date(1970, 1, 1)


def head_words(title: str | None) -> list[str]:
    # The title counts with the text; a separator keeps its last word from pairing with the first.
    return [*syllables(title), "|"] if title else []


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def sort_key(when: str | None) -> str:
    """A UTC ISO string for ordering times written with or without an offset."""
    if not when:
        return "9999"
    try:
        dt = datetime.fromisoformat(when)
    except ValueError:
        return when
    if dt.tzinfo is None:
        return dt.isoformat()
    return dt.astimezone(UTC).replace(tzinfo=None).isoformat()


def day_number(when: str | None) -> int:
    """Days since 1970 of the (local) date a time is written with."""
    try:
        return (date.fromisoformat((when or "")[:10]) - _EPOCH).days
    except ValueError:
        return (datetime.now(UTC).date() - _EPOCH).days


@dataclass
class Placement:
    article: str
    story: int | None = None
    kind: str | None = None  # "copy" / "rewrite" when in a story
    copy_of: str | None = None
    similarity: float | None = None
    matched: int = 0  # placed articles it matched


class Placer:
    """Places articles of one archive database (a ``sqlite_utils.Database``); the caller owns
    the transaction (``Archive.store``'s, or ``place_unplaced``'s batches)."""

    def __init__(self, db: sqlite_utils.Database, *, window_days: int = WINDOW_DAYS,
                 story_threshold: float = similarity.STORY_THRESHOLD,
                 ) -> None:
        self.db = db
        self.window_days = window_days
        self.story_threshold = story_threshold
        self._vectors: dict[str, dict[str, float]] = {}
        # Seconds spent per phase (for bench/stories.py): features, copies, candidates,
        # compare, join, index.
        self.timings: Counter = Counter()

    # -- reading ---------------------------------------------------------------------------

    def _copy_candidates(self, bands: list[int]) -> list[tuple[int, str, bytes, int, str]]:
        if not bands:
            return []
        marks = ", ".join("?" for _ in bands)
        return self.db.execute(
            f"""SELECT i.doc, i.article, i.minhash, i.shingles, i.keys FROM story_index i
                WHERE i.doc IN (SELECT DISTINCT doc FROM story_lsh WHERE bucket IN ({marks}))""", bands).fetchall()

    def _story_candidates(self, feats: Features, day: int) -> list[tuple[int, str, str]]:
        """Placed articles in the date window that share the most informative keys.

        Each key's postings in the window come from ``story_fts`` (a rowid range: the window),
        at most ``KEY_CAP`` + 1 of them: a key found in more articles of the window than that
        ("cà_mau" in a Cà Mau paper's week) says nothing about the event and is dropped. The
        others count ``kind weight × ln(1 + KEY_CAP / postings)`` (a window-local IDF; facts
        weigh more than bigrams), and the ``CANDIDATES`` best articles are compared in full.
        Ranking every match with bm25 instead costs the whole window for every common key."""
        lo = (day - self.window_days) << DAY_SHIFT
        hi = ((day + self.window_days + 1) << DAY_SHIFT) - 1
        scores: Counter = Counter()
        for key in [k for k in feats.keys if '"' not in k][:QUERY_KEYS]:
            docs = [r[0] for r in self.db.execute(
                "SELECT rowid FROM story_fts WHERE story_fts MATCH ? AND rowid BETWEEN ? AND ? LIMIT ?",
                [f'"{key}"', lo, hi, KEY_CAP + 1])]
            if not docs or len(docs) > KEY_CAP:
                continue
            weight = similarity.kind_weight(key) * math.log(1 + KEY_CAP / len(docs))
            for doc in docs:
                scores[doc] += weight
        best = [doc for doc, _ in scores.most_common(CANDIDATES)]
        if not best:
            return []
        return self.db.execute(
            f"SELECT doc, article, keys FROM story_index WHERE doc IN ({', '.join('?' for _ in best)})", best).fetchall()

    def _article(self, article: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT hash, title, text, published, fetched_at FROM articles WHERE hash = ?", [article]).fetchone()
        if row is None:
            return None
        return dict(zip(("hash", "title", "text", "published", "fetched_at"), row))

    def _member(self, article: str) -> tuple[int, str, str | None] | None:
        return self.db.execute("SELECT story, kind, copy_of FROM story_members WHERE article = ?",
                               [article]).fetchone()

    def _vector(self, article: str) -> dict[str, float] | None:
        """A placed article's bigram vector, from its stored text (cached: the members of a
        busy story are candidates for every new report of it)."""
        vec = self._vectors.get(article)
        if vec is None:
            row = self.db.execute("SELECT title, text FROM articles WHERE hash = ?", [article]).fetchone()
            if row is None:
                return None
            vec = similarity.text_vector(head_words(row[0]) + syllables(row[1]))
            if len(self._vectors) >= VECTOR_CACHE:
                self._vectors.pop(next(iter(self._vectors)))
            self._vectors[article] = vec
        return vec

    # -- placing ---------------------------------------------------------------------------

    def place(self, article: str) -> Placement | None:
        """Place one stored article (no-op returning its placement if it is placed already)."""
        if self.db.execute("SELECT 1 FROM story_index WHERE article = ?", [article]).fetchone():
            m = self._member(article)
            return Placement(article, *(m if m else (None, None, None)))
        art = self._article(article)
        if art is None:
            return None
        when = art["published"] or art["fetched_at"]
        t0 = time.perf_counter()
        feats = compute(art["title"], art["text"])
        day = day_number(when)
        # A text without words (an empty import) has a sketch equal to every other empty one.
        bands = copies.band_keys(feats.signature) if feats.shingles else []

        t1 = time.perf_counter()
        # Copies: estimated shingle Jaccard over LSH candidates, and no conflicting facts.
        copy_hits: dict[str, float] = {}
        for _doc, other, blob, n_shingles, keys in self._copy_candidates(bands):
            j = copies.jaccard(feats.signature, copies.from_blob(blob))
            sim = copies.copy_score(j, feats.shingles, n_shingles)
            if sim is not None and copies.own_facts(feats.facts, facts_of(keys.split())) <= copies.MAX_OWN_FACTS:
                copy_hits[other] = sim

        # Rewrites: keyed candidates in the date window, text score gated by shared facts.
        story_hits: dict[str, float] = {}
        t2 = time.perf_counter()
        rows = self._story_candidates(feats, day)
        t3 = time.perf_counter()
        mine: dict[str, float] | None = None  # built only if a candidate passes the fact gate
        if rows:
            for _doc, other, keys in rows:
                if other == article:
                    continue
                theirs_facts = facts_of(keys.split())
                # The fact gate first: it needs no text, and most candidates fail it.
                if similarity.shared_facts(feats.facts, theirs_facts) < similarity.MIN_SHARED_FACTS:
                    continue
                theirs = self._vector(other)
                if theirs is None:
                    continue
                if mine is None:
                    mine = similarity.text_vector(head_words(art["title"]) + feats.words)
                s = similarity.cosine(mine, theirs)
                if similarity.same_story(s, feats.facts, theirs_facts, threshold=self.story_threshold):
                    story_hits[other] = s
        for other, sim in copy_hits.items():  # a copy is the same story whatever its keys say
            story_hits[other] = max(story_hits.get(other, 0.0), sim)

        t4 = time.perf_counter()
        if story_hits and mine is None:  # copies only: the source check needs the vector
            mine = similarity.text_vector(head_words(art["title"]) + feats.words)
        placement = self._join(article, when, mine or {}, feats.facts, copy_hits, story_hits)
        t5 = time.perf_counter()
        self._index(article, when, day, feats, bands)
        t6 = time.perf_counter()
        for phase, took in zip(("features", "copies", "candidates", "compare", "join", "index"),
                               (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)):
            self.timings[phase] += took
        return placement

    def _index(self, article: str, when: str, day: int, feats: Features, bands: list[int]) -> None:
        base = day << DAY_SHIFT
        last = self.db.execute("SELECT max(doc) FROM story_index WHERE doc BETWEEN ? AND ?",
                               [base, base + (1 << DAY_SHIFT) - 1]).fetchone()[0]
        doc = base if last is None else last + 1
        keys = feats.keys_text
        self.db.execute(
            "INSERT INTO story_index (doc, article, at, minhash, shingles, keys, placed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [doc, article, sort_key(when), copies.to_blob(feats.signature), feats.shingles, keys, _now()])
        self.db.execute("INSERT INTO story_fts (rowid, keys) VALUES (?, ?)", [doc, keys])
        self.db.conn.executemany("INSERT OR IGNORE INTO story_lsh (bucket, doc) VALUES (?, ?)",
                                 [(b, doc) for b in bands])

    def _matches(self, article: str, vec: dict[str, float], facts: set[str], other: str,
                 known: dict[str, float]) -> bool:
        """Does the text (``vec``, ``facts``) report the same event as ``other``? ``known``
        holds the scores already computed against this text."""
        if other == article or other in known:
            return True
        theirs = self._vector(other)
        keys = self.db.execute("SELECT keys FROM story_index WHERE article = ?", [other]).fetchone()
        if theirs is None or keys is None:
            return False
        return similarity.same_story(similarity.cosine(vec, theirs), facts, facts_of(keys[0].split()),
                                     threshold=self.story_threshold)

    def _source(self, story: int) -> str | None:
        row = self.db.execute("SELECT source FROM stories WHERE id = ?", [story]).fetchone()
        return row[0] if row else None

    def _join(self, article: str, when: str, vec: dict[str, float], facts: set[str],
              copy_hits: dict[str, float], story_hits: dict[str, float]) -> Placement:
        """Put the article in a story. It joins a story only if it matches the story's source
        (its earliest member) too, not just some member: a text that borrows paragraphs from
        two reports (a round-up, a chimera) must not chain them into one story. Two stories
        become one only when their sources match each other."""
        placement = Placement(article, matched=len(story_hits))
        if not story_hits:
            return placement
        by_story: dict[int, float] = {}
        alone: dict[str, float] = {}
        for other, sim in story_hits.items():
            m = self._member(other)
            if m:
                by_story[m[0]] = max(by_story.get(m[0], 0.0), sim)
            else:
                alone[other] = sim
        eligible = [st for st in by_story
                    if (src := self._source(st)) and self._matches(article, vec, facts, src, story_hits)]
        if eligible:
            story = max(eligible, key=lambda st: (by_story[st], -st))
            source = self._source(story)
            src_vec = self._vector(source)
            src_keys = self.db.execute("SELECT keys FROM story_index WHERE article = ?", [source]).fetchone()
            src_facts = facts_of(src_keys[0].split()) if src_keys else set()
            for other_story in sorted(set(eligible) - {story}):
                other_source = self._source(other_story)
                if src_vec is not None and self._matches(source, src_vec, src_facts, other_source, {}):
                    self.db.execute("UPDATE story_members SET story = ? WHERE story = ?", [story, other_story])
                    self.db.execute("DELETE FROM stories WHERE id = ?", [other_story])
            # Even a copy of this text joins only if it reports the source's event: a round-up
            # that contains two whole reports is a "copy" of both by containment.
            joiners = {o: s for o, s in alone.items()
                       if src_vec is not None and self._matches(source, src_vec, src_facts, o, {})}
        elif alone:
            story = self.db.execute("INSERT INTO stories (updated) VALUES (?)", [_now()]).lastrowid
            joiners = alone
        else:
            return placement  # it matched members of stories, but none of their sources
        # Articles matched that were alone so far join as rewrites of this one.
        for other, sim in joiners.items():
            self.db.execute(
                "INSERT INTO story_members (article, story, kind, copy_of, similarity) VALUES (?, ?, 'rewrite', NULL, ?)",
                [other, story, round(sim, 3)])
        kind, copy_of, sim = "rewrite", None, max(story_hits.values())
        copy_hits = {o: s for o, s in copy_hits.items() if o in joiners or self._in_story(o, story)}
        if copy_hits:
            best = max(copy_hits, key=lambda k: (copy_hits[k], k))
            sim = copy_hits[best]
            head = (self._member(best) or (None, None, None))[2] or best
            kind = "copy"
            copy_of = head
            head_at = self.db.execute("SELECT at FROM story_index WHERE article = ?", [head]).fetchone()
            if head_at and sort_key(when) < head_at[0]:
                # Placed late but published first: this text heads the group.
                self.db.execute("UPDATE story_members SET copy_of = ? WHERE copy_of = ?", [article, head])
                self.db.execute("UPDATE story_members SET kind = 'copy', copy_of = ?, similarity = ? WHERE article = ?",
                                [article, round(sim, 3), head])
                kind, copy_of = "rewrite", None
        self.db.execute(
            "INSERT INTO story_members (article, story, kind, copy_of, similarity) VALUES (?, ?, ?, ?, ?)",
            [article, story, kind, copy_of, round(sim, 3)])
        refresh_story(self.db, story)
        placement.story, placement.kind, placement.copy_of, placement.similarity = story, kind, copy_of, sim
        return placement

    def _in_story(self, article: str, story: int) -> bool:
        m = self._member(article)
        return bool(m and m[0] == story)


def refresh_story(db: sqlite_utils.Database, story: int) -> None:
    """Recompute a story's figures from its members; a story left with fewer than two
    members is dissolved."""
    rows = db.execute(
        """SELECT m.article, a.title, a.site, a.province, coalesce(a.published, a.fetched_at), i.at
           FROM story_members m JOIN articles a ON a.hash = m.article
           LEFT JOIN story_index i ON i.article = m.article WHERE m.story = ?""", [story]).fetchall()
    if len(rows) < 2:
        db.execute("DELETE FROM story_members WHERE story = ?", [story])
        db.execute("DELETE FROM stories WHERE id = ?", [story])
        return
    first = min(rows, key=lambda r: (r[5] or sort_key(r[4]), r[0]))
    db.execute("UPDATE story_members SET earliest = (article = ?) WHERE story = ?", [first[0], story])
    db.execute(
        """UPDATE stories SET title = ?, source = ?, first_published = ?, papers = ?, provinces = ?,
               members = ?, updated = ? WHERE id = ?""",
        [first[1], first[0], first[4], len({r[2] for r in rows}), len({r[3] for r in rows if r[3]}),
         len(rows), _now(), story])


def forget(db: sqlite_utils.Database, articles: Iterable[str]) -> set[int]:
    """Take articles out of the index and their stories (their text changed or they are gone);
    returns the stories touched. A copy group that loses its head gets its earliest remaining
    member as head. Call ``place_unplaced`` (or ``Placer.place``) to place them again."""
    touched: set[int] = set()
    for article in articles:
        row = db.execute("SELECT doc, keys, minhash FROM story_index WHERE article = ?", [article]).fetchone()
        if row:
            doc, keys, blob = row
            db.execute("INSERT INTO story_fts (story_fts, rowid, keys) VALUES ('delete', ?, ?)", [doc, keys])
            # The buckets come back from the stored sketch (the table is keyed by bucket).
            db.conn.executemany("DELETE FROM story_lsh WHERE bucket = ? AND doc = ?",
                                [(b, doc) for b in copies.band_keys(copies.from_blob(blob))])
            db.execute("DELETE FROM story_index WHERE doc = ?", [doc])
        m = db.execute("SELECT story FROM story_members WHERE article = ?", [article]).fetchone()
        if m:
            db.execute("DELETE FROM story_members WHERE article = ?", [article])
            _rehead(db, article)
            touched.add(m[0])
    for story in touched:
        refresh_story(db, story)
    return touched


def _rehead(db: sqlite_utils.Database, gone: str) -> None:
    group = db.execute(
        """SELECT m.article FROM story_members m LEFT JOIN story_index i ON i.article = m.article
           WHERE m.copy_of = ? ORDER BY i.at, m.article""", [gone]).fetchall()
    if not group:
        return
    head = group[0][0]
    db.execute("UPDATE story_members SET kind = 'rewrite', copy_of = NULL WHERE article = ?", [head])
    db.execute("UPDATE story_members SET copy_of = ? WHERE copy_of = ?", [head, gone])


def unplaced(db: sqlite_utils.Database, *, site: str | None = None, limit: int | None = None) -> list[str]:
    """Articles not placed yet, oldest first (so sources are placed before their copies)."""
    where = "AND a.site = ?" if site else ""
    params: list[Any] = [site] if site else []
    sql = (f"""SELECT a.hash FROM articles a WHERE NOT EXISTS (SELECT 1 FROM story_index i WHERE i.article = a.hash)
               {where} ORDER BY coalesce(a.published, a.fetched_at), a.hash""")
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [r[0] for r in db.execute(sql, params)]


def orphans(db: sqlite_utils.Database) -> list[str]:
    """Placed articles whose ``articles`` row is gone (deleted or re-keyed by another writer)."""
    return [r[0] for r in db.execute(
        """SELECT article FROM story_index WHERE article NOT IN (SELECT hash FROM articles)
           UNION SELECT article FROM story_members WHERE article NOT IN (SELECT hash FROM articles)""")]


@contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[None]:
    """A write transaction taken at its start (``BEGIN IMMEDIATE``): two processes placing at
    once (two crawls closing) queue on the lock instead of one reading a snapshot the other
    has just made stale. Inside the caller's open transaction, a savepoint of it instead."""
    if db.conn.in_transaction:
        with db.atomic():
            yield
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.conn.commit()
    except BaseException:
        # A failed COMMIT (a full disk) leaves the transaction open on a connection the crawl
        # shares: end it, so the crawl's own last writes are not swallowed by it.
        if db.conn.in_transaction:
            db.conn.rollback()
        raise


def place_unplaced(db: sqlite_utils.Database, *, site: str | None = None, limit: int | None = None,
                   batch: int = 200, placer: Placer | None = None) -> Counter:
    """The ``stories`` pass: tidy orphans, then place every unplaced article in short
    transactions of ``batch`` articles. Returns counts (placed, copies, rewrites, alone,
    stories_created, orphans)."""
    counts: Counter = Counter()
    with immediate(db):
        gone = orphans(db)
        forget(db, gone)
        counts["orphans"] = len(gone)
    todo = unplaced(db, site=site, limit=limit)
    placer = placer or Placer(db)
    for i in range(0, len(todo), batch):
        with immediate(db):
            for article in todo[i:i + batch]:
                p = placer.place(article)
                if p is None:
                    continue
                counts["placed"] += 1
                counts[p.kind or "alone"] += 1
    return counts


def reextracted(db: sqlite_utils.Database, changes: Iterable[tuple[str, str]]) -> None:
    """Keep stories consistent after re-extraction (``crawler.jobs.reextract``), in its
    transaction: articles whose text changed (re-keyed ``old`` → ``new``; two rows that became
    one appear as two pairs with one ``new``) are taken out and placed again with their new
    text, and stories whose source's title was re-read take the new title.

    Revisions need nothing: ``articles.text`` keeps the first archived text (later versions go
    to ``revisions``), and stories are built on it."""
    changes = [(old, new) for old, new in changes if old != new]
    if changes:
        forget(db, {old for old, _new in changes} | {new for _old, new in changes})
        placer = Placer(db)
        for new in dict.fromkeys(new for _old, new in changes):
            placer.place(new)
    db.execute("""UPDATE stories SET title = (SELECT title FROM articles WHERE hash = stories.source)
                  WHERE title IS NOT (SELECT title FROM articles WHERE hash = stories.source)""")
