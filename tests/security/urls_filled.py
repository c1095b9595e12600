"""Where each URL pattern points in the world of tests/security/world.py: its arguments, by table key.

A pattern without arguments needs no line here. Admin patterns are filled by ``admin_kwargs``.
"""

from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from applications.services.phase2 import claim_token
from ptce_ami.accounts.tokens import make_email_token


def ref(dossier):
    return {"reference": dossier.reference}


KWARGS = {
    "accounts:confirm_email": lambda w: {"token": make_email_token(w.users["owner"])},
    "accounts:password_reset_confirm": lambda w: {
        "uidb64": urlsafe_base64_encode(force_bytes(w.users["owner"].pk)),
        "token": default_token_generator.make_token(w.users["owner"]),
    },
    "accounts:revoke_api_token": lambda w: {"token_id": w.tokens["instructeur"].pk},
    "api:dossier": lambda w: ref(w.laureate),
    "api:members": lambda w: ref(w.laureate),
    "bouquet:services": lambda w: ref(w.emergent),
    "grants:report": lambda w: {**ref(w.laureate), "kind": w.report.kind},
    "applications:dossier_create": lambda w: {"phase_id": w.phase1.pk},
    "applications:claim_confirm": lambda w: {"token": claim_token(w.claim_record, w.users["owner"])},
    "applications:dossier": lambda w: ref(w.draft),
    "applications:step": lambda w: {**ref(w.draft), "step": "pole"},
    "applications:members": lambda w: ref(w.draft),
    "applications:member_create": lambda w: ref(w.draft),
    "applications:member_edit": lambda w: {**ref(w.draft), "member_id": w.member.pk},
    "applications:member_delete": lambda w: {**ref(w.draft), "member_id": w.member.pk},
    "applications:attachments": lambda w: ref(w.draft),
    "applications:attachment_delete": lambda w: {**ref(w.draft), "attachment_id": w.attachment.pk},
    "applications:attachment_download": lambda w: {**ref(w.draft), "attachment_id": w.attachment.pk},
    "applications:budget": lambda w: ref(w.draft2),
    "applications:grant": lambda w: ref(w.draft2),
    "applications:start_phase2": lambda w: ref(w.emergent),
    "applications:coeditors": lambda w: ref(w.draft),
    "applications:coeditor_delete": lambda w: {**ref(w.draft), "invitation_id": w.invitation.pk},
    "applications:summary": lambda w: ref(w.draft),
    "applications:submit": lambda w: ref(w.draft),
    "applications:withdraw": lambda w: ref(w.draft),
    "applications:eligibility_run": lambda w: ref(w.filed),
    "applications:notice_download": lambda w: {**ref(w.filed), "notice_id": w.notice.pk},
    "applications:message_post": lambda w: ref(w.filed),
    "applications:message_attachment_download": lambda w: {
        **ref(w.filed),
        "attachment_id": w.message_attachment.pk,
    },
    "applications:request_corrections": lambda w: ref(w.filed),
    "applications:resubmit": lambda w: ref(w.filed),
    "reviews:saved_filter_delete": lambda w: {"pk": w.saved_filter.pk},
    "reviews:dossier": lambda w: ref(w.filed),
    "reviews:dossier_zip": lambda w: ref(w.filed),
    "reviews:dossier_action": lambda w: {**ref(w.filed), "action": "declare_eligible"},
    "reviews:eligibility_override": lambda w: {**ref(w.filed), "result_id": w.result.pk},
    "reviews:annotation_create": lambda w: ref(w.filed),
    "reviews:labels_update": lambda w: ref(w.filed),
    "reviews:dossier_follow": lambda w: ref(w.filed),
    "reviews:export_detail": lambda w: {"pk": w.export.pk},
    "reviews:export_status": lambda w: {"pk": w.export.pk},
    "reviews:export_download": lambda w: {"pk": w.export.pk},
    "reviews:assignment_confirm": lambda w: {"assignment_id": w.assignment.pk},
    "reviews:assignment_remove": lambda w: {"assignment_id": w.assignment.pk},
    "reviews:dossier_assignments": lambda w: ref(w.filed),
    "reviews:dossier_assign": lambda w: ref(w.filed),
    "reviews:reviewer_assignments": lambda w: {"user_id": w.users["reviewer"].pk},
    "reviews:review": lambda w: {"assignment_id": w.assignment.pk},
    "reviews:regional_opinion": lambda w: ref(w.eligible),
    "reviews:bouquet_request": lambda w: {"pk": w.bouquet_request.pk},
    "reviews:committee_phase": lambda w: {"phase_id": w.phase2.pk},
    "reviews:committee_session_create": lambda w: {"phase_id": w.phase2.pk},
    "reviews:committee_propose": lambda w: ref(w.eligible),
    "reviews:committee_withdraw": lambda w: {"pk": w.proposal.pk},
    "reviews:committee_session": lambda w: {"pk": w.session.pk},
    "reviews:committee_adopt": lambda w: {"pk": w.session.pk},
    "reviews:committee_minutes": lambda w: {"pk": w.session.pk},
    "reviews:committee_publish": lambda w: {"pk": w.session.pk},
    "reviews:committee_letter_preview": lambda w: {"pk": w.session1.pk, "decision_id": w.pending_decision.pk},
    "reviews:committee_reopen": lambda w: {"pk": w.laureate_decision.pk},
    "reviews:grant": lambda w: ref(w.laureate),
    "reviews:grant_action(reference,action)": lambda w: {**ref(w.laureate), "action": "agreement"},
    "reviews:grant_action(reference,action,pk)": lambda w: {
        **ref(w.laureate),
        "action": "payment",
        "pk": w.payment.pk,
    },
    "site:national_dashboard_csv": lambda w: {"figure": w.figure},
    "site:region_dashboard": lambda w: {"code": w.region.code},
    "site:region_dashboard_csv": lambda w: {"code": w.region.code, "figure": w.region_figure},
    "site:laureate": lambda w: ref(w.laureate),
}


def admin_object(model, w):
    """The pk of an object of ``model`` for the admin's change, delete and history pages (None: none exists); for
    users, the owner (a porteur)."""
    if model is type(w.users["owner"]):
        return w.users["owner"].pk
    obj = model._default_manager.order_by("pk").first()
    return obj.pk if obj is not None else None


def admin_kwargs(pattern, w):
    """The arguments of an admin pattern: the model's first object, an app label, a content type…"""
    values = {}
    if "app_label" in pattern.kwargs:
        values["app_label"] = "applications"
    if "url" in pattern.kwargs:
        values["url"] = "inexistant/"
    if "content_type_id" in pattern.kwargs:
        values["content_type_id"] = ContentType.objects.get_for_model(w.draft).pk
        values["object_id"] = w.draft.pk
        return values
    for name in ("object_id", "id"):
        if name in pattern.kwargs:
            app_label, model_name = pattern.route.split("/")[1:3]
            values[name] = admin_object(apps.get_model(app_label, model_name), w)
    return values
