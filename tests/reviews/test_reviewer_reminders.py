"""The reviewers' deadline reminders (source "reviews.remind_assignments", registered by reviews.hooks): pending
assignments (to confirm or in progress) at D-7 and D-1 before their due date, to the right reviewer, once; the
task and its beat entry (reviews/migrations/0003)."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django_celery_beat.models import PeriodicTask
from freezegun import freeze_time

from applications.enums import DossierState
from ptce_ami.core import reminders
from ptce_ami.core.models import SentReminder
from reviews import tasks
from reviews.models import AssignmentStatus
from tests.accounts.factories import UserFactory
from tests.reviews.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

SOURCE = "reviews.remind_assignments"
DAY = dt.timedelta(days=1)
DUE_AT = dt.datetime(2026, 10, 2, 21, 59, tzinfo=dt.UTC)  # 23 h 59 in Paris
DUE_AT_FR = "2 octobre 2026 à 23 h 59, heure de Paris"
SITE_URL = "https://ptce.example.gouv.fr"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


def sweep(at, capture):
    with freeze_time(at), capture(execute=True):
        return reminders.sweep(SOURCE)


def sent():
    return [
        (kind.split(":")[0], recipient)
        for kind, recipient in SentReminder.objects.order_by("pk").values_list("kind", "recipient")
    ]


def test_a_pending_assignment_is_reminded_at_d7_then_d1_once_each(mailoutbox, django_capture_on_commit_callbacks):
    assignment = AssignmentFactory(due_at=DUE_AT, reviewer__first_name="Inès", reviewer__last_name="Roux")
    AssignmentFactory(due_at=DUE_AT + 30 * DAY)  # another reviewer, not yet due

    assert sweep(DUE_AT - 8 * DAY, django_capture_on_commit_callbacks) == 0
    assert sweep(DUE_AT - 7 * DAY, django_capture_on_commit_callbacks) == 1
    assert sweep(DUE_AT - 6 * DAY, django_capture_on_commit_callbacks) == 0  # a re-run sends nothing
    assert sweep(DUE_AT - 12 * dt.timedelta(hours=1), django_capture_on_commit_callbacks) == 1
    assert sweep(DUE_AT - dt.timedelta(hours=1), django_capture_on_commit_callbacks) == 0
    assert sweep(DUE_AT + DAY, django_capture_on_commit_callbacks) == 0

    email = assignment.reviewer.email
    assert sent() == [("assignment_d7", email), ("assignment_d1", email)]
    assert [message.to for message in mailoutbox] == [[email], [email]]
    first = mailoutbox[0]
    reference = assignment.dossier.reference
    assert first.subject == (
        f"AMI PTCE — Dossier « {assignment.dossier.name} » ({reference}) : confirmez l'absence de conflit "
        "d'intérêts, échéance dans 7 jours"
    )
    assert "Bonjour Inès Roux," in first.body
    assert DUE_AT_FR in first.body
    assert f"{SITE_URL}/instruction/affectations/{assignment.pk}/confirmer/" in first.body


def test_an_assignment_in_progress_is_reminded_with_a_link_to_the_queue(
    mailoutbox, django_capture_on_commit_callbacks
):
    assignment = AssignmentFactory(due_at=DUE_AT, confirmed=True)

    sweep(DUE_AT - 2 * DAY, django_capture_on_commit_callbacks)

    [message] = mailoutbox
    assert message.subject == (
        f"AMI PTCE — Évaluation du dossier « {assignment.dossier.name} » ({assignment.dossier.reference}) "
        "attendue dans 2 jours"
    )
    assert f"{SITE_URL}/instruction/evaluations/" in message.body


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": AssignmentStatus.SUBMITTED},
        {"status": AssignmentStatus.CONFLICT},
        {"due_at": None},
        {"reviewer": lambda: UserFactory(evaluateur=True, is_active=False)},
        {"dossier__state": DossierState.WITHDRAWN},
    ],
)
def test_no_reminder_for_a_submitted_conflicted_undated_inactive_or_withdrawn_assignment(
    kwargs, mailoutbox, django_capture_on_commit_callbacks
):
    kwargs = {key: value() if callable(value) else value for key, value in kwargs.items()}
    AssignmentFactory(**{"due_at": DUE_AT, **kwargs})

    assert sweep(DUE_AT - 3 * DAY, django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_the_task_runs_the_sweep(mailoutbox, django_capture_on_commit_callbacks):
    AssignmentFactory(due_at=DUE_AT)

    with freeze_time(DUE_AT - 3 * DAY), django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_assignments.apply().get() == 1

    assert len(mailoutbox) == 1


def test_the_beat_migration_creates_the_hourly_task_once():
    migration = importlib.import_module("reviews.migrations.0003_assignment_reminders_beat")
    PeriodicTask.objects.filter(task=SOURCE).delete()

    migration.create_task(django_apps, None)
    migration.create_task(django_apps, None)

    task = PeriodicTask.objects.get(task=SOURCE)
    assert (task.crontab.minute, task.crontab.hour, task.enabled) == ("15", "*", True)
    assert task.name == "Relances des évaluateurs (J-7, J-1)"
