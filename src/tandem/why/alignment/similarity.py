"""Text similarity between work items and goals: a dependency-free TF-IDF cosine in NumPy.

The method (deterministic: no randomness, ties broken by id):

1. *Tokens*: the text casefolded, split into runs of letters and digits (``\\w+``), tokens of
   one character and English stop words dropped, a trailing ``s`` of a word longer than three
   letters stripped (``payments`` → ``payment``).
2. *Documents*: each goal is one document (its title, its why and its key results' titles);
   each candidate item is one (its title, and its description when the source has one).
3. *Weights*: ``tf × idf`` with ``tf = 1 + log(count)`` and the smoothed
   ``idf = 1 + log((1 + N) / (1 + df))`` over all N documents (goals and items), each vector
   normalised to length 1.
4. *Score*: the cosine of an item's and a goal's vectors (0–1); the words that matched are the
   tokens both share, by their contribution to the score.

:class:`TextEncoder` is the seam for the optional extra ``tandem[embeddings]`` (a sentence
model shipped inside a package, no network at run time): an encoder maps texts to unit vectors
and :func:`cosine_scores` ranks with it the same way. Only :class:`TfidfEncoder` is built in.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

_WORD = re.compile(r"\w+")
_STOP_TEXT = """a about after all also an and any are as at be been but by can could do does
    for from has have how if in into is it its more no not of on or our out over so than that
    the their them then there these they this to too up us was we were what when where which
    while who why will with would you your"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def tokens(text: str) -> list[str]:
    """The text's tokens (see the module docstring).

    Examples
    --------
    >>> tokens("Faster payments for the checkout!")
    ['faster', 'payment', 'checkout']
    """
    found = []
    for word in _WORD.findall(text.casefold()):
        if len(word) < 2 or word in STOP_WORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        found.append(word)
    return found


class TextEncoder(Protocol):
    """Texts → unit vectors (rows); the plug for an offline sentence model."""

    name: str

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float64]: ...


@dataclass(frozen=True)
class Match:
    """One item × goal score and the words they share (strongest first)."""

    score: float
    words: tuple[str, ...]


class TfidfEncoder:
    """TF-IDF vectors over the documents given to :meth:`encode` together (one vocabulary)."""

    name = "tf-idf cosine"

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        docs = [Counter(tokens(text)) for text in texts]
        self.vocabulary = {w: i for i, w in enumerate(sorted({w for d in docs for w in d}))}
        matrix = np.zeros((len(docs), len(self.vocabulary)), dtype=float)
        for row, doc in enumerate(docs):
            for word, count in doc.items():
                matrix[row, self.vocabulary[word]] = 1.0 + math.log(count)
        df = (matrix > 0).sum(axis=0)
        idf = 1.0 + np.log((1.0 + len(docs)) / (1.0 + df))
        matrix *= idf
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        unit: npt.NDArray[np.float64] = np.divide(
            matrix, norms, out=np.zeros_like(matrix), where=norms > 0
        )
        return unit


def tfidf_matches(
    items: Sequence[str], goals: Sequence[str], *, top_words: int = 5
) -> list[list[Match]]:
    """``result[i][g]``: item ``i``'s match with goal ``g`` (TF-IDF cosine, shared words)."""
    if not items or not goals:
        return [[] for _ in items]
    encoder = TfidfEncoder()
    matrix = encoder.encode([*goals, *items])
    words = sorted(encoder.vocabulary, key=encoder.vocabulary.__getitem__)
    goal_vectors, item_vectors = matrix[: len(goals)], matrix[len(goals) :]
    result: list[list[Match]] = []
    for vector in item_vectors:
        row = []
        for goal_vector in goal_vectors:
            contributions = vector * goal_vector
            score = float(contributions.sum())
            shared = np.flatnonzero(contributions > 0)
            ranked = sorted(shared, key=lambda j: (-contributions[j], words[j]))
            row.append(Match(round(score, 6), tuple(words[j] for j in ranked[:top_words])))
        result.append(row)
    return result


def cosine_scores(
    encoder: TextEncoder, items: Sequence[str], goals: Sequence[str]
) -> npt.NDArray[np.float64]:
    """Cosine of each item (rows) with each goal (columns) under any :class:`TextEncoder`."""
    vectors = encoder.encode([*goals, *items])
    return np.asarray(vectors[len(goals) :] @ vectors[: len(goals)].T, dtype=float)
