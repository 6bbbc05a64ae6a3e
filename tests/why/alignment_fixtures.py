"""A real lake for alignment: the recorded Jira Cloud projects (EE, K5), synced through the
replay server, plus one batch this module writes: a pull request that ``fixes`` EE-16 and
``contains`` a commit, a commit related to EE-9 directly, and both commits' changed files.

Teams: Alpha (the web org's own team) holds the leader, manager and member users' people and the
people behind every Jira account but two; Beta holds those two (under the privacy floor).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.ingest.service import lake_identities
from tandem.lake import Lake
from tandem.people import service as people_service
from tandem.people.models import Identity, Membership, Team
from tandem.sources.http import ApiClient, Credentials, ManualClock
from tandem.sources.jira.sync import sync_project
from tandem.sources.replay import jira_server

PR = "@pr:github:acme/web:7"
SHA_PR, SHA_DIRECT = "a" * 40, "b" * 40
PR_PATHS = ("frontend/webpack.config.js", "frontend/src/build/cache.ts")
DIRECT_PATHS = ("backend/common/split.py", "docs/backend.md")


@dataclass(frozen=True)
class JiraLake:
    root: Path
    ee_prefix: str  # object ids are f"{ee_prefix}EE-16"

    def oid(self, key: str) -> str:
        return f"{self.ee_prefix}{key}"


def build_lake(root: Path) -> JiraLake:
    """Sync EE and K5 into a lake at ``root`` and add the commit batch."""
    root.mkdir(parents=True, exist_ok=True)
    lake = Lake(root)
    with (
        jira_server() as server,
        ApiClient(
            base_url=server.url, credentials=Credentials.anonymous(), clock=ManualClock()
        ) as client,
    ):
        for project in ("EE", "K5"):
            sync_project(lake=lake, client=client, url=server.url, project=project)
    con = lake.connect()
    try:
        row = con.execute("SELECT object_id FROM objects WHERE external_key = 'EE-16'").fetchone()
    finally:
        con.close()
    assert row is not None
    prefix = str(row[0])[: -len("EE-16")]
    with lake.batch(label="test: commits of EE-16 and EE-9") as batch:
        batch.write(
            "relations",
            pa.table(
                {
                    "from_object": [PR, PR, prefix + "EE-9"],
                    "to_object": [prefix + "EE-16", f"@commit:{SHA_PR}", f"@commit:{SHA_DIRECT}"],
                    "kind": ["fixes", "contains", "mentions"],
                }
            ),
        )
        files = [(SHA_PR, p) for p in PR_PATHS] + [(SHA_DIRECT, p) for p in DIRECT_PATHS]
        batch.write(
            "commit_files",
            pa.table(
                {
                    "repo": ["acme/web"] * len(files),
                    "sha": [sha for sha, _ in files],
                    "path": [path for _, path in files],
                }
            ),
        )
    return JiraLake(root, prefix)


def copy_lake(built: JiraLake, to: Path) -> None:
    """The built lake's files into a workspace's lake folder."""
    shutil.rmtree(to, ignore_errors=True)
    shutil.copytree(built.root, to)


@dataclass(frozen=True)
class Teams:
    alpha_id: int
    beta_id: int
    alpha_keys: tuple[str, ...]
    beta_keys: tuple[str, ...]


def make_teams(
    session: Session,
    lake: Lake,
    *,
    alpha: Team | None = None,
    beta: Team | None = None,
    extra_alpha: tuple[int, ...] = (),
) -> Teams:
    """People for the lake's identities; Alpha gets all human accounts but two, Beta those two
    (``alpha``/``beta``: existing teams to use; ``extra_alpha``: more person ids for Alpha)."""
    people_service.sync_identities(session=session, identities=lake_identities(lake))
    if alpha is None:
        alpha = Team(name="Alpha")
        session.add(alpha)
    if beta is None:
        beta = Team(name="Beta")
        session.add(beta)
    session.flush()
    humans = list(
        session.scalars(
            select(Identity).where(Identity.is_bot.is_(False)).order_by(Identity.identity_key)
        )
    )
    beta_ids, alpha_ids = humans[:2], humans[2:]
    for identity in alpha_ids:
        session.add(Membership(person_id=identity.person_id, team_id=alpha.id))
    for identity in beta_ids:
        session.add(Membership(person_id=identity.person_id, team_id=beta.id))
    for person_id in extra_alpha:
        session.add(Membership(person_id=person_id, team_id=alpha.id))
    session.flush()
    return Teams(
        alpha.id,
        beta.id,
        tuple(i.identity_key for i in alpha_ids),
        tuple(i.identity_key for i in beta_ids),
    )
