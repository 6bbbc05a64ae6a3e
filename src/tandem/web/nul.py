"""No text input may hold a NUL character: refused once, at the guard, naming the field.

PostgreSQL stores no NUL in a text column (it raises where SQLite stores it), and no name,
title, date or id a person types contains one. Checking every path, query, form and JSON value
here, before any service runs, keeps the rule in one place: a service never sees a NUL.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from starlette.requests import Request

from tandem.errors import InputError

NUL = "\x00"


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """(field, text) of every key and string in a parsed JSON value; fields as dotted paths."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            named = f"{where}.{key}" if where else str(key)
            yield named, str(key)
            yield from _strings(inner, named)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _strings(inner, f"{where}[{index}]" if where else f"[{index}]")


async def _fields(request: Request) -> list[tuple[str, str]]:
    """(field, text) of every path, query, form and JSON name and value of ``request``."""
    found: list[tuple[str, str]] = [(k, v) for k, v in request.path_params.items()]
    for key, value in request.query_params.multi_items():
        found += [(key, key), (key, value)]
    kind = request.headers.get("content-type", "")
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        # Keep the body's bytes before parsing the form from them, so a view that reads
        # ``request.body()`` itself still can: the stream can be read once. When FastAPI has
        # parsed the route's form already, the stream is gone and the parsed form is kept.
        with contextlib.suppress(RuntimeError):  # Starlette's "Stream consumed"
            await request.body()
        for key, item in (await request.form()).multi_items():
            found.append((key, key))
            if isinstance(item, str):
                found.append((key, item))
    elif kind.startswith("application/json"):
        try:
            parsed = json.loads(await request.body())
        except ValueError:  # FastAPI answers a body that is not JSON itself (422)
            parsed = None
        found += _strings(parsed, "")
    return found


async def refuse_nul(request: Request) -> None:
    """Raise :class:`InputError` naming the first field whose name or text holds a NUL."""
    for field, text in await _fields(request):
        if NUL in text:
            raise InputError(
                f"{field or 'the body'} holds a NUL character (\\x00), which no text may hold",
                field=field or None,
            )
