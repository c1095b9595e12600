from django.urls import include, path

from applications.views import attachments, budget, corrections, messages, phase2, porteur, steps
from applications.views.corrections import correction_section

app_name = "applications"

dossier_patterns = [
    path("", porteur.dossier_detail, name="dossier"),
    path("etapes/<slug:step>/", steps.step_edit, name="step"),
    path("membres/", steps.members, name="members"),
    path("membres/ajouter/", steps.member_create, name="member_create"),
    path("membres/<int:member_id>/", steps.member_edit, name="member_edit"),
    path("membres/<int:member_id>/retirer/", steps.member_delete, name="member_delete"),
    # During corrections, the attachments step is editable only when the request names it.
    path("pieces/", correction_section("pieces")(attachments.attachments), name="attachments"),
    path(
        "pieces/<int:attachment_id>/retirer/",
        correction_section("pieces")(attachments.attachment_delete),
        name="attachment_delete",
    ),
    path("pieces/<int:attachment_id>/telecharger/", attachments.attachment_download, name="attachment_download"),
    path("budget/", budget.budget_step, name="budget"),
    path("aide/", budget.grant_step, name="grant"),
    path("phase-2/", phase2.start, name="start_phase2"),
    path("co-editeurs/", steps.coeditors, name="coeditors"),
    path("co-editeurs/<int:invitation_id>/retirer/", steps.coeditor_delete, name="coeditor_delete"),
    path("recapitulatif/", porteur.summary, name="summary"),
    path("deposer/", porteur.submit, name="submit"),
    path("retirer/", porteur.withdraw, name="withdraw"),
    path("eligibilite/", porteur.eligibility_run, name="eligibility_run"),
    path("avis/<int:notice_id>/telecharger/", porteur.notice_download, name="notice_download"),
    path("messages/envoyer/", messages.message_post, name="message_post"),
    path(
        "messages/pieces/<int:attachment_id>/telecharger/",
        messages.message_attachment_download,
        name="message_attachment_download",
    ),
    path("corrections/demander/", corrections.request_corrections_view, name="request_corrections"),
    path("deposer-a-nouveau/", corrections.resubmit, name="resubmit"),
]

urlpatterns = [
    path("", porteur.dossier_list, name="dossier_list"),
    path("nouveau/<int:phase_id>/", porteur.dossier_create, name="dossier_create"),
    path("laureat-phase-1/", phase2.claim_request, name="claim_request"),
    path("laureat-phase-1/<str:token>/", phase2.claim_confirm, name="claim_confirm"),
    path("<str:reference>/", include(dossier_patterns)),
]
