"""IDOR sweep (issue 13): every URL pattern that takes an object's id or reference is asked again, by a user who
reaches the same view for their own object, with an object of someone else (whole, or mixed: their own dossier's
reference with another dossier's attachment id), and must answer 404 — not 403, not 200.

How to add a view: the test fails for a pattern with arguments that IDOR does not name. Add either
``Case(role, own, foreign…)`` (``own`` and each ``foreign`` are functions of the world giving the pattern's
arguments; the role must reach ``own``, i.e. not get a 404) or ``NoOwner("why")`` for a pattern whose arguments
name nothing that belongs to anyone (public pages, signed tokens, staff-wide objects).
The admin's patterns are exempt as a whole: only staff reach them, and staff have no owner-scoped objects there (the
matrix checks that everyone else gets the admin's login page).
"""

import dataclasses

import pytest

from tests.security import harness
from tests.security.urls_filled import ref

pytestmark = pytest.mark.django_db


@dataclasses.dataclass(frozen=True)
class Case:
    role: str
    own: object  # world -> kwargs of the role's own object
    foreign: tuple  # (world -> kwargs of someone else's object, …)
    methods: tuple = ("get",)


@dataclasses.dataclass(frozen=True)
class NoOwner:
    why: str


def case(role, own, *foreign, methods=("get",)):
    return Case(role, own, foreign, methods)


def draft_and(name, attr):
    """The owner's draft with the named object: mixed ids are built with ``draft_and`` and another's object."""
    return lambda w: {**ref(w.draft), name: getattr(w, attr).pk}


POST = ("post",)
BOTH = ("get", "post")
STAFF_WIDE = "staff only, and every instructeur manages every one of them: no owner (the matrix covers the others)"

IDOR = {
    "accounts:confirm_email": NoOwner("a signed token naming its addressee: a forged one is the 'invalid link' page"),
    "accounts:password_reset_confirm": NoOwner("Django's signed token; covered by Django's own tests"),
    "accounts:revoke_api_token": Case(
        "partner",
        lambda w: {"token_id": w.tokens["partner"].pk},
        (lambda w: {"token_id": w.tokens["partner_other"].pk}, lambda w: {"token_id": w.tokens["instructeur"].pk}),
        POST,
    ),
    # The JSON API, with the Bearer token of a partner of region 84: region 28's laureate, and a draft, do not exist.
    "api:dossier": case("partner", lambda w: ref(w.laureate), lambda w: ref(w.other_laureate), lambda w: ref(w.draft)),
    "api:members": case("partner", lambda w: ref(w.laureate), lambda w: ref(w.other_laureate), lambda w: ref(w.draft)),
    "bouquet:services": case("owner", lambda w: ref(w.emergent), lambda w: ref(w.other_emergent), methods=BOTH),
    "grants:report": case(
        "owner",
        lambda w: {**ref(w.laureate), "kind": w.report.kind},
        lambda w: {**ref(w.other_laureate), "kind": w.other_report.kind},
        methods=BOTH,
    ),
    "applications:dossier_create": NoOwner("a phase of the call: public, open to every porteur"),
    "applications:claim_confirm": NoOwner("a signed token naming its user: another user's link is refused (400)"),
    "applications:dossier": case("owner", lambda w: ref(w.draft), lambda w: ref(w.other_draft), methods=BOTH),
    "applications:step": case(
        "owner",
        lambda w: {**ref(w.draft), "step": "pole"},
        lambda w: {**ref(w.other_draft), "step": "pole"},
        methods=BOTH,
    ),
    "applications:members": case("owner", lambda w: ref(w.draft), lambda w: ref(w.other_draft), methods=BOTH),
    "applications:member_create": case("owner", lambda w: ref(w.draft), lambda w: ref(w.other_draft), methods=BOTH),
    "applications:member_edit": case(
        "owner",
        draft_and("member_id", "member"),
        draft_and("member_id", "other_member"),
        lambda w: {**ref(w.other), "member_id": w.other_member.pk},
        draft_and("member_id", "filed_member"),  # the owner's own other dossier's member, under this reference
        methods=BOTH,
    ),
    "applications:member_delete": case(
        "owner",
        draft_and("member_id", "member"),
        draft_and("member_id", "other_member"),
        lambda w: {**ref(w.other), "member_id": w.other_member.pk},
        methods=BOTH,
    ),
    "applications:attachments": case("owner", lambda w: ref(w.draft), lambda w: ref(w.other_draft), methods=BOTH),
    "applications:attachment_delete": case(
        "owner",
        draft_and("attachment_id", "attachment"),
        draft_and("attachment_id", "other_attachment"),
        lambda w: {**ref(w.other), "attachment_id": w.other_attachment.pk},
        methods=BOTH,
    ),
    "applications:attachment_download": case(
        "owner",
        draft_and("attachment_id", "attachment"),
        draft_and("attachment_id", "other_attachment"),
        lambda w: {**ref(w.other), "attachment_id": w.other_attachment.pk},
        draft_and("attachment_id", "filed_attachment"),  # the owner's own file, under another of their references
    ),
    "applications:budget": case("owner", lambda w: ref(w.draft2), lambda w: ref(w.other_draft), methods=BOTH),
    "applications:grant": case("owner", lambda w: ref(w.draft2), lambda w: ref(w.other_draft), methods=BOTH),
    "applications:start_phase2": case(
        "owner", lambda w: ref(w.emergent), lambda w: ref(w.other_emergent), methods=POST
    ),
    "applications:coeditors": case("owner", lambda w: ref(w.draft), lambda w: ref(w.other_draft), methods=BOTH),
    "applications:coeditor_delete": case(
        "owner",
        draft_and("invitation_id", "invitation"),
        draft_and("invitation_id", "other_invitation"),
        lambda w: {**ref(w.other_draft), "invitation_id": w.other_invitation.pk},
        methods=POST,
    ),
    "applications:summary": case("owner", lambda w: ref(w.draft), lambda w: ref(w.other_draft)),
    "applications:submit": case("owner", lambda w: ref(w.draft), lambda w: ref(w.other_draft), methods=POST),
    "applications:withdraw": case("owner", lambda w: ref(w.draft), lambda w: ref(w.other_draft), methods=BOTH),
    "applications:eligibility_run": case("partner", lambda w: ref(w.filed), lambda w: ref(w.other), methods=POST),
    "applications:notice_download": case(
        "owner",
        lambda w: {**ref(w.filed), "notice_id": w.notice.pk},
        lambda w: {**ref(w.filed), "notice_id": w.other_notice.pk},
        lambda w: {**ref(w.other), "notice_id": w.other_notice.pk},
        lambda w: {**ref(w.filed), "notice_id": w.other_letter.pk},
    ),
    "applications:message_post": case("owner", lambda w: ref(w.filed), lambda w: ref(w.other), methods=POST),
    "applications:message_attachment_download": case(
        "owner",
        lambda w: {**ref(w.filed), "attachment_id": w.message_attachment.pk},
        lambda w: {**ref(w.filed), "attachment_id": w.other_message_attachment.pk},
        lambda w: {**ref(w.other), "attachment_id": w.other_message_attachment.pk},
    ),
    "applications:request_corrections": case("partner", lambda w: ref(w.filed), lambda w: ref(w.other), methods=BOTH),
    "applications:resubmit": case("owner", lambda w: ref(w.filed), lambda w: ref(w.other), methods=POST),
    "reviews:saved_filter_delete": case(
        "instructeur",
        lambda w: {"pk": w.saved_filter.pk},
        lambda w: {"pk": w.other_saved_filter.pk},
        lambda w: {"pk": w.admin_saved_filter.pk},
        methods=POST,
    ),
    # A dossier's staff pages, for the partner of region 84: region 28's dossier does not exist.
    "reviews:dossier": case("partner", lambda w: ref(w.filed), lambda w: ref(w.other), methods=BOTH),
    "reviews:dossier_zip": case("partner", lambda w: ref(w.filed), lambda w: ref(w.other)),
    "reviews:dossier_action": case(
        "partner",
        lambda w: {**ref(w.filed), "action": "declare_eligible"},
        lambda w: {**ref(w.other), "action": "declare_eligible"},
        methods=BOTH,
    ),
    # Mixed: the filed dossier's reference with another dossier's eligibility result, even for an instructeur.
    "reviews:eligibility_override": (
        case(
            "partner",
            lambda w: {**ref(w.filed), "result_id": w.result.pk},
            lambda w: {**ref(w.other), "result_id": w.other_result.pk},
            methods=POST,
        ),
        case(
            "instructeur",
            lambda w: {**ref(w.filed), "result_id": w.result.pk},
            lambda w: {**ref(w.filed), "result_id": w.other_result.pk},
            methods=POST,
        ),
    ),
    "reviews:annotation_create": case("partner", lambda w: ref(w.filed), lambda w: ref(w.other), methods=POST),
    "reviews:labels_update": case("partner", lambda w: ref(w.filed), lambda w: ref(w.other), methods=POST),
    "reviews:dossier_follow": case("partner", lambda w: ref(w.filed), lambda w: ref(w.other), methods=POST),
    # Exports: another instructeur's, and the administrateur's.
    "reviews:export_detail": case(
        "instructeur",
        lambda w: {"pk": w.export.pk},
        lambda w: {"pk": w.other_export.pk},
        lambda w: {"pk": w.admin_export.pk},
    ),
    "reviews:export_status": case(
        "instructeur",
        lambda w: {"pk": w.export.pk},
        lambda w: {"pk": w.other_export.pk},
        lambda w: {"pk": w.admin_export.pk},
    ),
    "reviews:export_download": case(
        "instructeur",
        lambda w: {"pk": w.export.pk},
        lambda w: {"pk": w.other_export.pk},
        lambda w: {"pk": w.admin_export.pk},
    ),
    # Assignments: another reviewer's; and for the conflicted reviewer, their own assignment once in conflict.
    "reviews:assignment_confirm": case(
        "reviewer",
        lambda w: {"assignment_id": w.assignment.pk},
        lambda w: {"assignment_id": w.other_assignment.pk},
        lambda w: {"assignment_id": w.conflict_assignment.pk},
        methods=BOTH,
    ),
    "reviews:review": (
        case(
            "reviewer",
            lambda w: {"assignment_id": w.assignment.pk},
            lambda w: {"assignment_id": w.other_assignment.pk},
            lambda w: {"assignment_id": w.conflict_assignment.pk},
            methods=BOTH,
        ),
        case(
            "reviewer_other",
            lambda w: {"assignment_id": w.other_assignment.pk},
            lambda w: {"assignment_id": w.assignment.pk},
            methods=BOTH,
        ),
    ),
    "reviews:assignment_remove": NoOwner(STAFF_WIDE),
    "reviews:dossier_assignments": NoOwner(STAFF_WIDE),
    "reviews:dossier_assign": NoOwner(STAFF_WIDE),
    # A reviewer's assignments: a porteur's id is no reviewer's.
    "reviews:reviewer_assignments": case(
        "instructeur",
        lambda w: {"user_id": w.users["reviewer"].pk},
        lambda w: {"user_id": w.users["owner"].pk},
        lambda w: {"user_id": w.users["partner"].pk},
    ),
    "reviews:regional_opinion": case(
        "partner", lambda w: ref(w.eligible), lambda w: ref(w.other_opinion.dossier), methods=BOTH
    ),
    "reviews:bouquet_request": case(
        "partner",
        lambda w: {"pk": w.bouquet_request.pk},
        lambda w: {"pk": w.other_bouquet_request.pk},
        methods=BOTH,
    ),
    "reviews:committee_phase": NoOwner(STAFF_WIDE),
    "reviews:committee_session_create": NoOwner(STAFF_WIDE),
    "reviews:committee_propose": NoOwner(STAFF_WIDE),
    "reviews:committee_withdraw": NoOwner(STAFF_WIDE),
    "reviews:committee_session": NoOwner(STAFF_WIDE),
    "reviews:committee_adopt": NoOwner(STAFF_WIDE),
    "reviews:committee_minutes": NoOwner(STAFF_WIDE),
    "reviews:committee_publish": NoOwner(STAFF_WIDE),
    # Mixed: a session with a decision that is not one of its own.
    "reviews:committee_letter_preview": case(
        "instructeur",
        lambda w: {"pk": w.session1.pk, "decision_id": w.pending_decision.pk},
        lambda w: {"pk": w.session1.pk, "decision_id": w.laureate_decision.pk},
        lambda w: {"pk": w.session.pk, "decision_id": w.pending_decision.pk},
    ),
    "reviews:committee_reopen": NoOwner(STAFF_WIDE),
    "reviews:grant": case("partner", lambda w: ref(w.laureate), lambda w: ref(w.other_laureate), methods=BOTH),
    "reviews:grant_action(reference,action)": case(
        "partner",
        lambda w: {**ref(w.laureate), "action": "agreement"},
        lambda w: {**ref(w.other_laureate), "action": "agreement"},
        methods=POST,
    ),
    # Mixed: the grant's reference with another grant's payment, even for an instructeur.
    "reviews:grant_action(reference,action,pk)": (
        case(
            "instructeur",
            lambda w: {**ref(w.laureate), "action": "payment", "pk": w.payment.pk},
            lambda w: {**ref(w.laureate), "action": "payment", "pk": w.other_payment.pk},
            methods=POST,
        ),
        case(
            "instructeur",
            lambda w: {**ref(w.laureate), "action": "review", "pk": w.report.pk},
            lambda w: {**ref(w.laureate), "action": "review", "pk": w.other_report.pk},
            methods=POST,
        ),
    ),
    "site:national_dashboard_csv": NoOwner("the slug of a national figure, the same for every instructeur"),
    # A region's dashboard, for the partner of region 84: region 28's does not exist.
    "site:region_dashboard": case("partner", lambda w: {"code": "84"}, lambda w: {"code": "28"}),
    "site:region_dashboard_csv": case(
        "partner",
        lambda w: {"code": "84", "figure": w.region_figure},
        lambda w: {"code": "28", "figure": w.region_figure},
    ),
    # The public page of a laureate: a draft, or a dossier not (yet) a published laureate, does not exist.
    "site:laureate": case("anonymous", lambda w: ref(w.laureate), lambda w: ref(w.draft), lambda w: ref(w.eligible)),
}

PATTERNS = [p for p in harness.patterns() if p.kwargs and not p.is_admin]


def cases_of(entry):
    return entry if isinstance(entry, tuple) else (entry,)


def test_every_pattern_with_arguments_is_in_the_sweep():
    missing = [f"{p.key}  ({p.route})" for p in PATTERNS if p.key not in IDOR]
    assert not missing, "patterns with arguments missing from tests/security/test_idor.py IDOR:\n" + "\n".join(missing)
    stale = sorted(set(IDOR) - {p.key for p in PATTERNS})
    assert not stale, f"IDOR entries for views that no longer exist (or take no argument): {stale}"


SWEPT = [p for p in PATTERNS if not isinstance(IDOR.get(p.key), NoOwner)]


@pytest.mark.parametrize("pattern", SWEPT, ids=[p.key for p in SWEPT])
def test_another_ones_object_is_a_404(world, pattern, record_property):
    if pattern.key not in IDOR:
        pytest.fail(f"{pattern.key} is missing from IDOR")
    problems, count = [], 0
    for spec in cases_of(IDOR[pattern.key]):
        client_session = world.sessions[spec.role]
        headers = {}
        if pattern.route.startswith("api/"):
            headers = {"Authorization": f"Bearer {world.secrets[spec.role]}"}
        for method in spec.methods:
            own = harness.fill(pattern.route, spec.own(world))
            observed, detail = harness.fetch(harness.role_client(client_session), method, own, headers)
            if observed in (404, harness.SERVER_ERROR, harness.LOGIN):
                problems.append(f"{spec.role} {method.upper()} {own} (own object): got {observed} {detail}")
            for foreign in spec.foreign:
                path = harness.fill(pattern.route, foreign(world))
                observed, detail = harness.fetch(harness.role_client(client_session), method, path, headers)
                count += 1
                if observed != 404:
                    problems.append(f"{spec.role} {method.upper()} {path}: expected 404, got {observed} {detail}")
    record_property("count:IDOR requests with someone else's object", count)
    assert not problems, f"{pattern.key}:\n" + "\n".join(problems)
