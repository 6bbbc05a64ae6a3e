"""Arrow arrays and scalars built from buffers, never through ``pa.array`` / ``pa.scalar``.

When numpy is installed, pyarrow's conversion of Python values (``pa.array``, ``pa.scalar``,
a plain ``int`` or ``str`` passed to a compute function) first imports pandas to rule out
pandas objects: about 0.4 s per process, more than the read of a mid-sized XES file.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import accumulate

import pyarrow as pa


def int64s(values: Sequence[int]) -> pa.Array:
    """``values`` as an int64 array."""
    data = pa.py_buffer(array("q", values).tobytes())
    return pa.Array.from_buffers(pa.int64(), len(values), [None, data])


def binaries(values: Sequence[bytes], kind: pa.DataType | None = None) -> pa.Array:
    """``values`` as a large binary array (or ``kind``: ``pa.large_string()``), in one copy."""
    offsets = array("q", [0])
    offsets.extend(accumulate(len(v) for v in values))
    buffers = [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(b"".join(values))]
    return pa.Array.from_buffers(kind or pa.large_binary(), len(values), buffers)


def texts(values: Sequence[str]) -> pa.Array:
    """``values`` as a string array."""
    encoded = [v.encode("utf-8") for v in values]
    return binaries(encoded, pa.large_string()).cast(pa.string())


def int64(value: int) -> pa.Scalar:
    return int64s([value])[0]


def text(value: str) -> pa.Scalar:
    return texts([value])[0]


def binary(value: bytes) -> pa.Scalar:
    return binaries([value])[0]


NULL_TEXT: pa.Scalar = pa.nulls(1, pa.string())[0]
