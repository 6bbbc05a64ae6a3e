"""Jira: REST issues with their changelogs, and Jira's CSV export, as work items and events."""
