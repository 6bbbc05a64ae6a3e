"""The app database: mutable, access-controlled records (SQLAlchemy 2, Alembic migrations)."""
