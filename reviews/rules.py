"""Permissions of the reviews app (django-rules): the one home of who may instruct, assign, score and give an
opinion. Scoping comes first (Dossier.objects.visible_to, which reviewers reach through their assignments);
these predicates decide what a user who can see a dossier may do with it.

Each part of the app keeps its permissions in its section below.
"""

import rules
from django.utils.translation import gettext_lazy as _

from applications import workflow
from applications.enums import DossierState
from applications.rules import (
    dossier_was_submitted,
    is_dossier_editor,
    is_dossier_staff,
    is_partenaire_of_dossier_region,
)
from ptce_ami.accounts.permissions import add_action, add_perm
from ptce_ami.accounts.rules import is_evaluateur, is_instructeur, is_partenaire, is_staff_or_partenaire
from reviews.models import AssignmentStatus


@rules.predicate
def dossier_is_eligible(user, dossier):
    return dossier is not None and dossier.state in DossierState.eligible_or_decided()


def dossier_allows(action):
    """The dossier's state lets workflow ``action`` start (the transitions table, applications/workflow.py)."""
    sources = workflow.TRANSITIONS[action][0]

    def allows(user, dossier):
        return dossier is not None and dossier.state in sources

    return rules.predicate(allows, name=f"dossier_allows_{action}")


# Instruction: the staff list, the staff dossier page, workflow actions, annotations, labels ---------------------
rules.add_perm("reviews.view_instruction", is_staff_or_partenaire)
rules.add_perm("reviews.annotate_dossier", is_dossier_staff & dossier_was_submitted)
rules.add_perm("reviews.label_dossier", is_dossier_staff & dossier_was_submitted)
# Following a dossier is personal and writes nothing on it: every staff member who sees it may, partners included.
rules.add_perm("reviews.follow_dossier", is_dossier_staff & dossier_was_submitted)

# The workflow actions of staff (DESIGN §5): instructeurs and the partners of the dossier's region request
# corrections and start the review; declaring (in)eligible, overriding an eligibility result and reopening a
# decided dossier are the instructeurs' alone. Each action's permission is checked where its button is shown and
# where it is done, through WORKFLOW_PERMS.
follows_dossier = is_dossier_staff & dossier_was_submitted
decides = is_instructeur & dossier_was_submitted
ONLY_INSTRUCTEURS = _("Seuls les instructeurs de l'État déclarent un dossier recevable ou irrecevable et le rouvrent.")
add_action("reviews.start_review", actor=follows_dossier, when=dossier_allows("start_review"))
for _action in ("declare_eligible", "declare_ineligible", "reopen"):
    add_action(f"reviews.{_action}", actor=decides, when=dossier_allows(_action), refusal=ONLY_INSTRUCTEURS)
WORKFLOW_PERMS = {
    "request_corrections": "applications.request_corrections",
    "start_review": "reviews.start_review",
    "declare_eligible": "reviews.declare_eligible",
    "declare_ineligible": "reviews.declare_ineligible",
    "reopen": "reviews.reopen",
}
add_perm(
    "reviews.override_eligibility",
    decides,
    refusal=_("Seuls les instructeurs de l'État confirment ou corrigent un résultat d'éligibilité."),
)

# Exports: reviewers' names and individual scores only for the national cell ------------------------------------
rules.add_perm("reviews.export_dossiers", is_staff_or_partenaire)
rules.add_perm("reviews.export_reviewers", is_instructeur)

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
add_action("reviews.score_assignment", actor=is_evaluateur & is_assignment_reviewer, when=assignment_in_progress)
rules.add_perm("reviews.view_regional_opinions", is_instructeur | is_partenaire)
rules.add_perm("reviews.give_regional_opinions", is_partenaire)
rules.add_perm("reviews.read_regional_opinions", is_instructeur)
# The reviews of a dossier on its staff page: instructeurs see everything; the partners of its region see the
# score, the regional opinion and the counted reviews' totals and recommendations.
rules.add_perm("reviews.view_reviews_in_full", is_instructeur)
rules.add_perm("reviews.view_reviews_summary", is_instructeur | is_partenaire_of_dossier_region)


# The selection committee and the publication of its decisions: the national cell's (DESIGN §2). Other roles are
# not told these pages exist (404); the porteurs read a decision once published, on their dossier's page.
rules.add_perm("reviews.view_committee", is_instructeur)
add_perm(
    "reviews.propose_decision",
    is_instructeur & dossier_allows("select_laureate"),
    refusal=_("Le comité ne décide que des dossiers recevables ; seuls les instructeurs de l'État y proposent."),
)
rules.add_perm("reviews.manage_committee_sessions", is_instructeur)
rules.add_perm("reviews.publish_decisions", is_instructeur)
rules.add_perm("reviews.reopen_decision", is_instructeur)


# The bouquet de services of the PTCE émergents --------------------------------------------------------------------
@rules.predicate
def dossier_is_ptce_emergent(user, dossier):
    return dossier is not None and dossier.is_ptce_emergent


# The porteurs (owner and co-editors) of a phase-1 laureate request services; another dossier's porteurs are told
# why the page is closed to them. Staff follow the requests: the national cell (instructeurs) changes their status
# and pairs a PTCE with a compagnon; regional partners read their regions' requests (DESIGN §2: their part is the
# regional opinion and rank; the compagnons are a national list, operated with Avise).
add_perm(
    "reviews.request_services",
    is_dossier_editor & dossier_is_ptce_emergent,
    refusal=_(
        "Le bouquet de services est réservé aux PTCE émergents : les lauréats de la phase 1, une fois la décision "
        "du comité publiée."
    ),
)
rules.add_perm("reviews.view_bouquet_requests", is_instructeur | is_partenaire)
add_perm(
    "reviews.follow_bouquet_requests",
    is_instructeur,
    refusal=_(
        "Les instructeurs de l'État suivent les demandes du bouquet de services et désignent les PTCE compagnons ; "
        "les partenaires régionaux consultent celles de leur région."
    ),
)


# Grants of phase-2 laureates ---------------------------------------------------------------------------------------
# Staff pages: instructeurs manage every grant (agreement, payments, reports' review, suspension, follow-up, year 3);
# regional partners read their regions' (403 on writes); other roles do not learn the pages exist (404). The
# porteurs (owner, co-editors) file the reports of their own grant. The finance exports are the national cell's.
rules.add_perm("reviews.view_grants", is_instructeur | is_partenaire)
add_perm(
    "reviews.manage_grants",
    is_instructeur,
    refusal=_(
        "Les instructeurs de l'État suivent les aides : convention, versements, rapports, suspension et comité de "
        "suivi ; les partenaires régionaux consultent celles de leur région."
    ),
)
add_perm(
    "reviews.file_reports",
    is_dossier_editor,
    refusal=_("Seuls le titulaire du dossier et ses co-éditeurs déposent les rapports d'exécution de l'aide."),
)
add_perm(
    "reviews.export_finance",
    is_instructeur,
    refusal=_("Les exports des décisions, des aides et des versements sont réservés aux instructeurs de l'État."),
)


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
    # The list of compagnons is kept in the admin; requests are followed on their pages (read-only here).
    "compagnon": ("view", "add", "change", "delete"),
    "bouquetrequest": ("view",),
    "bouquetrequestchange": ("view",),
    # The selection and the grants are written through their pages (committee, publication, grants): read here.
    "committeesession": ("view",),
    "decision": ("view",),
    "grant": ("view",),
    "payment": ("view",),
    "progressreport": ("view",),
    "followupsession": ("view",),
    "grantevent": ("view",),
}
for _model, _actions in _ADMIN_PERMS.items():
    for _action in _actions:
        rules.add_perm(f"reviews.{_action}_{_model}", is_instructeur)
