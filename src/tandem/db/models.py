"""Every ORM model, imported once so ``Base.metadata`` is complete (Alembic and tests use it)."""

from tandem.db.base import Base
from tandem.people import models as people_models

metadata = Base.metadata

__all__ = ["metadata", "people_models"]
