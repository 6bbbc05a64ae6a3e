"""Delivery metrics: pull request flow and the four keys (DORA), linked by git ancestry."""
