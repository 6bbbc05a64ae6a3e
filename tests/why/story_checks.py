"""The acceptance check of impact stories: every sentence is traceable to its evidence.

For each sentence: it cites at least one id, every cited id is in the story's evidence list,
the text is its template filled with its fields, and every number in the text is a value of
the cited evidence (at the precision the sentence shows). Dates and text values of the cited
evidence (keys, titles, kudos text) are taken out of the text first, so a number inside a title
is not mistaken for a claim.
"""

from __future__ import annotations

import re
from typing import Any

from tandem.why.stories.evidence import TEMPLATES

NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _scalars(values: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for value in values.values():
        out.extend(value if isinstance(value, list) else [value])
    return out


def check_story(sentences: list[dict[str, Any]], evidence: list[dict[str, Any]]) -> int:
    """Assert the traceability rules on a story (as JSON); how many numbers were checked."""
    by_id = {ev["id"]: ev for ev in evidence}
    assert len(by_id) == len(evidence), "evidence ids are unique"
    checked = 0
    for sentence in sentences:
        cited = sentence["evidence"]
        assert cited, f"{sentence['text']!r} cites no evidence"
        for ev_id in cited:
            assert ev_id in by_id, f"{sentence['text']!r} cites {ev_id!r}, not in the evidence"
        assert sentence["text"] == TEMPLATES[sentence["template"]].format(**sentence["fields"])
        values = [v for ev_id in cited for v in _scalars(by_id[ev_id]["values"])]
        text = sentence["text"]
        strings = sorted((v for v in values if isinstance(v, str) and v), key=len, reverse=True)
        for value in strings:
            text = text.replace(value, " ")
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        for found in NUMBER.findall(text):
            decimals = len(found.partition(".")[2])
            shown = float(found)
            assert any(round(float(v), decimals) == shown for v in numbers), (
                f"{found} in {sentence['text']!r} is no value of {cited}: {numbers}"
            )
            checked += 1
    return checked
