"""The lake's schema version and table names: what reading the manifest needs, without pyarrow.

``tandem status`` counts rows from the manifest alone, so it starts without loading pyarrow;
the tables' Arrow schemas are in ``tandem.lake.schema`` (a test keeps both in step).
"""

SCHEMA_VERSION = 2
"""2: events carry step facts (``tandem.lake.steps``) and each case lives in one file."""

TABLE_NAMES = ("objects", "events", "relations", "commits", "commit_files", "identities")
"""Every lake table, in the order of ``tandem.lake.schema.TABLES``."""
