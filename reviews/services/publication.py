"""Publishing a committee's decisions, and reopening a published one (issue 11 item 3; DESIGN §5, PEERS §C).

``outbox(session)`` lists what publication will send: for each decision, its letter (laureate or not retained, with
the motivation) and one e-mail per porteur naming the reference, the letter attached. ``publish(session, by=…)``
does it in one transaction: each decision gets ``published_at``/``published_by``; the workflow moves the dossier
(``select_laureate`` / ``not_retain``, the motivation as comment, the publisher as author: the transition log shows
who published and when, the decision who proposed it and when); the letter is issued and marked published (the
porteurs can download it once its PDF is made); ``decision_published`` is sent for each decision (grants listen);
the e-mails are queued (``reviews.send_decision_letter``: the PDF first, then one e-mail per porteur, once each).
A session already published publishes nothing: publishing twice sends nothing twice.

``reopen(decision, …)`` revokes a published decision with a motivation, puts the dossier back in instruction
(workflow ``reopen``) and tells the porteurs by e-mail.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.enums import DossierState, NoticeKind
from applications.models import Dossier, Notice
from applications.services import letters, notices
from applications.services import notifications as applications_notifications
from applications.services.workflow import transition
from applications.workflow import InvalidTransition
from ptce_ami.core import audit
from ptce_ami.core.emails import absolute_url, recipient_language, recipient_languages
from ptce_ami.core.queue import enqueue
from reviews.enums import DecisionOutcome, SessionStatus
from reviews.models import CommitteeSession, Decision
from reviews.services.committee import ProposalRefused
from reviews.services.notifications import send_decision_reopened
from reviews.signals import decision_published

logger = logging.getLogger(__name__)

ACTIONS = {DecisionOutcome.LAUREATE: "select_laureate", DecisionOutcome.NOT_RETAINED: "not_retain"}
STATES = {DecisionOutcome.LAUREATE: DossierState.LAUREATE, DecisionOutcome.NOT_RETAINED: DossierState.NOT_RETAINED}
LETTER_KINDS = {
    DecisionOutcome.LAUREATE: NoticeKind.LAUREATE_LETTER,
    DecisionOutcome.NOT_RETAINED: NoticeKind.NOT_RETAINED_LETTER,
}
NOTICE_EMAIL = applications_notifications.NOTICE_EMAIL


# The outbox ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxEmail:
    recipient: str
    subject: str
    body: str


@dataclass(frozen=True)
class OutboxItem:
    decision: Decision
    letter: str  # the letter's kind, as the porteurs will read it
    emails: list


def publishable_decisions(session):
    return (
        session.decisions.provisional()
        .select_related("dossier__phase__edition", "dossier__region", "dossier__owner", "decided_by")
        .prefetch_related("dossier__invitations")
        .order_by("outcome", "dossier__reference")
    )


def email_preview(decision, recipient, language=None):
    dossier = decision.dossier
    context = {
        "dossier": dossier,
        "dossier_url": absolute_url(dossier.get_absolute_url()),
        "document": LETTER_KINDS[decision.outcome].label,
        "recipient": recipient,
    }
    with translation.override(language or recipient_language(recipient)):  # as queue_email will write it
        subject = " ".join(render_to_string(f"{NOTICE_EMAIL}_subject.txt", context).split())
        body = render_to_string(f"{NOTICE_EMAIL}_body.txt", context).strip()
    return OutboxEmail(recipient, subject, body)


def outbox(session):
    """What publishing ``session`` sends: per provisional decision, its letter and one e-mail per porteur."""
    decisions = list(publishable_decisions(session))
    recipients = {
        decision.pk: applications_notifications.porteur_recipients(decision.dossier) for decision in decisions
    }
    # Each e-mail in its recipient's language, all of them looked up at once (not a query per recipient).
    languages = recipient_languages([address for addresses in recipients.values() for address in addresses])
    return [
        OutboxItem(
            decision=decision,
            letter=str(LETTER_KINDS[decision.outcome].label),
            emails=[email_preview(decision, address, languages[address]) for address in recipients[decision.pk]],
        )
        for decision in decisions
    ]


def letter_preview(decision):
    """The decision letter as the porteur will receive it (HTML), dated today, before anything is published."""
    return letters.render_decision_html(
        decision.dossier,
        outcome=STATES[decision.outcome],
        motivation=decision.motivation,
        decided_at=timezone.now(),
        amount=decision.amount if decision.outcome == DecisionOutcome.LAUREATE else None,
    )


# Publishing ------------------------------------------------------------------------------------------------------


@transaction.atomic
def publish(session, *, by, at=None):
    """Publish the adopted list of ``session``; returns the decisions published (none if it was already published).

    ``at`` is the moment of publication (now by default; the demo's past committees give theirs): the letters are
    dated by it. ProposalRefused for a session whose list is not adopted.
    """
    session = CommitteeSession.objects.select_for_update().get(pk=session.pk)
    if session.status == SessionStatus.PUBLISHED:
        return []
    if session.status != SessionStatus.ADOPTED:
        raise ProposalRefused(_("Le comité doit d'abord adopter sa liste : rien n'est publié."))
    now = at or timezone.now()
    published = [publish_decision(decision, by=by, at=now) for decision in publishable_decisions(session)]
    session.status, session.published_at, session.published_by = SessionStatus.PUBLISHED, now, by
    session.save(update_fields=["status", "published_at", "published_by"])
    audit.record(
        audit.AuditAction.DECISION_PUBLICATION, actor=by, obj=session, details={"decisions": [d.pk for d in published]}
    )
    logger.info("Committee session %s published by %s (%d decisions)", session.pk, by, len(published))
    return published


def publish_decision(decision, *, by, at):
    dossier = decision.dossier
    try:
        transition(dossier, ACTIONS[decision.outcome], by=by, comment=decision.motivation, at=at)
    except InvalidTransition:
        # The whole publication rolls back: a list is published as adopted, or not at all.
        raise ProposalRefused(
            _(
                "Le dossier %(reference)s n'est plus recevable (état : %(state)s) : rien n'est publié. Retirez sa "
                "décision de la liste adoptée, puis publiez."
            )
            % {"reference": dossier.reference, "state": dossier.get_state_display()}
        ) from None
    decision.published_at, decision.published_by = at, by
    decision.save(update_fields=["published_at", "published_by"])
    notice = letters.issue_decision_letter(dossier, by=by, amount=decision.amount)
    Notice.objects.filter(pk=notice.pk).update(published_at=at, issued_by=by)
    enqueue("reviews.send_decision_letter", notice_id=notice.pk, by_id=by.pk)
    decision_published.send(sender=Decision, decision=decision, by=by)
    return decision


def send_decision_letter(notice, by):
    """Make the letter's PDF if it is not made yet, then e-mail it to each porteur, once each (task)."""
    notices.produce(notice)
    return applications_notifications.send_notice_email(notice, by)


# Reopening -------------------------------------------------------------------------------------------------------


@transaction.atomic
def reopen(decision, *, motivation, by):
    """Revoke a published decision and put its dossier back in instruction; the porteurs are told by e-mail.

    ProposalRefused without a motivation or for a decision not published (or already reopened).
    """
    motivation = (motivation or "").strip()
    if not motivation:
        raise ProposalRefused(_("La réouverture doit être motivée."), field="motivation")
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.published_at is None or decision.revoked_at is not None:
        raise ProposalRefused(_("Seule une décision publiée, et pas encore rouverte, peut être rouverte."))
    dossier = Dossier.objects.select_related("phase__edition", "owner").get(pk=decision.dossier_id)
    transition(dossier, "reopen", by=by, comment=motivation)
    decision.revoked_at, decision.revoked_by, decision.revoke_motivation = timezone.now(), by, motivation
    decision.save(update_fields=["revoked_at", "revoked_by", "revoke_motivation"])
    send_decision_reopened(decision, dossier)
    logger.info("Decision %s on %s reopened by %s", decision.pk, dossier.reference, by)
    return decision
