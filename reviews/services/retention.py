"""The retention run (`manage.py apply_retention`, task ``reviews.apply_retention``): every rule, in one place.

The rules of drafts, closed dossiers and accounts live in applications.services.retention; the laureates' rule is
here because only this floor knows when a grant ends: a phase-2 laureate's dossier is anonymised
RETENTION_LAUREATE_YEARS years after its grant was closed ("Aide soldée", the last tranche paid); a phase-1
laureate (no grant) that long after the decision's publication. The API's call log is purged too
(API_CALL_RETENTION_DAYS). The audit log is left alone (AUDIT_RETENTION_DAYS, kept forever by default).

``collect`` only reads: the dry run prints it. ``run(apply=True)`` carries it out and records the counts in the
audit log.
"""

from django.conf import settings
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from applications.enums import DossierState, PhaseKind
from applications.models import Dossier
from applications.services import retention
from ptce_ami.accounts.models import ApiCall
from ptce_ami.accounts.services import purge_api_calls
from ptce_ami.core import audit
from ptce_ami.core.models import AuditAction
from reviews.enums import GrantEventKind, GrantStatus
from reviews.models import Decision, GrantEvent


def laureates_due(now):
    """Laureates' dossiers past RETENTION_LAUREATE_YEARS after their grant's end, not yet anonymised:
    [(dossier, end)]."""
    cutoff = retention.years_before(now, settings.RETENTION_LAUREATE_YEARS)
    closed_event = (
        GrantEvent.objects.filter(grant__dossier=OuterRef("pk"), kind=GrantEventKind.CLOSED)
        .order_by("-at")
        .values("at")[:1]
    )
    published = Decision.objects.published().filter(dossier=OuterRef("pk")).order_by("-published_at")
    rows = (
        Dossier.objects.filter(state=DossierState.LAUREATE, anonymised_at__isnull=True)
        .annotate(
            grant_closed_at=Subquery(closed_event),
            published_at=Subquery(published.values("published_at")[:1]),
            last_paid=Max("grant__payments__paid_on"),
        )
        .filter(
            Q(grant__status=GrantStatus.CLOSED, grant_closed_at__lt=cutoff)
            | Q(phase__kind=PhaseKind.PHASE1, grant__isnull=True, published_at__lt=cutoff)
        )
        .order_by("pk")
    )
    return [(dossier, dossier.grant_closed_at or dossier.published_at) for dossier in rows]


def collect(now=None):
    now = now or timezone.now()
    found = retention.collect(now)
    laureates = retention.Category("Dossiers lauréats à anonymiser")
    items = laureates_due(now)
    for _dossier, moment in items:
        laureates.add(moment)
    found["laureates"] = (laureates, items)
    api_calls = retention.Category("Appels à l'API à purger")
    limit = now - timezone.timedelta(days=settings.API_CALL_RETENTION_DAYS)
    old_calls = ApiCall.objects.filter(at__lt=limit)
    api_calls.count = old_calls.count()
    api_calls.oldest = old_calls.order_by("at").values_list("at", flat=True).first()
    found["api_calls"] = (api_calls, [])
    return found


def run(*, apply=False, now=None):
    """What is past its retention, per category; carried out when ``apply``. Returns the categories."""
    now = now or timezone.now()
    found = collect(now)
    if not apply:
        return found
    api_calls, _items = found.pop("api_calls")
    retention.apply(found, now)
    anonymise = lambda dossier: retention.anonymise(dossier, now)  # noqa: E731
    laureates, items = found["laureates"]
    for dossier, _moment in items:
        retention.safely(laureates, str(dossier), lambda dossier=dossier: anonymise(dossier))
    api_calls.done = purge_api_calls(now)
    found["api_calls"] = (api_calls, [])
    audit.record(
        AuditAction.RETENTION,
        actor_label="apply_retention",
        details={
            key: {"found": category.count, "done": category.done, "skipped": len(category.skipped)}
            for key, (category, _items) in found.items()
        },
    )
    return found
