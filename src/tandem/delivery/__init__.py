"""Delivery metrics over the lake: pull request flow and the four keys (DORA), linked by git
ancestry; change flow, releases and rework from git alone."""
