"""Build the demo workspace: the real IT-incident log and, from a checkout, Tandem's own history.

Recorded GitHub payloads (pull requests, issues, CI runs, deployments) are synced offline
through the replay server (:mod:`tandem.demo.github`).

It also gets a clearly labelled SYNTHETIC organisation with one closed 360 cycle
(:mod:`tandem.demo.org`): invented people, generated answers. Each person stands for one
assignment group of the incident log, so that the teams' panels show real work
(:mod:`tandem.demo.identities`); an empty open cycle takes assessments
(:mod:`tandem.demo.open_cycle`); one web sign-in per role has a DEMO-ONLY password
(:mod:`tandem.demo.users`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from tandem.demo.github import build_demo_github
from tandem.demo.identities import build_demo_links
from tandem.demo.manage_allocation import build_demo_allocation
from tandem.demo.manage_conversations import build_demo_conversations
from tandem.demo.manage_toolkit import build_demo_manage
from tandem.demo.open_cycle import build_open_cycle
from tandem.demo.org import build_demo_org
from tandem.demo.users import build_demo_users
from tandem.demo.why_alignment import build_demo_alignment
from tandem.demo.why_change import build_demo_change
from tandem.demo.why_delegation import build_demo_delegation
from tandem.demo.why_goals import build_demo_why_goals
from tandem.demo.why_recognition import build_demo_recognition
from tandem.demo.why_stories import build_demo_stories
from tandem.flow.dfg import performance_dfg
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.render import render_process_map
from tandem.ingest import service
from tandem.progress import NoProgress, Progress
from tandem.reports import write_atomically
from tandem.sources.contracts import ColumnMapping
from tandem.workspace import Workspace

INCIDENT_LOG = "BPIC14_incident_log.csv.gz"
INCIDENT_COLUMNS = ColumnMapping(
    case="incident_id",
    activity="incident_activity_type",
    timestamp="data_stamp",
    lifecycle="lifecycle",
    resource="assignment_group",  # the log names the group an activity was assigned to
)


def data_file(name: str) -> Path:
    """Path of a data file shipped in ``tandem/demo/data``."""
    return Path(str(resources.files("tandem.demo") / "data" / name))


def checkout_root() -> Path | None:
    """The git work tree Tandem runs from, when it runs from a checkout (not an installed wheel)."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / ".git").exists() and (root / "pyproject.toml").exists() else None


#: The demo's deployment rule for Tandem's own history (appended to a new demo workspace's
#: ``tandem.toml``): the project has no release tags yet, so every commit on the checkout's main
#: line counts as a production deployment — the continuous-delivery rule, labelled as such.
DEMO_DEPLOY_RULE = """
[git.deployments]
# DEMO: Tandem's own history has no release tags, so the demo treats every first-parent
# commit of the checkout (HEAD) as a production deployment (continuous delivery). A real
# workspace uses release tags (tag_pattern) or its own deploy branch.
branch = "HEAD"
"""


def build_demo(*, root: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Create (or refresh) the demo workspace at ``root``; re-running adds nothing new."""
    fresh = not (root.expanduser() / "tandem.toml").exists()
    workspace = Workspace.create(root)
    if fresh:
        with workspace.config_path.open("a", encoding="utf-8") as config:
            config.write(DEMO_DEPLOY_RULE)
        workspace = Workspace.open(root)  # its settings, read again with the rule
    incidents = service.ingest_events(
        workspace=workspace,
        path=data_file(INCIDENT_LOG),
        columns=INCIDENT_COLUMNS,
        source="it-incidents",
        timezone="Europe/Amsterdam",
        object_type="incident",
        progress=progress or NoProgress(),
    )
    git: dict[str, Any] | None = None
    repo = checkout_root()
    if repo is not None:
        git = service.ingest_git(workspace=workspace, paths=[repo], progress=progress)
    github = build_demo_github(workspace=workspace, progress=progress)
    with FlowEngine(workspace.lake) as engine:
        dfg = performance_dfg(engine, Filters(sources=("it-incidents",))).to_dict()
    process_map = workspace.reports_path / "it-incidents-process-map.svg"
    write_atomically(process_map, render_process_map(dfg, colour="performance", max_edges=40).svg)
    organisation = build_demo_org(workspace=workspace)
    organisation["work_data"] = build_demo_links(workspace=workspace)
    organisation["open_cycle"] = build_open_cycle(workspace=workspace)
    sign_ins = build_demo_users(workspace=workspace)
    organisation["why_goals"] = build_demo_why_goals(workspace=workspace)
    alignment = build_demo_alignment(workspace=workspace)
    stories = build_demo_stories(workspace=workspace)
    organisation["recognition"] = build_demo_recognition(workspace=workspace)
    organisation["delegation"] = build_demo_delegation(workspace=workspace)
    organisation["conversations"] = build_demo_conversations(workspace=workspace)
    organisation["allocation"] = build_demo_allocation(workspace=workspace)
    organisation["manage"] = build_demo_manage(workspace=workspace)
    return {
        "workspace": str(workspace.root),
        "process_map": str(process_map),
        "incidents": incidents,
        "git": git,
        "github": github,
        "tables": workspace.lake.row_counts(),
        "organisation": organisation,
        "sign_ins": sign_ins,
        "alignment": alignment,
        "stories": stories,
        "why_change": build_demo_change(workspace=workspace),
    }
