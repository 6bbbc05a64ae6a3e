"""The XES tokenizer: one compiled regex over chunks of whole tags, into long attribute rows.

Flat chunks (the common case: no lists, containers, meta-attributes or comments) are turned into
columns by Arrow kernels without a per-attribute Python step; any other chunk goes through a
small state machine that flattens nested attributes as ``parent.child`` keys.
``<global>`` content, ``<classifier>``, ``<extension>`` and log-level attributes are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

ATTRIBUTE_TYPES = rb"string|date|int|float|boolean|id"
ATTRIBUTE_NAMES = ["string", "date", "int", "float", "boolean", "id"]
TOKEN = re.compile(
    rb"<(?:(/?)(trace|event|list|container|global)\b([^>]*?)(/?)>"
    rb"|(" + ATTRIBUTE_TYPES + rb')\s+key\s*=\s*"([^"]*)"\s+value\s*=\s*"([^"]*)"\s*(/?)>'
    rb"|/(" + ATTRIBUTE_TYPES + rb")\s*>"
    rb"|(" + ATTRIBUTE_TYPES + rb")(\s[^>]*?)(/?)>)"
)
#: The flat common case, one token per tag: (close, name, key, value, self-closing).
FAST_TOKEN = re.compile(
    rb"<(/?)(trace|event|list|container|global|" + ATTRIBUTE_TYPES + rb")\b"
    rb'(?:\s+key="([^"]*)"\s+value="([^"]*)")?[^>]*?(/?)>'
)
XML_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
EVENT_OPEN = re.compile(rb"<event\b")


@dataclass
class Tokens:
    """Long rows gathered from one chunk."""

    event_trace: list[int] = field(default_factory=list)
    event_owner: list[int] = field(default_factory=list)
    event_key: list[bytes] = field(default_factory=list)
    event_type: list[bytes] = field(default_factory=list)
    event_value: list[bytes] = field(default_factory=list)
    trace_owner: list[int] = field(default_factory=list)
    trace_key: list[bytes] = field(default_factory=list)
    trace_type: list[bytes] = field(default_factory=list)
    trace_value: list[bytes] = field(default_factory=list)
    first_event: int = 0
    #: the same rows as Arrow arrays (owner, key, type, value) from the vectorised path
    arrays: dict[str, tuple[pa.Array, pa.Array, pa.Array, pa.Array]] = field(default_factory=dict)


@dataclass
class ScanState:
    """Where the scanner is, carried from chunk to chunk."""

    events: int = 0
    traces: int = 0
    in_event: bool = False
    in_trace: bool = False
    in_global: int = 0
    nesting: list[bytes] = field(default_factory=list)
    orphan_event: int | None = None


def safe_cut(text: bytes) -> int:
    """Where to split ``text`` so that no tag (or comment) straddles two chunks."""
    cut = text.rfind(b"<")
    if cut < 0:
        return len(text)
    comment = text.rfind(b"<!--", 0, cut + 4)
    if comment >= 0:
        end = text.find(b"-->", comment)
        if end < 0 or end > cut:  # the cut would fall inside a comment: keep it whole
            cut = comment
    return cut


def tokenize_flat(text: bytes, state: ScanState) -> Tokens | None:
    """Scan a chunk without nesting, vectorised; ``None`` when it needs :func:`_tokenize`."""
    if state.nesting or state.in_global or b"<!--" in text:
        return None
    found = FAST_TOKEN.findall(text)
    if not found:
        return Tokens(first_event=state.events)
    close_b, name_b, key_b, value_b, sc_b = zip(*found, strict=True)
    name = pa.array(name_b, pa.binary()).cast(pa.string()).dictionary_encode()
    close = pc.equal(pa.array(close_b, pa.binary()), b"/")
    self_closing = pc.equal(pa.array(sc_b, pa.binary()), b"/")
    key = pa.array(key_b, pa.binary())
    is_attribute = pc.is_in(name, value_set=pa.array(ATTRIBUTE_NAMES))
    nested = pc.or_(
        pc.is_in(name, value_set=pa.array(["list", "container", "global"])),
        pc.and_(
            is_attribute,
            pc.or_(pc.or_(close, pc.invert(self_closing)), pc.equal(pc.binary_length(key), 0)),
        ),
    )
    if pc.any(nested).as_py():
        return None
    is_event, is_trace = pc.equal(name, "event"), pc.equal(name, "trace")
    event_open = pc.and_(is_event, pc.invert(close))
    event_shut = pc.and_(is_event, pc.or_(close, self_closing))
    trace_open = pc.and_(is_trace, pc.invert(close))
    trace_shut = pc.and_(is_trace, pc.or_(close, self_closing))
    event_no = _running(event_open, state.events - 1)
    trace_no = _running(trace_open, state.traces - 1)
    # depth after each token: +1 at an opening tag, -1 at a closing one (both for <x/>)
    in_event = pc.greater(_running_delta(event_open, event_shut, int(state.in_event)), 0)
    in_trace = pc.greater(_running_delta(trace_open, trace_shut, int(state.in_trace)), 0)
    if state.orphan_event is None:
        orphans = pc.and_(event_open, pc.invert(in_trace))
        if pc.any(orphans).as_py():
            first = pc.index(orphans, True).as_py()
            state.orphan_event = int(event_no[first].as_py())
    out = Tokens(first_event=state.events)
    out.event_trace = pc.filter(trace_no, event_open).to_pylist()
    event_attr = pc.and_(is_attribute, in_event)
    trace_attr = pc.and_(pc.and_(is_attribute, pc.invert(in_event)), in_trace)
    value = pa.array(value_b, pa.binary())
    out.arrays = {
        "event": (
            pc.filter(event_no, event_attr),
            pc.filter(key, event_attr),
            pc.filter(name, event_attr),
            pc.filter(value, event_attr),
        ),
        "trace": (
            pc.filter(trace_no, trace_attr),
            pc.filter(key, trace_attr),
            pc.filter(name, trace_attr),
            pc.filter(value, trace_attr),
        ),
    }
    last = len(found) - 1
    state.events += len(out.event_trace)
    state.traces += int(pc.sum(trace_open).as_py() or 0)
    state.in_event = bool(in_event[last].as_py())
    state.in_trace = bool(in_trace[last].as_py())
    return out


def _running(flags: pa.Array, start: int) -> pa.Array:
    """``start`` plus the running count of true ``flags`` (inclusive)."""
    return pc.add(pc.cumulative_sum(pc.cast(flags, pa.int64())), start)


def _running_delta(up: pa.Array, down: pa.Array, start: int) -> pa.Array:
    delta = pc.subtract(pc.cast(up, pa.int64()), pc.cast(down, pa.int64()))
    return pc.add(pc.cumulative_sum(delta), start)


def tokenize(text: bytes, state: ScanState) -> Tokens:
    """Scan one chunk of whole tags, updating ``state``; the hot loop of the reader."""
    if b"<!--" in text:
        text = COMMENT.sub(b"", text)
    out = Tokens(first_event=state.events)
    event_owner, event_key = out.event_owner.append, out.event_key.append
    event_type, event_value = out.event_type.append, out.event_value.append
    for (
        close,
        element,
        attrs,
        self_closing,
        kind,
        key,
        value,
        kind_sc,
        end,
        other,
        rest,
        other_sc,
    ) in TOKEN.findall(text):
        if kind:
            if state.nesting or state.in_global:
                _attribute(out, state, kind, key, value)
            elif state.in_event:
                event_owner(state.events - 1)
                event_key(key)
                event_type(kind)
                event_value(value)
            elif state.in_trace:
                out.trace_owner.append(state.traces - 1)
                out.trace_key.append(key)
                out.trace_type.append(kind)
                out.trace_value.append(value)
            if not kind_sc:
                state.nesting.append(key)
        elif element:
            _structure(state, element, attrs, close, self_closing, out)
        elif end:
            if state.nesting:
                state.nesting.pop()
        elif other:
            parsed = {m[0]: m[1] or m[2] for m in XML_ATTRIBUTE.findall(rest)}
            _attribute(out, state, other, parsed.get(b"key", b""), parsed.get(b"value", b""))
            if not other_sc:
                state.nesting.append(parsed.get(b"key", b""))
    return out


def _structure(
    state: ScanState, element: bytes, attrs: bytes, close: bytes, sc: bytes, out: Tokens
) -> None:
    if element == b"event":
        if close:
            state.in_event = False
        else:
            if not state.in_trace and state.orphan_event is None:
                state.orphan_event = state.events
            out.event_trace.append(state.traces - 1)
            state.events += 1
            state.in_event = not sc
            state.nesting.clear()
    elif element == b"trace":
        if close:
            state.in_trace = False
        else:
            state.traces += 1
            state.in_trace = not sc
    elif element == b"global":
        if not sc:
            state.in_global += -1 if close else 1
    elif close:
        if state.nesting:
            state.nesting.pop()
    elif not sc:  # list / container: its children are flattened under its key
        parsed = {m[0]: m[1] or m[2] for m in XML_ATTRIBUTE.findall(attrs)}
        state.nesting.append(parsed.get(b"key", b""))


def _attribute(out: Tokens, state: ScanState, kind: bytes, key: bytes, value: bytes) -> None:
    """An attribute in a nested or unusual position (the slow path)."""
    if state.in_global:
        return
    path = b".".join(part for part in state.nesting if part)
    full_key = path + b"." + key if path else key
    if state.in_event:
        out.event_owner.append(state.events - 1)
        out.event_key.append(full_key)
        out.event_type.append(kind)
        out.event_value.append(value)
    elif state.in_trace:
        out.trace_owner.append(state.traces - 1)
        out.trace_key.append(full_key)
        out.trace_type.append(kind)
        out.trace_value.append(value)
