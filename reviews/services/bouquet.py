"""The bouquet de services of the PTCE émergents (phase-1 laureates, DESIGN §1): their porteurs request services,
staff follow each request (requested → in progress → done) and pair the transfert de savoir-faire with a PTCE
compagnon. The one writer of BouquetRequest and BouquetRequestChange.

A request is one per service and dossier (a constraint): a second one, from another tab or another co-editor, is
refused with the request that exists. Staff are notified of a new request (``applications`` staff notifications:
at once or in the daily digest); the porteurs are e-mailed when staff change a request's status or designate its
compagnon, once per change.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from applications.enums import BouquetNeed
from applications.models import Dossier
from reviews.models import BouquetRequest, BouquetRequestChange
from reviews.services import notifications


class AlreadyRequested(Exception):
    """The dossier has a request for this service already (``request``)."""

    def __init__(self, request):
        super().__init__(request.pk)
        self.request = request


class NotEmergent(Exception):
    """The dossier is not (or no longer: its decision was reopened) a PTCE émergent."""


@dataclass(frozen=True)
class Offer:
    """A service of the bouquet as a dossier's porteurs see it: their request, if any, and whether they declared the
    need in their dossier."""

    service: BouquetNeed
    request: BouquetRequest | None
    declared: bool


def offers(dossier):
    """[Offer] for every service of the bouquet, in the bouquet's order (one query)."""
    requests = {request.service: request for request in dossier.bouquet_requests.select_related("compagnon")}
    declared = set(dossier.bouquet_needs or [])
    return [Offer(service, requests.get(service.value), service.value in declared) for service in BouquetNeed]


def staff_requests(user):
    """The requests ``user`` may follow or read (partners: their regions'), with what the lists show."""
    return BouquetRequest.objects.visible_to(user).select_related(
        "dossier__region", "dossier__phase__edition", "compagnon"
    )


@transaction.atomic
def request_service(dossier, *, service, note, by):
    """Record ``by``'s request for ``service`` on ``dossier`` and notify its staff. NotEmergent when the dossier is
    not a PTCE émergent (checked under a lock: a reopening may have been faster); AlreadyRequested when the service
    was requested already."""
    locked = Dossier.objects.select_for_update(of=("self",)).select_related("phase").get(pk=dossier.pk)
    if not locked.is_ptce_emergent:
        raise NotEmergent(dossier.reference)
    try:
        with transaction.atomic():
            request = BouquetRequest.objects.create(
                dossier=locked, service=service, porteur_note=note.strip(), requested_by=by
            )
    except IntegrityError:
        raise AlreadyRequested(BouquetRequest.objects.get(dossier=locked, service=service)) from None
    notifications.notify_new_bouquet_request(request)
    return request


@transaction.atomic
def follow_up(request, *, status, compagnon, staff_notes, by):
    """Save staff's follow-up of ``request``: its status, its compagnon (the transfert de savoir-faire only; None
    leaves no compagnon) and their notes. A new status or a newly designated compagnon is recorded as a
    BouquetRequestChange and e-mailed to the porteurs, once; notes alone are neither (they stay with staff).
    Returns the change, or None when neither changed. Updates ``request`` in place."""
    locked = BouquetRequest.objects.select_for_update().get(pk=request.pk)
    if compagnon is not None and not locked.takes_compagnon:
        raise ValueError(f"request {locked.pk} ({locked.service}) takes no compagnon")
    new_compagnon = compagnon if compagnon is not None and compagnon.pk != locked.compagnon_id else None
    change = None
    if status != locked.status or new_compagnon is not None:
        change = BouquetRequestChange.objects.create(
            request=locked, from_status=locked.status, to_status=status, compagnon=new_compagnon, by=by
        )
    locked.status, locked.compagnon, locked.staff_notes = status, compagnon, staff_notes.strip()
    locked.save(update_fields=["status", "compagnon", "staff_notes", "updated_at"])
    if change is not None:
        notifications.notify_bouquet_change(change)
    request.status, request.compagnon, request.staff_notes = locked.status, locked.compagnon, locked.staff_notes
    return change
