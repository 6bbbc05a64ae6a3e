"""Delivery metrics over the lake: changes, releases and deployments (issue 11)."""
