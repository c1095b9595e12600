"""Correction requests (DESIGN §5, request_corrections → resubmit; DS "dossier à corriger").

Staff (instructeurs, regional partners of the dossier's region) ask the porteur to fix named sections (the
steps of the guided form, applications.services.steps) before a due date. The dossier goes to
``corrections_requested``; its porteurs may edit those sections only, then the owner submits it again
(``submission.resubmit_dossier``), which resolves the request and freezes a new version. A resubmission after the
due date is accepted, as a public service would, and shown as late to staff.
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from applications.enums import DossierState
from applications.models import CorrectionRequest
from applications.services import notifications
from applications.services.messages import post_message
from applications.services.steps import slugs_for, steps_for
from applications.services.workflow import transition
from ptce_ami.core.emails import absolute_url

THREAD_MESSAGE = "applications/messages/correction_message.txt"


class InvalidCorrectionRequest(ValueError):
    """No reason, no section, an unknown section or a due date already past (the form says it in French)."""


def check_request(reason, sections, due_at, now, slugs):
    if not reason.strip():
        raise InvalidCorrectionRequest("a reason is required")
    if not sections or any(section not in slugs for section in sections):
        raise InvalidCorrectionRequest("at least one known section is required")
    if due_at <= now:
        raise InvalidCorrectionRequest("the due date must be ahead")


@transaction.atomic
def request_corrections(dossier, *, by, reason, sections, due_at, now=None):
    """Ask the porteurs to correct ``sections`` of ``dossier`` before ``due_at``; returns the CorrectionRequest.

    Moves the dossier through "request_corrections" (the reason is the transition's motivation; InvalidTransition
    when it is no longer submitted or in review), records the request, writes it in the thread and e-mails the
    owner and the co-editors after commit.
    """
    now = now or timezone.now()
    slugs = slugs_for(dossier.phase.kind)
    check_request(reason, sections, due_at, now, slugs)
    sections = [slug for slug in slugs if slug in set(sections)]  # the form's order
    transition(dossier, "request_corrections", by=by, comment=reason, at=now)
    correction = CorrectionRequest.objects.create(
        dossier=dossier, requested_by=by, reason=reason, sections=sections, due_at=due_at, created_at=now
    )
    context = correction_email_context(correction)
    with translation.override(settings.LANGUAGE_CODE):
        post_message(dossier, author=by, body=render_to_string(THREAD_MESSAGE, context).strip(), notify=False)
        notifications.send_correction_request(correction, context)
    return correction


def correction_email_context(correction):
    dossier = correction.dossier
    return {
        "dossier": dossier,
        "correction": correction,
        "section_titles": [str(step.title) for step in section_steps(correction)],
        "dossier_url": absolute_url(dossier.get_absolute_url()),
        "owner_name": dossier.owner.display_name,
        "owner_email": dossier.owner.email,
    }


def pending_correction(dossier):
    """The correction request the porteurs are working on, or None (no query unless the dossier awaits one)."""
    if dossier.state != DossierState.CORRECTIONS_REQUESTED:
        return None
    return dossier.correction_requests.pending().select_related("requested_by").first()


def section_steps(correction):
    """The steps named by the request, in the form's order."""
    return [step for step in steps_for(correction.dossier.phase.kind) if step.slug in correction.sections]


def section_is_open(dossier, slug, correction):
    """Whether the porteurs may edit step ``slug``: any step of a draft; the named ones during corrections."""
    if dossier.state == DossierState.DRAFT:
        return True
    if dossier.state == DossierState.CORRECTIONS_REQUESTED:
        return correction is not None and slug in correction.sections
    return False


def is_late(correction, now=None):
    """Resolved after its due date, or still pending past it."""
    moment = correction.resolved_at or now or timezone.now()
    return moment > correction.due_at
