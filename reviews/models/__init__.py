"""The reviews app's models: evaluation (grids, assignments, reviews, regional opinions, exports), selection
(committee sessions and decisions), grants (payments, progress reports, follow-up) and the services of the bouquet
offered to phase-1 laureates."""

from reviews.models.evaluation import *  # noqa: F403
from reviews.models.evaluation import __all__ as _evaluation
from reviews.models.followup import BouquetRequest, BouquetRequestChange, Compagnon
from reviews.models.grants import FollowUpSession, Grant, GrantEvent, Payment, ProgressReport
from reviews.models.lists import Follow, ListPreference
from reviews.models.selection import CommitteeSession, Decision

__all__ = [
    *_evaluation,
    "BouquetRequest",
    "BouquetRequestChange",
    "CommitteeSession",
    "Compagnon",
    "Decision",
    "Follow",
    "FollowUpSession",
    "Grant",
    "GrantEvent",
    "ListPreference",
    "Payment",
    "ProgressReport",
]
