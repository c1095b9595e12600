"""Creating and editing dossiers: references, steps saved one by one, conflicts detected, never lost."""

import datetime
import decimal
import hashlib
import json
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from applications.enums import MemberRole
from applications.models import Dossier, DossierInvitation, MemberStructure, ReferenceSequence
from applications.services import notifications
from applications.services.steps import LEAD_FIELDS, TERRITORY_FIELDS
from ptce_ami.accounts.enums import Role
from ptce_ami.core.dates import format_deadline
from territories.models import Commune, Departement


class DossierNotEditable(PermissionDenied):
    """The dossier is not (or no longer) editable by its porteurs: submitted, decided, withdrawn, or a draft whose
    phase has closed. A refused write: uncaught, it is a 403 page that says why, never a 500."""

    def __init__(self, message=None):
        super().__init__(message or _("Ce dossier est déposé : il ne peut plus être modifié."))


def not_editable_message(dossier):
    """Why the porteurs can no longer edit ``dossier``, in French."""
    if dossier.is_closed_draft():
        return _(
            "La phase a fermé le %(deadline)s : ce brouillon n'a pas été déposé "
            "et ne peut plus l'être ni être modifié."
        ) % {"deadline": format_deadline(dossier.phase.closes_at)}
    return _("Ce dossier est déposé : il ne peut plus être modifié.")


class EditConflict(Exception):
    """Someone saved the same part of the dossier since this form was loaded: the save is refused."""

    def __init__(self, current_values, fingerprint, edited_by, edited_at):
        super().__init__("edit conflict")
        self.current_values = current_values
        self.fingerprint = fingerprint
        self.edited_by = edited_by
        self.edited_at = edited_at


# References --------------------------------------------------------------------------------------------------


def allocate_reference(phase):
    """Next public reference of the phase's edition and kind, e.g. PTCE-2026-P1-0042 (inside a transaction)."""
    sequence, _created = ReferenceSequence.objects.select_for_update().get_or_create(
        edition=phase.edition, kind=phase.kind
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"PTCE-{phase.edition.year}-{phase.reference_code}-{sequence.last_number:04d}"


@transaction.atomic
def create_dossier(phase, owner):
    dossier = Dossier.objects.create(
        phase=phase,
        owner=owner,
        reference=allocate_reference(phase),
        contact_name=owner.get_full_name(),
        contact_email=owner.email,
        contact_phone=owner.phone,
        last_edited_by=owner,
    )
    return dossier


# Fingerprints ------------------------------------------------------------------------------------------------


def plain(value):
    """A JSON-friendly, stable form of a field value."""
    if isinstance(value, datetime.date | decimal.Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def dossier_values(dossier, names):
    values = {}
    for name in names:
        field = Dossier._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(str(pk) for pk in getattr(dossier, name).values_list("pk", flat=True))
        else:
            values[name] = plain(getattr(dossier, field.attname))
    return values


def member_values(member):
    if member is None:
        return {name: None for name in LEAD_FIELDS}
    return {name: plain(getattr(member, MemberStructure._meta.get_field(name).attname)) for name in LEAD_FIELDS}


def fingerprint(values):
    encoded = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def lead_member(dossier):
    return dossier.members.filter(role=MemberRole.LEAD).select_related("commune").first()


def step_values(dossier, step):
    values = dossier_values(dossier, step.fields)
    if step.lead:
        values["lead"] = member_values(lead_member(dossier))
    return values


def step_fingerprint(dossier, step):
    return fingerprint(step_values(dossier, step))


def member_fingerprint(member):
    return fingerprint({**member_values(member), "role": member.role, "contribution": member.contribution})


# Saving a step -----------------------------------------------------------------------------------------------


def check_editable(dossier):
    if not dossier.is_editable_by_porteur():
        raise DossierNotEditable(not_editable_message(dossier))


def lock(dossier):
    return Dossier.objects.select_for_update(of=("self",)).select_related("phase", "last_edited_by").get(pk=dossier.pk)


@transaction.atomic
def save_step(dossier, step, data, *, by, expected_fingerprint, lead_data=None):
    """Save the valid values of a step; returns the step's new fingerprint.

    ``data`` holds Dossier fields (a ``territory`` TerritorySelection stands for the three territory
    fields); ``lead_data`` the lead structure's fields for the step that edits it. If the step changed
    since ``expected_fingerprint`` was computed, nothing is written and EditConflict says what is there now.
    """
    locked = lock(dossier)
    check_editable(locked)
    current = step_values(locked, step)
    if expected_fingerprint != fingerprint(current):
        raise EditConflict(current, fingerprint(current), locked.last_edited_by, locked.updated_at)
    apply_values(locked, data)
    if lead_data:
        save_lead(locked, lead_data)
    locked.last_edited_by = by
    locked.save()
    return step_fingerprint(locked, step)


def apply_values(dossier, data):
    data = dict(data)
    selection = data.pop("territory", None)
    if selection is not None:
        data.update(communes=selection.communes, epcis=selection.epcis, departements=selection.departements)
    for name, value in data.items():
        field = Dossier._meta.get_field(name)
        if field.many_to_many:
            getattr(dossier, name).set(value)
        else:
            setattr(dossier, name, value)
    if any(name in data for name in TERRITORY_FIELDS):
        dossier.region_id = derive_region_id(dossier)


def save_lead(dossier, lead_data):
    lead = dossier.members.filter(role=MemberRole.LEAD).first()
    if lead is None:
        lead = MemberStructure(dossier=dossier, role=MemberRole.LEAD, position=0)
    for name, value in lead_data.items():
        setattr(lead, name, value)
    lead.save()
    return lead


def derive_region_id(dossier):
    """The region most of the territory lies in; on a tie, the lead structure's, then the lowest code."""
    counts = Counter()
    counts.update(dossier.communes.values_list("departement__region", flat=True))
    counts.update(dossier.departements.values_list("region", flat=True))
    epci_regions = Commune.objects.filter(epci__in=dossier.epcis.all()).values_list("epci", "departement__region")
    counts.update(region for _epci, region in set(epci_regions))
    if not counts:
        return None
    best = max(counts.values())
    tied = sorted(region for region, count in counts.items() if count == best)
    lead_region = (
        Departement.objects.filter(communes__memberstructure__dossier=dossier, communes__memberstructure__role="lead")
        .values_list("region", flat=True)
        .first()
    )
    return lead_region if lead_region in tied else tied[0]


# Members -----------------------------------------------------------------------------------------------------


@transaction.atomic
def add_member(dossier, data, *, by):
    locked = lock(dossier)
    check_editable(locked)
    position = (locked.members.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    member = MemberStructure.objects.create(dossier=locked, position=position, **data)
    touch(locked, by)
    return member


@transaction.atomic
def update_member(member, data, *, by, expected_fingerprint):
    locked = lock(member.dossier)
    check_editable(locked)
    current = MemberStructure.objects.select_for_update().get(pk=member.pk)
    if expected_fingerprint != member_fingerprint(current):
        values = {**member_values(current), "role": current.role, "contribution": current.contribution}
        raise EditConflict(values, member_fingerprint(current), locked.last_edited_by, current.updated_at)
    for name, value in data.items():
        setattr(current, name, value)
    current.save()
    touch(locked, by)
    return current


@transaction.atomic
def remove_member(member, *, by):
    locked = lock(member.dossier)
    check_editable(locked)
    if member.role == MemberRole.LEAD:
        raise ValueError("the lead structure is edited in its own step")
    member.delete()
    touch(locked, by)


def touch(dossier, by):
    dossier.last_edited_by = by
    dossier.save(update_fields=["last_edited_by", "updated_at"])


# Co-editors --------------------------------------------------------------------------------------------------


class InvitationError(ValueError):
    pass


@transaction.atomic
def invite_coeditor(dossier, email, *, by):
    """Invite ``email`` to co-edit ``dossier``. Only porteurs co-edit: the account of a reviewer, a regional partner
    or State staff is refused (they may have to instruct or score the dossier); the message does not say which."""
    email = email.strip().lower()
    if email == dossier.owner.email:
        raise InvitationError(_("Cette adresse est celle du titulaire du dossier."))
    if get_user_model().objects.filter(email__iexact=email).exclude(role=Role.PORTEUR).exists():
        raise InvitationError(
            _(
                "Cette adresse ne peut pas être invitée : seuls les comptes de porteurs de projet co-éditent un "
                "dossier. Invitez l'adresse d'une personne de votre pôle."
            )
        )
    invitation, created = DossierInvitation.objects.get_or_create(
        dossier=dossier, email=email, defaults={"invited_by": by}
    )
    if not created:
        raise InvitationError(_("Cette personne est déjà invitée sur ce dossier."))
    transaction.on_commit(lambda: notifications.send_coeditor_invitation(invitation))
    return invitation


def remove_invitation(invitation):
    invitation.delete()
