"""The CLI reference (``docs/cli.md``), rendered from the commands' own ``--help``.

``make docs`` writes it; a test fails when the file and ``--help`` disagree.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
import typer.main

HEADER = """\
# CLI reference

Generated from `tandem … --help` by `make docs`; a test keeps it equal to the code.
Every command takes `--workspace DIR` (or `TANDEM_WORKSPACE`) and `--json`.
"""

WIDTH = 100


def commands(app: typer.Typer) -> list[tuple[str, Any, typer.Context]]:
    """Every command and group under ``app``, depth first: (``tandem a b``, command, context)."""
    root = typer.main.get_command(app)
    found: list[tuple[str, Any, typer.Context]] = []

    def walk(command: Any, ctx: typer.Context, path: str) -> None:
        found.append((path, command, ctx))
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    sub_ctx = typer.Context(
                        sub,
                        parent=ctx,
                        info_name=name,
                        terminal_width=WIDTH,
                        max_content_width=WIDTH,
                    )
                    walk(sub, sub_ctx, f"{path} {name}")

    walk(
        root,
        typer.Context(root, info_name="tandem", terminal_width=WIDTH, max_content_width=WIDTH),
        "tandem",
    )
    return found


def render(app: typer.Typer) -> str:
    """Markdown with one section per command, holding its ``--help`` text."""
    parts = [HEADER]
    for path, command, ctx in commands(app):
        parts.append(f"\n## `{path}`\n\n```text\n{command.get_help(ctx).rstrip()}\n```\n")
    return "".join(parts)


def main() -> None:
    """Write the reference to stdout."""
    from tandem.cli.app import app

    sys.stdout.write(render(app))


if __name__ == "__main__":
    main()
