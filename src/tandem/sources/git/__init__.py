"""The git source: a repository's commits, changed files and identities, streamed into the lake."""

from tandem.sources.git.ingest import ingest_repository

__all__ = ["ingest_repository"]
