"""The XES tokenizer: chunks of whole tags into long attribute rows (owner, key, type, value).

Flat chunks (the common case: no lists, containers or meta-attributes) are split into tags and
attributes by Arrow kernels, without a Python object per tag; any other chunk goes through one
compiled regex and a small state machine that flattens nested attributes as ``parent.child``.
``<global>`` content, ``<classifier>``, ``<extension>`` and log-level attributes are ignored.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from tandem.sources.eventlog.arrow import binaries, binary, int64, int64s, texts

ATTRIBUTE_TYPES = rb"string|date|int|float|boolean|id"
ATTRIBUTE_NAMES = ["string", "date", "int", "float", "boolean", "id"]
TOKEN = re.compile(
    rb"<(?:(/?)(trace|event|list|container|global)\b([^>]*?)(/?)>"
    rb"|(" + ATTRIBUTE_TYPES + rb')\s+key\s*=\s*"([^"]*)"\s+value\s*=\s*"([^"]*)"\s*(/?)>'
    rb"|/(" + ATTRIBUTE_TYPES + rb")\s*>"
    rb"|(" + ATTRIBUTE_TYPES + rb")(\s[^>]*?)(/?)>)"
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
    #: ``event_trace`` as an Arrow array (the vectorised path)
    event_trace_array: pa.Array | None = None

    def columns(self, part: str) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
        """(owner, key, type, value) of the ``event`` or ``trace`` attributes, as Arrow arrays."""
        found = self.arrays.get(part)
        if found is not None:
            return found
        lists = (
            (self.event_owner, self.event_key, self.event_type, self.event_value)
            if part == "event"
            else (self.trace_owner, self.trace_key, self.trace_type, self.trace_value)
        )
        return (int64s(lists[0]), binaries(lists[1]), binaries(lists[2]), binaries(lists[3]))

    def traces(self) -> pa.Array:
        """The trace number of each event opened in the chunk."""
        if self.event_trace_array is not None:
            return self.event_trace_array
        return int64s(self.event_trace)


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


def event_cut(text: bytes) -> int:
    """Where to split ``text`` so that every event opened before the cut ends before it.

    The cut falls just before the last ``<event`` (events do not nest); 0 when there is none
    past the start, meaning: read on before scanning.
    """
    cut = len(text)
    while True:
        cut = text.rfind(b"<event", 0, cut)
        if cut <= 0:
            return 0
        after = text[cut + 6 : cut + 7]
        if after in (b">", b"/", b" ", b"\t", b"\n", b"\r"):
            return _outside_comment(text, cut)


def safe_cut(text: bytes) -> int:
    """Where to split ``text`` so that no tag (or comment) straddles two chunks."""
    cut = text.rfind(b"<")
    if cut < 0:
        return len(text)
    return _outside_comment(text, cut)


def _outside_comment(text: bytes, cut: int) -> int:
    """``cut``, or the start of the comment it would fall into."""
    comment = text.rfind(b"<!--", 0, cut + 4)
    if comment >= 0:
        end = text.find(b"-->", comment)
        if end < 0 or end > cut:  # the cut would fall inside a comment: keep it whole
            cut = comment
    return cut


#: The first ``"``-delimited part of a flat tag (right-trimmed); its index is the tag's kind.
HEADS = [
    "event>",
    "/event>",
    "event/>",
    "trace>",
    "/trace>",
    "trace/>",
    "global scope=",
    "/global>",
    *(f"{name} key=" for name in ATTRIBUTE_NAMES),
]
EVENT_OPEN_HEAD, EVENT_CLOSE_HEAD, EVENT_EMPTY_HEAD = 0, 1, 2
TRACE_OPEN_HEAD, TRACE_CLOSE_HEAD, TRACE_EMPTY_HEAD = 3, 4, 5
GLOBAL_OPEN_HEAD, GLOBAL_CLOSE_HEAD, FIRST_ATTRIBUTE_HEAD = 6, 7, 8
#: Tags a flat chunk may hold that carry nothing Tandem reads (checked by name, rarely seen).
IGNORED_TAGS = {b"log", b"/log", b"extension", b"classifier", b"?xml"}
HEAD_SET = texts(HEADS).cast(pa.large_string())
TYPE_NAMES = texts(ATTRIBUTE_NAMES)
ZERO, ONE, TWO, THREE, FOUR = (int64(n) for n in range(5))
TAG_NAME = re.compile(rb"/?[^\s/>]*")


def _binary(text: bytes) -> pa.Array:
    """``text`` as a one-value binary array, without copying it."""
    offsets = pa.py_buffer(array("q", [0, len(text)]).tobytes())
    return pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(text)])


def tokenize_flat(text: bytes, state: ScanState) -> Tokens | None:
    """Scan a chunk of flat tags in Arrow kernels; ``None`` when it needs :func:`tokenize`.

    The chunk is split at ``<`` (one piece per tag: ``<`` cannot occur inside an attribute
    value) and each piece at its first four ``"``; a piece is an attribute exactly when it
    reads ``type key="k" value="v"/>``. Any tag outside the known shapes (nesting, other
    attribute order or quoting, CDATA, unknown elements) hands the chunk to the slow path.
    """
    if state.nesting or b"<![CDATA[" in text:
        return None
    if b"<!--" in text:
        text = COMMENT.sub(b"", text)
    pieces = pc.split_pattern(_binary(text), "<").values[1:]
    if len(pieces) == 0:
        return Tokens(first_event=state.events)
    parts = pc.split_pattern(pieces, '"', max_splits=4)
    head = pc.utf8_rtrim_whitespace(pc.cast(pc.list_element(parts, ZERO), pa.large_string()))
    kind = pc.cast(pc.index_in(head, value_set=HEAD_SET), pa.int64())
    unknown = pc.is_null(kind)
    if pc.any(unknown).as_py():
        for piece in pc.filter(pieces, unknown).to_pylist():
            name = TAG_NAME.match(piece)
            if name is None or name[0] not in IGNORED_TAGS:
                return None
        kind = pc.fill_null(kind, int64(-1))
    is_attribute = pc.greater_equal(kind, int64(FIRST_ATTRIBUTE_HEAD))
    # the parts of piece i start at parts.offsets[i]: key at +1, " value=" at +2, value at +3
    values = parts.values
    start = parts.offsets[:-1]
    if pc.any(is_attribute).as_py():
        first_part = pc.filter(start, is_attribute)
        shaped = pc.and_(
            pc.equal(pc.filter(pc.list_value_length(parts), is_attribute), int64(5)),
            pc.equal(pc.take(values, pc.add(first_part, TWO)), binary(b" value=")),
        )
        if not pc.all(shaped).as_py():
            return None  # other spacing or order: the slow path
        tail = pc.take(values, pc.add(first_part, FOUR))
        if not pc.all(pc.or_(pc.starts_with(tail, b"/>"), pc.starts_with(tail, b" />"))).as_py():
            return None  # an attribute with children (meta-attributes): the slow path
    global_open = pc.equal(kind, int64(GLOBAL_OPEN_HEAD))
    if pc.any(pc.and_(global_open, pc.ends_with(head, "/>"))).as_py():
        return None
    event_open = _is(kind, EVENT_OPEN_HEAD, EVENT_EMPTY_HEAD)
    event_shut = _is(kind, EVENT_CLOSE_HEAD, EVENT_EMPTY_HEAD)
    trace_open = _is(kind, TRACE_OPEN_HEAD, TRACE_EMPTY_HEAD)
    trace_shut = _is(kind, TRACE_CLOSE_HEAD, TRACE_EMPTY_HEAD)
    event_no = _running(event_open, state.events - 1)
    trace_no = _running(trace_open, state.traces - 1)
    in_event = pc.greater(_running_delta(event_open, event_shut, int(state.in_event)), ZERO)
    in_trace = pc.greater(_running_delta(trace_open, trace_shut, int(state.in_trace)), ZERO)
    global_shut = pc.equal(kind, int64(GLOBAL_CLOSE_HEAD))
    global_depth = _running_delta(global_open, global_shut, state.in_global)
    if state.orphan_event is None:
        orphans = pc.and_(event_open, pc.invert(in_trace))
        if pc.any(orphans).as_py():
            first = pc.index(orphans, True).as_py()
            state.orphan_event = int(event_no[first].as_py())
    out = Tokens(first_event=state.events)
    out.event_trace_array = pc.filter(trace_no, event_open)
    readable = pc.and_(is_attribute, pc.equal(global_depth, ZERO))
    event_attr = pc.and_(readable, in_event)
    trace_attr = pc.and_(pc.and_(readable, pc.invert(in_event)), in_trace)
    type_name = pc.take(
        TYPE_NAMES,
        pc.max_element_wise(pc.subtract(kind, int64(FIRST_ATTRIBUTE_HEAD)), ZERO),
    )
    for part, mask, owner in (("event", event_attr, event_no), ("trace", trace_attr, trace_no)):
        chosen = pc.filter(start, mask)
        out.arrays[part] = (
            pc.filter(owner, mask),
            pc.take(values, pc.add(chosen, ONE)),
            pc.filter(type_name, mask),
            pc.take(values, pc.add(chosen, THREE)),
        )
    last = len(pieces) - 1
    state.events += len(out.event_trace_array)
    state.traces += int(pc.sum(trace_open).as_py() or 0)
    state.in_event = bool(in_event[last].as_py())
    state.in_trace = bool(in_trace[last].as_py())
    state.in_global = int(global_depth[last].as_py())
    return out


def _is(kind: pa.Array, *heads: int) -> pa.Array:
    """Whether each piece's kind is one of ``heads``."""
    return pc.is_in(kind, value_set=int64s(heads))


def _running(flags: pa.Array, start: int) -> pa.Array:
    """``start`` plus the running count of true ``flags`` (inclusive)."""
    return pc.add(pc.cumulative_sum(pc.cast(flags, pa.int64())), int64(start))


def _running_delta(up: pa.Array, down: pa.Array, start: int) -> pa.Array:
    delta = pc.subtract(pc.cast(up, pa.int64()), pc.cast(down, pa.int64()))
    return pc.add(pc.cumulative_sum(delta), int64(start))


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
