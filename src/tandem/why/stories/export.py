"""A story as Markdown (footnotes) and as one self-contained HTML file (no external request).

Both number the evidence in the order the story first cites it; each sentence ends with links
to its evidence (Markdown footnotes ``[^e1]``, HTML anchors ``#ev-1``), and the evidence list
gives each id with its values, so every sentence can be checked by hand.
"""

from __future__ import annotations

import json
from html import escape

from tandem.why.stories.evidence import Evidence, Sentence, Value


def numbering(sentences: list[Sentence], evidence: list[Evidence]) -> dict[str, int]:
    """Evidence id → footnote number: in order of first citation, then the uncited ones."""
    order: dict[str, int] = {}
    for sentence in sentences:
        for cited in sentence.evidence:
            order.setdefault(cited, len(order) + 1)
    for ev in evidence:
        order.setdefault(ev.id, len(order) + 1)
    return order


#: A list value (e.g. the keys of every item done) is shown up to this many entries; the
#: JSON answer (and the HTML file's data block) holds all of them.
LIST_SHOWN = 30


def _value(value: Value) -> str:
    if isinstance(value, list):
        if not value:
            return "none"
        more = len(value) - LIST_SHOWN
        shown = ", ".join(value[:LIST_SHOWN])
        return f"{shown} … ({more} more in the JSON)" if more > 0 else shown
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _values(ev: Evidence) -> list[tuple[str, str]]:
    return [(key.replace("_", " "), _value(value)) for key, value in ev.values.items()]


def _md(text: str) -> str:
    """Text safe inside Markdown: characters that would start markup are escaped."""
    out = text.replace("\\", "\\\\")
    for char in "`*_[]<>#|":
        out = out.replace(char, "\\" + char)
    return " ".join(out.split())


def markdown(
    *, title: str, subtitle: str, sentences: list[Sentence], evidence: list[Evidence]
) -> str:
    """The story in Markdown, its evidence as footnotes."""
    order = numbering(sentences, evidence)
    lines = [f"# {_md(title)}", "", f"*{_md(subtitle)}*", ""]
    for sentence in sentences:
        refs = "".join(f"[^e{order[ev]}]" for ev in sentence.evidence)
        lines.append(f"{_md(sentence.text)}{refs}")
        lines.append("")
    lines.append("## Evidence")
    lines.append("")
    by_id = {ev.id: ev for ev in evidence}
    for ev_id, n in sorted(order.items(), key=lambda pair: pair[1]):
        ev = by_id[ev_id]
        facts = "; ".join(f"{key}: {_md(value)}" for key, value in _values(ev))
        lines.append(f"[^e{n}]: `{ev.id}` — {_md(ev.label)}. {facts}")
    return "\n".join(lines) + "\n"


STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       color: #1f2328; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
.sub { color: #59636e; margin-top: 0; }
.story p { margin: .6rem 0; }
sup a { text-decoration: none; font-size: .75rem; }
.evidence { font-size: .85rem; color: #31373d; border-top: 1px solid #d1d9e0; margin-top: 2rem; }
.evidence li { margin: .5rem 0; }
.evidence li:target { background: #fff8c5; }
.evidence dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 .8rem;
               margin: .2rem 0; }
.evidence dt { color: #59636e; }
.evidence dd { margin: 0; overflow-wrap: anywhere; }
code { font-size: .85em; }
@media print { sup a { color: inherit; } }
"""


def html_fragment(*, sentences: list[Sentence], evidence: list[Evidence]) -> str:
    """The story's sentences and evidence list as HTML (for the page and the file)."""
    order = numbering(sentences, evidence)
    parts = ['<div class="story">']
    for i, sentence in enumerate(sentences, start=1):
        refs = "".join(
            f'<sup><a href="#ev-{order[ev]}" title="{escape(ev)}">[{order[ev]}]</a></sup>'
            for ev in sentence.evidence
        )
        parts.append(f'<p id="s-{i}">{escape(sentence.text)}{refs}</p>')
    parts.append("</div>")
    parts.append('<section class="evidence" aria-labelledby="evidence-title">')
    parts.append('<h2 id="evidence-title">Evidence</h2><ol>')
    by_id = {ev.id: ev for ev in evidence}
    for ev_id, n in sorted(order.items(), key=lambda pair: pair[1]):
        ev = by_id[ev_id]
        facts = "".join(
            f"<dt>{escape(key)}</dt><dd>{escape(value)}</dd>" for key, value in _values(ev)
        )
        parts.append(
            f'<li id="ev-{n}"><code>{escape(ev.id)}</code> — {escape(ev.label)}'
            f"<dl>{facts}</dl></li>"
        )
    parts.append("</ol></section>")
    return "\n".join(parts)


def html(
    *,
    title: str,
    subtitle: str,
    sentences: list[Sentence],
    evidence: list[Evidence],
) -> str:
    """The story as one self-contained HTML file: inline style, no script, no external link."""
    data = json.dumps(
        {"evidence": [ev.model_dump(mode="json") for ev in evidence]}, ensure_ascii=True
    )
    # inert inside the data block: no "<" can close it or open a tag
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>\n"
        f'<h1>{escape(title)}</h1>\n<p class="sub">{escape(subtitle)}</p>\n'
        f"{html_fragment(sentences=sentences, evidence=evidence)}\n"
        f'<script type="application/json" id="story-evidence">{data}</script>\n'
        "</body></html>\n"
    )
