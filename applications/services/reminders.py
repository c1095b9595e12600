"""The porteurs' deadline reminders (DESIGN §8): drafts at D-14, D-7 and D-1 before their phase closes, pending
correction requests at D-3 and D-1 before they are due. The engine is ptce_ami.core.reminders; these sources are
registered when the app is ready (applications/apps.py)."""

import datetime

from django.db.models import Prefetch
from django.urls import reverse

from applications.enums import DossierState
from applications.models import CorrectionRequest, Dossier, DossierInvitation
from applications.services.completeness import missing_items
from applications.services.notifications import porteur_recipients
from applications.services.steps import STEPS_BY_SLUG
from ptce_ami.core.emails import absolute_url
from ptce_ami.core.reminders import ReminderSource, Window, register


def invitations_in_order(lookup="invitations"):
    return Prefetch(lookup, queryset=DossierInvitation.objects.order_by("created_at", "pk"))


def porteur_context(dossier, due):
    return {
        "dossier": dossier,
        "owner_name": dossier.owner.display_name,
        "owner_email": dossier.owner.email,
        **due.context(),
    }


def open_drafts(now):
    """Drafts of a published phase already open (the windows keep those whose deadline is ahead)."""
    return (
        Dossier.objects.drafts()
        .filter(phase__edition__published=True, phase__opens_at__lte=now)
        .select_related("owner", "phase__edition")
        .prefetch_related(invitations_in_order())
    )


def draft_context(dossier, due):
    """What the draft still lacks (from the completeness check), the deadline and the summary page."""
    members, attachments = dossier.loaded_parts()
    missing = [
        {"step": STEPS_BY_SLUG[item.step].title, "message": item.message}
        for item in missing_items(dossier, members, attachments)
    ]
    summary = reverse("applications:summary", kwargs={"reference": dossier.reference})
    return {**porteur_context(dossier, due), "missing": missing, "summary_url": absolute_url(summary)}


def pending_corrections(now):
    return (
        CorrectionRequest.objects.pending()
        .filter(dossier__state=DossierState.CORRECTIONS_REQUESTED)
        .select_related("dossier__owner", "dossier__phase__edition")
        .prefetch_related(invitations_in_order("dossier__invitations"))
    )


def correction_context(correction, due):
    dossier = correction.dossier
    sections = [str(STEPS_BY_SLUG[slug].title) for slug in correction.sections if slug in STEPS_BY_SLUG]
    return {
        **porteur_context(dossier, due),
        "correction": correction,
        "sections": ", ".join(sections),
        "dossier_url": absolute_url(dossier.get_absolute_url()),
    }


DRAFTS = register(
    ReminderSource(
        name="applications.remind_drafts",
        queryset=open_drafts,
        deadline_field="phase__closes_at",
        windows=(
            Window("draft_d14", datetime.timedelta(days=14)),
            Window("draft_d7", datetime.timedelta(days=7)),
            Window("draft_d1", datetime.timedelta(days=1)),
        ),
        recipients=porteur_recipients,
        template="applications/email/reminder_draft",
        context=draft_context,
    )
)

CORRECTIONS = register(
    ReminderSource(
        name="applications.remind_corrections",
        queryset=pending_corrections,
        deadline_field="due_at",
        windows=(
            Window("correction_d3", datetime.timedelta(days=3)),
            Window("correction_d1", datetime.timedelta(days=1)),
        ),
        recipients=lambda correction: porteur_recipients(correction.dossier),
        template="applications/email/reminder_corrections",
        context=correction_context,
    )
)
