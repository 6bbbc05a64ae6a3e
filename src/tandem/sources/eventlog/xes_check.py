"""Reading an XES file's raw bytes: opening (plain or gzip), the well-formedness check, lines.

pyexpat checks that the file is well-formed and names the line of the first error: in a child
process running beside the scan for large files (on the other core), inline on the scanned
chunks for small ones. :func:`event_line` finds the line of the n-th ``<event>`` for messages.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import subprocess
import sys
from pathlib import Path
from typing import IO, cast
from xml.parsers import expat

from tandem.errors import InputError
from tandem.sources.eventlog.xes_tokens import safe_cut

CHUNK_SIZE = 4 << 20
EVENT_OPEN = re.compile(rb"<event\b")
#: From these sizes (bytes on disk) pyexpat checks the file in a child process, in parallel.
CHILD_CHECK_PLAIN = 8 << 20
CHILD_CHECK_GZIP = 1 << 20
#: The child: prints ``ok``, ``xml <line> <message>`` or ``io <message>``.
CHECK_SCRIPT = """
import gzip, sys
from xml.parsers import expat
path, gzipped = sys.argv[1], sys.argv[2] == "1"
parser = expat.ParserCreate()
try:
    with (gzip.open if gzipped else open)(path, "rb") as stream:
        while True:
            block = stream.read(1 << 22)
            parser.Parse(block, not block)
            if not block:
                break
except expat.ExpatError as exc:
    print("xml", exc.lineno, expat.ErrorString(exc.code))
except Exception as exc:
    print("io", str(exc).replace("\\n", " "))
else:
    print("ok")
"""


def open_xes(path: Path, gzipped: bool) -> tuple[IO[bytes], IO[bytes]]:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path=path) from None
    stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb")) if gzipped else raw
    return raw, stream


class WellFormedness:
    """pyexpat's well-formedness verdict on the file: a child process for large files."""

    def __init__(self, path: Path, gzipped: bool) -> None:
        self.path = path
        self.parser: expat.XMLParserType | None = None
        self.child: subprocess.Popen[bytes] | None = None
        size = path.stat().st_size
        if size >= (CHILD_CHECK_GZIP if gzipped else CHILD_CHECK_PLAIN) and sys.executable:
            with contextlib.suppress(OSError):
                self.child = subprocess.Popen(
                    [sys.executable, "-I", "-S", "-c", CHECK_SCRIPT, str(path), str(int(gzipped))],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
        if self.child is None:
            self.parser = expat.ParserCreate()

    def feed(self, block: bytes, final: bool) -> None:
        """Check ``block`` here, unless the child checks the whole file."""
        if self.parser is None:
            return
        try:
            self.parser.Parse(block, final)
        except expat.ExpatError as exc:
            raise self._error(exc.lineno, expat.ErrorString(exc.code)) from None

    def verdict(self) -> InputError | None:
        """The child's finding (waits for it); ``None`` when the file is well-formed."""
        if self.child is None:
            return None
        out, _ = self.child.communicate()
        self.child = None
        kind, _, detail = out.decode("utf-8", "replace").strip().partition(" ")
        if kind == "xml":
            line, _, message = detail.partition(" ")
            return self._error(int(line), message)
        if kind == "io":
            return InputError(f"corrupt gzip data ({detail})", path=self.path)
        if kind != "ok":
            return InputError("the XML check did not finish", path=self.path)
        return None

    def close(self) -> None:
        if self.child is not None:
            self.child.kill()
            self.child.communicate()
            self.child = None

    def _error(self, line: int, message: str) -> InputError:
        return InputError(f"not well-formed XML: {message}", path=self.path, line=line)


def event_line(path: Path, gzipped: bool, event_no: int) -> int | None:
    """The line on which the ``event_no``-th (0-based) ``<event>`` starts (error reporting)."""
    raw, stream = open_xes(path, gzipped)
    seen, lines, carry = 0, 1, b""
    try:
        while block := stream.read(CHUNK_SIZE):
            text = carry + block
            cut = safe_cut(text)
            text, carry = text[:cut], text[cut:]
            for match in EVENT_OPEN.finditer(text):
                if seen == event_no:
                    return lines + text.count(b"\n", 0, match.start())
                seen += 1
            lines += text.count(b"\n")
    finally:
        stream.close()
        raw.close()
    return None
