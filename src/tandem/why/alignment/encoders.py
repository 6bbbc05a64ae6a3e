"""Which text encoder scores the suggestions: ``auto``, ``minilm`` or ``tfidf``.

``tfidf`` is built in (:class:`tandem.why.alignment.similarity.TfidfEncoder`); ``minilm`` needs
the optional extra ``tandem[embeddings]`` and the model package
(:mod:`tandem.why.alignment.minilm`); ``auto`` takes MiniLM when both are importable, else
TF-IDF. Asking for ``minilm`` where it is not installed is an error that says how to install it.

The two scales differ, so each has its own floor for a suggestion (:data:`MIN_SCORES`): a TF-IDF
cosine is the weight of shared words (0 with none in common), a MiniLM cosine is closeness of
meaning, about 0.0–0.2 between unrelated work titles and goals and 0.4–0.7 between paraphrases.
"""

from __future__ import annotations

from typing import Literal

from tandem.errors import InputError
from tandem.why.alignment import minilm
from tandem.why.alignment.similarity import TextEncoder, TfidfEncoder

ENCODERS = ("auto", "minilm", "tfidf")
Chosen = Literal["minilm", "tfidf"]
METHODS: dict[str, str] = {"minilm": minilm.MiniLMEncoder.name, "tfidf": TfidfEncoder.name}
MIN_SCORES: dict[str, float] = {"tfidf": 0.1, "minilm": 0.3}


def resolve(name: str) -> Chosen:
    """The encoder ``name`` stands for here; ``auto`` → ``minilm`` when it is installed."""
    if name == "tfidf":
        return "tfidf"
    if name == "auto":
        return "minilm" if minilm.missing() is None else "tfidf"
    if name == "minilm":
        reason = minilm.missing()
        if reason is not None:
            raise InputError(f"the MiniLM encoder cannot run: {reason}", field="encoder")
        return "minilm"
    raise InputError(f"one of {', '.join(ENCODERS)}, not {name!r}", field="encoder")


def encoder(name: Chosen) -> TextEncoder:
    """A ready encoder: a fresh TF-IDF (its vocabulary is per call) or the process's MiniLM."""
    if name == "minilm":
        return minilm.shared_encoder()
    return TfidfEncoder()
