"""Checking a connector payload's shape before mapping it (docs/connectors.md).

A mapper reads a payload with ``.get`` chains; an API that answers an unexpected shape (a list
where an object belongs, a number for a name) must not crash it half-way. Each connector states
the fields its mapper reads as an open pydantic model (unknown fields allowed, read fields
typed); :func:`check` validates a payload against it and turns the first mismatch into one
:class:`PayloadShapeError` naming the payload and the field path. The models are never used for
reading: the mapper stays the single place that interprets a payload.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, TypeAdapter, ValidationError

from tandem.errors import InputError


class Open(BaseModel):
    """A payload object: the fields a mapper reads, typed; every other field allowed."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def _iso_time(text: str) -> str:
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not an ISO-8601 timestamp: {text[:40]!r}") from None
    return text


#: An ISO-8601 timestamp as APIs write it (``Z`` or an offset); empty means none.
Timestamp = Annotated[str, AfterValidator(lambda text: _iso_time(text) if text else text)]


class PayloadShapeError(InputError):
    """A source answered a payload of another shape than its mapper reads (a bad gateway)."""

    status = 502


@cache
def _adapter(shape: Any) -> TypeAdapter[Any]:
    return TypeAdapter(shape)


def check(shape: Any, payload: Any, *, what: str) -> None:
    """Raise :class:`PayloadShapeError` naming ``what`` and the field when ``payload`` does
    not have ``shape`` (an :class:`Open` model or a type built of them, e.g. ``list[Model]``)."""
    try:
        _adapter(shape).validate_python(payload)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "(the payload itself)"
        raise PayloadShapeError(
            f"{what}: unexpected payload shape: {first['msg'].lower()}", field=where
        ) from None


KINDS = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number",
         bool: "a boolean", type(None): "null"}  # fmt: skip


def label(payload: Any, *keys: str) -> str:
    """A payload's name for messages: the first of ``keys`` it has, else its type."""
    if isinstance(payload, dict):
        for key in keys:
            value = payload.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return repr(value)
    return KINDS.get(type(payload), f"a {type(payload).__name__}")
