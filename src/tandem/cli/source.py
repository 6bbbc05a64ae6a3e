"""``tandem source add|list|remove``: the API sources of ``tandem.toml`` (``[sources.<name>]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.ingest import sources as service
from tandem.workspace import Workspace

app = typer.Typer(
    help="API sources (GitHub, GitLab, Jira): add, list, remove; `tandem sync` reads them.",
    no_args_is_help=True,
)
add_app = typer.Typer(help="Add a source (one command per kind).", no_args_is_help=True)
app.add_typer(add_app, name="add")

NameOption = Annotated[
    str | None,
    typer.Option(
        "--name", help="Name of the source in tandem.toml (default: from the repo or project)."
    ),
]


def _default_name(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in text.lower()).strip("-_")
    return cleaned or "source"


def _show_added(result: dict[str, Any], as_json: bool) -> None:
    def render(console: Console) -> None:
        console.print(f"Source [bold]{result['name']}[/] ({result['kind']}) saved in tandem.toml.")
        if result.get("token_env"):
            console.print(f"  token from the environment variable {result['token_env']}")
        console.print(f"  sync it: tandem sync {result['name']}")

    emit(result, as_json=as_json, render=render)


@add_app.command("github")
def add_github(
    repo: Annotated[str, typer.Option(help="The repository, owner/name.")],
    url: Annotated[
        str,
        typer.Option(help="API URL (GitHub Enterprise: https://HOST/api/v3)."),
    ] = "https://api.github.com",
    token_env: Annotated[
        str,
        typer.Option(
            help="Environment variable holding the token (never the token itself); "
            "empty: anonymous."
        ),
    ] = "GITHUB_TOKEN",
    incident_label: Annotated[
        str, typer.Option(help="Issues with this label become incidents.")
    ] = "incident",
    deployments: Annotated[
        str, typer.Option(help="Read deployments by graphql, rest, or off.")
    ] = "graphql",
    name: NameOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Add a GitHub repository: pull requests, issues, incidents, runs, releases, deployments."""
    result = service.add_source(
        workspace=Workspace.open(workspace),
        name=name or _default_name(repo.rsplit("/", 1)[-1]),
        kind="github",
        values={
            "url": url,
            "repo": repo,
            "token_env": token_env,
            "options": {"incident_label": incident_label, "deployments": deployments},
        },
    )
    _show_added(result, as_json)


@add_app.command("gitlab")
def add_gitlab(
    url: Annotated[str, typer.Option(help="The instance, e.g. https://gitlab.example.com.")],
    project: Annotated[str, typer.Option(help="The project's path, group/name (subgroups too).")],
    token_env: Annotated[
        str,
        typer.Option(
            help="Environment variable holding a token with read_api (never the token itself)."
        ),
    ] = "GITLAB_TOKEN",
    name: NameOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Add a GitLab project: merge requests, issues, incidents, deployments, pipelines, releases."""
    result = service.add_source(
        workspace=Workspace.open(workspace),
        name=name or _default_name(project.strip("/").rsplit("/", 1)[-1]),
        kind="gitlab",
        values={"url": url, "project": project, "token_env": token_env},
    )
    _show_added(result, as_json)


@add_app.command("jira")
def add_jira(
    url: Annotated[
        str, typer.Option(help="The site, e.g. https://acme.atlassian.net (Server: its base URL).")
    ],
    project: Annotated[str, typer.Option(help="The project key, e.g. PROJ.")],
    user: Annotated[
        str | None,
        typer.Option(help="User for basic authentication (Jira Cloud: the account's email)."),
    ] = None,
    token_env: Annotated[
        str,
        typer.Option(
            help="Environment variable holding the API token or personal access token "
            "(never the token itself); empty: anonymous."
        ),
    ] = "JIRA_TOKEN",
    bearer: Annotated[
        bool,
        typer.Option(
            "--bearer", help="Send the token as a bearer token (Data Center personal access token)."
        ),
    ] = False,
    name: NameOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Add a Jira project: issues as work items with every status change, links and epics."""
    result = service.add_source(
        workspace=Workspace.open(workspace),
        name=name or _default_name(project),
        kind="jira",
        values={
            "url": url,
            "project": project,
            "user": user,
            "token_env": token_env,
            "auth": "bearer" if bearer else "basic",
        },
    )
    _show_added(result, as_json)


@app.command("list")
def list_sources(workspace: WorkspaceOption = Path(), as_json: JsonOption = False) -> None:
    """List the configured sources and how far each has been synced."""
    listed = service.list_sources(workspace=Workspace.open(workspace))

    def render(console: Console) -> None:
        if not listed:
            console.print("No sources yet: tandem source add github --repo owner/name")
            return
        table = Table("name", "kind", "reads", "url", "token from", "synced until")
        for source in listed:
            table.add_row(
                source["name"],
                source["kind"],
                str(source.get("repo") or source.get("project") or ""),
                source["url"],
                source.get("token_env") or "(anonymous)",
                source.get("synced_until") or "never",
            )
        console.print(table)

    emit({"sources": listed}, as_json=as_json, render=render)


@app.command("remove")
def remove_source(
    name: Annotated[str, typer.Argument(help="The source's name.")],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Remove a source from tandem.toml (what it already wrote stays in the lake)."""
    result = service.drop_source(workspace=Workspace.open(workspace), name=name)
    emit(result, as_json=as_json, render=lambda c: c.print(f"Source {name} removed."))
