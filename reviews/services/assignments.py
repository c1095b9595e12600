"""Assignments of reviewers to dossiers (DESIGN §2, §7): by hand (from a dossier, from a reviewer, for a
selection) and automatically (N reviewers per dossier, balanced load, a per-reviewer cap, never a conflict).

Every way goes through ``assign_pairs``, which checks each pair again in the transaction that creates it: the
reviewer is an active évaluateur, is not already on the dossier, and no conflict of interest is detected
(reviews.services.conflicts). The reviewers are told by e-mail, once per call, after commit.

The automatic assignment is the pure function ``propose`` (tested with hypothesis), fed by ``auto_inputs`` and
applied by ``assign_pairs`` with the same ``batch`` uuid.
"""

import datetime
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.enums import DossierState
from applications.models import Dossier
from ptce_ami.accounts.enums import Role
from reviews.models import Assignment, AssignmentStatus, ReviewerDeclaration, late_q
from reviews.services import conflicts, notifications

# Staff assign reviewers to a dossier once it is filed and until it is decided; the automatic assignment takes
# the dossiers under review or declared eligible.
ASSIGNABLE_STATES = DossierState.open_to_reviews()
AUTO_STATES = DossierState.auto_assignable()
# Removable by staff: not yet submitted, and not a declared conflict (which stays on record).
REMOVABLE_STATUSES = AssignmentStatus.pending()


class AssignmentRefused(Exception):
    """A pair that cannot be assigned; ``str(error)`` says why, in French."""


def reviewers():
    """Active évaluateurs, by name."""
    return (
        get_user_model()
        .objects.filter(role=Role.EVALUATEUR, is_active=True)
        .order_by("last_name", "first_name", "email")
    )


def assignable_dossiers():
    return Dossier.objects.filter(state__in=ASSIGNABLE_STATES, submitted_at__isnull=False)


def load_of(reviewer_ids, edition_ids=None):
    """{reviewer id: active assignments (not conflicts)}, in the given editions if any."""
    assignments = Assignment.objects.active().filter(reviewer__in=reviewer_ids)
    if edition_ids is not None:
        assignments = assignments.filter(dossier__phase__edition__in=edition_ids)
    counts = dict(assignments.values("reviewer").annotate(n=Count("pk")).values_list("reviewer", "n"))
    return {reviewer_id: counts.get(reviewer_id, 0) for reviewer_id in reviewer_ids}


def due_at_end_of(day):
    """A due date typed as a day: the end of that day in Paris (23 h 59)."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


# Checks --------------------------------------------------------------------------------------------------------


def refusal_reasons(pairs):
    """{(dossier id, reviewer id): reason} of the pairs that cannot be assigned (constant queries).

    ``pairs``: [(dossier, reviewer)] objects, the dossiers with their phase loaded.
    """
    pairs = list(pairs)
    if not pairs:
        return {}
    dossiers = {dossier.pk: dossier for dossier, _reviewer in pairs}
    reviewer_objects = {reviewer.pk: reviewer for _dossier, reviewer in pairs}
    existing = set(
        Assignment.objects.filter(dossier__in=list(dossiers), reviewer__in=list(reviewer_objects)).values_list(
            "dossier_id", "reviewer_id"
        )
    )
    detected = conflicts.conflicts_between(list(reviewer_objects), list(dossiers.values()))
    refused = {}
    for dossier, reviewer in pairs:
        key = (dossier.pk, reviewer.pk)
        name = reviewer.display_name
        if reviewer.role != Role.EVALUATEUR or not reviewer.is_active:
            refused[key] = _("%(name)s n'est pas un évaluateur actif.") % {"name": name}
        elif dossier.state not in ASSIGNABLE_STATES or dossier.submitted_at is None:
            refused[key] = _("Le dossier %(reference)s n'est pas en cours d'instruction (état : %(state)s).") % {
                "reference": dossier.reference,
                "state": dossier.get_state_display(),
            }
        elif key in existing:
            refused[key] = _("%(name)s est déjà affecté(e) au dossier %(reference)s.") % {
                "name": name,
                "reference": dossier.reference,
            }
        elif key in detected:
            refused[key] = _(
                "Affectation de %(name)s au dossier %(reference)s impossible : conflit d'intérêts détecté. %(reasons)s"
            ) % {"name": name, "reference": dossier.reference, "reasons": " ".join(detected[key])}
    return refused


# Creating and removing -----------------------------------------------------------------------------------------


def assign_pairs(pairs, *, by, due_at=None, batch=None):
    """Create the assignments of ``pairs`` [(dossier, reviewer)] that pass the checks, in one transaction.

    Returns (created assignments, {(dossier id, reviewer id): reason} of the refused ones). The dossier rows are
    locked so that two staff members assigning at once cannot create a pair twice (the unique constraint is the
    last guard). The reviewers are e-mailed after commit.
    """
    pairs = list(dict.fromkeys(pairs))  # without duplicates, in order
    with transaction.atomic():
        dossier_ids = sorted({dossier.pk for dossier, _reviewer in pairs})
        list(Dossier.objects.filter(pk__in=dossier_ids).select_for_update(of=("self",)).values_list("pk"))
        refused = refusal_reasons(pairs)
        created = []
        now = timezone.now()
        for dossier, reviewer in pairs:
            if (dossier.pk, reviewer.pk) in refused:
                continue
            try:
                with transaction.atomic():
                    created.append(
                        Assignment.objects.create(
                            dossier=dossier,
                            reviewer=reviewer,
                            due_at=due_at,
                            assigned_by=by,
                            assigned_at=now,
                            batch=batch,
                        )
                    )
            except IntegrityError:
                refused[dossier.pk, reviewer.pk] = _("Cette affectation existe déjà.")
        notifications.notify_reviewers(created)
    return created, refused


def assign(dossier, reviewer, *, by, due_at=None):
    """One assignment; raises AssignmentRefused with the reason."""
    created, refused = assign_pairs([(dossier, reviewer)], by=by, due_at=due_at)
    if refused:
        raise AssignmentRefused(next(iter(refused.values())))
    return created[0]


def remove(assignment):
    """Staff remove an assignment not yet submitted (its draft review goes with it)."""
    if assignment.status not in REMOVABLE_STATUSES:
        raise AssignmentRefused(
            _("Une évaluation rendue ou un conflit d'intérêts déclaré reste au dossier : l'affectation est conservée.")
        )
    assignment.delete()


# The reviewer's side -------------------------------------------------------------------------------------------


class DeclarationMissing(Exception):
    """The reviewer must declare their interests for the edition before confirming an assignment."""


def confirm_no_conflict(assignment):
    """The reviewer confirms they have no conflict: they reach the dossier. A conflict the system detects (from
    their declaration) is recorded instead; returns the detected reasons (empty when confirmed)."""
    edition_id = assignment.dossier.phase.edition_id
    if not conflicts.has_declared(assignment.reviewer, edition_id):
        raise DeclarationMissing
    reasons = conflicts.detect(assignment.reviewer, assignment.dossier)
    if reasons:
        conflicts.record_conflict(
            assignment,
            _("Conflit d'intérêts détecté : %(reasons)s") % {"reasons": " ".join(reasons)},
        )
        return reasons
    updated = Assignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.TO_CONFIRM).update(
        status=AssignmentStatus.IN_PROGRESS, no_conflict_confirmed_at=timezone.now()
    )
    if updated:
        assignment.refresh_from_db(fields=["status", "no_conflict_confirmed_at"])
    return []


def declare_conflict(assignment, reason):
    """The reviewer declares a conflict: they lose the dossier; a review of theirs leaves its score."""
    return conflicts.record_conflict(assignment, reason)


# Automatic assignment ------------------------------------------------------------------------------------------


@dataclass
class Proposal:
    """What ``propose`` returns: the new pairs in order, the final load of every reviewer, and the dossiers that
    did not get their N reviewers: {dossier: Shortfall}."""

    pairs: list = field(default_factory=list)
    loads: dict = field(default_factory=dict)
    shortfalls: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Shortfall:
    needed: int  # new reviewers the dossier needed
    got: int
    conflicts: int  # reviewers excluded by a conflict of interest
    already: int  # reviewers already assigned to it
    at_cap: int  # reviewers left out because they reached the cap


def propose(dossiers, reviewers, existing, conflicts, per_dossier, cap):
    """Propose new (dossier, reviewer) pairs so that each dossier has ``per_dossier`` reviewers.

    ``dossiers``: dossier keys, in order. ``reviewers``: {reviewer key: current load (active assignments)}.
    ``existing``: set of (dossier, reviewer) already assigned, whatever their status; those also in ``conflicts``
    (a declared conflict) do not count towards N. ``conflicts``: set of (dossier, reviewer) never to pair.
    ``cap``: most assignments a reviewer may have in total (current load included).

    Dossiers are filled one after another, the most constrained first (fewest possible reviewers), each with
    the reviewers of least load (then smallest key). Guarantees (tests/reviews/test_auto_assignment_properties.py):
    - no reviewer ends above ``cap`` (one already at or above it gets nothing);
    - no pair is in ``conflicts`` or ``existing``, and no pair is proposed twice;
    - a dossier gets exactly what it needs, N minus its standing assignments (never more); if it gets less,
      every reviewer neither conflicted nor already on it has reached the cap;
    - with equal current loads and no conflicts nor existing pairs, the final loads differ by at most 1;
    - the same input gives the same output.
    """
    loads = dict(reviewers)
    ordered = sorted(loads)
    rank = {reviewer: index for index, reviewer in enumerate(ordered)}
    counted = Counter(dossier for dossier, _reviewer in existing - conflicts)
    excluded = defaultdict(set)
    for dossier, reviewer in existing | conflicts:
        excluded[dossier].add(reviewer)
    needs = {dossier: max(per_dossier - counted[dossier], 0) for dossier in dossiers}

    def possible(dossier):
        return [reviewer for reviewer in ordered if reviewer not in excluded[dossier] and loads[reviewer] < cap]

    position = {dossier: index for index, dossier in enumerate(dossiers)}
    order = sorted(dict.fromkeys(dossiers), key=lambda dossier: (len(possible(dossier)), position[dossier]))
    proposal = Proposal()
    for dossier in order:
        candidates = sorted(possible(dossier), key=lambda reviewer: (loads[reviewer], rank[reviewer]))
        chosen = candidates[: needs[dossier]]
        for reviewer in chosen:
            loads[reviewer] += 1
            proposal.pairs.append((dossier, reviewer))
        if len(chosen) < needs[dossier]:
            on_it = {reviewer for reviewer in excluded[dossier] if reviewer in loads}
            conflicted = {reviewer for dossier_, reviewer in conflicts if dossier_ == dossier and reviewer in loads}
            proposal.shortfalls[dossier] = Shortfall(
                needed=needs[dossier],
                got=len(chosen),
                conflicts=len(conflicted),
                already=len(on_it - conflicted),
                at_cap=len([r for r in ordered if r not in on_it and r not in chosen and loads[r] >= cap]),
            )
    proposal.loads = loads
    return proposal


def auto_dossiers(phase, dossier_ids=None):
    dossiers = Dossier.objects.filter(phase=phase, state__in=AUTO_STATES, submitted_at__isnull=False)
    if dossier_ids:
        dossiers = dossiers.filter(pk__in=dossier_ids)
    return list(dossiers.select_related("phase").order_by("reference"))


def auto_reviewers(edition_id):
    """Active évaluateurs who declared their interests for the edition."""
    declared = ReviewerDeclaration.objects.filter(edition_id=edition_id).values("reviewer")
    return list(reviewers().filter(pk__in=declared))


def auto_proposal(phase, *, per_dossier, cap, dossier_ids=None):
    """(dossiers, reviewers, Proposal) for the phase's dossiers under review or eligible (constant queries)."""
    dossiers = auto_dossiers(phase, dossier_ids)
    candidates = auto_reviewers(phase.edition_id)
    reviewer_ids = [reviewer.pk for reviewer in candidates]
    dossier_ids = [dossier.pk for dossier in dossiers]
    existing = set(Assignment.objects.filter(dossier__in=dossier_ids).values_list("dossier_id", "reviewer_id"))
    declared = set(
        Assignment.objects.filter(dossier__in=dossier_ids, status=AssignmentStatus.CONFLICT).values_list(
            "dossier_id", "reviewer_id"
        )
    )
    detected = set(conflicts.conflicts_between(reviewer_ids, dossiers))
    proposal = propose(
        dossier_ids,
        load_of(reviewer_ids, [phase.edition_id]),
        existing,
        declared | detected,
        per_dossier,
        cap,
    )
    return dossiers, candidates, proposal


def apply_proposal(pairs, *, phase, cap, by, due_at=None):
    """Create the previewed pairs [(dossier id, reviewer id)] with one batch uuid, checking everything again:
    the dossier is still to review in the phase, the reviewer still declared, the cap still respected, and
    no conflict (assign_pairs). Returns (created, {(dossier id, reviewer id): reason})."""
    dossiers = {dossier.pk: dossier for dossier in auto_dossiers(phase, [d for d, _r in pairs])}
    candidates = {reviewer.pk: reviewer for reviewer in auto_reviewers(phase.edition_id)}
    refused, possible = {}, []
    for dossier_id, reviewer_id in pairs:
        if dossier_id not in dossiers:
            refused[dossier_id, reviewer_id] = _(
                "Le dossier n° %(id)d n'est plus à évaluer dans cette phase : affectation ignorée."
            ) % {"id": dossier_id}
        elif reviewer_id not in candidates:
            refused[dossier_id, reviewer_id] = _(
                "L'évaluateur n° %(id)d n'est plus actif ou n'a pas déclaré ses intérêts : affectation ignorée."
            ) % {"id": reviewer_id}
        else:
            possible.append((dossiers[dossier_id], candidates[reviewer_id]))
    with transaction.atomic():
        # Conflicts and duplicates first, so that a refused pair does not take a place under the cap.
        refused.update(refusal_reasons(possible))
        loads = load_of(list(candidates), [phase.edition_id])
        kept = []
        for dossier, reviewer in possible:
            if (dossier.pk, reviewer.pk) in refused:
                continue
            if loads[reviewer.pk] >= cap:
                refused[dossier.pk, reviewer.pk] = ngettext(
                    "%(name)s a atteint le plafond de %(cap)d dossier : affectation au dossier %(reference)s ignorée.",
                    "%(name)s a atteint le plafond de %(cap)d dossiers : affectation au dossier %(reference)s "
                    "ignorée.",
                    cap,
                ) % {"name": reviewer.display_name, "cap": cap, "reference": dossier.reference}
                continue
            loads[reviewer.pk] += 1
            kept.append((dossier, reviewer))
        created, more = assign_pairs(kept, by=by, due_at=due_at, batch=uuid.uuid4())
    return created, {**refused, **more}


def reviewers_with_load(queryset=None):
    """Évaluateurs annotated with their active, pending and late assignments (one query)."""
    queryset = queryset if queryset is not None else reviewers()
    active = ~Q(assignments__status=AssignmentStatus.CONFLICT)
    pending = Q(assignments__status__in=AssignmentStatus.pending())
    return queryset.annotate(
        active_count=Count("assignments", filter=active),
        pending_count=Count("assignments", filter=pending),
        late_count=Count("assignments", filter=late_q("assignments__")),
    )


# The staff dossier page ----------------------------------------------------------------------------------------
