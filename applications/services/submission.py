"""Submitting, resubmitting after corrections and withdrawing a dossier (DESIGN §5): the guards, the frozen
version, the receipt."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import CorrectionRequest, DossierVersion, EligibilityTrigger
from applications.services import eligibility, notices, snapshots
from applications.services.completeness import missing_items
from applications.services.dossiers import lock
from applications.services.workflow import transition
from ptce_ami.core.dates import format_deadline
from ptce_ami.core.queue import enqueue


class SubmissionRefused(Exception):
    def __init__(self, message, missing=()):
        super().__init__(message)
        self.message = message
        self.missing = list(missing)


def check_submittable(dossier, members, attachments, now):
    if now < dossier.phase.opens_at:
        raise SubmissionRefused(_("La phase n'est pas encore ouverte : le dossier ne peut pas être déposé."))
    if dossier.phase.has_closed(now):
        raise SubmissionRefused(
            _(
                "La date limite de dépôt est passée (%(deadline)s) : le dossier ne peut plus être déposé. "
                "Votre brouillon reste enregistré."
            )
            % {"deadline": format_deadline(dossier.phase.closes_at)}
        )
    missing = missing_items(dossier, members, attachments)
    if missing:
        raise SubmissionRefused(_("Le dossier est incomplet : complétez les éléments signalés."), missing)


@transaction.atomic
def submit_dossier(dossier, *, by, now=None):
    """Submit a draft: phase open to the second, dossier complete; freezes a version and queues the receipt.

    Returns the DossierVersion. Raises SubmissionRefused (with the missing items) or InvalidTransition.
    """
    now = now or timezone.now()
    locked = lock(dossier)
    members, attachments = locked.loaded_parts()
    check_submittable(locked, members, attachments, now)
    transition(locked, "submit", by=by, at=now)
    version = freeze(locked, members, attachments, by=by, at=now)
    dossier.state, dossier.submitted_at = locked.state, locked.submitted_at
    notices.receipt_notice(version)  # PENDING until the task renders it; the sweep queues it if the broker is down
    enqueue("applications.issue_receipt", version_id=version.pk)
    eligibility.request_run(locked, trigger=EligibilityTrigger.SUBMISSION, by=by, version=version)
    return version


@transaction.atomic
def resubmit_dossier(dossier, *, by, now=None):
    """Submit a dossier again after corrections: complete, it freezes a NEW version (the earlier ones stay as
    they were), resolves the pending correction request, queues the new version's receipt and re-runs the
    eligibility rules. Returns the DossierVersion. Raises SubmissionRefused (missing items) or InvalidTransition.

    Neither the phase's deadline nor the request's due date refuse it (the candidacy was filed in time; a public
    service takes late corrections): a late one says so in the transition's motivation, for staff.
    """
    now = now or timezone.now()
    locked = lock(dossier)
    members, attachments = locked.loaded_parts()
    missing = missing_items(locked, members, attachments)
    if missing:
        raise SubmissionRefused(_("Le dossier est incomplet : complétez les éléments signalés."), missing)
    pending = CorrectionRequest.objects.pending().filter(dossier=locked)
    late = pending.filter(due_at__lt=now).order_by("due_at").first()
    comment = ""
    if late is not None:
        comment = _("Corrections déposées après l'échéance demandée (%(deadline)s).") % {
            "deadline": format_deadline(late.due_at)
        }
    transition(locked, "resubmit", by=by, at=now, comment=comment)
    pending.update(resolved_at=now)
    version = freeze(locked, members, attachments, by=by, at=now)
    dossier.state = locked.state
    notices.receipt_notice(version)
    enqueue("applications.issue_receipt", version_id=version.pk)
    eligibility.request_run(locked, trigger=EligibilityTrigger.SUBMISSION, by=by, version=version)
    return version


def freeze(dossier, members, attachments, *, by, at):
    number = dossier.versions.count() + 1
    data = snapshots.serialize(dossier, members, attachments, at)
    return DossierVersion.objects.create(dossier=dossier, number=number, submitted_at=at, submitted_by=by, data=data)


def withdraw_dossier(dossier, *, by, comment=""):
    return transition(dossier, "withdraw", by=by, comment=comment)
