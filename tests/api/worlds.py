"""A region's worth of API resources, for the scoping and query-count tests."""

from reviews.models import AssignmentStatus
from tests.applications.factories import DossierFactory, MemberFactory
from tests.reviews.factories import AssignmentFactory, RegionalOpinionFactory, decide, make_review
from tests.reviews.grants_helpers import laureate, open_grant


def region_world(region, phase):
    """A laureate with its grant, reviews (counted, draft, withdrawn for a conflict), a regional opinion and members;
    and a dossier with a provisional decision, in ``region``."""
    decision = laureate(phase, region=region)
    dossier = decision.dossier
    open_grant(decision)
    MemberFactory(dossier=dossier, lead=True)
    MemberFactory(dossier=dossier)
    make_review(AssignmentFactory(dossier=dossier, confirmed=True))
    make_review(AssignmentFactory(dossier=dossier, confirmed=True), submitted=False)
    conflicted = make_review(AssignmentFactory(dossier=dossier, confirmed=True))
    conflicted.assignment.status = AssignmentStatus.CONFLICT
    conflicted.assignment.save()
    RegionalOpinionFactory(dossier=dossier, region=region)
    pending = DossierFactory(phase=phase, submitted=True, region=region)
    decide(pending, published=False, amount=50_000)
    DossierFactory(phase=phase, region=region)  # a draft: nobody reads it through the API
    return dossier
