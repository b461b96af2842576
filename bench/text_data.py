"""Generated documents for the text benchmark: labelled topics, Zipf word frequencies.

Each document has 20-40 words drawn from three sources: a shared background vocabulary with
Zipf frequencies (most of the words), the vocabulary of the document's topic (a few words that
carry the signal), and Spark's English stop words (some capitalized, so lowercasing matters).
Six topics, the label is 1.0 for topics 0-2; 5% of labels are flipped so no model is perfect.
Built with numpy and Arrow only (words drawn as codes, joined with ``binary_join``), written in
row groups of 250k rows; deterministic for a given seed.
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

VOCAB = 30_000
TOPICS = 6
TOPIC_WORDS = 400
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qu", "de", "fi", "go",
             "ha", "ju", "be", "co", "xo", "yu", "wa", "el", "an", "or", "is", "um"]


def _vocabulary(rng: np.random.Generator) -> np.ndarray:
    """``VOCAB`` distinct made-up words of 2-4 syllables (no English stop word among them)."""
    words: dict[str, None] = {}
    while len(words) < VOCAB:
        k = rng.integers(2, 5)
        words["".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), size=k))] = None
    return np.array(list(words), dtype=object)


def _stop_words() -> list[str]:
    path = os.path.join(os.path.dirname(__file__), "..", "dfml", "ml", "feature", "stopwords",
                        "english.txt")
    with open(path, encoding="utf-8") as f:
        return [w for w in f.read().split("\n") if w]


def _chunk(rng: np.random.Generator, start: int, n: int, words: pa.Array, topic_of: np.ndarray,
           n_stop: int) -> pa.Table:
    lengths = rng.integers(20, 41, size=n)
    total = int(lengths.sum())
    topic = rng.integers(0, TOPICS, size=n)
    doc = np.repeat(np.arange(n), lengths)
    kind = rng.random(total)
    # background: Zipf(1.1) ranks over the whole vocabulary
    ranks = np.minimum(rng.zipf(1.1, size=total) - 1, VOCAB - 1)
    codes = ranks.astype(np.int64)
    # topic words (12%): Zipf over the topic's own words
    is_topic = kind < 0.12
    t_rank = np.minimum(rng.zipf(1.3, size=int(is_topic.sum())) - 1, TOPIC_WORDS - 1)
    codes[is_topic] = topic_of[topic[doc[is_topic]], t_rank]
    # stop words (25%): code VOCAB + i, the capitalized variant at VOCAB + n_stop + i
    is_stop = (kind >= 0.12) & (kind < 0.37)
    s = rng.integers(0, n_stop, size=int(is_stop.sum()))
    codes[is_stop] = VOCAB + s + n_stop * (rng.random(len(s)) < 0.1)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    tokens = pa.ListArray.from_arrays(pa.array(offsets), words.take(pa.array(codes)))
    label = (topic < TOPICS // 2).astype(np.float64)
    flip = rng.random(n) < 0.05
    label[flip] = 1.0 - label[flip]
    return pa.table({"id": pa.array(np.arange(start, start + n, dtype=np.int64)),
                     "text": pc.binary_join(tokens, " "),
                     "label": pa.array(label)})


def generate(root: str, rows: int, seed: int = 11, chunk_rows: int = 250_000) -> str:
    """Write ``root/docs/part-*.parquet`` (skipped when ``root/_SUCCESS`` exists)."""
    docs = os.path.join(root, "docs")
    done = os.path.join(root, "_SUCCESS")
    if os.path.exists(done):
        return root
    os.makedirs(docs, exist_ok=True)
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng)
    stop = _stop_words()
    words = pa.array(list(vocab) + stop + [w.capitalize() for w in stop], pa.string())
    # each topic's words: a random sample of the vocabulary past its 500 commonest words
    topic_of = np.stack([rng.choice(np.arange(500, VOCAB), size=TOPIC_WORDS, replace=False)
                         for _ in range(TOPICS)])
    for part, start in enumerate(range(0, rows, chunk_rows)):
        n = min(chunk_rows, rows - start)
        pq.write_table(_chunk(rng, start, n, words, topic_of, len(stop)),
                       os.path.join(docs, f"part-{part:05d}.parquet"))
    open(done, "w").close()
    return root
