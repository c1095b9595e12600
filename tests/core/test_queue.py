"""Queued work (ptce_ami.core.queue): every task sent is recorded, kept up to date by the worker, and sent again by
one sweep when it was lost; the beat schedule and the admin that show it to operators."""

import datetime
import importlib
import json
import logging
import os
import re
import smtplib
import subprocess
import sys
from pathlib import Path

import pytest
from celery.exceptions import Reject
from django.apps import apps as django_apps
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from freezegun import freeze_time
from kombu.exceptions import OperationalError as BrokerError

from applications.enums import NoticeStatus
from applications.models import Notice
from applications.services.submission import submit_dossier
from ptce_ami.celery import app as celery_app
from ptce_ami.core import outbox, queue, tasks
from ptce_ami.core.models import EmailStatus, OutboundEmail, QueuedTask, SweepRun, TaskStatus
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory
from tests.core import flaky_backend
from tests.core.dead_broker import dead_broker, platform_celery
from tests.workers.conftest import reset_broker_connections

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 21, 13, 32, tzinfo=datetime.UTC)
ROOT = Path(__file__).resolve().parents[2]
beat_migration = importlib.import_module("applications.migrations.0005_beat_schedule")
task_sweep_migration = importlib.import_module("ptce_ami.core.migrations.0003_task_sweep_beat")


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.core.flaky_backend.FlakyBackend"
    yield flaky_backend.FAILURES
    flaky_backend.FAILURES.clear()


def queue_email(key="test:1", user=None):
    user = user or UserFactory()
    context = {"user": user, "link": "https://ptce.example/lien"}
    return outbox.queue_email("accounts/email/confirm_email", user.email, context, key=key)


def lost_email(key="test:1"):
    """A message recorded with its sending task, whose after-commit sending never happened (the broker was down)."""
    with transaction.atomic():
        email = queue_email(key)
        transaction.get_connection().run_on_commit = []
    return email, QueuedTask.objects.get(kwargs={"email_id": email.pk})


def state(record):
    record.refresh_from_db()
    return record.status, record.sends, record.runs


# Recording and running


def test_enqueue_records_the_task_and_runs_it_after_commit(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email()
        record = QueuedTask.objects.get()
        assert (record.name, record.kwargs, record.status) == ("core.send_email", {"email_id": email.pk}, "queued")

    assert state(record) == (TaskStatus.DONE, 1, 1)
    assert record.finished_at is not None and record.last_error == ""
    assert len(mailoutbox) == 1


def test_a_rolled_back_transaction_records_and_sends_nothing(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_email()
            raise RuntimeError("the submission failed")

    assert (callbacks, QueuedTask.objects.count(), mailoutbox) == ([], 0, [])


def test_a_second_delivery_of_a_done_task_does_nothing(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email()
    record = QueuedTask.objects.get()

    again = tasks.send_email.apply(kwargs={"email_id": email.pk}, task_id=str(record.task_id))

    assert again.result is None
    assert state(record) == (TaskStatus.DONE, 1, 1)  # not run a second time
    assert len(mailoutbox) == 1


def test_a_transient_error_is_retried_and_the_task_ends_done(flaky, mailoutbox, django_capture_on_commit_callbacks):
    flaky.append(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))

    with django_capture_on_commit_callbacks(execute=True):
        queue_email()

    record = QueuedTask.objects.get()
    assert state(record) == (TaskStatus.DONE, 1, 2)
    assert record.last_error == ""
    assert len(mailoutbox) == 1


def test_a_retry_the_broker_could_not_take_is_left_for_the_sweep(
    flaky, monkeypatch, django_capture_on_commit_callbacks
):
    flaky.append(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))

    def broker_down(*args, **kwargs):  # what Task.retry raises when publishing the retry fails
        raise Reject(BrokerError("Error 111 connecting to redis:6379. Connection refused."), requeue=False)

    monkeypatch.setattr(tasks.send_email, "retry", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email()

    record = QueuedTask.objects.get()
    assert state(record) == (TaskStatus.QUEUED, 1, 1)
    assert record.last_error == "OperationalError: Error 111 connecting to redis:6379. Connection refused."
    assert record.due_at > timezone.now() + datetime.timedelta(minutes=1)
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED  # the SMTP error; sent again with the task by the sweep


def test_a_permanent_error_marks_the_task_failed(flaky, mailoutbox, django_capture_on_commit_callbacks):
    flaky.append(smtplib.SMTPRecipientsRefused({"personne@example.fr": (550, b"5.1.1 User unknown")}))

    with django_capture_on_commit_callbacks(execute=True):
        queue_email()

    record = QueuedTask.objects.get()
    assert state(record) == (TaskStatus.FAILED, 1, 1)
    assert record.last_error.startswith("SMTPRecipientsRefused: ")
    assert mailoutbox == []


def test_inline_tasks_open_no_broker_connection(caplog, mailoutbox, django_capture_on_commit_callbacks):
    # Without a broker, kombu warned "No hostname was supplied" at each start: the eager apply_async built a
    # connection to a broker that does not exist. Inline tasks now never build one.
    reset_broker_connections()
    caplog.set_level(logging.WARNING)

    with django_capture_on_commit_callbacks(execute=True):
        queue_email()

    assert len(mailoutbox) == 1
    assert celery_app._pool is None
    assert [record.getMessage() for record in caplog.records] == []


# The sweep


def test_the_sweep_sends_again_the_tasks_left_queued_and_not_the_recent_ones(
    mailoutbox, django_capture_on_commit_callbacks
):
    with freeze_time(NOW):
        old, old_record = lost_email("test:old")
    with freeze_time(NOW + datetime.timedelta(minutes=2)):
        recent, recent_record = lost_email("test:recent")

    with freeze_time(NOW + datetime.timedelta(minutes=3)), django_capture_on_commit_callbacks(execute=True):
        processed = tasks.requeue_tasks.apply().get()

    assert processed == 1
    assert [message.to for message in mailoutbox] == [[old.recipient]]
    assert state(old_record) == (TaskStatus.DONE, 2, 1)
    assert state(recent_record) == (TaskStatus.QUEUED, 1, 0)
    run = SweepRun.objects.get()
    assert (run.name, run.processed, run.error) == ("core.requeue_tasks", 1, "")


def test_a_task_running_past_its_timeout_is_sent_again(mailoutbox):
    email, record = lost_email()
    started = timezone.now() - datetime.timedelta(minutes=16)
    QueuedTask.objects.filter(pk=record.pk).update(
        status=TaskStatus.RUNNING, runs=1, started_at=started, due_at=started + queue.RUNNING_TIMEOUT
    )

    assert queue.requeue_due() == 1

    assert state(record) == (TaskStatus.DONE, 2, 2)
    assert [message.to for message in mailoutbox] == [[email.recipient]]


def test_each_sending_again_waits_twice_as_long_up_to_an_hour():
    delays = [queue.resend_delay(sends) for sends in range(2, 10)]

    assert [delay.total_seconds() / 60 for delay in delays] == [4, 8, 16, 32, 60, 60, 60, 60]


def test_with_the_broker_still_down_the_sweep_stops_at_the_first_failure(monkeypatch):
    records = [lost_email(f"test:{number}")[1] for number in range(3)]
    QueuedTask.objects.update(due_at=timezone.now() - datetime.timedelta(seconds=1))

    with dead_broker("refused") as url, platform_celery(monkeypatch, url):
        now = timezone.now()
        processed = queue.requeue_due(now)

    assert processed == 3
    for record in records:
        assert state(record) == (TaskStatus.QUEUED, 2, 0)
        assert record.due_at == now + datetime.timedelta(minutes=4)
    assert OutboundEmail.objects.filter(status=EmailStatus.PENDING).count() == 3


def test_the_sweep_works_in_bounded_batches_and_the_next_run_takes_the_rest(mailoutbox):
    for number in range(5):
        lost_email(f"test:{number}")
    QueuedTask.objects.update(due_at=timezone.now() - datetime.timedelta(seconds=1))

    first = queue.requeue_due(batch=2, max_batches=2)
    second = queue.requeue_due(batch=2, max_batches=2)

    assert (first, second) == (4, 1)
    assert len(mailoutbox) == 5


def test_a_task_sent_too_many_times_or_unknown_is_given_up(mailoutbox):
    _email, tired = lost_email()
    due = timezone.now() - datetime.timedelta(seconds=1)
    QueuedTask.objects.filter(pk=tired.pk).update(sends=queue.MAX_SENDS, due_at=due)
    gone = QueuedTask.objects.create(name="core.gone", kwargs={}, due_at=due)

    assert queue.requeue_due() == 2

    assert state(tired)[0] == state(gone)[0] == TaskStatus.FAILED
    assert (tired.last_error, gone.last_error) == ("Abandonnée après 10 mises en file", "Tâche inconnue : core.gone")
    assert mailoutbox == []


def test_the_sweep_deletes_the_tasks_done_a_month_ago(django_capture_on_commit_callbacks):
    with freeze_time(NOW), django_capture_on_commit_callbacks(execute=True):
        queue_email("test:old")
    with freeze_time(NOW + datetime.timedelta(days=20)), django_capture_on_commit_callbacks(execute=True):
        queue_email("test:recent")

    with freeze_time(NOW + datetime.timedelta(days=31)):
        queue.requeue_due()

    assert list(QueuedTask.objects.values_list("kwargs__email_id", flat=True)) == [
        OutboundEmail.objects.get(key="test:recent").pk
    ]


# Every task is covered


def registered_tasks():
    celery_app.loader.import_default_modules()
    return {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}


def test_every_task_of_the_platform_keeps_its_record():
    platform_tasks = registered_tasks()

    assert {"core.send_email", "applications.issue_receipt", "reviews.build_export"} <= set(platform_tasks)
    not_durable = [name for name, task in platform_tasks.items() if not isinstance(task, queue.DurableTask)]
    assert not_durable == []
    assert all(task.acks_late and task.reject_on_worker_lost for task in platform_tasks.values())


def test_a_web_process_finds_every_task_by_name():
    """The admin's "Relancer" runs in a web process, where Celery has not imported the apps' tasks modules."""
    code = (
        "import json, django; django.setup(); from ptce_ami.core import queue; "
        "print(json.dumps(sorted(name for name in queue.platform_tasks() if not name.startswith('celery.'))))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "ptce_ami.test_settings"}
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)

    assert output.returncode == 0, output.stderr
    assert json.loads(output.stdout.splitlines()[-1]) == sorted(registered_tasks())


SENDING = re.compile(r"\.(delay|apply_async|send_task)\(")


def test_the_platform_sends_tasks_only_through_enqueue():
    """So that any later task gets its record and the sweep: a task sent otherwise would be lost with the broker."""
    offenders = []
    for folder in ("ptce_ami", "applications", "reviews", "territories"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "ptce_ami" / "core" / "queue.py" or "migrations" in path.parts:
                continue
            offenders += [f"{path.relative_to(ROOT)}: {line.strip()}" for line in path.read_text().splitlines()
                          if SENDING.search(line)]  # fmt: skip
    assert offenders == []


# The beat schedule


def schedule_of(entry):
    return f"{entry.interval.every} {entry.interval.period}"


def test_the_beat_schedule_runs_one_sweep_of_queued_tasks_instead_of_one_per_kind():
    PeriodicTask.objects.all().delete()
    beat_migration.create_default_tasks(django_apps, None)
    PeriodicTask.objects.filter(task="core.requeue_emails").update(description="Réglé par l'équipe.")

    task_sweep_migration.forwards(django_apps, None)

    entries = {entry.task: entry for entry in PeriodicTask.objects.select_related("interval")}
    assert "applications.requeue_notices" not in entries and "core.requeue_emails" not in entries
    sweep, emails = entries["core.requeue_tasks"], entries["core.mark_interrupted_emails"]
    assert (sweep.name, schedule_of(sweep), sweep.enabled) == ("Relance des tâches restées en file", "2 minutes", True)
    assert (emails.name, schedule_of(emails)) == ("Courriels interrompus pendant l'envoi", "5 minutes")
    assert emails.description == "Réglé par l'équipe."  # staff's text is kept
    assert set(entries) <= set(registered_tasks())


def test_the_beat_migration_reversed_restores_the_sweeps_per_kind():
    PeriodicTask.objects.all().delete()
    beat_migration.create_default_tasks(django_apps, None)
    before = set(PeriodicTask.objects.values_list("name", "task"))

    task_sweep_migration.forwards(django_apps, None)
    task_sweep_migration.backwards(django_apps, None)

    assert set(PeriodicTask.objects.values_list("name", "task")) == before


def test_the_migration_records_the_work_left_pending_by_the_sweeps_per_kind(referential):
    dossier = DossierFactory(complete=True)
    with transaction.atomic():
        submit_dossier(dossier, by=dossier.owner)
        transaction.get_connection().run_on_commit = []
    email, _record = lost_email()
    QueuedTask.objects.all().delete()  # as before the migration: no record
    notice = Notice.objects.get(dossier=dossier, status=NoticeStatus.PENDING)

    task_sweep_migration.forwards(django_apps, None)

    assert sorted(QueuedTask.objects.values_list("name", "kwargs", "status")) == [
        ("applications.render_notice", {"notice_id": notice.pk}, TaskStatus.QUEUED),
        ("core.send_email", {"email_id": email.pk}, TaskStatus.QUEUED),
    ]


# The admin


@pytest.mark.parametrize(("traits", "status"), [({"instructeur": True}, 200), ({"partenaire": True}, 302)])
def test_queued_tasks_admin_is_for_state_staff(client, traits, status):
    lost_email()
    client.force_login(UserFactory(**traits))

    assert client.get(reverse("admin:core_queuedtask_changelist")).status_code == status


def test_queued_tasks_admin_lists_with_a_constant_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(UserFactory(instructeur=True))
    lost_email("test:1")
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("admin:core_queuedtask_changelist"))
    for number in range(2, 5):
        lost_email(f"test:{number}")

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("admin:core_queuedtask_changelist"))

    assert response.status_code == 200


def test_queued_tasks_admin_sends_again_the_failed_tasks_only(client, mailoutbox, django_capture_on_commit_callbacks):
    failed_email, failed = lost_email("test:failed")
    _email, waiting = lost_email("test:waiting")
    QueuedTask.objects.filter(pk=failed.pk).update(status=TaskStatus.FAILED, last_error="Abandonnée")
    client.force_login(UserFactory(instructeur=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:core_queuedtask_changelist"),
            {"action": "resend", "_selected_action": [failed.pk, waiting.pk]},
            follow=True,
        )

    assert [message.to for message in mailoutbox] == [[failed_email.recipient]]
    assert state(failed) == (TaskStatus.DONE, 2, 1)
    assert state(waiting) == (TaskStatus.QUEUED, 1, 0)
    assert [str(message) for message in response.context["messages"]] == [
        "1 tâche remise en file.",
        "1 tâche n'est pas en échec : elle n'est pas relancée.",
    ]
