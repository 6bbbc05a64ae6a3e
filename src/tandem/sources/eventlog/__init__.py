"""Event logs (CSV, CSV.gz, Parquet, XES, XES.gz) into the lake: ``tandem ingest events``."""

from tandem.sources.eventlog.ingest import ingest_event_log
from tandem.sources.eventlog.xes import read_xes

__all__ = ["ingest_event_log", "read_xes"]
