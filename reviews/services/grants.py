"""Grants of phase-2 laureates (décret 2015-431 art. 5): the one writer of Grant, Payment, ProgressReport,
FollowUpSession and GrantEvent.

- ``open_grant`` follows the publication of a phase-2 laureate decision (``reviews.signals.decision_published``,
  received in ``on_decision_published``, queued after commit): the grant (the decision's amount), its tranches from
  the phase's schedule (PaymentStage), its reports from the phase's requirements (ReportRequirement), and the grant
  notification PDF sent to the porteurs by the workers. A second signal for the same decision creates nothing.
- A tranche is *payable* once its condition is met: the agreement's date recorded (at signature), or the report
  it depends on approved. Staff record a payment only on a payable tranche of a grant that is not suspended.
- Suspension needs a motivation; suspension and resumption are logged (GrantEvent) and e-mailed to the porteurs.
- Reports: the porteurs save a draft and submit; staff approve (the dependent tranche becomes payable) or ask for
  changes with notes.
- The follow-up committee's sessions, and the year-3 complementary aid once the final report is approved.
"""

import calendar
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.enums import BudgetCategory, BudgetSide, PaymentCondition, PhaseKind, ReportKind
from applications.models import BudgetLine, Notice
from applications.services import letters, notices
from ptce_ami.core import audit
from ptce_ami.core.money import euros
from ptce_ami.core.queue import enqueue
from reviews.enums import (
    DecisionOutcome,
    GrantEventKind,
    GrantStatus,
    PaymentStatus,
    ReportStatus,
    Year3Decision,
)
from reviews.models import Decision, FollowUpSession, Grant, GrantEvent, Payment, ProgressReport
from reviews.services import notifications

logger = logging.getLogger(__name__)

# The report each condition waits for.
REPORT_OF_CONDITION = {
    PaymentCondition.INTERIM_REPORT: ReportKind.INTERIM,
    PaymentCondition.FINAL_REPORT: ReportKind.FINAL,
}
CENT = Decimal("0.01")
# The follow-up committee meets at least twice a year (décret 2015-431 art. 5).
FOLLOWUPS_PER_YEAR = 2
MAX_INDICATORS = 20
INDICATOR_MAX_LENGTH = 200


class GrantRefused(Exception):
    """The action cannot be done on this grant now; ``message`` says why, in French."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# Opening ----------------------------------------------------------------------------------------------------------


def on_decision_published(sender, *, decision, by, **kwargs):
    """Receiver of ``decision_published`` (connected by reviews/hooks.py): a phase-2 laureate's grant is opened by a
    worker once the publication commits."""
    if decision.outcome != DecisionOutcome.LAUREATE or decision.dossier.phase.kind != PhaseKind.PHASE2:
        return
    enqueue("reviews.open_grant", decision_id=decision.pk, by_id=by.pk if by else None)


def add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def reports_start(grant, phase):
    """Reports are due so many months after the agreement; until its date is recorded, after the phase's close."""
    return grant.agreement_signed_on or timezone.localdate(phase.closes_at)


def tranche_amounts(amount, percents):
    """Each tranche's share of ``amount``, to the cent; when the shares make 100 %, the last one takes the rounding so
    that the tranches add up to the grant."""
    amounts = [(amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP) for percent in percents]
    if amounts and sum(percents) == 100:
        amounts[-1] = amount - sum(amounts[:-1])
    return amounts


def opening_refusal(decision):
    dossier = decision.dossier
    if decision.revoked_at is not None or decision.published_at is None:
        return _("La décision sur %(reference)s n'est pas publiée.") % {"reference": dossier.reference}
    if decision.outcome != DecisionOutcome.LAUREATE or dossier.phase.kind != PhaseKind.PHASE2:
        return _("Le dossier %(reference)s n'est pas lauréat de la phase 2.") % {"reference": dossier.reference}
    if decision.amount is None or decision.amount <= 0:
        return _("La décision sur %(reference)s ne fixe pas de montant.") % {"reference": dossier.reference}
    if Grant.objects.filter(dossier=dossier).exclude(decision=decision).exists():
        return _("Le dossier %(reference)s a déjà une aide.") % {"reference": dossier.reference}
    return ""


@transaction.atomic
def open_grant(decision, by):
    """The grant of a published phase-2 laureate ``decision``: created once with its tranches and reports, and its
    notification PDF issued then e-mailed to the porteurs by the workers. Returns the grant (the existing one when
    it was opened already). GrantRefused for any other decision."""
    decision = Decision.objects.select_for_update(of=("self",)).select_related("dossier__phase").get(pk=decision.pk)
    existing = Grant.objects.filter(decision=decision).first()
    if existing is not None:
        return existing
    refusal = opening_refusal(decision)
    if refusal:
        raise GrantRefused(refusal)
    dossier, phase = decision.dossier, decision.dossier.phase
    grant = Grant.objects.create(dossier=dossier, decision=decision, amount=decision.amount)
    create_tranches(grant, phase)
    create_reports(grant, phase)
    log(grant, GrantEventKind.OPENED, by, _("Aide de %(amount)s.") % {"amount": euros(grant.amount)})
    try:
        notice = letters.issue_grant_notification(dossier, amount=grant.amount, by=by)
    except letters.LetterRefused as refusal:
        logger.warning("Grant %s opened without its notification: %s", grant.pk, refusal.message)
    else:
        enqueue("reviews.send_grant_notification", grant_id=grant.pk, notice_id=notice.pk)
    logger.info("Grant %s of %s opened (%s €)", grant.pk, dossier.reference, grant.amount)
    return grant


def create_tranches(grant, phase):
    stages = list(phase.payment_stages.order_by("position", "pk"))
    if not stages:
        logger.warning("Phase %s has no payment schedule: grant %s has no tranche", phase.pk, grant.pk)
    amounts = tranche_amounts(grant.amount, [stage.percent for stage in stages])
    Payment.objects.bulk_create(
        Payment(
            grant=grant,
            position=stage.position,
            label=stage.label,
            percent=stage.percent,
            amount=amount,
            condition=stage.condition,
        )
        for stage, amount in zip(stages, amounts, strict=True)
    )


def create_reports(grant, phase):
    """One report per requirement of the phase, plus any report a tranche waits for (without a due date)."""
    months = {requirement.kind: requirement.due_months for requirement in phase.report_requirements.all()}
    awaited = {REPORT_OF_CONDITION[p.condition] for p in grant.payments.all() if p.condition in REPORT_OF_CONDITION}
    start = reports_start(grant, phase)
    kinds = [kind for kind in ReportKind if kind in months or kind in awaited]
    ProgressReport.objects.bulk_create(
        ProgressReport(grant=grant, kind=kind, due_on=add_months(start, months[kind]) if kind in months else None)
        for kind in kinds
    )


def log(grant, kind, by, detail=""):
    return GrantEvent.objects.create(grant=grant, kind=kind, by=by, detail=detail)


def send_grant_notification(grant, notice):
    """Task ``reviews.send_grant_notification``: make the notification's PDF if no worker made it yet, show it to
    the porteurs and e-mail it to them, attached (once per recipient)."""
    notice = notices.produce(notice)
    if notice.published_at is None:
        Notice.objects.filter(pk=notice.pk, published_at__isnull=True).update(published_at=timezone.now())
    return notifications.send_grant_notification(grant, notice)


# Tranches ---------------------------------------------------------------------------------------------------------


def locked_grant(grant):
    return Grant.objects.select_for_update(of=("self",)).select_related("dossier__phase").get(pk=grant.pk)


def refresh_tranches(grant):
    """Make payable every scheduled tranche whose condition is now met (the agreement's date, an approved report)."""
    approved = set(grant.reports.filter(status=ReportStatus.APPROVED).values_list("kind", flat=True))
    met = {kind for condition, kind in REPORT_OF_CONDITION.items() if kind in approved}
    conditions = [condition for condition, kind in REPORT_OF_CONDITION.items() if kind in met]
    if grant.agreement_signed_on is not None:
        conditions.append(PaymentCondition.SIGNATURE)
    return grant.payments.filter(status=PaymentStatus.SCHEDULED, condition__in=conditions).update(
        status=PaymentStatus.PAYABLE
    )


@transaction.atomic
def record_agreement(grant, *, signed_on, by):
    """Record the date the agreement was signed: the reports' due dates follow it, the signature tranche becomes
    payable."""
    grant = locked_grant(grant)
    grant.agreement_signed_on = signed_on
    grant.save(update_fields=["agreement_signed_on"])
    months = {r.kind: r.due_months for r in grant.dossier.phase.report_requirements.all()}
    for report in grant.reports.exclude(status=ReportStatus.APPROVED):
        if report.kind in months:
            report.due_on = add_months(signed_on, months[report.kind])
            report.save(update_fields=["due_on"])
    refresh_tranches(grant)
    log(grant, GrantEventKind.AGREEMENT, by, signed_on.strftime("%d/%m/%Y"))
    return grant


def payment_refusal(grant, payment):
    if grant.status == GrantStatus.SUSPENDED:
        return _("L'aide est suspendue : aucun versement ne peut être enregistré tant qu'elle n'est pas rétablie.")
    if payment.status == PaymentStatus.PAID:
        return _("Action déjà effectuée : ce versement est déjà enregistré.")
    if payment.status != PaymentStatus.PAYABLE:
        return _("Ce versement n'est pas encore dû : %(condition)s.") % {"condition": payment.get_condition_display()}
    return ""


@transaction.atomic
def record_payment(payment, *, paid_on, by):
    """Record that ``payment`` was paid on ``paid_on``. GrantRefused unless the tranche is payable and the grant not
    suspended."""
    grant = locked_grant(payment.grant)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    refusal = payment_refusal(grant, payment)
    if refusal:
        raise GrantRefused(refusal)
    payment.status, payment.paid_on, payment.recorded_by = PaymentStatus.PAID, paid_on, by
    payment.save(update_fields=["status", "paid_on", "recorded_by"])
    detail = _("%(label)s : %(amount)s versés le %(date)s.") % {
        "label": payment.label,
        "amount": euros(payment.amount),
        "date": paid_on.strftime("%d/%m/%Y"),
    }
    log(grant, GrantEventKind.PAYMENT, by, detail)
    close_if_settled(grant, by)
    return payment


def close_if_settled(grant, by):
    """A grant whose tranches are all paid and whose reports are all approved is settled (« Soldée »)."""
    if grant.payments.exclude(status=PaymentStatus.PAID).exists():
        return False
    if grant.reports.exclude(status=ReportStatus.APPROVED).exists():
        return False
    grant.status = GrantStatus.CLOSED
    grant.save(update_fields=["status"])
    log(grant, GrantEventKind.CLOSED, by, _("Tous les versements sont effectués et tous les rapports approuvés."))
    return True


# Suspension -------------------------------------------------------------------------------------------------------


@transaction.atomic
def suspend(grant, *, motivation, by):
    """Suspend the grant's payments (décret 2015-431 art. 5: the project no longer meets its objectives or
    commitments); the motivation is required, logged and e-mailed to the porteurs."""
    motivation = motivation.strip()
    if not motivation:
        raise GrantRefused(_("Motivez la suspension : elle est communiquée au porteur."))
    grant = locked_grant(grant)
    if grant.status != GrantStatus.ACTIVE:
        raise GrantRefused(_("Action déjà effectuée : cette aide n'est pas en cours."))
    grant.status, grant.suspended_at, grant.suspension_motivation = GrantStatus.SUSPENDED, timezone.now(), motivation
    grant.save(update_fields=["status", "suspended_at", "suspension_motivation"])
    event = log(grant, GrantEventKind.SUSPENDED, by, motivation)
    notifications.notify_grant_change(grant, event)
    return grant


@transaction.atomic
def resume(grant, *, motivation, by):
    """Resume a suspended grant (payments may be recorded again); logged and e-mailed to the porteurs."""
    grant = locked_grant(grant)
    if grant.status != GrantStatus.SUSPENDED:
        raise GrantRefused(_("Action déjà effectuée : cette aide n'est pas suspendue."))
    grant.status = GrantStatus.ACTIVE
    grant.save(update_fields=["status"])
    event = log(grant, GrantEventKind.RESUMED, by, motivation.strip())
    notifications.notify_grant_change(grant, event)
    return grant


# Reports ----------------------------------------------------------------------------------------------------------


def declared_indicators(dossier):
    """The indicators the dossier declared (its "indicateurs et évaluation" text), one per line, bullets removed."""
    lines = (line.strip().lstrip("-•*–·").strip() for line in (dossier.indicators or "").splitlines())
    return [line[:INDICATOR_MAX_LENGTH] for line in lines if line][:MAX_INDICATORS]


@dataclass(frozen=True)
class SpendingLine:
    category: str
    label: str
    planned: Decimal
    spent: Decimal | None


def planned_budget(dossier_id):
    """{category of charges: amount planned over both years} of the dossier's budget."""
    planned = dict.fromkeys(BudgetCategory.charges(), Decimal(0))
    lines = BudgetLine.objects.filter(dossier_id=dossier_id, side=BudgetSide.CHARGES)
    for line in lines.only("category", "amount"):
        if line.category in planned:
            planned[line.category] += line.amount
    return planned


def spending_lines(report, planned=None):
    """Per category of charges: the budget planned (both years) and what the report says was spent."""
    planned = planned if planned is not None else planned_budget(report.grant.dossier_id)
    spent = {row.get("category"): row.get("spent") for row in report.spending or [] if isinstance(row, dict)}
    return [
        SpendingLine(category.value, category.label, planned[category], to_decimal(spent.get(category.value)))
        for category in BudgetCategory.charges()
    ]


def to_decimal(value):
    return Decimal(str(value)) if value not in (None, "") else None


def report_refusal(report):
    if not report.editable_by_porteur:
        return _("Action déjà effectuée : ce rapport est déposé ; il n'est plus modifiable.")
    return ""


@transaction.atomic
def save_report(report, *, narrative, indicators, spending, by, submit=False):
    """Save the porteurs' report (a draft, or ``submit`` it for review): ``indicators`` {indicator: achieved value},
    ``spending`` {category of charges: amount spent}. GrantRefused when the report is no longer editable."""
    report = ProgressReport.objects.select_for_update().select_related("grant__dossier").get(pk=report.pk)
    refusal = report_refusal(report)
    if refusal:
        raise GrantRefused(refusal)
    report.narrative = narrative.strip()
    report.indicators = {str(name): str(value).strip() for name, value in indicators.items()}
    report.spending = [
        {"category": category, "spent": str(amount) if amount is not None else None}
        for category, amount in spending.items()
    ]
    fields = ["narrative", "indicators", "spending"]
    if submit:
        report.status, report.submitted_at, report.submitted_by = ReportStatus.SUBMITTED, timezone.now(), by
        fields += ["status", "submitted_at", "submitted_by"]
    report.save(update_fields=fields)
    if submit:
        event = log(report.grant, GrantEventKind.REPORT_SUBMITTED, by, report.get_kind_display())
        notifications.notify_report_submitted(report, event)
    return report


@transaction.atomic
def review_report(report, *, approve, notes, by):
    """Staff's review of a submitted report: approved (the tranche that waits for it becomes payable) or sent back
    for changes (``notes`` required: the porteurs read them). The porteurs are e-mailed either way."""
    notes = notes.strip()
    if not approve and not notes:
        raise GrantRefused(_("Dites au porteur ce qu'il doit compléter ou corriger."))
    grant = locked_grant(report.grant)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.SUBMITTED:
        raise GrantRefused(_("Action déjà effectuée : ce rapport n'est pas en attente d'examen."))
    report.status = ReportStatus.APPROVED if approve else ReportStatus.CHANGES_REQUESTED
    report.reviewed_at, report.reviewed_by, report.review_notes = timezone.now(), by, notes
    report.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_notes"])
    kind = GrantEventKind.REPORT_APPROVED if approve else GrantEventKind.REPORT_CHANGES
    event = log(grant, kind, by, f"{report.get_kind_display()}{' — ' + notes if notes else ''}")
    if approve:
        refresh_tranches(grant)
    report.grant = grant
    notifications.notify_report_reviewed(report, event)
    return report


def reports_due_for_reminder(now):
    """The reports the porteurs still have to file, of grants not closed (a suspended grant's reports are still
    due: they may be what lets it resume). The reminders' source."""
    return (
        ProgressReport.objects.filter(status__in=ReportStatus.editable_by_porteur(), due_on__isnull=False)
        .exclude(grant__status=GrantStatus.CLOSED)
        .select_related("grant__dossier__owner")
    )


# Follow-up committee and year 3 -------------------------------------------------------------------------------------


@transaction.atomic
def record_followup(grant, *, held_on, attendees, notes, by):
    return FollowUpSession.objects.create(
        grant=grant, held_on=held_on, attendees=attendees.strip(), notes=notes.strip(), recorded_by=by
    )


def followup_warning(sessions, today=None):
    """The warning shown when the follow-up committee met fewer than twice in the last 12 months ("" otherwise);
    ``sessions``: the grant's FollowUpSession rows (loaded)."""
    today = today or timezone.localdate()
    since = add_months(today, -12)
    held = sum(1 for session in sessions if since < session.held_on <= today)
    if held >= FOLLOWUPS_PER_YEAR:
        return ""
    return _(
        "Le comité de suivi s'est réuni %(held)d fois ces douze derniers mois : le décret 2015-431 (art. 5) "
        "demande au moins deux réunions par an."
    ) % {"held": held}


def year3_refusal(grant):
    if grant.year3_decision:
        return _("Action déjà effectuée : l'aide de 3e année est déjà décidée.")
    if not grant.reports.filter(kind=ReportKind.FINAL, status=ReportStatus.APPROVED).exists():
        return _("L'aide complémentaire de 3e année se décide après l'approbation du rapport final.")
    return ""


@transaction.atomic
def decide_year3(grant, *, decision, amount, motivation, by):
    """Record the year-3 complementary aid decision (granted with an amount, or refused), after the final report."""
    grant = locked_grant(grant)
    refusal = year3_refusal(grant)
    if refusal:
        raise GrantRefused(refusal)
    granted = decision == Year3Decision.GRANTED
    grant.year3_decision, grant.year3_amount = decision, amount if granted else None
    grant.year3_motivation, grant.year3_decided_at = motivation.strip(), timezone.now()
    grant.save(update_fields=["year3_decision", "year3_amount", "year3_motivation", "year3_decided_at"])
    detail = grant.get_year3_decision_display()
    if granted:
        detail += f" ({euros(amount)})"
    log(grant, GrantEventKind.YEAR3, by, f"{detail} — {grant.year3_motivation}")
    audit.record(
        audit.AuditAction.YEAR3_DECISION,
        actor=by,
        obj=grant,
        details={"decision": decision, "amount": grant.year3_amount},
    )
    return grant


def paid_total(payments):
    return sum((payment.amount for payment in payments if payment.status == PaymentStatus.PAID), Decimal(0))
