"""Text for the process map: XML escaping, width estimates without fonts, human durations."""

from __future__ import annotations

import math
import re

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NARROW = set("il.,:;'|!()[]{}ftjrI ")
_WIDE = set("mwMW@%")


def escape(text: str) -> str:
    """Text safe inside an XML element or a double-quoted attribute."""
    text = _INVALID_XML.sub("\ufffd", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def text_width(text: str, size: float) -> float:
    """An estimate of the width of ``text`` in a sans-serif font (no font metrics needed)."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.34
        elif char in _WIDE:
            em += 0.92
        elif char.isupper():
            em += 0.72
        else:
            em += 0.62  # generous: DejaVu Sans, the widest common fallback, averages ~0.6 em
    return em * size


def human_duration(seconds: float | None) -> str:
    """``45 s``, ``12 min``, ``3.2 h``, ``4 d``: two significant figures at most."""
    if seconds is None or math.isnan(seconds):
        return "–"
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{seconds:.0f} s"
