"""Lake maintenance for the surfaces: list the batches, drop bad ones (audited)."""

from __future__ import annotations

from tandem.audit import service as audit_service
from tandem.db.session import session_scope
from tandem.lake import batches
from tandem.lake.batches import BatchListing, DropReport
from tandem.workspace import Workspace


def list_batches(*, workspace: Workspace) -> BatchListing:
    """Every batch in the workspace's lake, oldest first."""
    return batches.list_batches(lake=workspace.lake)


def drop_batches(*, workspace: Workspace, batch_ids: list[str], actor: str) -> DropReport:
    """Remove whole batches from the lake in one atomic swap, and record who did it."""
    report = batches.drop_batches(lake=workspace.lake, batch_ids=batch_ids)
    _audit_drop(workspace=workspace, actor=actor, report=report)
    return report


def _audit_drop(*, workspace: Workspace, actor: str, report: DropReport) -> None:
    """Record a lake drop in the audit log: the single call site of the audit for drops.

    The lake swap and the app database cannot share a transaction: the event is written right
    after the swap succeeded (a failed drop changes nothing and records nothing).
    """
    detail: dict[str, object] = {
        "batches": list(report.dropped),
        "generation": report.generation,
        **{f"rows_removed.{table}": n for table, n in sorted(report.rows_removed.items())},
    }
    with session_scope(workspace.engine) as session:
        audit_service.record(
            session=session,
            actor=actor,
            action="lake.drop",
            target=f"lake:{report.generation}",
            detail=detail,
        )
