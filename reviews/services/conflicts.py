"""Conflicts of interest (DESIGN §2, §7): what the system detects.

A conflict is **detected** when the reviewer owns the dossier or was invited to co-edit it, or when an organisation
they declared has the SIREN of a member structure of the dossier (same legal person, whatever the establishment).
A reviewer declares, once per edition, the organisations they work for or with (SIRET) and their regions of
activity. A detected conflict refuses the assignment, and an assignment made before is marked as a conflict when the
reviewer confirms it or when a declaration reveals it. A region of activity equal to the dossier's region is only a
**warning** shown to staff: it does not block.

Detection uses the reviewer's declaration for the dossier's edition. Everything here works in bulk
(``conflicts_between``) so that a batch or an automatic assignment costs the same few queries for any number of
reviewers and dossiers.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Dossier, DossierInvitation, MemberStructure
from ptce_ami.core.siret import format_siret
from reviews.models import Assignment, AssignmentStatus, DeclaredOrganisation, ReviewerDeclaration
from reviews.services.scoring import refresh_dossier_score


def _dossier_facts(dossiers):
    """{dossier id: (edition id, owner id)}; the dossiers are objects with their phase loaded, or ids."""
    facts = {
        dossier.pk: (dossier.phase.edition_id, dossier.owner_id)
        for dossier in dossiers
        if isinstance(dossier, Dossier)
    }
    ids = [dossier for dossier in dossiers if not isinstance(dossier, Dossier)]
    if ids:
        for pk, edition_id, owner_id in Dossier.objects.filter(pk__in=ids).values_list(
            "pk", "phase__edition_id", "owner_id"
        ):
            facts[pk] = (edition_id, owner_id)
    return facts


def _reviewer_emails(reviewers):
    """{reviewer id: e-mail}; the reviewers are user objects or ids."""
    emails = {reviewer.pk: reviewer.email for reviewer in reviewers if hasattr(reviewer, "email")}
    ids = [reviewer for reviewer in reviewers if not hasattr(reviewer, "email")]
    if ids:
        emails.update(get_user_model().objects.filter(pk__in=ids).values_list("pk", "email"))
    return emails


def conflicts_between(reviewers, dossiers):
    """{(dossier id, reviewer id): [reasons]} of the detected conflicts: the reviewer owns or co-edits the dossier,
    or declared an organisation with the SIREN of one of its member structures.

    ``reviewers`` and ``dossiers``: objects or ids. A few queries whatever their number.
    """
    reviewers = list(reviewers)
    facts = _dossier_facts(list(dossiers))
    if not reviewers or not facts:
        return {}
    found = defaultdict(list)
    for key, reason in _authorship_conflicts(_reviewer_emails(reviewers), facts):
        found[key].append(reason)
    for key, reason in _organisation_conflicts([getattr(reviewer, "pk", reviewer) for reviewer in reviewers], facts):
        found[key].append(reason)
    return dict(found)


def _authorship_conflicts(emails, facts):
    """A reviewer who owns the dossier (an account whose role changed) or was invited to co-edit it."""
    for dossier_id, (_edition, owner_id) in facts.items():
        if owner_id in emails:
            yield (dossier_id, owner_id), _("L'évaluateur est le titulaire du dossier.")
    by_email = {email.lower(): reviewer_id for reviewer_id, email in emails.items()}
    invitations = DossierInvitation.objects.filter(dossier__in=list(facts), email__in=list(by_email))
    for dossier_id, email in invitations.order_by("pk").values_list("dossier_id", "email"):
        yield (
            (dossier_id, by_email[email.lower()]),
            _("L'évaluateur est co-éditeur du dossier (invité par son titulaire à l'adresse %(email)s).")
            % {"email": email},
        )


def _organisation_conflicts(reviewer_ids, facts):
    """A declared organisation with the SIREN of a member structure (same legal person, whatever the
    establishment), in the dossier's edition."""
    members = defaultdict(list)  # (edition, siren) -> [(dossier id, member name, siret)]
    for dossier_id, name, siret in (
        MemberStructure.objects.filter(dossier__in=list(facts))
        .exclude(siret="")
        .order_by("dossier_id", "position", "pk")
        .values_list("dossier_id", "name", "siret")
    ):
        members[facts[dossier_id][0], siret[:9]].append((dossier_id, name, siret))
    if not members:
        return
    declared = DeclaredOrganisation.objects.filter(
        declaration__reviewer__in=reviewer_ids,
        declaration__edition__in={edition for edition, _owner in facts.values()},
        siren__in={siren for _edition, siren in members},
    ).order_by("pk")
    for reviewer_id, edition_id, name, siret, siren in declared.values_list(
        "declaration__reviewer_id", "declaration__edition_id", "name", "siret", "siren"
    ):
        for dossier_id, member_name, member_siret in members.get((edition_id, siren), ()):
            yield (
                (dossier_id, reviewer_id),
                _(
                    "« %(organisation)s » (SIRET %(declared)s), déclarée par l'évaluateur, est la même entreprise "
                    "(même SIREN) que la structure membre « %(member)s » (SIRET %(siret)s)."
                )
                % {
                    "organisation": name,
                    "declared": format_siret(siret),
                    "member": member_name,
                    "siret": format_siret(member_siret),
                },
            )


def detect(reviewer, dossier):
    """The reasons why ``reviewer`` may not review ``dossier`` (empty: no conflict detected)."""
    return conflicts_between([reviewer], [dossier]).get((dossier.pk, reviewer.pk), [])


def region_warnings(pairs):
    """{(dossier id, reviewer id): warning} when the reviewer declared an activity in the dossier's region.

    ``pairs``: [(dossier, reviewer id)] with the dossiers' phase loaded. One query. Not a block: staff judge.
    """
    pairs = [(dossier, reviewer_id) for dossier, reviewer_id in pairs if dossier.region_id]
    if not pairs:
        return {}
    wanted = {(dossier.phase.edition_id, reviewer_id) for dossier, reviewer_id in pairs}
    regions = defaultdict(set)
    through = ReviewerDeclaration.regions.through
    for reviewer_id, edition_id, region_id in through.objects.filter(
        reviewerdeclaration__reviewer__in={reviewer_id for _edition, reviewer_id in wanted},
        reviewerdeclaration__edition__in={edition for edition, _reviewer in wanted},
    ).values_list("reviewerdeclaration__reviewer_id", "reviewerdeclaration__edition_id", "region_id"):
        regions[edition_id, reviewer_id].add(region_id)
    return {
        (dossier.pk, reviewer_id): _("L'évaluateur a déclaré exercer une activité dans la région du dossier.")
        for dossier, reviewer_id in pairs
        if dossier.region_id in regions[dossier.phase.edition_id, reviewer_id]
    }


def has_declared(reviewer, edition_id):
    return ReviewerDeclaration.objects.filter(reviewer=reviewer, edition_id=edition_id).exists()


def record_conflict(assignment, reason, *, now=None):
    """Mark the assignment as a conflict: the reviewer loses the dossier, their review leaves its score."""
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status == AssignmentStatus.CONFLICT:
            return locked
        locked.status = AssignmentStatus.CONFLICT
        locked.conflict_declared_at = now or timezone.now()
        locked.conflict_reason = reason
        locked.save(update_fields=["status", "conflict_declared_at", "conflict_reason"])
        refresh_dossier_score(locked.dossier)
    assignment.status, assignment.conflict_declared_at, assignment.conflict_reason = (
        locked.status,
        locked.conflict_declared_at,
        locked.conflict_reason,
    )
    return assignment


def apply_declaration(declaration):
    """After a declaration is saved: its reviewer's assignments in the edition that it reveals as conflicts are
    marked so. Returns those assignments."""
    assignments = list(
        Assignment.objects.active()
        .filter(reviewer=declaration.reviewer, dossier__phase__edition=declaration.edition)
        .select_related("dossier__phase")
    )
    found = conflicts_between([declaration.reviewer], [assignment.dossier for assignment in assignments])
    conflicted = []
    for assignment in assignments:
        reasons = found.get((assignment.dossier_id, declaration.reviewer_id))
        if reasons:
            reason = _("Conflit d'intérêts détecté : %(reasons)s") % {"reasons": " ".join(reasons)}
            conflicted.append(record_conflict(assignment, reason))
    return conflicted
