"""Dossiers for the dashboards' tests: filed through the workflow (so that their transitions exist), with a lead
member in a given commune, and laureates with their grant and a first tranche paid."""

import datetime
from decimal import Decimal

from django.utils import timezone

from applications.enums import MemberCategory
from applications.services.workflow import transition
from reviews.enums import PaymentStatus
from reviews.models import Grant, Payment
from territories.models import Commune
from tests.applications.factories import DossierFactory, MemberFactory
from tests.reviews.factories import decide


def filed(
    phase, region, commune_code, staff, *, actions=("submit",), at=None, step=datetime.timedelta(days=3), **fields
):
    """A dossier of ``region`` whose lead sits in ``commune_code``, moved through ``actions`` (from ``at``, one
    ``step`` apart)."""
    dossier = DossierFactory(phase=phase, region_id=region, **fields)
    commune = Commune.objects.get(code=commune_code, kind="commune-actuelle")
    MemberFactory(dossier=dossier, lead=True, commune=commune)
    MemberFactory(dossier=dossier, category=MemberCategory.COLLECTIVITE, ess_legal_form="", commune=commune)
    for action in actions:
        transition(dossier, action, by=staff, at=at, comment="Motif de test.")
        at = at + step if at else None
    return dossier


def laureate(phase, region, commune_code, staff, amount, **fields):
    dossier = filed(phase, region, commune_code, staff, **fields)
    decision = decide(dossier, amount=Decimal(amount), by=staff)
    grant = Grant.objects.create(dossier=dossier, decision=decision, amount=Decimal(amount))
    Payment.objects.create(
        grant=grant,
        position=1,
        label="Premier versement",
        percent=50,
        amount=Decimal(amount) / 2,
        condition="signature",
        status=PaymentStatus.PAID,
        paid_on=timezone.localdate(),
    )
    return dossier
