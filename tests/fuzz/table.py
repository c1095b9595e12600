"""Every URL name of the project, and how the fuzzer reaches the POST form it serves (or why it serves none).

The fuzz suite fails when the resolver knows a URL name that is in neither FORMS nor NO_FORM, when a view that
declares POST (``require_POST``/``require_http_methods``) is in NO_FORM, and when a page shows a POST form whose
action is not in FORMS.

To add a form (one line):
- a form shown on a page: ``"app:name": Page(ROLE, lambda w: [paths of the pages that show it])``. The fuzzer GETs
  each page as ROLE, parses every ``<form method="post">`` whose action resolves to "app:name", and posts hostile
  variants of it;
- an action without a GET form in the world (a button on another page, a POST-only endpoint):
  ``"app:name": Action(ROLE, lambda w: path, fields={"name": "a valid value", …})``;
- ROLE is one of ``anonymous``, ``owner`` (the porteur owning every dossier of the world), ``instructeur``,
  ``administrateur``, ``evaluateur`` (assigned), ``partner`` (of the dossiers' region). The objects of the world
  (``w.draft``, ``w.in_review``, ``w.grant``…) are built in tests/fuzz/world.py: add one there if needed.
- ``keeps_valid_fields=("app.Model", …)``: tables an answer with errors may still write (a draft step that keeps
  its valid fields); say why next to the entry;
- a URL that serves no POST form (a page, a download, JSON): ``NO_FORM["app:name"] = "why"``.
The Django admin (admin:*) is left out: its forms are Django's own, behind the admin's own permissions.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from applications.services.steps import steps_for


@dataclass
class Page:
    role: str
    pages: object  # world -> list of paths
    # Tables an answer with errors may still write, and why (a documented contract, never to silence a bug).
    keeps_valid_fields: tuple = ()

    def paths(self, world):
        found = self.pages(world)
        return [found] if isinstance(found, str) else list(found)


@dataclass
class Action:
    role: str
    path: object  # world -> path
    fields: dict = field(default_factory=dict)
    keeps_valid_fields: tuple = ()


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs)


def steps(dossier):
    return [
        url("applications:step", reference=dossier.reference, step=step.slug) for step in steps_for(dossier.phase.kind)
    ]


def ref(name, dossier_attribute, **more):
    return lambda w: url(name, reference=getattr(w, dossier_attribute).reference, **more)


INSTRUCTION = "/instruction/"

FORMS = {
    # Accounts
    "accounts:signup": Page("anonymous", lambda w: url("accounts:signup")),
    "accounts:login": Page("anonymous", lambda w: url("accounts:login")),
    "accounts:password_reset": Page("anonymous", lambda w: url("accounts:password_reset")),
    "accounts:password_reset_confirm": Page("anonymous", lambda w: w.reset_path),
    "accounts:resend_confirmation": Page("anonymous", lambda w: url("accounts:resend_confirmation")),
    "accounts:password_change": Page("owner", lambda w: url("accounts:password_change")),
    "accounts:profile": Page("owner", lambda w: url("accounts:profile")),
    "accounts:log_out_everywhere": Page("owner", lambda w: url("accounts:profile")),
    # The header's language switcher, on every page.
    "accounts:language": Page("owner", lambda w: url("accounts:profile")),
    # The session-timeout dialog's « Rester connecté », on every page of a signed-in user.
    "accounts:session_keepalive": Page("owner", lambda w: url("accounts:profile")),
    "accounts:api_tokens": Page("instructeur", lambda w: url("accounts:api_tokens")),
    "accounts:revoke_api_token": Page("instructeur", lambda w: url("accounts:api_tokens")),
    # Deleting one's account: a porteur whose dossiers are all drafts (the world's newcomer, who has a draft only).
    "site:account_delete": Page("newcomer", lambda w: url("site:account_delete")),
    # The second factor: the owner (a porteur, for whom it is optional) enrols; the steps that need a device or a
    # session owing a code are posted as actions (without one they send back, and must not break either).
    "accounts:two_factor_enrol": Page("owner", lambda w: url("accounts:two_factor_enrol")),
    "accounts:two_factor_verify": Action("owner", lambda w: url("accounts:two_factor_verify"), {"code": "123456"}),
    "accounts:two_factor_disable": Action("owner", lambda w: url("accounts:two_factor_disable"), {"code": "123456"}),
    "accounts:two_factor_recovery_codes": Action(
        "owner", lambda w: url("accounts:two_factor_recovery_codes"), {"saved": "on"}
    ),
    "accounts:two_factor_regenerate_recovery_codes": Action(
        "owner", lambda w: url("accounts:two_factor_regenerate_recovery_codes")
    ),
    # The porteur's dossier
    "applications:dossier_create": Page("owner", lambda w: url("applications:dossier_list")),
    "applications:claim_request": Page("owner", lambda w: url("applications:claim_request")),
    "applications:claim_confirm": Page("owner", lambda w: url("applications:claim_confirm", token=w.claim_token)),
    # A draft's step keeps what is valid and says the rest at its field (the porteur's typing is never lost:
    # applications.views.steps.save_step, "saved_with_remarks"); the invalid values are not written.
    "applications:step": Page(
        "owner",
        lambda w: steps(w.draft) + steps(w.draft2),
        keeps_valid_fields=("applications.Dossier", "applications.MemberStructure"),
    ),
    "applications:member_create": Page("owner", ref("applications:member_create", "draft")),
    "applications:member_edit": Page(
        "owner", lambda w: url("applications:member_edit", reference=w.draft.reference, member_id=w.member.pk)
    ),
    "applications:member_delete": Page(
        "owner", lambda w: url("applications:member_delete", reference=w.draft.reference, member_id=w.member.pk)
    ),
    "applications:attachments": Page("owner", ref("applications:attachments", "draft")),
    "applications:attachment_delete": Page(
        "owner",
        lambda w: url("applications:attachment_delete", reference=w.draft.reference, attachment_id=w.attachment.pk),
    ),
    "applications:budget": Page("owner", ref("applications:budget", "draft2")),
    "applications:grant": Page("owner", ref("applications:grant", "draft2")),
    "applications:start_phase2": Page("owner", ref("applications:dossier", "emergent")),
    "applications:coeditors": Page("owner", ref("applications:coeditors", "draft")),
    "applications:coeditor_delete": Page("owner", ref("applications:coeditors", "draft")),
    "applications:submit": Page("owner", ref("applications:summary", "draft")),
    "applications:withdraw": Page("owner", ref("applications:withdraw", "draft")),
    "applications:resubmit": Page("owner", ref("applications:summary", "corrections")),
    "applications:eligibility_run": Page("instructeur", ref("applications:dossier", "submitted")),
    "applications:message_post": Page("instructeur", ref("reviews:dossier", "submitted")),
    "applications:request_corrections": Page("instructeur", ref("applications:request_corrections", "submitted")),
    "bouquet:services": Page("owner", ref("bouquet:services", "emergent")),
    "grants:report": Page(
        "owner",
        lambda w: [url("grants:report", reference=w.decision.dossier.reference, kind=k) for k in ("interim", "final")],
    ),
    # Instruction
    "reviews:dossier_batch": Page("instructeur", lambda w: INSTRUCTION),
    "reviews:saved_filter_create": Page("instructeur", lambda w: INSTRUCTION),
    "reviews:saved_filter_delete": Page("instructeur", lambda w: INSTRUCTION),
    "reviews:columns_update": Page("instructeur", lambda w: INSTRUCTION),
    "reviews:dossier_action": Page(
        "instructeur",
        lambda w: [
            url("reviews:dossier_action", reference=w.submitted.reference, action="start_review"),
            url("reviews:dossier_action", reference=w.in_review.reference, action="declare_eligible"),
            url("reviews:dossier_action", reference=w.in_review.reference, action="declare_ineligible"),
        ],
    ),
    "reviews:eligibility_override": Page("instructeur", ref("reviews:dossier", "submitted")),
    "reviews:annotation_create": Page("instructeur", ref("reviews:dossier", "submitted")),
    "reviews:labels_update": Page("instructeur", ref("reviews:dossier", "submitted")),
    "reviews:dossier_follow": Page("instructeur", ref("reviews:dossier", "submitted")),
    "reviews:export_create": Page("instructeur", lambda w: [INSTRUCTION, url("reviews:export_list")]),
    "reviews:declaration": Page("evaluateur", lambda w: url("reviews:declaration")),
    "reviews:assignment_confirm": Page(
        "evaluateur", lambda w: url("reviews:assignment_confirm", assignment_id=w.unconfirmed.pk)
    ),
    "reviews:assignment_remove": Page("instructeur", ref("reviews:dossier", "in_review")),
    "reviews:dossier_assign": Page("instructeur", ref("reviews:dossier", "submitted")),
    "reviews:reviewer_assignments": Page(
        "instructeur", lambda w: url("reviews:reviewer_assignments", user_id=w.users["evaluateur"].pk)
    ),
    "reviews:assign_batch": Page("instructeur", lambda w: f"{url('reviews:assign_batch')}?dossier={w.submitted.pk}"),
    "reviews:assign_auto": Page("instructeur", lambda w: f"{url('reviews:assign_auto')}?{w.auto_query}"),
    "reviews:review": Page("evaluateur", lambda w: url("reviews:review", assignment_id=w.assignment.pk)),
    "reviews:regional_opinion": Page("partner", ref("reviews:regional_opinion", "eligible_open")),
    "reviews:bouquet_request": Page("instructeur", lambda w: url("reviews:bouquet_request", pk=w.bouquet_request.pk)),
    "reviews:committee_session_create": Page(
        "instructeur", lambda w: url("reviews:committee_session_create", phase_id=w.p2.pk)
    ),
    "reviews:committee_propose": Page("instructeur", ref("reviews:committee_propose", "eligible_open")),
    "reviews:committee_withdraw": Page("instructeur", ref("reviews:committee_propose", "proposed")),
    "reviews:committee_adopt": Page("instructeur", lambda w: url("reviews:committee_session", pk=w.session.pk)),
    "reviews:committee_publish": Page("instructeur", lambda w: url("reviews:committee_publish", pk=w.adopted.pk)),
    "reviews:committee_reopen": Page("instructeur", lambda w: url("reviews:committee_reopen", pk=w.decision.pk)),
    "reviews:grant_action": Page(
        "instructeur", lambda w: url("reviews:grant", reference=w.decision.dossier.reference)
    ),
}

NO_FORM = {
    "healthz": "JSON health check",
    "accounts:signup_done": "page",
    "accounts:two_factor_recovery_codes_download": "a text file download",
    "accounts:proconnect_login": "GET only: the redirection to ProConnect (404 unless configured)",
    "accounts:proconnect_callback": "GET only: ProConnect's return (tests/accounts/test_proconnect.py)",
    "accounts:proconnect_logout": "GET only: the page that sends on to ProConnect's logout",
    "accounts:proconnect_logout_done": "GET only: ProConnect's return after the logout",
    "accounts:confirm_email": "GET link from the e-mail (its token is checked; no form)",
    "accounts:logout": "the logout button: a CSRF-protected POST without fields (tests/accounts)",
    "accounts:password_reset_done": "page",
    "accounts:session_status": "JSON (GET): the session's time left, for the session-timeout dialog",
    "accounts:password_reset_complete": "page",
    "territories:autocomplete": "JSON (GET): fuzzed in test_query_params",
    "api_documentation": "page",
    "api:openapi-json": "JSON",
    "api:api-root": "JSON",
    "api:regions": "API (GET): fuzzed in test_query_params",
    "api:departements": "API (GET): fuzzed in test_query_params",
    "api:dossiers": "API (GET): fuzzed in test_query_params",
    "api:dossier": "API (GET): fuzzed in test_query_params",
    "api:members": "API (GET): fuzzed in test_query_params",
    "api:reviews": "API (GET): fuzzed in test_query_params",
    "api:regional_opinions": "API (GET): fuzzed in test_query_params",
    "api:decisions": "API (GET): fuzzed in test_query_params",
    "api:grants": "API (GET): fuzzed in test_query_params",
    "applications:dossier_list": "page (its phase buttons post to dossier_create)",
    "applications:dossier": "page",
    "applications:members": "page (its forms are on member_create, member_edit, member_delete)",
    "applications:summary": "page",
    "applications:attachment_download": "download",
    "applications:notice_download": "download",
    "applications:message_attachment_download": "download",
    "reviews:dossier_list": "page; its filters (GET) are fuzzed in test_query_params",
    "reviews:dossier": "page",
    "reviews:dossier_assignments": "page (its forms post to dossier_assign and assignment_remove)",
    "reviews:dossier_zip": "download",
    "reviews:export_list": "page",
    "reviews:export_detail": "page",
    "reviews:export_status": "JSON (GET)",
    "reviews:export_download": "download",
    "reviews:reviewers": "page",
    "reviews:queue": "page",
    "reviews:regional_opinions": "page",
    "reviews:bouquet_requests": "page; its filters (GET) are fuzzed in test_query_params",
    "reviews:committee": "page",
    "reviews:committee_phase": "page",
    "reviews:committee_session": "page",
    "reviews:committee_minutes": "PDF",
    "reviews:committee_letter_preview": "PDF",
    "reviews:grant_list": "page",
    "reviews:grant": "page",
    "site:home": "page",
    "site:dashboard": "page",
    "site:national_dashboard": "page; its filters (GET) are fuzzed in test_query_params",
    "site:national_dashboard_csv": "CSV",
    "site:region_dashboard": "page",
    "site:region_dashboard_csv": "CSV",
    "site:call": "page",
    "site:laureates": "page; its filters (GET) are fuzzed in test_query_params",
    "site:laureates_csv": "CSV",
    "site:laureates_schema": "JSON",
    "site:call_figures_csv": "CSV",
    "site:laureates_regions_csv": "CSV",
    "site:laureate": "page",
    "site:accessibility": "page",
    "site:legal_notice": "page",
    "site:personal_data": "page",
    "site:cookies": "page",
    "site:accessibility_plan": "page",
    "site:personal_data_download": "a zip download of one's own data",
    "site:sitemap": "page",
}
