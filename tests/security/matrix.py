"""The role × URL matrix: for every URL pattern of the project, what each role gets on GET and on POST.

How to add a view (the test fails until you do, naming the missing key):
1. Its key is ``namespace:name`` (``reviews:grant_action(reference,action,pk)`` when several patterns share a name,
   ``<unnamed> route`` for a pattern without a name).
2. If the pattern takes arguments, say where they point in tests/security/urls_filled.py (KWARGS), adding to the
   world of tests/security/world.py what it needs ("the dossier" is the owner's; see the world's docstring).
3. Add a line to MATRIX below: ``"key": (GET row, POST row)``. A row says, for each role of world.ROLES, the
   outcome; build it with ``row(default, role=outcome…)`` or one of the groups. Outcomes (harness.py):
   OK (GET 200; POST 200/201/204/400/409 or a redirect that is not to the login page: the view let the user in),
   REDIRECT (GET answered by a redirect elsewhere), LOGIN (302 to the login page), ADMIN_LOGIN, or 400/401/403/
   404/405. A 5xx always fails.
4. If it takes an object's id or reference, add it to tests/security/test_idor.py's table too.
Admin patterns are declared by model in ADMIN_MODELS (what each staff role may do there) and by family in
ADMIN_PAGES; non-staff roles always get the admin's login page.

House rules (DESIGN §2) the rows follow: an outsider gets 404 (not 403) on another's object or a staff page, a
read-only role 403 on a write, anonymous a redirect to the login page.
"""

from tests.security.harness import ADMIN_LOGIN, LOGIN, OK, REDIRECT
from tests.security.world import ROLES

ROLE_SET = frozenset(ROLES)


def row(default, **cells):
    """The outcome of every role: ``default`` unless named."""
    unknown = set(cells) - ROLE_SET
    assert not unknown, f"unknown roles {unknown}"
    return {role: cells.get(role, default) for role in ROLES}


# Groups -------------------------------------------------------------------------------------------------------------
EVERYONE = row(OK)
NOT_ALLOWED = row(405)  # the method is refused before anything else
NOT_ALLOWED_SIGNED_IN = row(405, anonymous=LOGIN)
SIGNED_IN = row(OK, anonymous=LOGIN)
# Anonymous only (a signed-in user is sent to their dashboard).
ANONYMOUS_ONLY = row(REDIRECT, anonymous=OK)
# The dossier's porteur side: its owner and co-editor; everyone else (staff included) does not see it.
PORTEURS_OF_DOSSIER = row(404, anonymous=LOGIN, owner=OK, coeditor=OK)
# What only the owner does (submit, withdraw, invite): a co-editor sees the dossier, so gets a 403.
OWNER_ONLY = row(404, anonymous=LOGIN, owner=OK, coeditor=403)
# The instruction's pages: State staff only; everyone else gets a 404 (the pages do not exist for them).
STAFF = row(404, anonymous=LOGIN, instructeur=OK, administrateur=OK)
# Lists of the instruction that regional partners read too, scoped to their regions.
STAFF_AND_PARTNERS = row(404, anonymous=LOGIN, partner=OK, partner_other=OK, instructeur=OK, administrateur=OK)
# A dossier's staff page: staff and the partner of the dossier's region.
DOSSIER_STAFF = row(404, anonymous=LOGIN, partner=OK, instructeur=OK, administrateur=OK)
# A write on a dossier's staff page: the partner of its region reads it, so gets a 403.
DOSSIER_STAFF_WRITE = row(404, anonymous=LOGIN, partner=403, instructeur=OK, administrateur=OK)
# Reviewers' pages (their queue and declaration).
REVIEWERS = row(404, anonymous=LOGIN, reviewer=OK, reviewer_other=OK, conflicted=OK)
# The read API: a token of a staff member or regional partner; no token (session only) is a 401.
API = row(401, partner=OK, partner_other=OK, instructeur=OK, administrateur=OK)
API_DOSSIER = row(401, partner=OK, partner_other=404, instructeur=OK, administrateur=OK)

MATRIX = {
    "healthz": (EVERYONE, NOT_ALLOWED),
    # Accounts
    "accounts:signup": (ANONYMOUS_ONLY, ANONYMOUS_ONLY),
    "accounts:signup_done": (EVERYONE, EVERYONE),
    "accounts:resend_confirmation": (EVERYONE, EVERYONE),
    # The owner's confirmation link, already used: it logs nobody in again (the login page).
    "accounts:confirm_email": (row(LOGIN), row(LOGIN)),
    "accounts:login": (ANONYMOUS_ONLY, ANONYMOUS_ONLY),
    "accounts:logout": (NOT_ALLOWED, row(REDIRECT)),
    "accounts:language": (NOT_ALLOWED, row(OK)),
    # The session-timeout dialog: « Rester connecté » renews a signed-in session (POST only); the time left is
    # asked by the dialog's script, whoever asks (an ended session, signed out, has 0 seconds left).
    "accounts:session_keepalive": (NOT_ALLOWED, row(OK, anonymous=LOGIN)),
    "accounts:session_status": (EVERYONE, NOT_ALLOWED),
    "accounts:password_reset": (EVERYONE, EVERYONE),
    "accounts:password_reset_done": (EVERYONE, NOT_ALLOWED),
    # A valid link redirects to the page without the token in its address (Django's own view).
    "accounts:password_reset_confirm": (row(REDIRECT), row(REDIRECT)),
    "accounts:password_reset_complete": (EVERYONE, NOT_ALLOWED),
    "accounts:password_change": (SIGNED_IN, SIGNED_IN),
    "accounts:profile": (SIGNED_IN, SIGNED_IN),
    # Logging out everywhere ends the session too: the answer is the login page.
    "accounts:log_out_everywhere": (NOT_ALLOWED_SIGNED_IN, row(LOGIN)),
    # The API's tokens: porteurs and reviewers may not use the API at all (403, no object involved).
    "accounts:api_tokens": (
        row(403, anonymous=LOGIN, partner=OK, partner_other=OK, instructeur=OK, administrateur=OK),
        row(403, anonymous=LOGIN, partner=OK, partner_other=OK, instructeur=OK, administrateur=OK),
    ),
    # The instructeur's token: only its holder revokes it; other API users get a 404.
    "accounts:revoke_api_token": (
        NOT_ALLOWED_SIGNED_IN,
        row(403, anonymous=LOGIN, partner=404, partner_other=404, instructeur=OK, administrateur=404),
    ),
    # The second factor (required for staff, whose sessions here passed it; optional for the others).
    # Enrolment: open to every account; staff (enrolled here) are sent back to their account page.
    "accounts:two_factor_enrol": (
        row(OK, anonymous=LOGIN, instructeur=REDIRECT, administrateur=REDIRECT),
        row(OK, anonymous=LOGIN, instructeur=REDIRECT, administrateur=REDIRECT),
    ),
    # No session here owes a code: the step sends back to the dashboard.
    "accounts:two_factor_verify": (row(REDIRECT, anonymous=LOGIN), row(REDIRECT, anonymous=LOGIN)),
    # The recovery codes are shown once, right after they are made: none here, back to the account page.
    "accounts:two_factor_recovery_codes": (row(REDIRECT, anonymous=LOGIN), row(REDIRECT, anonymous=LOGIN)),
    "accounts:two_factor_recovery_codes_download": (row(404, anonymous=LOGIN), row(404, anonymous=LOGIN)),
    "accounts:two_factor_regenerate_recovery_codes": (NOT_ALLOWED_SIGNED_IN, SIGNED_IN),
    # Disabling: refused to the roles that require it; the others have no device here (back to the account page).
    "accounts:two_factor_disable": (
        row(REDIRECT, anonymous=LOGIN, instructeur=403, administrateur=403),
        row(REDIRECT, anonymous=LOGIN, instructeur=403, administrateur=403),
    ),
    # ProConnect is off unless configured (tests/accounts/test_proconnect.py tests it on): every page is a 404.
    "accounts:proconnect_login": (row(404), NOT_ALLOWED),
    "accounts:proconnect_callback": (row(404), NOT_ALLOWED),
    "accounts:proconnect_logout": (row(404), NOT_ALLOWED),
    "accounts:proconnect_logout_done": (row(404), NOT_ALLOWED),
    "territories:autocomplete": (EVERYONE, NOT_ALLOWED),
    # API (documentation public; the data needs a token)
    "api_documentation": (EVERYONE, EVERYONE),
    "api:openapi-json": (EVERYONE, EVERYONE),
    "api:api-root": (row(404), row(404)),  # django-ninja's root: no page (the documentation is api_documentation)
    "api:regions": (API, NOT_ALLOWED),
    "api:departements": (API, NOT_ALLOWED),
    "api:dossiers": (API, NOT_ALLOWED),
    "api:dossier": (API_DOSSIER, NOT_ALLOWED),
    "api:members": (API_DOSSIER, NOT_ALLOWED),
    "api:reviews": (API, NOT_ALLOWED),
    "api:regional_opinions": (API, NOT_ALLOWED),
    "api:decisions": (API, NOT_ALLOWED),
    "api:grants": (API, NOT_ALLOWED),
    # The owner's phase-1 laureate's bouquet de services: staff and the region's partner see the dossier (403).
    "bouquet:services": (
        row(404, anonymous=LOGIN, owner=OK, coeditor=OK, partner=403, instructeur=403, administrateur=403),
        row(404, anonymous=LOGIN, owner=OK, coeditor=OK, partner=403, instructeur=403, administrateur=403),
    ),
    # The owner's grant's progress report: the assigned reviewer, the partner and staff see the dossier (403).
    "grants:report": (
        row(
            404, anonymous=LOGIN, owner=OK, coeditor=OK, reviewer=403, partner=403, instructeur=403, administrateur=403
        ),
        row(
            404, anonymous=LOGIN, owner=OK, coeditor=OK, reviewer=403, partner=403, instructeur=403, administrateur=403
        ),
    ),
    # Applications: the porteur's side
    "applications:dossier_list": (SIGNED_IN, SIGNED_IN),
    "applications:dossier_create": (
        NOT_ALLOWED_SIGNED_IN,
        row(403, anonymous=LOGIN, owner=OK, other_porteur=OK, coeditor=OK),
    ),
    "applications:claim_request": (
        row(403, anonymous=LOGIN, owner=OK, other_porteur=OK, coeditor=OK),
        row(403, anonymous=LOGIN, owner=OK, other_porteur=OK, coeditor=OK),
    ),
    # The owner's claim link: another porteur gets the French "this link is not yours" page (400).
    "applications:claim_confirm": (
        row(403, anonymous=LOGIN, owner=OK, other_porteur=400, coeditor=400),
        row(403, anonymous=LOGIN, owner=OK, other_porteur=400, coeditor=400),
    ),
    "applications:dossier": (PORTEURS_OF_DOSSIER, PORTEURS_OF_DOSSIER),
    "applications:step": (PORTEURS_OF_DOSSIER, PORTEURS_OF_DOSSIER),
    "applications:members": (PORTEURS_OF_DOSSIER, PORTEURS_OF_DOSSIER),
    "applications:member_create": (PORTEURS_OF_DOSSIER, PORTEURS_OF_DOSSIER),
    "applications:member_edit": (PORTEURS_OF_DOSSIER, PORTEURS_OF_DOSSIER),
    "applications:member_delete": (PORTEURS_OF_DOSSIER, PORTEURS_OF_DOSSIER),
    "applications:attachments": (PORTEURS_OF_DOSSIER, PORTEURS_OF_DOSSIER),
    "applications:attachment_delete": (PORTEURS_OF_DOSSIER, PORTEURS_OF_DOSSIER),
    "applications:attachment_download": (PORTEURS_OF_DOSSIER, NOT_ALLOWED_SIGNED_IN),
    "applications:budget": (PORTEURS_OF_DOSSIER, PORTEURS_OF_DOSSIER),
    "applications:grant": (PORTEURS_OF_DOSSIER, PORTEURS_OF_DOSSIER),
    # Phase 2 from the owner's phase-1 laureate: the partner and staff see that dossier (403).
    "applications:start_phase2": (
        NOT_ALLOWED_SIGNED_IN,
        row(404, anonymous=LOGIN, owner=OK, coeditor=403, partner=403, instructeur=403, administrateur=403),
    ),
    "applications:coeditors": (PORTEURS_OF_DOSSIER, OWNER_ONLY),
    "applications:coeditor_delete": (NOT_ALLOWED_SIGNED_IN, OWNER_ONLY),
    "applications:summary": (PORTEURS_OF_DOSSIER, PORTEURS_OF_DOSSIER),
    "applications:submit": (NOT_ALLOWED_SIGNED_IN, OWNER_ONLY),
    "applications:withdraw": (OWNER_ONLY, OWNER_ONLY),
    # The filed dossier (in instruction): everyone who sees it; only staff and the region's partner run the rules.
    "applications:eligibility_run": (
        NOT_ALLOWED_SIGNED_IN,
        row(
            404, anonymous=LOGIN, owner=403, coeditor=403, reviewer=403, partner=OK, instructeur=OK, administrateur=OK
        ),
    ),
    # The filed dossier's receipt: its porteurs, its assigned reviewer, the region's partner and staff.
    "applications:notice_download": (
        row(404, anonymous=LOGIN, owner=OK, coeditor=OK, reviewer=OK, partner=OK, instructeur=OK, administrateur=OK),
        row(404, anonymous=LOGIN, owner=OK, coeditor=OK, reviewer=OK, partner=OK, instructeur=OK, administrateur=OK),
    ),
    # The thread is between the porteurs and the staff side (staff, the region's partner): reviewers never see it.
    "applications:message_post": (
        NOT_ALLOWED_SIGNED_IN,
        row(404, anonymous=LOGIN, owner=OK, coeditor=OK, partner=OK, instructeur=OK, administrateur=OK),
    ),
    "applications:message_attachment_download": (
        row(404, anonymous=LOGIN, owner=OK, coeditor=OK, partner=OK, instructeur=OK, administrateur=OK),
        NOT_ALLOWED_SIGNED_IN,
    ),
    "applications:request_corrections": (DOSSIER_STAFF, DOSSIER_STAFF),
    # Resubmitting a dossier that is not in correction: its owner is told so (redirect); who sees it gets a 403.
    "applications:resubmit": (
        NOT_ALLOWED_SIGNED_IN,
        row(
            404,
            anonymous=LOGIN,
            owner=OK,
            coeditor=403,
            reviewer=403,
            partner=403,
            instructeur=403,
            administrateur=403,
        ),
    ),
    # Reviews: the instruction
    "reviews:dossier_list": (STAFF_AND_PARTNERS, STAFF_AND_PARTNERS),
    "reviews:dossier_batch": (NOT_ALLOWED_SIGNED_IN, STAFF_AND_PARTNERS),
    "reviews:saved_filter_create": (NOT_ALLOWED_SIGNED_IN, STAFF_AND_PARTNERS),
    # The instructeur's saved filter: nobody else's.
    "reviews:saved_filter_delete": (NOT_ALLOWED_SIGNED_IN, row(404, anonymous=LOGIN, instructeur=OK)),
    "reviews:columns_update": (NOT_ALLOWED_SIGNED_IN, STAFF_AND_PARTNERS),
    "reviews:dossier": (DOSSIER_STAFF, DOSSIER_STAFF),
    "reviews:dossier_zip": (DOSSIER_STAFF, DOSSIER_STAFF),
    "reviews:dossier_action": (DOSSIER_STAFF_WRITE, DOSSIER_STAFF_WRITE),
    "reviews:eligibility_override": (NOT_ALLOWED_SIGNED_IN, DOSSIER_STAFF_WRITE),
    "reviews:annotation_create": (NOT_ALLOWED_SIGNED_IN, DOSSIER_STAFF),
    "reviews:labels_update": (NOT_ALLOWED_SIGNED_IN, DOSSIER_STAFF),
    "reviews:dossier_follow": (NOT_ALLOWED_SIGNED_IN, DOSSIER_STAFF),
    "reviews:export_list": (STAFF_AND_PARTNERS, STAFF_AND_PARTNERS),
    "reviews:export_create": (NOT_ALLOWED_SIGNED_IN, STAFF_AND_PARTNERS),
    # The instructeur's export: only they read and download it.
    "reviews:export_detail": (row(404, anonymous=LOGIN, instructeur=OK), row(404, anonymous=LOGIN, instructeur=OK)),
    "reviews:export_status": (row(404, anonymous=LOGIN, instructeur=OK), row(404, anonymous=LOGIN, instructeur=OK)),
    "reviews:export_download": (
        row(404, anonymous=LOGIN, instructeur=OK),
        row(404, anonymous=LOGIN, instructeur=OK),
    ),
    # Reviewers and assignments
    "reviews:declaration": (REVIEWERS, REVIEWERS),
    # The reviewer's assignment (already confirmed: redirected to the review); nobody else's, not even staff's.
    "reviews:assignment_confirm": (
        row(404, anonymous=LOGIN, reviewer=REDIRECT),
        row(404, anonymous=LOGIN, reviewer=OK),
    ),
    "reviews:assignment_remove": (NOT_ALLOWED_SIGNED_IN, STAFF),
    "reviews:dossier_assignments": (STAFF, STAFF),
    "reviews:dossier_assign": (NOT_ALLOWED_SIGNED_IN, STAFF),
    "reviews:reviewers": (STAFF, STAFF),
    "reviews:reviewer_assignments": (STAFF, STAFF),
    "reviews:assign_batch": (STAFF, STAFF),
    "reviews:assign_auto": (STAFF, STAFF),
    "reviews:queue": (REVIEWERS, REVIEWERS),
    # The review of the reviewer's assignment; the conflicted reviewer never sees it.
    "reviews:review": (row(404, anonymous=LOGIN, reviewer=OK), row(404, anonymous=LOGIN, reviewer=OK)),
    "reviews:regional_opinions": (STAFF_AND_PARTNERS, STAFF_AND_PARTNERS),
    # The regional opinion is the region's partner's to give; staff read it (403 on a write).
    "reviews:regional_opinion": (
        DOSSIER_STAFF,
        row(404, anonymous=LOGIN, partner=OK, instructeur=403, administrateur=403),
    ),
    "reviews:bouquet_requests": (STAFF_AND_PARTNERS, STAFF_AND_PARTNERS),
    "reviews:bouquet_request": (DOSSIER_STAFF, DOSSIER_STAFF_WRITE),
    # The committee: State staff only
    "reviews:committee": (STAFF, STAFF),
    "reviews:committee_phase": (STAFF, STAFF),
    "reviews:committee_session_create": (STAFF, STAFF),
    "reviews:committee_propose": (STAFF, STAFF),
    "reviews:committee_withdraw": (NOT_ALLOWED_SIGNED_IN, STAFF),
    "reviews:committee_session": (STAFF, STAFF),
    "reviews:committee_adopt": (NOT_ALLOWED_SIGNED_IN, STAFF),
    "reviews:committee_minutes": (STAFF, STAFF),
    "reviews:committee_publish": (STAFF, STAFF),
    "reviews:committee_letter_preview": (STAFF, STAFF),
    "reviews:committee_reopen": (STAFF, STAFF),
    # Grants: staff manage them; the region's partner reads them (403 on a write)
    "reviews:grant_list": (STAFF_AND_PARTNERS, STAFF_AND_PARTNERS),
    "reviews:grant": (DOSSIER_STAFF, DOSSIER_STAFF),
    "reviews:grant_action(reference,action)": (NOT_ALLOWED_SIGNED_IN, DOSSIER_STAFF_WRITE),
    "reviews:grant_action(reference,action,pk)": (NOT_ALLOWED_SIGNED_IN, DOSSIER_STAFF_WRITE),
    # Site
    "site:home": (EVERYONE, EVERYONE),
    "site:dashboard": (SIGNED_IN, SIGNED_IN),
    "site:national_dashboard": (STAFF, NOT_ALLOWED_SIGNED_IN),
    "site:national_dashboard_csv": (STAFF, NOT_ALLOWED_SIGNED_IN),
    "site:region_dashboard": (DOSSIER_STAFF, NOT_ALLOWED_SIGNED_IN),
    "site:region_dashboard_csv": (DOSSIER_STAFF, NOT_ALLOWED_SIGNED_IN),
    "site:call": (EVERYONE, NOT_ALLOWED),
    "site:laureates": (EVERYONE, NOT_ALLOWED),
    "site:laureates_csv": (EVERYONE, NOT_ALLOWED),
    "site:laureates_schema": (EVERYONE, NOT_ALLOWED),
    "site:call_figures_csv": (EVERYONE, NOT_ALLOWED),
    "site:laureates_regions_csv": (EVERYONE, NOT_ALLOWED),
    "site:laureate": (EVERYONE, NOT_ALLOWED),
    "site:accessibility": (EVERYONE, EVERYONE),
    "site:legal_notice": (EVERYONE, EVERYONE),
    "site:personal_data": (EVERYONE, EVERYONE),
    "site:cookies": (EVERYONE, EVERYONE),
    "site:accessibility_plan": (EVERYONE, EVERYONE),
    # One's own data (no id in the address: nobody else's can be asked for) and one's own account.
    "site:personal_data_download": (SIGNED_IN, NOT_ALLOWED_SIGNED_IN),
    "site:account_delete": (SIGNED_IN, SIGNED_IN),
    "site:sitemap": (EVERYONE, EVERYONE),
}

# The admin ----------------------------------------------------------------------------------------------------------
NON_STAFF = [role for role in ROLES if role not in ("instructeur", "administrateur")]
# What each staff role may do with each model in the admin, as (instructeur, administrateur): v view (the list, the
# change page read-only, the history), a add, c change, d delete. Read from the ModelAdmins and the rules
# (ptce_ami/accounts/rules.py and each app's rules.py): instructeurs configure the call and reference data, read the
# instruction's records; administrateurs also read the audit log, the referential, django-axes and Celery beat.
# The user changed is the owner (a porteur: an instructeur may change non-staff accounts).
ADMIN_MODELS = {
    "auth_group": ("", "vacd"),
    "dsfr_dsfrconfig": ("", "vacd"),
    "django_celery_beat_periodictask": ("", "vacd"),
    "django_celery_beat_clockedschedule": ("", "vacd"),
    "django_celery_beat_crontabschedule": ("", "vacd"),
    "django_celery_beat_solarschedule": ("", "vacd"),
    "django_celery_beat_intervalschedule": ("", "vacd"),
    # django-axes (no rule: Django's superuser behaviour; its admin shows every field read-only and adds nothing).
    "axes_accessattempt": ("", "vcd"),
    "axes_accesslog": ("", "vcd"),
    "axes_accessfailurelog": ("", "vcd"),
    "core_outboundemail": ("v", "v"),
    "core_sentreminder": ("v", "v"),
    "core_sweeprun": ("v", "v"),
    "core_queuedtask": ("v", "v"),
    "core_auditentry": ("", "v"),
    "core_auditcheckpoint": ("", "v"),  # the log's archived prefixes, read like the log
    # The second factor's devices: an administrateur sees who has one and removes a lost one; never adds, changes
    # or reads a secret (accounts.admin.SecondFactorDeviceAdmin).
    "otp_totp_totpdevice": ("", "vd"),
    "otp_static_staticdevice": ("", "vd"),  # the audit log: administrateurs read it, nobody changes it
    "territories_region": ("", "vc"),
    "territories_departement": ("", "v"),
    "territories_epci": ("", "v"),
    "territories_commune": ("", "v"),
    "territories_referentialversion": ("", "v"),
    "accounts_user": ("vac", "vacd"),
    "accounts_apitoken": ("v", "v"),
    "accounts_apicall": ("v", "v"),
    "applications_edition": ("vac", "vac"),
    # No rule declares deleting the call's configuration (dossiers hang on it): nobody may, superusers included.
    "applications_phase": ("vac", "vac"),
    "applications_sector": ("vac", "vac"),
    "applications_dossier": ("", "v"),
    "applications_notice": ("vc", "vc"),
    "applications_label": ("vacd", "vacd"),
    "applications_message": ("v", "v"),
    "applications_laureaterecord": ("vacd", "vacd"),
    "reviews_grid": ("vacd", "vacd"),
    # Deleting an assignment or a reviewer's declaration: no rule declares it, so nobody may (not even a superuser:
    # the permissions of our apps that no rule declares are refused).
    "reviews_assignment": ("vc", "vc"),
    "reviews_reviewerdeclaration": ("vc", "vc"),
    "reviews_review": ("v", "v"),
    "reviews_regionalopinion": ("v", "v"),
    "reviews_compagnon": ("vacd", "vacd"),
    "reviews_bouquetrequest": ("v", "v"),
    "reviews_committeesession": ("v", "v"),
    "reviews_decision": ("v", "v"),
    "reviews_grant": ("v", "v"),
}

STAFF_ROLES = ("instructeur", "administrateur")
# Non-staff roles get the admin's login page everywhere but on the login and logout pages.
ADMIN_DENIED = row(ADMIN_LOGIN)


def admin_row(instructeur, administrateur):
    return row(ADMIN_LOGIN, instructeur=instructeur, administrateur=administrateur)


def both(outcome):
    return admin_row(outcome, outcome)


# The admin's own pages, by key: (GET, POST).
ADMIN_PAGES = {
    "admin:index": (both(OK), both(OK)),
    # The admin's login page sends to the platform's (password, then second factor); a signed-in non-staff gets 403.
    "admin:login": (
        row(403, anonymous=LOGIN, instructeur=REDIRECT, administrateur=REDIRECT),
        row(403, anonymous=LOGIN, instructeur=REDIRECT, administrateur=REDIRECT),
    ),
    "admin:logout": (row(REDIRECT, instructeur=405, administrateur=405), row(REDIRECT)),
    "admin:password_change": (both(OK), both(OK)),
    "admin:password_change_done": (both(OK), both(405)),
    "admin:autocomplete": (both(403), both(405)),  # without its parameters: refused
    "admin:jsi18n": (both(OK), both(405)),
    "admin:view_on_site": (both(REDIRECT), both(REDIRECT)),
    "admin:app_list": (both(OK), both(OK)),
    "admin:<unnamed> admin/(?P<url>.*)$": (both(404), both(404)),
    # The laureates' history import (django-import-export): whoever may add laureate records.
    "admin:applications_laureaterecord_import": (both(OK), both(OK)),
    "admin:applications_laureaterecord_process_import": (both(405), both(OK)),
    # A user's password, set by whoever may change the (non-staff) account.
    "admin:auth_user_password_change": (both(OK), both(OK)),
}

# The families of a model's pages: which letter of ADMIN_MODELS opens them, on GET and on POST.
FAMILIES = {
    "changelist": ("v", "v"),
    "add": ("a", "a"),
    "change": ("vc", "c"),
    "delete": ("d", "d"),
    "history": ("v", "v"),
}


def admin_expectations(pattern):
    """(GET row, POST row) of an admin pattern, from ADMIN_PAGES or its model's family; None if it has none."""
    if pattern.key in ADMIN_PAGES:
        return ADMIN_PAGES[pattern.key]
    if pattern.name is None and pattern.route.endswith("/<path:object_id>/"):
        return both(REDIRECT), both(REDIRECT)  # the old address of a change page
    for family, (get_letters, post_letters) in FAMILIES.items():
        suffix = f"_{family}"
        if pattern.name and pattern.name.endswith(suffix):
            model = pattern.name[len("admin:") : -len(suffix)]
            if model not in ADMIN_MODELS:
                return None
            rights = dict(zip(STAFF_ROLES, ADMIN_MODELS[model], strict=True))

            def outcome(letters, role, rights=rights):
                return OK if set(letters) & set(rights[role]) else 403

            return tuple(
                admin_row(*(outcome(letters, role) for role in STAFF_ROLES)) for letters in (get_letters, post_letters)
            )
    return None
