"""Grants of phase-2 laureates (issue 11, item 6): opening on publication (once), tranches from the phase's schedule
gated by the agreement and approved reports, suspension (décret 2015-431 art. 5), reports' workflow, follow-up
committee and year-3 aid, and the e-mails of each."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.enums import NoticeKind, NoticeStatus, PaymentCondition, ReportKind
from applications.models import Notice
from ptce_ami.core import reminders
from ptce_ami.core.models import OutboundEmail, QueuedTask
from reviews.enums import DecisionOutcome, GrantEventKind, GrantStatus, PaymentStatus, ReportStatus, Year3Decision
from reviews.models import FollowUpSession, Grant, GrantEvent, Payment, ProgressReport
from reviews.services import grants
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.reviews.factories import decide
from tests.reviews.grants_helpers import approve, fresh, laureate, open_grant, publish, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructeur():
    return UserFactory(instructeur=True, email="instructeur@tresor.fr")


# Opening -----------------------------------------------------------------------------------------------------------


def test_publishing_a_phase2_laureate_opens_its_grant_with_the_schedule_and_the_reports(
    django_capture_on_commit_callbacks,
):
    decision = laureate(amount=Decimal("80000.00"))

    with django_capture_on_commit_callbacks(execute=True):
        publish(decision)

    grant = Grant.objects.get(decision=decision)
    assert grant.amount == Decimal("80000.00")
    assert grant.dossier == decision.dossier
    assert [(p.label, p.percent, p.amount, p.condition, p.status) for p in grant.payments.all()] == [
        ("Premier versement", 50, Decimal("40000.00"), PaymentCondition.SIGNATURE, PaymentStatus.SCHEDULED),
        ("Deuxième versement", 40, Decimal("32000.00"), PaymentCondition.INTERIM_REPORT, PaymentStatus.SCHEDULED),
        ("Solde", 10, Decimal("8000.00"), PaymentCondition.FINAL_REPORT, PaymentStatus.SCHEDULED),
    ]
    closes = timezone.localdate(decision.dossier.phase.closes_at)
    reports = {report.kind: report for report in grant.reports.all()}
    assert reports[ReportKind.INTERIM].due_on == grants.add_months(closes, 12)
    assert reports[ReportKind.FINAL].due_on == grants.add_months(closes, 24)
    assert list(grant.events.values_list("kind", flat=True)) == [GrantEventKind.OPENED]


def test_a_second_signal_for_the_same_decision_creates_nothing_twice(django_capture_on_commit_callbacks):
    decision = laureate()

    with django_capture_on_commit_callbacks(execute=True):
        publish(decision)
    with django_capture_on_commit_callbacks(execute=True):
        publish(decision)

    assert Grant.objects.count() == 1
    assert Payment.objects.count() == 3
    assert ProgressReport.objects.count() == 2
    assert Notice.objects.filter(kind=NoticeKind.GRANT_NOTIFICATION).count() == 1
    assert OutboundEmail.objects.filter(template="reviews/email/grant_opened").count() == 1


def test_the_grant_notification_pdf_is_e_mailed_to_the_porteur_attached(django_capture_on_commit_callbacks):
    decision = laureate()

    with django_capture_on_commit_callbacks(execute=True):
        publish(decision)

    notice = Notice.objects.get(dossier=decision.dossier, kind=NoticeKind.GRANT_NOTIFICATION)
    assert notice.status == NoticeStatus.READY
    assert notice.published_at is not None
    with notice.file.open("rb") as handle:
        assert handle.read(4) == b"%PDF"
    email = OutboundEmail.objects.get(template="reviews/email/grant_opened")
    assert email.recipient == decision.dossier.owner.email
    assert email.attachments[0]["filename"] == f"notification-de-l-aide-{decision.dossier.reference}.pdf"
    assert decision.dossier.reference in email.subject


@pytest.mark.parametrize(
    "case",
    ["not_retained", "provisional", "phase1"],
)
def test_only_a_published_phase2_laureate_decision_opens_a_grant(case, django_capture_on_commit_callbacks):
    if case == "not_retained":
        decision = laureate(amount=None)
        decision.outcome = DecisionOutcome.NOT_RETAINED
        decision.save()
    elif case == "provisional":
        decision = laureate(published=False)
    else:
        dossier = DossierFactory(phase=PhaseFactory(), submitted=True)
        decision = decide(dossier, amount=Decimal(1000))

    with pytest.raises(grants.GrantRefused):
        grants.open_grant(decision, decision.decided_by)
    with django_capture_on_commit_callbacks(execute=True):
        publish(decision, by=decision.decided_by)

    assert Grant.objects.count() == 0
    assert QueuedTask.objects.filter(name="reviews.open_grant").count() == (1 if case == "provisional" else 0)


def test_tranches_add_up_to_the_grant_when_the_shares_make_100_percent():
    assert grants.tranche_amounts(Decimal("100000.01"), [33, 33, 34]) == [
        Decimal("33000.00"),
        Decimal("33000.00"),
        Decimal("34000.01"),
    ]


# Tranche gating ----------------------------------------------------------------------------------------------------


def statuses(grant):
    return [payment.status for payment in grant.payments.order_by("position")]


def test_the_signature_tranche_becomes_payable_when_the_agreement_date_is_recorded(instructeur):
    grant = open_grant()
    assert statuses(grant) == [PaymentStatus.SCHEDULED] * 3

    signed(grant, instructeur, on=datetime.date(2026, 3, 15))

    assert statuses(grant) == [PaymentStatus.PAYABLE, PaymentStatus.SCHEDULED, PaymentStatus.SCHEDULED]
    reports = {report.kind: report.due_on for report in grant.reports.all()}
    assert reports == {ReportKind.INTERIM: datetime.date(2027, 3, 15), ReportKind.FINAL: datetime.date(2028, 3, 15)}


def test_a_tranche_becomes_payable_only_when_the_report_it_depends_on_is_approved(instructeur):
    grant = open_grant()
    interim = grant.reports.get(kind=ReportKind.INTERIM)
    grants.save_report(interim, narrative="Bilan", indicators={}, spending={}, by=grant.dossier.owner, submit=True)
    assert statuses(grant)[1] == PaymentStatus.SCHEDULED  # submitted is not approved

    approve_report = grants.review_report(interim, approve=True, notes="", by=instructeur)

    assert approve_report.status == ReportStatus.APPROVED
    assert statuses(grant) == [PaymentStatus.SCHEDULED, PaymentStatus.PAYABLE, PaymentStatus.SCHEDULED]


def test_staff_record_a_payment_only_on_a_payable_tranche(instructeur):
    grant = open_grant()
    first, second, _last = grant.payments.order_by("position")

    with pytest.raises(grants.GrantRefused, match="n'est pas encore dû"):
        grants.record_payment(first, paid_on=timezone.localdate(), by=instructeur)
    signed(grant, instructeur)
    grants.record_payment(first, paid_on=datetime.date(2026, 4, 1), by=instructeur)
    with pytest.raises(grants.GrantRefused, match="déjà enregistré"):
        grants.record_payment(first, paid_on=datetime.date(2026, 4, 2), by=instructeur)
    with pytest.raises(grants.GrantRefused):
        grants.record_payment(second, paid_on=timezone.localdate(), by=instructeur)

    first.refresh_from_db()
    assert (first.status, first.paid_on, first.recorded_by) == (
        PaymentStatus.PAID,
        datetime.date(2026, 4, 1),
        instructeur,
    )
    assert GrantEvent.objects.filter(grant=grant, kind=GrantEventKind.PAYMENT).count() == 1


def test_a_grant_is_settled_once_every_tranche_is_paid_and_every_report_approved(instructeur):
    grant = open_grant()
    signed(grant, instructeur)
    for kind in (ReportKind.INTERIM, ReportKind.FINAL):
        payable = grant.payments.get(status=PaymentStatus.PAYABLE)
        grants.record_payment(payable, paid_on=datetime.date(2026, 4, 1), by=instructeur)
        assert fresh(grant).status == GrantStatus.ACTIVE
        report = grant.reports.get(kind=kind)
        grants.save_report(report, narrative="Bilan", indicators={}, spending={}, by=grant.dossier.owner, submit=True)
        grants.review_report(report, approve=True, notes="", by=instructeur)
    assert fresh(grant).status == GrantStatus.ACTIVE  # the last tranche is payable, not paid

    grants.record_payment(
        grant.payments.get(status=PaymentStatus.PAYABLE), paid_on=datetime.date(2028, 4, 1), by=instructeur
    )

    assert fresh(grant).status == GrantStatus.CLOSED
    assert GrantEvent.objects.filter(grant=grant, kind=GrantEventKind.CLOSED).count() == 1


# Suspension --------------------------------------------------------------------------------------------------------


def test_a_suspended_grant_pays_nothing_until_it_is_resumed(instructeur, django_capture_on_commit_callbacks):
    grant = open_grant()
    signed(grant, instructeur)
    first = grant.payments.order_by("position").first()

    grants.suspend(grant, motivation="Le pôle n'a plus d'animateur depuis six mois.", by=instructeur)
    with pytest.raises(grants.GrantRefused, match="suspendue"):
        grants.record_payment(first, paid_on=timezone.localdate(), by=instructeur)
    grants.resume(grant, motivation="Un animateur est recruté.", by=instructeur)
    grants.record_payment(first, paid_on=timezone.localdate(), by=instructeur)

    grant = fresh(grant)
    assert grant.status == GrantStatus.ACTIVE
    assert grant.suspension_motivation == "Le pôle n'a plus d'animateur depuis six mois."
    kinds = list(grant.events.values_list("kind", "detail"))
    assert (GrantEventKind.SUSPENDED, "Le pôle n'a plus d'animateur depuis six mois.") in kinds
    assert (GrantEventKind.RESUMED, "Un animateur est recruté.") in kinds
    emails = OutboundEmail.objects.filter(template="reviews/email/grant_status").order_by("pk")
    assert [email.recipient for email in emails] == [grant.dossier.owner.email] * 2
    assert "suspendue" in emails[0].subject
    assert "Le pôle n'a plus d'animateur depuis six mois." in emails[0].body_text
    assert "rétablie" in emails[1].subject


def test_a_suspension_needs_a_motivation(instructeur):
    grant = open_grant()

    with pytest.raises(grants.GrantRefused, match="Motivez"):
        grants.suspend(grant, motivation="   ", by=instructeur)

    assert fresh(grant).status == GrantStatus.ACTIVE
    assert not grant.events.filter(kind=GrantEventKind.SUSPENDED).exists()


def test_suspending_twice_is_already_done(instructeur):
    grant = open_grant()
    grants.suspend(grant, motivation="Motif.", by=instructeur)

    with pytest.raises(grants.GrantRefused, match="déjà effectuée"):
        grants.suspend(grant, motivation="Motif.", by=instructeur)


# Reports -----------------------------------------------------------------------------------------------------------


def test_a_report_is_saved_as_a_draft_then_submitted_and_is_then_read_only(instructeur):
    grant = open_grant()
    report = grant.reports.get(kind=ReportKind.INTERIM)
    owner = grant.dossier.owner

    grants.save_report(
        report,
        narrative="Premier jet",
        indicators={"Projets incubés": "3"},
        spending={"personnel": Decimal(500)},
        by=owner,
    )
    report.refresh_from_db()
    assert (report.status, report.narrative, report.indicators) == (
        ReportStatus.DRAFT,
        "Premier jet",
        {"Projets incubés": "3"},
    )
    grants.save_report(report, narrative="Bilan", indicators={}, spending={}, by=owner, submit=True)
    with pytest.raises(grants.GrantRefused, match="plus modifiable"):
        grants.save_report(report, narrative="Changé", indicators={}, spending={}, by=owner)

    report.refresh_from_db()
    assert (report.status, report.narrative, report.submitted_by) == (ReportStatus.SUBMITTED, "Bilan", owner)


def test_staff_ask_for_changes_with_notes_and_the_porteur_can_submit_again(instructeur):
    grant = open_grant()
    report = grant.reports.get(kind=ReportKind.INTERIM)
    owner = grant.dossier.owner
    grants.save_report(report, narrative="Bilan", indicators={}, spending={}, by=owner, submit=True)

    with pytest.raises(grants.GrantRefused, match="compléter"):
        grants.review_report(report, approve=False, notes=" ", by=instructeur)
    grants.review_report(report, approve=False, notes="Joignez les dépenses de personnel.", by=instructeur)
    grants.save_report(report, narrative="Bilan complété", indicators={}, spending={}, by=owner, submit=True)

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    email = OutboundEmail.objects.get(template="reviews/email/report_reviewed")
    assert "Joignez les dépenses de personnel." in email.body_text
    assert statuses(grant)[1] == PaymentStatus.SCHEDULED


def test_spending_lines_put_the_budget_planned_beside_what_was_spent():
    grant = open_grant()
    report = grant.reports.get(kind=ReportKind.INTERIM)
    grants.save_report(
        report, narrative="", indicators={}, spending={"personnel": Decimal("45000.50")}, by=grant.dossier.owner
    )
    report.refresh_from_db()

    lines = {line.category: (line.planned, line.spent) for line in grants.spending_lines(report)}

    assert lines["personnel"] == (Decimal(100_000), Decimal("45000.50"))
    assert lines["fonctionnement"] == (Decimal(0), None)


def test_the_declared_indicators_are_the_lines_of_the_dossier_without_bullets():
    grant = open_grant()

    assert grants.declared_indicators(grant.dossier) == [
        "Nombre de membres actifs",
        "Emplois créés ou consolidés",
        "Projets incubés",
    ]


# Follow-up committee and year 3 ------------------------------------------------------------------------------------


def test_the_follow_up_warning_counts_the_sessions_of_the_last_twelve_months(instructeur):
    grant = open_grant()
    today = datetime.date(2027, 6, 1)
    grants.record_followup(grant, held_on=datetime.date(2026, 5, 1), attendees="", notes="Ancienne", by=instructeur)
    grants.record_followup(grant, held_on=datetime.date(2027, 1, 10), attendees="DGT", notes="Point", by=instructeur)
    sessions = list(FollowUpSession.objects.filter(grant=grant))

    assert "1 fois" in grants.followup_warning(sessions, today)
    grants.record_followup(grant, held_on=datetime.date(2027, 5, 20), attendees="", notes="Point", by=instructeur)
    assert grants.followup_warning(list(FollowUpSession.objects.filter(grant=grant)), today) == ""


def test_the_year3_aid_is_decided_only_after_the_final_report_is_approved(instructeur):
    grant = open_grant()

    with pytest.raises(grants.GrantRefused, match="rapport final"):
        grants.decide_year3(
            grant, decision=Year3Decision.GRANTED, amount=Decimal(20_000), motivation="M", by=instructeur
        )
    approve(grant.reports.get(kind=ReportKind.FINAL), instructeur)
    grants.decide_year3(
        grant,
        decision=Year3Decision.GRANTED,
        amount=Decimal(20_000),
        motivation="Des résultats solides.",
        by=instructeur,
    )

    grant = fresh(grant)
    assert (grant.year3_decision, grant.year3_amount) == (Year3Decision.GRANTED, Decimal(20_000))
    assert statuses(grant)[2] == PaymentStatus.PAYABLE
    with pytest.raises(grants.GrantRefused, match="déjà"):
        grants.decide_year3(grant, decision=Year3Decision.REFUSED, amount=None, motivation="M", by=instructeur)


# Reminders ---------------------------------------------------------------------------------------------------------


def test_the_porteurs_are_reminded_once_of_a_report_before_it_is_due(instructeur):
    grant = open_grant()
    report = grant.reports.get(kind=ReportKind.INTERIM)
    report.due_on = timezone.localdate() + datetime.timedelta(days=20)
    report.save()

    assert reminders.sweep("reviews.remind_reports") == 1
    assert reminders.sweep("reviews.remind_reports") == 0

    email = OutboundEmail.objects.get(template="reviews/email/reminder_report")
    assert email.recipient == grant.dossier.owner.email
    assert grant.dossier.reference in email.subject
