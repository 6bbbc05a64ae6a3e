"""``tandem serve``: the web app on uvicorn (one worker; it keeps the setup token in memory).

One worker process: the first-run setup token, the pre-session CSRF key and the answer caches
live in its memory. On two cores a second worker would not help anyway: once the caches are
warm a page costs a few milliseconds of one core, and the rest goes to the HTTP layer.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from tandem.accounts import passwords
from tandem.accounts import service as accounts_service
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.migrate import upgrade
from tandem.db.session import session_scope
from tandem.workspace import Workspace

if TYPE_CHECKING:
    from fastapi import FastAPI

WARM_NICENESS = 10
WARM_LOG = logging.getLogger("uvicorn.error")  # uvicorn's own log: printed with its start lines


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=0, max=65535)] = 8000,
    trust_proxy: Annotated[
        bool,
        typer.Option(
            "--trust-proxy",
            help="Behind your own reverse proxy: honour X-Forwarded-Proto and X-Forwarded-For.",
        ),
    ] = False,
    warm: Annotated[
        bool,
        typer.Option(
            "--warm/--no-warm",
            help="Compute every team's flow answers and the cycle's scores in the background "
            "at start, so that the first visitor does not wait for them.",
        ),
    ] = True,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Serve the web app. With no user yet, prints a one-time link to create the first admin."""
    import uvicorn  # the web stack loads only when serving, so other commands start fast

    from tandem.web.app import create_app
    from tandem.web.config import WebConfig

    ws = Workspace.open(workspace)
    upgrade(ws.engine)  # a long-running server brings its database up to date first
    config = WebConfig(trust_proxy=trust_proxy)
    app = create_app(ws, config)
    with session_scope(ws.engine) as session:
        first_run = not accounts_service.has_users(session=session)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}"
    setup_url = f"{url}/setup?token={config.setup_token}" if first_run else None

    def render(console: Console) -> None:
        console.print(f"Tandem serves [bold]{ws.root}[/] at {url}  (Ctrl+C stops it)")
        if setup_url:
            console.print(f"First run: create the admin account at {setup_url}", soft_wrap=True)

    emit({"url": url, "setup_url": setup_url}, as_json=as_json, render=render)
    if passwords.cheap_hash_for_tests():
        typer.echo(
            f"warning: {passwords.CHEAP_HASH_VARIABLE}=1 is set: passwords are hashed with "
            "test-only argon2 parameters; unset it for real accounts",
            err=True,
        )
    server = uvicorn.Server(
        uvicorn.Config(  # configures the logging, which the warm-up's report goes to
            app,
            host=host,
            port=port,
            workers=1,
            proxy_headers=False,  # the app decides what to trust (--trust-proxy)
            server_header=False,
            log_level="info",
        )
    )
    if warm:
        threading.Thread(target=_warm, args=(app,), name="tandem-warm-up", daemon=True).start()
    server.run()


def _warm(app: FastAPI) -> None:
    """Warm the caches (a background thread); one line in the server's log says how it went.

    On Linux the thread lowers its own priority first (nice 10; a thread's nice value is its
    own there, and threads it starts, such as DuckDB's, inherit it): requests that arrive
    meanwhile get the CPU first. A request asking what the warm-up is computing waits for it.
    """
    from tandem.web.warmup import warm_caches

    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WARM_NICENESS)
    report = warm_caches(app)
    failed = "; ".join(f"{scope}: {message}" for scope, message in report.errors.items())
    WARM_LOG.info(
        "Caches warm in %s s (%d flow scope(s)%s%s)",
        report.seconds,
        len(report.scopes),
        f", cycle {report.cycle}" if report.cycle else "",
        f"; not warmed: {failed}" if failed else "",
    )
