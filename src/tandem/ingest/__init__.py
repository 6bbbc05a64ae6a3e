"""Ingest orchestration: sources into the lake, then the lake's identities into the app database.

It sits above ``sources/`` (which know nothing of people) and ``people/`` (which never reads the
lake): this package is the one place that joins the two.
"""
