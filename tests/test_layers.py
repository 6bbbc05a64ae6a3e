"""The house's layering rules, checked on the source text (deterministic, no imports run)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).parents[1] / "src" / "tandem"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _messages(node: ast.Raise) -> list[str]:
    """Every string piece of the raised exception's arguments."""
    pieces = []
    for sub in ast.walk(node.exc) if node.exc is not None else ():
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            pieces.append(sub.value)
    return pieces


def test_services_speak_no_cli_flag_names() -> None:
    """An error raised below the CLI is read on the web and in the API too: no `--flag` in it."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "cli" in path.relative_to(SRC).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise):
                found += [
                    f"{path.relative_to(SRC)}:{node.lineno}: {flag}"
                    for text in _messages(node)
                    for flag in FLAG.findall(text)
                ]
    assert found == []


def test_sources_never_import_people_or_the_app_database() -> None:
    """Sources write the lake; joining identities to people is `tandem.ingest`'s job."""
    found = []
    for path in sorted((SRC / "sources").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            found += [
                f"{path.relative_to(SRC)}: {name}"
                for name in names
                if name.startswith(("tandem.people", "tandem.db", "tandem.ingest"))
            ]
    assert found == []
