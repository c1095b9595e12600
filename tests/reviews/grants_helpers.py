"""Helpers of the grants' tests: a phase 2 with its schedule (50 % at signature, 40 % after the interim report, 10 %
after the final one) and reports (interim at 12 months, final at 24), and a published laureate of it."""

from decimal import Decimal

from django.utils import timezone

from applications.enums import BudgetCategory, BudgetSide, PaymentCondition, PhaseKind, ReportKind
from applications.models import BudgetLine, PaymentStage, ReportRequirement
from reviews.models import Grant
from reviews.services import grants
from reviews.signals import decision_published
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.reviews.factories import decide

SCHEDULE = [
    ("Premier versement", 50, PaymentCondition.SIGNATURE),
    ("Deuxième versement", 40, PaymentCondition.INTERIM_REPORT),
    ("Solde", 10, PaymentCondition.FINAL_REPORT),
]
INDICATORS = "- Nombre de membres actifs\n- Emplois créés ou consolidés\n\n* Projets incubés"


def phase2(**kwargs):
    phase = PhaseFactory(kind=PhaseKind.PHASE2, max_grant=Decimal(100_000), envelope=Decimal(1_500_000), **kwargs)
    for position, (label, percent, condition) in enumerate(SCHEDULE, start=1):
        PaymentStage.objects.create(phase=phase, position=position, label=label, percent=percent, condition=condition)
    ReportRequirement.objects.create(phase=phase, kind=ReportKind.INTERIM, due_months=12)
    ReportRequirement.objects.create(phase=phase, kind=ReportKind.FINAL, due_months=24)
    return phase


def laureate(phase=None, *, region=None, amount=Decimal(100_000), by=None, published=True, **kwargs):
    """A phase-2 dossier whose laureate decision is published (the dossier LAUREATE); returns its Decision."""
    phase = phase or phase2()
    dossier = DossierFactory(
        phase=phase, submitted=True, region=region or RegionFactory(), indicators=INDICATORS, **kwargs
    )
    BudgetLine.objects.create(
        dossier=dossier, year=1, side=BudgetSide.CHARGES, category=BudgetCategory.STAFF, amount=Decimal(60_000)
    )
    BudgetLine.objects.create(
        dossier=dossier, year=2, side=BudgetSide.CHARGES, category=BudgetCategory.STAFF, amount=Decimal(40_000)
    )
    return decide(dossier, amount=amount, by=by or UserFactory(instructeur=True), published=published)


def publish(decision, by=None):
    """Send ``decision_published`` as the publication does (inside its transaction)."""
    by = by or decision.published_by
    decision_published.send(sender=type(decision), decision=decision, by=by)


def open_grant(decision=None, **kwargs):
    decision = decision or laureate(**kwargs)
    return grants.open_grant(decision, decision.published_by)


def approve(report, by):
    report = grants.save_report(
        report,
        narrative="Les actions prévues sont menées.",
        indicators={},
        spending={},
        by=report.grant.dossier.owner,
        submit=True,
    )
    return grants.review_report(report, approve=True, notes="", by=by)


def signed(grant, by, on=None):
    return grants.record_agreement(grant, signed_on=on or timezone.localdate(), by=by)


def fresh(grant):
    return Grant.objects.get(pk=grant.pk)
