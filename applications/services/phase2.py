"""Starting a phase-2 dossier: from a phase-1 laureate's dossier (pre-filled from it, ``continues`` set), or from a
phase-1 laureate selected before the platform (a LaureateRecord staff imported), which its porteur claims through a
one-time signed link e-mailed to the record's contact address (``prior_laureate`` set).

Filing phase 1 and phase 2 in the same edition is allowed (the 2022/2023 rule): nothing here looks at editions.
"""

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.enums import DossierState, LaureateCall, MemberRole, PhaseKind
from applications.models import Dossier, LaureateRecord, MemberStructure, Phase
from applications.services import notifications
from applications.services.dossiers import create_dossier
from applications.services.steps import TERRITORY_FIELDS, get_step
from ptce_ami.core.emails import absolute_url
from territories.models import Region

# The steps a phase-2 dossier takes over from phase 1: the pôle, its lead structure's people, the territory and
# the narrative sections. The declarations are made again; the needs of the bouquet belong to phase 1.
CARRIED_STEPS = ("pole", "porteur", "territoire", "cooperation", "projet")
MEMBER_FIELDS = ("name", "siret", "category", "ess_legal_form", "esus_approved", "commune_id", "role", "contribution")
CLAIM_SALT = "applications.laureate-claim"
CLAIM_MAX_AGE = 3 * 24 * 3600  # seconds: the link works for three days


class Phase2Refused(Exception):
    """Why a phase-2 dossier cannot be started, in French."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def open_phase2(edition=None):
    """The phase 2 open now (the first to close; of ``edition``, an id, when given), or None."""
    phases = Phase.objects.published().open_now().filter(kind=PhaseKind.PHASE2)
    if edition is not None:
        phases = phases.filter(edition=edition)
    return phases.select_related("edition").order_by("closes_at").first()


def phase2_for(dossier):
    """The phase 2 ``dossier`` (phase 1) may continue in now: any open one for a laureate, else its edition's."""
    return open_phase2(None if dossier.is_ptce_emergent else dossier.phase.edition_id)


def carried_fields():
    names = [name for slug in CARRIED_STEPS for name in get_step(slug, PhaseKind.PHASE2).fields]
    return [name for name in names if name not in TERRITORY_FIELDS and name != "sectors"]


def continuation(dossier, phase):
    """The phase-2 dossier of ``phase`` that continues ``dossier``, or None (a withdrawn one does not count)."""
    return dossier.continuations.filter(phase=phase).exclude(state=DossierState.WITHDRAWN).first()


@transaction.atomic
def start_phase2(dossier, user, phase=None):
    """The phase-2 dossier continuing the phase-1 ``dossier``: (dossier, created).

    ``dossier`` is a phase-1 laureate (any open phase 2), or a phase-1 dossier filed and in the running (the phase 2
    of its own edition: both phases filed together). Idempotent: a second call returns the one already started.
    Copies the pôle, the lead structure's people, the territory (communes, EPCI, départements), the sections and
    sectors, and the members. Phase2Refused otherwise, or when no phase 2 is open for it.
    """
    locked = Dossier.objects.select_for_update(of=("self",)).select_related("phase").get(pk=dossier.pk)
    if not locked.may_continue_in_phase2:
        raise Phase2Refused(
            _(
                "Seul un dossier de phase 1 lauréat, ou déposé et en cours d'instruction, peut être poursuivi en "
                "phase 2."
            )
        )
    phase = phase or phase2_for(locked)
    if phase is None or not (locked.is_ptce_emergent or phase.edition_id == locked.phase.edition_id):
        raise Phase2Refused(_("Aucune phase 2 n'est ouverte en ce moment pour ce dossier."))
    existing = continuation(locked, phase)
    if existing is not None:
        return existing, False
    new = create_dossier(phase, user)
    for name in carried_fields():
        setattr(new, name, getattr(locked, name))
    new.region_id, new.continues = locked.region_id, locked
    new.save()
    for name in ("sectors", *TERRITORY_FIELDS):
        getattr(new, name).set(getattr(locked, name).all())
    MemberStructure.objects.bulk_create(
        MemberStructure(dossier=new, position=member.position, **{f: getattr(member, f) for f in MEMBER_FIELDS})
        for member in locked.members.all()
    )
    return new, True


# Claiming a phase-1 laureate of the history ------------------------------------------------------------------


def claimable_records(siren):
    """Phase-1 laureates of the history with this SIREN and a contact address, not claimed yet."""
    return LaureateRecord.objects.filter(lead_siren=siren, kind=LaureateCall.PHASE1, claimed_by__isnull=True).exclude(
        contact_email=""
    )


def claim_token(record, user):
    return signing.dumps({"record": record.pk, "user": user.pk}, salt=CLAIM_SALT)


def request_claim(siren, user):
    """E-mail a one-time link to the contact address of the phase-1 laureate with this SIREN; returns the record.

    Phase2Refused when no claimable record has this SIREN."""
    record = claimable_records(siren).order_by("-year", "pk").first()
    if record is None:
        raise Phase2Refused(
            _(
                "Aucun lauréat de la phase 1 d'une édition précédente ne correspond à ce SIREN, avec une adresse de "
                "contact, et qui ne soit pas déjà réclamé. Vérifiez le SIREN, ou écrivez à l'équipe de l'AMI."
            )
        )
    token = claim_token(record, user)
    url = absolute_url(reverse("applications:claim_confirm", kwargs={"token": token}))
    notifications.send_claim_link(record, user, url, key=f"claim:{record.pk}:{user.pk}:{token[-16:]}")
    return record


def record_from_token(token, user):
    """The LaureateRecord a claim link names, for ``user``; Phase2Refused (in French) for a link that is wrong,
    expired, asked by another account, or whose record someone else claimed."""
    try:
        data = signing.loads(token, salt=CLAIM_SALT, max_age=CLAIM_MAX_AGE)
    except signing.SignatureExpired:
        raise Phase2Refused(_("Ce lien a expiré : demandez-en un nouveau depuis votre espace.")) from None
    except signing.BadSignature:
        raise Phase2Refused(
            _("Ce lien n'est pas valide : vérifiez qu'il est complet, ou demandez-en un nouveau.")
        ) from None
    if data.get("user") != user.pk:
        raise Phase2Refused(
            _("Ce lien a été demandé depuis un autre compte : connectez-vous avec le compte qui l'a demandé.")
        )
    record = LaureateRecord.objects.filter(pk=data.get("record")).first()
    if record is None:
        raise Phase2Refused(_("Ce lauréat ne figure plus dans l'historique : écrivez à l'équipe de l'AMI."))
    if record.is_claimed and record.claimed_by_id != user.pk:
        raise Phase2Refused(_("Ce lauréat a déjà été réclamé par un autre compte : écrivez à l'équipe de l'AMI."))
    return record


def region_of(record):
    """The record's region in the referential, or the one its region's name designates (None if not exactly one)."""
    if record.region_id or not record.region_name:
        return record.region
    regions = list(Region.objects.filter(name__iexact=record.region_name.strip())[:2])
    return regions[0] if len(regions) == 1 else None


@transaction.atomic
def claim(token, user, phase=None):
    """Link the record the link names to ``user`` and start its phase-2 dossier, pre-filled from the record (name,
    SIREN of the lead structure, region; ``prior_laureate`` set): (dossier, created). Following the link again
    opens the same dossier. Phase2Refused, in French, otherwise."""
    record = record_from_token(token, user)
    record = LaureateRecord.objects.select_for_update().get(pk=record.pk)
    if record.is_claimed and record.claimed_by_id != user.pk:
        raise Phase2Refused(_("Ce lauréat a déjà été réclamé par un autre compte : écrivez à l'équipe de l'AMI."))
    phase = phase or open_phase2()
    if phase is None:
        raise Phase2Refused(_("Aucune phase 2 n'est ouverte en ce moment."))
    if not record.is_claimed:
        record.claimed_by, record.claimed_at = user, timezone.now()
        record.save(update_fields=["claimed_by", "claimed_at"])
    existing = record.dossiers.filter(phase=phase, owner=user).exclude(state=DossierState.WITHDRAWN).first()
    if existing is not None:
        return existing, False
    dossier = create_dossier(phase, user)
    dossier.name, dossier.region, dossier.prior_laureate = record.name, region_of(record), record
    dossier.save()
    MemberStructure.objects.create(
        dossier=dossier, role=MemberRole.LEAD, position=0, name=record.lead or record.name, siret=record.lead_siren
    )
    return dossier, True
