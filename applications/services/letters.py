"""Decision letters (laureate, not retained) and the phase-2 grant notification (DESIGN §8, décret 2015-431 art. 5).

Issuing a letter renders its HTML at once, from the dossier and the decision's transition, and keeps it beside a new
PENDING notice (``notices.store_source``); the task ``applications.render_notice`` makes the PDF after commit.
Each issue is a new notice with the next number: a letter already produced, perhaps sent, is never overwritten.
Letters are not e-mailed here: decisions are published later (``notices.send_notice_email``).
"""

import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.enums import DossierState, MemberRole, NoticeKind, PhaseKind
from applications.models import Dossier
from applications.services import notices
from ptce_ami.core.money import euros
from ptce_ami.core.pdf import render_notice_html
from ptce_ami.core.queue import enqueue
from ptce_ami.core.siret import format_siret

logger = logging.getLogger(__name__)

DECISION_TEMPLATES = {
    DossierState.LAUREATE: "applications/pdf/decision_laureate.html",
    DossierState.NOT_RETAINED: "applications/pdf/decision_not_retained.html",
}
DECISION_KINDS = {
    DossierState.LAUREATE: NoticeKind.LAUREATE_LETTER,
    DossierState.NOT_RETAINED: NoticeKind.NOT_RETAINED_LETTER,
}
GRANT_TEMPLATE = "applications/pdf/grant_notification.html"
# How a phase is named in a sentence: "au titre de la phase 1 « PTCE émergents »".
PHASE_NAMES = {
    PhaseKind.PHASE1: gettext_lazy("phase 1 « PTCE émergents »"),
    PhaseKind.PHASE2: gettext_lazy("phase 2 « financement »"),
}
# French typography: digits grouped by three and the currency sign, each after a narrow no-break space.


class LetterRefused(Exception):
    """The letter cannot be issued for this dossier (not decided, no motivation, amount out of bounds)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# Content ----------------------------------------------------------------------------------------------------------


def addressee(dossier):
    """The addressee block: the lead structure (as filed) and the dossier's contact."""
    lead = dossier.members.filter(role=MemberRole.LEAD).select_related("commune").first()
    return {
        "structure": lead.name if lead else dossier.display_name,
        "siret": format_siret(lead.siret) if lead and lead.siret else "",
        "commune": str(lead.commune) if lead and lead.commune else "",
        "contact_name": dossier.contact_name or dossier.representative_name,
        "contact_email": dossier.contact_email,
    }


def letter_context(dossier, *, decided_at):
    phase = dossier.phase
    return {
        "dossier": dossier,
        "reference": dossier.reference,
        "pole_name": dossier.display_name,
        "edition": phase.edition.name,
        "phase": phase,
        "phase_name": PHASE_NAMES[phase.kind],
        "is_phase1": phase.kind == PhaseKind.PHASE1,
        "region": dossier.region.name if dossier.region_id else "",
        "addressee": addressee(dossier),
        "decided_at": timezone.localtime(decided_at),
        "issued_on": timezone.localdate(),
        "contact_email": settings.CONTACT_EMAIL,
    }


def render_decision_html(dossier, *, outcome, motivation, decided_at, amount=None):
    """The decision letter of ``outcome`` (DossierState.LAUREATE or NOT_RETAINED) as HTML, in the owner's language.

    ``motivation`` is the committee's text; ``amount`` (euros), when given, is announced in a phase-2 laureate
    letter. Dated today; ``decided_at`` is the decision's moment.
    """
    with translation.override(notices.notice_language(dossier)):  # the context formats dates and amounts too
        context = {
            **letter_context(dossier, decided_at=decided_at),
            "outcome": outcome,
            "motivation": motivation.strip(),
            "amount": euros(amount) if amount is not None else "",
        }
        return render_notice_html(DECISION_TEMPLATES[outcome], context)


def render_grant_html(dossier, *, amount, decided_at):
    """The phase-2 grant notification as HTML: amount, two years, staggered payments and follow-up obligations."""
    with translation.override(notices.notice_language(dossier)):
        context = {**letter_context(dossier, decided_at=decided_at), "amount": euros(amount)}
        return render_notice_html(GRANT_TEMPLATE, context)


def decision_transition(dossier):
    """The transition that put the dossier in its current (decided) state: the latest one into that state."""
    return dossier.transitions.filter(to_state=dossier.state).order_by("-at", "-pk").first()


# Issuing ----------------------------------------------------------------------------------------------------------


def locked_dossier(dossier):
    dossiers = Dossier.objects.select_for_update(of=("self",)).select_related("phase__edition", "region")
    return dossiers.get(pk=dossier.pk)


def issue(dossier, kind, html):
    """A new PENDING notice of ``kind`` keeping ``html``; its PDF is made by the task after commit."""
    notice = notices.create_notice(dossier.pk, kind)
    notice.dossier = dossier
    notices.store_source(notice, html)
    enqueue("applications.render_notice", notice_id=notice.pk)
    return notice


@transaction.atomic
def issue_decision_letter(dossier, *, by, amount=None):
    """Issue the decision letter of a laureate or not-retained dossier: a new notice each time (number + 1).

    The motivation is the comment of the latest transition into the dossier's state; ``amount`` (euros), when
    given, is announced in a phase-2 laureate's letter. LetterRefused if the dossier is not decided, or not
    retained without a motivation.
    """
    dossier = locked_dossier(dossier)
    if dossier.state not in DossierState.decided():
        raise LetterRefused(
            _("Le dossier %(reference)s n'est ni lauréat ni non retenu : pas de lettre de décision.")
            % {"reference": dossier.reference}
        )
    decision = decision_transition(dossier)
    motivation = decision.comment if decision else ""
    if dossier.state == DossierState.NOT_RETAINED and not motivation.strip():
        raise LetterRefused(
            _(
                "La décision sur le dossier %(reference)s n'est pas motivée : la lettre de refus doit en donner "
                "les motifs."
            )
            % {"reference": dossier.reference}
        )
    decided_at = decision.at if decision else timezone.now()
    if dossier.state != DossierState.LAUREATE:
        amount = None
    html = render_decision_html(
        dossier, outcome=dossier.state, motivation=motivation, decided_at=decided_at, amount=amount
    )
    notice = issue(dossier, DECISION_KINDS[dossier.state], html)
    logger.info("Decision letter n° %s of %s issued by %s", notice.number, dossier.reference, by)
    return notice


def checked_amount(dossier, amount):
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise LetterRefused(_("Le montant de l'aide doit être un nombre d'euros.")) from None
    ceiling = dossier.phase.max_grant
    if amount <= 0 or (ceiling is not None and amount > ceiling):
        raise LetterRefused(
            _("Le montant de l'aide doit être positif et ne pas dépasser le plafond de la phase (%(ceiling)s).")
            % {"ceiling": euros(ceiling) if ceiling is not None else "—"}
        )
    return amount


@transaction.atomic
def issue_grant_notification(dossier, *, amount, by):
    """Issue the grant notification of a phase-2 laureate for ``amount`` euros (at most the phase's max_grant).

    A new notice each time (number + 1). LetterRefused for another dossier or an amount out of bounds.
    """
    dossier = locked_dossier(dossier)
    if dossier.state != DossierState.LAUREATE or dossier.phase.kind != PhaseKind.PHASE2:
        raise LetterRefused(
            _("Le dossier %(reference)s n'est pas lauréat de la phase 2 : pas de notification d'aide.")
            % {"reference": dossier.reference}
        )
    amount = checked_amount(dossier, amount)
    decision = decision_transition(dossier)
    html = render_grant_html(dossier, amount=amount, decided_at=decision.at if decision else timezone.now())
    notice = issue(dossier, NoticeKind.GRANT_NOTIFICATION, html)
    logger.info("Grant notification n° %s of %s (%s €) issued by %s", notice.number, dossier.reference, amount, by)
    return notice
