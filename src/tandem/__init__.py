"""Tandem: the leader–manager pair, served from the team's real work data."""

__version__ = "0.1.0"
