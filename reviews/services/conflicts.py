"""Conflicts of interest (DESIGN §2, §7): what the system detects from the reviewers' declarations.

A reviewer declares, once per edition, the organisations they work for or with (SIRET) and their regions of
activity. A conflict is **detected** when a declared organisation has the SIREN of a member structure of the
dossier (same legal person, whatever the establishment): such an assignment is refused, and an assignment made
before the declaration is marked as a conflict when the declaration reveals it. A region of activity equal to the
dossier's region is only a **warning** shown to staff: it does not block.

Detection uses the reviewer's declaration for the dossier's edition. Everything here works in bulk
(``conflicts_between``) so that a batch or an automatic assignment costs the same few queries for any number of
reviewers and dossiers.
"""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Dossier, MemberStructure
from ptce_ami.core.siret import format_siret
from reviews.models import Assignment, AssignmentStatus, DeclaredOrganisation, ReviewerDeclaration
from reviews.scoring import refresh_dossier_score


def _edition_ids(dossiers):
    """{dossier id: edition id}; the dossiers are objects with their phase loaded, or ids."""
    objects = [dossier for dossier in dossiers if isinstance(dossier, Dossier)]
    editions = {dossier.pk: dossier.phase.edition_id for dossier in objects}
    ids = [dossier for dossier in dossiers if not isinstance(dossier, Dossier)]
    if ids:
        editions.update(Dossier.objects.filter(pk__in=ids).values_list("pk", "phase__edition_id"))
    return editions


def conflicts_between(reviewers, dossiers):
    """{(dossier id, reviewer id): [reasons]} of the detected conflicts (SIREN shared with a member structure).

    ``reviewers`` and ``dossiers``: objects or ids. Two or three queries whatever their number.
    """
    reviewer_ids = [getattr(reviewer, "pk", reviewer) for reviewer in reviewers]
    editions = _edition_ids(list(dossiers))
    if not reviewer_ids or not editions:
        return {}
    members = defaultdict(list)  # (edition, siren) -> [(dossier id, member name, siret)]
    for dossier_id, name, siret in (
        MemberStructure.objects.filter(dossier__in=list(editions))
        .exclude(siret="")
        .order_by("dossier_id", "position", "pk")
        .values_list("dossier_id", "name", "siret")
    ):
        members[editions[dossier_id], siret[:9]].append((dossier_id, name, siret))
    if not members:
        return {}
    declared = DeclaredOrganisation.objects.filter(
        declaration__reviewer__in=reviewer_ids,
        declaration__edition__in=set(editions.values()),
        siren__in={siren for _edition, siren in members},
    ).order_by("pk")
    found = defaultdict(list)
    for reviewer_id, edition_id, name, siret, siren in declared.values_list(
        "declaration__reviewer_id", "declaration__edition_id", "name", "siret", "siren"
    ):
        for dossier_id, member_name, member_siret in members.get((edition_id, siren), ()):
            found[dossier_id, reviewer_id].append(
                _(
                    "« %(organisation)s » (SIRET %(declared)s), déclarée par l'évaluateur, est la même entreprise "
                    "(même SIREN) que la structure membre « %(member)s » (SIRET %(siret)s)."
                )
                % {
                    "organisation": name,
                    "declared": format_siret(siret),
                    "member": member_name,
                    "siret": format_siret(member_siret),
                }
            )
    return dict(found)


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


def declaration_for(reviewer, edition):
    return ReviewerDeclaration.objects.filter(reviewer=reviewer, edition=edition).first()


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
            reason = _("Conflit détecté d'après la déclaration d'intérêts : %(reasons)s") % {
                "reasons": " ".join(reasons)
            }
            conflicted.append(record_conflict(assignment, reason))
    return conflicted
