"""``tandem demo``: build the demo workspace from the real data shipped with Tandem."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.options import JsonOption
from tandem.cli.output import BarProgress, emit
from tandem.demo.build import build_demo
from tandem.workspace import Workspace


def demo_command(
    workspace: Annotated[
        Path,
        typer.Option(
            "--workspace",
            "-w",
            envvar="TANDEM_WORKSPACE",
            help="Where to build the demo workspace.",
        ),
    ] = Path("demo-workspace"),
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve", help="Serve the web app once built (--no-serve: build and exit)."
        ),
    ] = True,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.", min=0, max=65535)] = 8000,
    as_json: JsonOption = False,
) -> None:
    """Build the demo workspace, then serve it: print the address and one sign-in per role.

    The data: the BPIC 2014 IT-incident log, this checkout's git history (each main-line commit
    counted as a deployment, for the four keys) and recorded GitHub payloads (synced offline
    through the replay server). It also adds a
    SYNTHETIC organisation (invented people at example.org, generated answers): 32 people in
    4 teams, one closed 360 review cycle and an open one, and web accounts with DEMO-ONLY
    passwords.
    Re-running adds nothing.
    """
    result = build_demo(root=workspace, progress=BarProgress())
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}" if serve else None
    result["url"] = url

    def render(console: Console) -> None:
        console.print(f"Demo workspace built at [bold]{result['workspace']}[/]")
        inc = result["incidents"]
        console.print(
            f"  IT incidents (BPIC 2014, Rabobank; real data): {inc['cases']:,} incidents, "
            f"{inc['events']:,} events, {inc['activities']} activities "
            f"({inc['events_added']:,} events new this run)"
        )
        if result["git"]:
            git = result["git"]
            console.print(
                f"  Tandem's own git history: {git['commits_total']:,} commits by "
                f"{git['identities']:,} identities ({git['commits_added']:,} new this run)"
            )
        else:
            console.print("  (not run from a git checkout: no git history ingested)")
        for repo in result["github"]["repos"]:
            fetched = repo["fetched"]
            console.print(
                f"  GitHub {repo['source'].removeprefix('github:')} (recorded, replayed offline):"
                f" {fetched.get('pulls', 0):,} pull requests, {fetched.get('issues', 0):,} "
                f"issues, {fetched.get('runs', 0):,} CI runs, "
                f"{fetched.get('deployments', 0):,} deployments"
            )
        org = result["organisation"]
        console.print(
            f"  SYNTHETIC organisation: {org['people']} invented people in {len(org['teams'])} "
            f"teams ({', '.join(org['teams'])}); {org['status']} 360 cycle "
            f"[bold]{org['cycle']}[/] with {org['responses']:,} generated answers"
            + (" (already present)" if org["already_present"] else "")
        )
        console.print(f"  [dim]{org['note']}.[/]")
        table = Table("lake table", "rows")
        for name, rows in result["tables"].items():
            table.add_row(name, f"{rows:,}")
        console.print(table)
        console.print(f"Process map of the incidents (performance): {result['process_map']}")
        # Commands as the user can paste them: this very script, quoted, never wrapped.
        tandem, where = invocation(), shlex.quote(result["workspace"])
        head, cycle = shlex.quote(org["head"]), shlex.quote(org["cycle"])
        console.print(
            f"Try:  {tandem} flow summary --workspace {where}", soft_wrap=True, markup=False
        )
        console.print(
            f"      {tandem} profile {head} --cycle {cycle} --workspace {where}",
            soft_wrap=True,
            markup=False,
        )
        # Plain lines, not a table: a narrow terminal must not cut an email or a password short.
        console.print("[bold]Demo sign-ins[/] (role, email, password, who):")
        accounts = result["sign_ins"]["accounts"]
        width = max(len(a["email"]) for a in accounts)
        pwidth = max(len(a["password"] or "") for a in accounts)
        for account in accounts:
            who = ", ".join(
                part
                for part in (account["person"], account["team"] and f"team {account['team']}")
                if part
            )
            password = account["password"] or "(changed since the demo set it)"
            console.print(
                f"  {account['role']:<9} {account['email']:<{width}}  {password:<{pwidth}}"
                + (f"  ({who})" if who else ""),
                soft_wrap=True,
                markup=False,
            )
        console.print(f"[bold yellow]{result['sign_ins']['note']}.[/]")
        if url:
            console.print(
                f"Open [bold]{url}[/] and sign in with one of the accounts above "
                "(Ctrl+C stops the server)."
            )
        else:
            console.print(
                f"Serve it:  {invocation()} serve --workspace {shlex.quote(result['workspace'])}",
                soft_wrap=True,
                markup=False,
            )

    emit(result, as_json=as_json, render=render)
    if serve:
        _serve(Path(result["workspace"]), host=host, port=port)


def invocation() -> str:
    """How to run ``tandem`` again, as this process was started (for printed "Try:" lines).

    ``make demo`` runs ``.venv/bin/tandem``, which is not on the ``PATH``: the lines then name
    that script; ``tandem`` when the ``PATH`` finds this same script; ``python -m tandem`` with
    this interpreter otherwise.
    """
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "tandem" and script.is_file():
        on_path = shutil.which("tandem")
        if on_path and Path(on_path).resolve() == script.resolve():
            return "tandem"
        return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m tandem"


def _serve(root: Path, *, host: str, port: int) -> None:
    """Serve the demo workspace like ``tandem serve`` does (its accounts exist: no setup link)."""
    import uvicorn  # the web stack loads only when serving

    from tandem.web.app import create_app

    uvicorn.run(
        create_app(Workspace.open(root)),
        host=host,
        port=port,
        workers=1,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )
