"""Copies: the same text with small edits, found by MinHash LSH over word 5-shingles.

A copy keeps the wording: another dateline, a credit line added or dropped, a paragraph cut, a
typo fixed. Word 5-shingles of the canonical syllables (``tokens.shingles``) are sketched by
``datasketch.MinHash`` (128 permutations, the ``affine32`` scheme: 512 bytes per article); the
sketch is cut into bands whose hashes go into ``story_lsh`` (bucket, doc), so finding the
earlier copies of a new text is one indexed lookup per band, whatever the archive's size.
datasketch's own ``MinHashLSH`` keeps its tables in memory or Redis/Cassandra; the archive is
one SQLite file that a crawl, the ``stories`` pass and Datasette share, so the bands live in
a table and only the band parameters come from datasketch (``MinHashLSH`` picks the number of
bands and rows that best fits the threshold).

Thresholds (README, Stories):

- ``LSH_THRESHOLD`` 0.3: the Jaccard similarity from which pairs are likely to share a band
  (37 bands of 3 rows: a pair at 0.47 is found 98 times in 100); set well below the
  confirmation thresholds so that recall is not lost here.
- ``COPY_THRESHOLD`` 0.6: a candidate is a copy when the MinHash estimate of the shingle
  Jaccard similarity is at least this, or when at least ``COPY_CONTAINMENT`` 0.85 of the
  smaller text's shingles are in the other's (estimated from the Jaccard estimate and the two
  shingle counts) and the Jaccard similarity is at least ``MIN_JACCARD_CONTAINED`` 0.35 (a
  page whose extraction kept the site's other headlines around the article, a copy that
  dropped a few paragraphs); and
- ``MAX_OWN_FACTS`` 2: ... and the two texts do not each hold facts the other lacks (numbers,
  dates, names; ``entities``): a copy may add a dateline or a credit, or lose a paragraph, so
  one side may have facts the other has not, but two texts that both have several of their own
  are two reports built on one template (two communes' press releases), not copies.
"""

from __future__ import annotations

import hashlib
from functools import cache

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SCHEME = "affine32"
SHINGLE_WORDS = 5
LSH_THRESHOLD = 0.3
COPY_THRESHOLD = 0.6
COPY_CONTAINMENT = 0.85
MIN_JACCARD_CONTAINED = 0.35
MAX_OWN_FACTS = 2


@cache
def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME)


@cache
def bands() -> tuple[int, int]:
    """(number of bands, rows per band) for LSH_THRESHOLD, as datasketch chooses them."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def signature(shingles: set[str]) -> np.ndarray:
    """The MinHash sketch (NUM_PERM uint32 values) of a set of shingles."""
    t = _template()
    m = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=t.permutations)
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m.hashvalues.astype(np.uint32)


def to_blob(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit bucket per band (the band's number is hashed in, so one table holds
    every band)."""
    b, r = bands()
    keys = []
    raw = sig.astype("<u4")
    for i in range(b):
        digest = hashlib.blake2b(raw[i * r:(i + 1) * r].tobytes(), digest_size=8, person=i.to_bytes(2, "little"))
        keys.append(int.from_bytes(digest.digest(), "little", signed=True))
    return keys


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """MinHash estimate of the Jaccard similarity of the two shingle sets."""
    return float(np.count_nonzero(a == b)) / len(a)


def containment(j: float, n_a: int, n_b: int) -> float:
    """Share of the smaller set inside the other, from their Jaccard similarity and sizes."""
    if not n_a or not n_b:
        return 0.0
    return min(1.0, j * (n_a + n_b) / ((1.0 + j) * min(n_a, n_b)))


def copy_score(j: float, n_a: int, n_b: int) -> float | None:
    """The pair's copy similarity (Jaccard, or containment for a contained text), or None."""
    if j >= COPY_THRESHOLD:
        return j
    if j >= MIN_JACCARD_CONTAINED:
        c = containment(j, n_a, n_b)
        if c >= COPY_CONTAINMENT:
            return c
    return None


def own_facts(facts_a: set[str], facts_b: set[str]) -> int:
    """How many facts each text has that the other lacks, the smaller of the two counts."""
    return min(len(facts_a - facts_b), len(facts_b - facts_a))


