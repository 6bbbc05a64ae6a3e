"""What a workspace holds: rows per lake table and records in the app database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tandem.accounts.models import User
from tandem.db.session import session_scope
from tandem.duos.models import Duo
from tandem.people.models import Identity, Membership, Person, Team
from tandem.plans.models import DevelopmentPlan
from tandem.review.models import ReviewCycle, ReviewResponse
from tandem.workspace import Workspace


def workspace_status(workspace: Workspace) -> dict[str, Any]:
    """Row counts of every lake table (from the manifest) and of the app database's tables."""
    manifest = workspace.lake.manifest()
    with session_scope(workspace.engine) as session:
        database = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (
                Person,
                Identity,
                Team,
                Membership,
                ReviewCycle,
                ReviewResponse,
                DevelopmentPlan,
                Duo,
                User,
            )
        }
    return {
        "workspace": str(workspace.root),
        "schema_version": manifest.schema_version,
        "tables": workspace.lake.row_counts(),
        "database": database,
        "batches": len(manifest.batches),
        "last_batch": manifest.batches[-1] if manifest.batches else None,
    }
