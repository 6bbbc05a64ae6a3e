"""Helpers for the event log tests: the shipped real logs, independent counts, pm4py XES files."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

import tandem.demo
from tandem.lake import Lake

DATA = Path(tandem.demo.__file__).parent / "data"
SEPSIS = DATA / "sepsis.csv.gz"
BPIC14 = DATA / "BPIC14_incident_log.csv.gz"
TRAFFIC = DATA / "traffic_fines.csv.gz"
HOSPITAL = DATA / "hospital_billing.csv.gz"


def new_lake(folder: Path) -> Lake:
    root = folder / "lake"
    root.mkdir(parents=True, exist_ok=True)
    return Lake(root)


def read_frame(path: Path) -> pd.DataFrame:
    """The log as pandas reads it with nothing turned into NaN (the independent count)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def lake_events(lake: Lake) -> dict[str, list[Any]]:
    """The lake's events in file order, column by column (nulls stay None)."""
    with contextlib.closing(lake.connect()) as con:
        return con.sql("SELECT * FROM events ORDER BY ordinal").to_arrow_table().to_pydict()


def quiet_pm4py() -> Any:
    """pm4py, imported with its banner and warnings silenced (test-only dependency, AGPL)."""
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        import pm4py

    return pm4py


def write_xes_with_pm4py(
    frame: pd.DataFrame,
    target: Path,
    *,
    case: str,
    activity: str,
    timestamp: str,
    resource: str | None = None,
) -> Path:
    """``frame`` written as XES by pm4py, with standard keys (the reference writer)."""
    pm4py = quiet_pm4py()
    renames = {case: "case:concept:name", activity: "concept:name", timestamp: "time:timestamp"}
    if resource is not None:
        renames[resource] = "org:resource"
    log = frame.rename(columns=renames)
    log["time:timestamp"] = pd.to_datetime(log["time:timestamp"]).dt.tz_localize("UTC")
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        pm4py.write_xes(log, str(target), case_id_key="case:concept:name", show_progress_bar=False)
    return target


def read_xes_with_pm4py(path: Path) -> pd.DataFrame:
    pm4py = quiet_pm4py()
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        return pm4py.read_xes(str(path), show_progress_bar=False)
