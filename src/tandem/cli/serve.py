"""``tandem serve``: the web app on uvicorn (one worker; it keeps the setup token in memory)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tandem.accounts import service as accounts_service
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.migrate import upgrade
from tandem.db.session import session_scope
from tandem.workspace import Workspace


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
    uvicorn.run(
        app,
        host=host,
        port=port,
        workers=1,
        proxy_headers=False,  # the app decides what to trust (--trust-proxy)
        server_header=False,
        log_level="info",
    )
