from django.db import transaction
from django.utils import timezone

from applications import workflow
from applications.enums import DossierState
from applications.models import Dossier, DossierTransition
from applications.signals import dossier_transitioned
from ptce_ami.core import audit

# Transitions that decide on a dossier, recorded in the audit log (issue 13): the admissibility and the reopening.
# The committee's decisions are recorded by reviews.services.committee and publication.
AUDITED = {
    "declare_eligible": audit.AuditAction.ADMISSIBILITY,
    "declare_ineligible": audit.AuditAction.ADMISSIBILITY,
    "reopen": audit.AuditAction.REOPENING,
}


@transaction.atomic
def transition(dossier, action, *, by, comment="", at=None):
    """Move ``dossier`` through ``action``: the only writer of ``Dossier.state`` (DESIGN §5).

    Re-reads the row under a lock, checks the transitions table (InvalidTransition otherwise, e.g. when someone else
    was faster), requires a motivation where the table says so, saves, writes the DossierTransition row (and an audit
    log row for the decisive ones, AUDITED) and sends ``dossier_transitioned`` inside the transaction, so that
    listeners queue their notifications with ``transaction.on_commit``. Updates ``dossier`` in place.
    """
    at = at or timezone.now()
    locked = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
    from_state = locked.state
    to_state = workflow.target_state(action, from_state)
    if action in workflow.MOTIVATION_REQUIRED and not comment.strip():
        raise workflow.MotivationRequired(action)
    locked.state = to_state
    update_fields = ["state", "updated_at"]
    if to_state == DossierState.SUBMITTED and locked.submitted_at is None:
        locked.submitted_at = at
        update_fields.append("submitted_at")
    locked.save(update_fields=update_fields)
    DossierTransition.objects.create(
        dossier=locked, action=action, from_state=from_state, to_state=to_state, by=by, at=at, comment=comment
    )
    if action in AUDITED:
        audit.record(
            AUDITED[action], actor=by, obj=locked, details={"action": action, "from": from_state, "to": to_state}
        )
    dossier.state, dossier.submitted_at = locked.state, locked.submitted_at
    dossier_transitioned.send(
        sender=Dossier, dossier=locked, action=action, from_state=from_state, to_state=to_state, by=by
    )
    return locked
