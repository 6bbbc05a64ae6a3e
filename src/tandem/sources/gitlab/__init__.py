"""GitLab (REST v4) into the lake: merge requests, issues, incidents, deployments, pipelines,
releases (``tandem source add gitlab``, ``tandem sync``)."""

from tandem.sources.gitlab.config import GitLabConfig
from tandem.sources.gitlab.sync import GitLabSyncReport, open_client, sync_gitlab

__all__ = ["GitLabConfig", "GitLabSyncReport", "open_client", "sync_gitlab"]
