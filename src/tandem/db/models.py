"""Every ORM model, imported once so ``Base.metadata`` is complete (Alembic and tests use it)."""

from tandem.accounts import models as accounts_models
from tandem.audit import models as audit_models
from tandem.db.base import Base
from tandem.duos import models as duos_models
from tandem.manage.concerns import models as concerns_models
from tandem.manage.conflicts import models as conflicts_models
from tandem.manage.feedback import models as feedback_models
from tandem.manage.one_on_ones import models as one_on_ones_models
from tandem.people import models as people_models
from tandem.plans import models as plans_models
from tandem.profile import frozen_roster as frozen_roster_models
from tandem.profile import sharing as sharing_models
from tandem.review import models as review_models
from tandem.why.alignment import models as alignment_models
from tandem.why.change import models as change_models
from tandem.why.delegation import models as delegation_models
from tandem.why.goals import models as goals_models
from tandem.why.recognition import models as recognition_models

metadata = Base.metadata

__all__ = [
    "accounts_models",
    "alignment_models",
    "audit_models",
    "change_models",
    "concerns_models",
    "conflicts_models",
    "delegation_models",
    "duos_models",
    "feedback_models",
    "frozen_roster_models",
    "goals_models",
    "metadata",
    "one_on_ones_models",
    "people_models",
    "plans_models",
    "recognition_models",
    "review_models",
    "sharing_models",
]
