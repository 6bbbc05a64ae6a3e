"""PM4Py reference values for the process-mining golden tests (pm4py is test-only, AGPL).

The reference is PM4Py's answer after ``pm4py.format_dataframe`` (rows sorted by case, timestamp,
original order), read from the same file Tandem ingests: strings kept as they are
(``keep_default_na=False``) and timestamps parsed as UTC, the time zone the lake is given.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tandem.lake import Lake
from tandem.sources.contracts import ColumnMapping
from tandem.sources.eventlog import ingest_event_log
from tests.sources.eventlogs import BPIC14, HOSPITAL, SEPSIS, TRAFFIC, quiet_pm4py


@dataclass(frozen=True)
class RealLog:
    """A shipped log and the columns that hold case, activity, timestamp and resource."""

    name: str
    path: Path
    case: str = "case_id"
    activity: str = "activity"
    timestamp: str = "timestamp"
    resource: str = "resource"

    @property
    def mapping(self) -> ColumnMapping:
        return ColumnMapping(
            case=self.case,
            activity=self.activity,
            timestamp=self.timestamp,
            resource=self.resource,
        )


REAL_LOGS = (
    RealLog("sepsis", SEPSIS),
    RealLog(
        "bpic14",
        BPIC14,
        case="incident_id",
        activity="incident_activity_type",
        timestamp="data_stamp",
        resource="assignment_group",
    ),
    RealLog("hospital_billing", HOSPITAL),
    RealLog("traffic_fines", TRAFFIC),
)


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        yield


def pm4py_frame(log: RealLog) -> pd.DataFrame:
    """The log as PM4Py sees it after ``format_dataframe``."""
    pm4py = quiet_pm4py()
    frame = pd.read_csv(log.path, dtype=str, keep_default_na=False)
    frame[log.timestamp] = pd.to_datetime(frame[log.timestamp], utc=True)
    with _silenced():
        formatted: pd.DataFrame = pm4py.format_dataframe(
            frame, case_id=log.case, activity_key=log.activity, timestamp_key=log.timestamp
        )
    return formatted


@dataclass(frozen=True)
class Reference:
    """PM4Py's DFG, performance DFG, start/end activities and variants of one log."""

    frame: pd.DataFrame
    dfg: dict[tuple[str, str], int]
    performance: dict[tuple[str, str], dict[str, float]]
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    variants: dict[tuple[str, ...], int]


def pm4py_reference(log: RealLog) -> Reference:
    """Everything the golden tests compare, computed by PM4Py."""
    pm4py = quiet_pm4py()
    frame = pm4py_frame(log)
    with _silenced():
        dfg, _, _ = pm4py.discover_dfg(frame)
        performance, _, _ = pm4py.discover_performance_dfg(frame)
        starts = pm4py.get_start_activities(frame)
        ends = pm4py.get_end_activities(frame)
        variants: dict[tuple[str, ...], Any] = pm4py.get_variants(frame)
    return Reference(
        frame=frame,
        dfg={(a, b): int(n) for (a, b), n in dfg.items()},
        performance={
            edge: {k: float(v) for k, v in stats.items()} for edge, stats in performance.items()
        },
        start_activities={a: int(n) for a, n in starts.items()},
        end_activities={a: int(n) for a, n in ends.items()},
        variants={tuple(v): (n if isinstance(n, int) else len(n)) for v, n in variants.items()},
    )


def ingest(log: RealLog, folder: Path) -> Lake:
    """A fresh lake holding ``log`` (timestamps read as UTC, like the reference)."""
    root = folder / "lake"
    root.mkdir(parents=True, exist_ok=True)
    lake = Lake(root)
    ingest_event_log(lake=lake, path=log.path, columns=log.mapping, source=log.name, timezone="UTC")
    return lake


def median_durations_by_variant(frame: pd.DataFrame) -> dict[tuple[str, ...], float]:
    """Median case duration (last − first timestamp, seconds) per variant, with numpy."""
    by_case = frame.groupby("case:concept:name", sort=False)
    sequences = by_case["concept:name"].agg(tuple)
    timestamps = by_case["time:timestamp"]
    durations = (timestamps.max() - timestamps.min()).dt.total_seconds()
    grouped: dict[tuple[str, ...], list[float]] = {}
    for case, sequence in sequences.items():
        grouped.setdefault(tuple(sequence), []).append(float(durations[case]))
    return {sequence: float(np.median(values)) for sequence, values in grouped.items()}


@dataclass(frozen=True)
class Prepared:
    """A real log ingested into a lake, and PM4Py's answers on it."""

    log: RealLog
    lake: Lake
    reference: Reference


@pytest.fixture(scope="session", params=REAL_LOGS, ids=[log.name for log in REAL_LOGS])
def real_log(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """Each shipped log, ingested once per session, with its PM4Py reference."""
    log: RealLog = request.param
    # The fixture is imported by several modules (one registration each): prepare once.
    if log.name not in _PREPARED:
        lake = ingest(log, tmp_path_factory.mktemp(log.name))
        _PREPARED[log.name] = Prepared(log=log, lake=lake, reference=pm4py_reference(log))
    return _PREPARED[log.name]


_PREPARED: dict[str, Prepared] = {}


def assert_close(actual: float, expected: float, what: str) -> None:
    """Equal to a relative 1e-9 (absolute 1e-9 near zero)."""
    assert actual == pytest.approx(expected, rel=1e-9, abs=1e-9), what


def tiny_lake(lake: Lake, folder: Path, rows: list[str], *, source: str = "tiny") -> Lake:
    """Ingest hand-written ``case,activity,timestamp,resource`` rows (UTC) as ``source``."""
    path = folder / f"{source}.csv"
    path.write_text("case_id,activity,timestamp,resource\n" + "\n".join(rows) + "\n")
    ingest_event_log(lake=lake, path=path, columns=ColumnMapping(), source=source)
    return lake
