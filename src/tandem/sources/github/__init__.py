"""GitHub: pull requests, issues, incidents, CI runs, releases and deployments of a repository."""
