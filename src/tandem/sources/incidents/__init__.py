"""Incident exports (PagerDuty/Opsgenie-style CSV) into the lake's incident objects."""

from tandem.sources.incidents.ingest import IncidentIngestReport, ingest_incidents

__all__ = ["IncidentIngestReport", "ingest_incidents"]
