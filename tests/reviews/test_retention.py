"""Retention (applications and reviews services.retention): drafts warned once, then deleted with their files at
the period's end; closed and laureates' dossiers anonymised, statistics kept; unconfirmed accounts deleted; the
command's dry run changes nothing; the nightly task and its beat entry; the audit row of each real run."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask
from freezegun import freeze_time

from applications.enums import DossierState, PhaseKind
from applications.models import Attachment, BudgetLine, Dossier, MemberStructure, Message
from applications.services import retention as application_retention
from applications.services.workflow import transition
from ptce_ami.accounts.models import User
from ptce_ami.core.models import AuditAction, AuditEntry, OutboundEmail, SentReminder, SweepRun
from reviews import tasks as review_tasks
from reviews.enums import DecisionOutcome, GrantEventKind, GrantStatus
from reviews.models import Decision, GrantEvent
from reviews.services import retention
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import AttachmentFactory, DossierFactory, MemberFactory, PhaseFactory
from tests.reviews.factories import decide
from tests.reviews.grants_helpers import open_grant

pytestmark = pytest.mark.django_db

CREATED = dt.datetime(2024, 1, 15, 10, 0, tzinfo=dt.UTC)


def at(**kwargs):
    return CREATED + dt.timedelta(**kwargs)


def run(now, *, apply=True):
    return retention.run(apply=apply, now=now)


def counts(found):
    return {key: category.count for key, (category, _items) in found.items()}


@pytest.fixture
def draft():
    with freeze_time(CREATED):
        dossier = DossierFactory(contact_email="camille@example.fr")
        MemberFactory(dossier=dossier)
        attachment = AttachmentFactory(dossier=dossier)
    return dossier, attachment


# Drafts ------------------------------------------------------------------------------------------------------------


def test_draft_younger_than_23_months_is_left_alone(draft):
    found = run(application_retention.months_before(CREATED, -23) - dt.timedelta(days=1))
    assert counts(found)["draft_warnings"] == 0
    assert Dossier.objects.filter(pk=draft[0].pk).exists()
    assert not SentReminder.objects.exists()


def test_draft_is_warned_30_days_before_then_deleted_with_its_files(draft, django_capture_on_commit_callbacks):
    dossier, attachment = draft
    name = attachment.file.name
    assert default_storage.exists(name)
    end = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)  # 24 months after the last change

    with django_capture_on_commit_callbacks(execute=True):
        found = run(end - dt.timedelta(days=29))
    assert counts(found)["draft_warnings"] == 1
    email = OutboundEmail.objects.get(template=application_retention.WARNING_TEMPLATE)
    assert email.recipient == dossier.owner.email
    assert "sera supprimé" in email.subject
    assert "à partir du 16 janvier 2026" in email.body_text  # 30 days after the warning, past the 24 months
    assert Dossier.objects.filter(pk=dossier.pk).exists()

    # Past 24 months but the warning is only 29 days old: kept; the warning is not sent again.
    with django_capture_on_commit_callbacks(execute=True):
        found = run(end + dt.timedelta(hours=1))
    assert counts(found)["drafts"] == 0
    assert counts(found)["draft_warnings"] == 0
    assert Dossier.objects.filter(pk=dossier.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        found = run(end + dt.timedelta(days=2))
    assert counts(found)["drafts"] == 1
    assert found["drafts"][0].done == 1
    assert not Dossier.objects.filter(pk=dossier.pk).exists()
    assert not MemberStructure.objects.filter(dossier_id=dossier.pk).exists()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not default_storage.exists(name)
    assert OutboundEmail.objects.filter(template=application_retention.WARNING_TEMPLATE).count() == 1


def test_draft_past_24_months_without_a_warning_gets_one_and_stays(draft):
    dossier, _attachment = draft
    found = run(application_retention.months_before(CREATED, -30))
    assert counts(found)["drafts"] == 0
    assert counts(found)["draft_warnings"] == 1
    assert Dossier.objects.filter(pk=dossier.pk).exists()
    assert SentReminder.objects.filter(kind=application_retention.WARNING_KIND, object_id=str(dossier.pk)).count() == 1


def test_a_draft_touched_after_its_warning_is_kept(draft):
    dossier, _attachment = draft
    run(at(days=710))  # warned
    with freeze_time(at(days=720)):
        dossier.name = "Pôle repris"
        dossier.save()
    found = run(at(days=760))
    assert counts(found)["drafts"] == 0
    assert Dossier.objects.filter(pk=dossier.pk).exists()


def test_the_warning_is_sent_once_over_several_runs(draft):
    for days in (710, 711, 715):
        run(at(days=days))
    assert OutboundEmail.objects.filter(template=application_retention.WARNING_TEMPLATE).count() == 1


def test_two_overlapping_runs_queue_one_warning(draft):
    """A retried task, or the command run beside the nightly task: both saw the draft as not yet warned."""
    dossier, _attachment = draft
    for days in (710, 710.5):
        application_retention.warn_draft(Dossier.objects.get(pk=dossier.pk), at(days=days))

    assert OutboundEmail.objects.filter(template=application_retention.WARNING_TEMPLATE).count() == 1


def test_submitted_dossiers_are_not_drafts(db):
    with freeze_time(CREATED):
        dossier = DossierFactory(submitted=True)
    found = run(at(days=3000))
    assert counts(found)["draft_warnings"] == 0
    assert Dossier.objects.get(pk=dossier.pk).anonymised_at is None


# Closed dossiers ---------------------------------------------------------------------------------------------------


def not_retained_at(moment):
    with freeze_time(moment):
        region = RegionFactory()
        dossier = DossierFactory(submitted=True, region=region, contact_email="camille@example.fr", contact_name="C M")
        MemberFactory(dossier=dossier, contribution="Camille anime l'atelier.")
        attachment = AttachmentFactory(dossier=dossier)
        Message.objects.create(dossier=dossier, author=dossier.owner, body="Bonjour, je suis Camille.")
        BudgetLine.objects.create(dossier=dossier, year=1, side="charges", category="staff", amount=Decimal(1000))
        decide(dossier, outcome=DecisionOutcome.NOT_RETAINED)
    return Dossier.objects.get(pk=dossier.pk), attachment


def test_not_retained_dossier_is_anonymised_after_5_years_statistics_kept(db, django_capture_on_commit_callbacks):
    dossier, attachment = not_retained_at(CREATED)
    assert dossier.state == DossierState.NOT_RETAINED
    name = attachment.file.name

    found = run(application_retention.years_before(CREATED, -5) - dt.timedelta(days=1))
    assert counts(found)["closed"] == 0
    assert Dossier.objects.get(pk=dossier.pk).contact_email == "camille@example.fr"

    with django_capture_on_commit_callbacks(execute=True):
        found = run(application_retention.years_before(CREATED, -5) + dt.timedelta(days=1))
    assert counts(found)["closed"] == 1
    anonymised = Dossier.objects.get(pk=dossier.pk)
    assert anonymised.anonymised_at is not None
    assert (anonymised.contact_email, anonymised.contact_name, anonymised.summary) == ("", "", "")
    assert not anonymised.attachments.exists()
    assert not anonymised.messages.exists()
    assert list(anonymised.members.values_list("contribution", flat=True)) == [""]
    assert not default_storage.exists(name)
    # What the statistics read is kept.
    assert anonymised.state == DossierState.NOT_RETAINED
    assert anonymised.region_id == dossier.region_id
    assert anonymised.phase_id == dossier.phase_id
    assert anonymised.budget_lines.get().amount == Decimal(1000)
    assert Decision.objects.filter(dossier=dossier, outcome=DecisionOutcome.NOT_RETAINED).exists()
    # Done once: the next run finds nothing.
    assert counts(run(application_retention.years_before(CREATED, -6)))["closed"] == 0


def test_withdrawn_dossier_is_anonymised_5_years_after_withdrawal(db):
    with freeze_time(CREATED):
        dossier = DossierFactory(submitted=True, contact_phone="0600000000")
        transition(dossier, "withdraw", by=dossier.owner)
    assert counts(run(application_retention.years_before(CREATED, -4)))["closed"] == 0
    run(application_retention.years_before(CREATED, -5) + dt.timedelta(days=1))
    assert Dossier.objects.get(pk=dossier.pk).contact_phone == ""


# Laureates ---------------------------------------------------------------------------------------------------------


def test_phase2_laureate_is_anonymised_10_years_after_its_grant_is_closed(db):
    with freeze_time(CREATED):
        grant = open_grant(contact_email="camille@example.fr")
    closed_on = at(days=800)
    grant.status = GrantStatus.CLOSED
    grant.save(update_fields=["status"])
    GrantEvent.objects.create(grant=grant, kind=GrantEventKind.CLOSED, at=closed_on)

    found = run(application_retention.years_before(closed_on, -10) - dt.timedelta(days=1))
    assert counts(found)["laureates"] == 0
    run(application_retention.years_before(closed_on, -10) + dt.timedelta(days=1))
    dossier = Dossier.objects.get(pk=grant.dossier_id)
    assert dossier.anonymised_at is not None and dossier.contact_email == ""
    assert dossier.state == DossierState.LAUREATE
    assert dossier.grant.amount == grant.amount


def test_laureate_with_an_active_grant_is_kept(db):
    with freeze_time(CREATED):
        grant = open_grant()
    assert counts(run(at(days=365 * 30)))["laureates"] == 0
    assert Dossier.objects.get(pk=grant.dossier_id).anonymised_at is None


def test_phase1_laureate_is_anonymised_10_years_after_the_decision(db):
    with freeze_time(CREATED):
        dossier = DossierFactory(submitted=True, phase=PhaseFactory(kind=PhaseKind.PHASE1), contact_name="C M")
        decide(dossier)
    assert counts(run(application_retention.years_before(CREATED, -10) - dt.timedelta(days=1)))["laureates"] == 0
    run(application_retention.years_before(CREATED, -10) + dt.timedelta(days=1))
    assert Dossier.objects.get(pk=dossier.pk).contact_name == ""


# Accounts ----------------------------------------------------------------------------------------------------------


def test_accounts_never_confirmed_are_deleted_after_30_days(db):
    with freeze_time(CREATED):
        unconfirmed = UserFactory(email_confirmed_at=None)
        confirmed = UserFactory()
        with_draft = UserFactory(email_confirmed_at=None)
        DossierFactory(owner=with_draft)
    assert counts(run(at(days=29)))["accounts"] == 0
    run(at(days=31))
    assert not User.objects.filter(pk=unconfirmed.pk).exists()
    assert User.objects.filter(pk__in=[confirmed.pk, with_draft.pk]).count() == 2


# The command, the task, the audit ----------------------------------------------------------------------------------


def test_dry_run_reports_counts_and_changes_nothing(draft):
    with freeze_time(at(days=800)):
        out = io.StringIO()
        call_command("apply_retention", stdout=out)
    text = out.getvalue()
    assert "Simulation" in text
    assert "Brouillons à avertir [draft_warnings] : 1 (le plus ancien : 15/01/2024)" in text
    assert "[drafts] : 0" in text
    assert not SentReminder.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.RETENTION).exists()

    with freeze_time(at(days=800)):
        call_command("apply_retention", "--dry-run", "--apply", stdout=io.StringIO())
    assert not SentReminder.objects.exists()


def test_as_of_simulates_a_later_date_without_changes(draft):
    out = io.StringIO()
    call_command("apply_retention", "--as-of", "2030-01-01", stdout=out)
    assert "[draft_warnings] : 1" in out.getvalue()
    assert not SentReminder.objects.exists()


def test_real_run_applies_and_records_the_counts_in_the_audit_log(draft):
    with freeze_time(at(days=800)):
        out = io.StringIO()
        call_command("apply_retention", "--apply", stdout=out)
    assert "traités : 1" in out.getvalue()
    assert SentReminder.objects.filter(kind=application_retention.WARNING_KIND).count() == 1
    entry = AuditEntry.objects.get(action=AuditAction.RETENTION)
    assert entry.details["draft_warnings"] == {"found": 1, "done": 1, "skipped": 0}


def test_the_nightly_task_runs_it_for_real(draft):
    with freeze_time(at(days=800)):
        review_tasks.apply_retention.apply()
    assert SentReminder.objects.filter(kind=application_retention.WARNING_KIND).count() == 1
    sweep = SweepRun.objects.get(name="reviews.apply_retention")
    assert sweep.processed == 1 and sweep.error == ""
    assert AuditEntry.objects.filter(action=AuditAction.RETENTION).count() == 1


def test_the_task_is_in_the_beat_schedule(db):
    task = PeriodicTask.objects.get(task="reviews.apply_retention")
    assert task.enabled and task.crontab.hour == "3"
