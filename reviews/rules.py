"""Permissions of the reviews app (django-rules): the one home of who may instruct, assign, score and give an
opinion. Scoping comes first (Dossier.objects.visible_to, which reviewers reach through their assignments);
these predicates decide what a user who can see a dossier may do with it.

Each part of the app keeps its permissions in its section below.
"""

import rules

from applications.enums import DossierState
from applications.rules import dossier_was_submitted, is_dossier_staff, is_partenaire_of_dossier_region
from ptce_ami.accounts.rules import is_evaluateur, is_instructeur, is_partenaire, is_staff_or_partenaire
from reviews.models import AssignmentStatus


@rules.predicate
def is_assigned_reviewer(user, dossier):
    """An évaluateur with an assignment on the dossier that no conflict of interest removed."""
    if not (is_evaluateur(user) and dossier is not None):
        return False
    return dossier.assignments.filter(reviewer=user).exclude(status=AssignmentStatus.CONFLICT).exists()


@rules.predicate
def dossier_is_eligible(user, dossier):
    return dossier is not None and dossier.state in (
        DossierState.ELIGIBLE,
        DossierState.LAUREATE,
        DossierState.NOT_RETAINED,
    )


# Instruction: the staff list, the staff dossier page, workflow actions, annotations, labels ---------------------
rules.add_perm("reviews.view_instruction", is_staff_or_partenaire)
rules.add_perm("reviews.instruct_dossier", is_dossier_staff & dossier_was_submitted)
rules.add_perm("reviews.decide_eligibility", is_instructeur & dossier_was_submitted)
rules.add_perm("reviews.annotate_dossier", is_dossier_staff & dossier_was_submitted)
# Overriding an eligibility result and labelling: the staff who follow the dossier (instructeurs, its region's
# partners); reopening a decided dossier is the State's (instructeurs), like declaring it (in)eligible.
rules.add_perm("reviews.override_eligibility", is_dossier_staff & dossier_was_submitted)
rules.add_perm("reviews.label_dossier", is_dossier_staff & dossier_was_submitted)
rules.add_perm("reviews.reopen_dossier", is_instructeur & dossier_was_submitted)

# Exports -------------------------------------------------------------------------------------------------------
rules.add_perm("reviews.export_dossiers", is_staff_or_partenaire)

# Assignments and conflicts of interest -------------------------------------------------------------------------
rules.add_perm("reviews.assign_reviewers", is_instructeur)
rules.add_perm("reviews.declare_interests", is_evaluateur)

# Evaluation: reviews, scores, regional opinions ----------------------------------------------------------------
rules.add_perm("reviews.give_regional_opinion", is_partenaire & is_partenaire_of_dossier_region & dossier_is_eligible)


@rules.predicate
def is_assignment_reviewer(user, assignment):
    return bool(user and user.is_authenticated and assignment is not None and assignment.reviewer_id == user.pk)


@rules.predicate
def assignment_in_progress(user, assignment):
    return assignment is not None and assignment.status == AssignmentStatus.IN_PROGRESS


# The reviewer's queue and scoring page (scoped by the reviewer's own assignments, conflicts excluded); the
# regional opinions' list: partners (their regions) and instructeurs (read-only).
rules.add_perm("reviews.view_review_queue", is_evaluateur)
rules.add_perm("reviews.score_assignment", is_evaluateur & is_assignment_reviewer & assignment_in_progress)
rules.add_perm("reviews.view_regional_opinions", is_instructeur | is_partenaire)


# Assignments and conflicts of interest: the Django admin ------------------------------------------------------
# Instructeurs edit the grids and follow assignments and declarations there; reviews and regional opinions are
# read-only (they are written through the scoring and opinion pages).
rules.add_perm("reviews", is_instructeur)
_ADMIN_PERMS = {
    "grid": ("view", "add", "change", "delete"),
    "criterion": ("view", "add", "change", "delete"),
    # Assignments are created through the assignment pages (which check conflicts): the admin edits due dates.
    "assignment": ("view", "change"),
    "reviewerdeclaration": ("view", "change"),
    "declaredorganisation": ("view", "add", "change", "delete"),
    "review": ("view",),
    "score": ("view",),
    "regionalopinion": ("view",),
}
for _model, _actions in _ADMIN_PERMS.items():
    for _action in _actions:
        rules.add_perm(f"reviews.{_action}_{_model}", is_instructeur)
