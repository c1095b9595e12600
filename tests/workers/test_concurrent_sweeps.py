"""Sweeps running at the same time, on PostgreSQL: a run skips the rows another run holds (SKIP LOCKED).

Two connections are needed (a thread holds the rows), hence transactional tests; they sit here, with the other
tests that need the real services, after the browser tests (which expect the migration data of a fresh database).
"""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from freezegun import freeze_time

from applications.models import StaffNotification
from applications.services import notifications as staff_notifications
from applications.services.workflow import transition
from ptce_ami.accounts.enums import NotificationFrequency
from ptce_ami.core import outbox, queue, reminders
from ptce_ami.core.models import EmailStatus, OutboundEmail, QueuedTask, SweepRun
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.applications.test_reminders import CLOSES_AT, DAY, DRAFTS, OPENS_AT, assert_each_once, make_draft
from tests.conftest import require_service

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NOW = datetime.datetime(2026, 11, 21, 13, 32, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _postgresql():
    require_service(connection.vendor == "postgresql", "PostgreSQL (row locks, SKIP LOCKED)")


def hold_rows(queryset):
    """Lock the rows in another connection until released, as a concurrent run would; returns (thread, release)."""
    locked, release = threading.Event(), threading.Event()

    def other_run():
        with transaction.atomic():
            list(queryset.select_for_update())
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    assert locked.wait(10)
    return thread, release


def pending_email(user, key):
    with transaction.atomic():
        email = outbox.queue_email(
            "accounts/email/confirm_email", user.email, {"user": user, "link": "https://ptce.example/lien"}, key=key
        )
        transaction.get_connection().run_on_commit = []  # never queued: the broker was down
    return email


def test_concurrent_task_sweeps_share_the_work_without_waiting(mailoutbox):
    with freeze_time(NOW):
        first, second = pending_email(UserFactory(), "test:1"), pending_email(UserFactory(), "test:2")
    thread, release = hold_rows(QueuedTask.objects.filter(kwargs__email_id=first.pk))
    try:
        assert queue.requeue_due(NOW + datetime.timedelta(minutes=3)) == 1
    finally:
        release.set()
        thread.join()

    assert [message.to for message in mailoutbox] == [[second.recipient]]


def test_concurrent_outbox_sweeps_share_the_interrupted_messages_without_waiting():
    first, second = pending_email(UserFactory(), "test:1"), pending_email(UserFactory(), "test:2")
    OutboundEmail.objects.update(status=EmailStatus.SENDING, claimed_at=NOW)
    thread, release = hold_rows(OutboundEmail.objects.filter(pk=first.pk))
    try:
        assert outbox.mark_interrupted(NOW + datetime.timedelta(minutes=16)) == 1
    finally:
        release.set()
        thread.join()

    statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
    assert statuses == {first.pk: EmailStatus.SENDING, second.pk: EmailStatus.FAILED}


def test_a_digest_sweep_skips_the_notifications_another_run_is_sending(mailoutbox):
    UserFactory(instructeur=True, email="instructeur@tresor.fr", notification_frequency=NotificationFrequency.DAILY)
    dossier = DossierFactory(region=RegionFactory())
    transition(dossier, "submit", by=dossier.owner)
    thread, release = hold_rows(StaffNotification.objects.all())
    try:
        assert staff_notifications.send_daily_digests() == 0  # does not wait: it skips the locked rows
    finally:
        release.set()
        thread.join()

    assert staff_notifications.send_daily_digests() == 1
    assert [message.to for message in mailoutbox] == [["instructeur@tresor.fr"]]


def test_two_sweeps_at_once_send_each_reminder_once(mailoutbox, monkeypatch):
    phase = PhaseFactory(opens_at=OPENS_AT, closes_at=CLOSES_AT)
    for n in range(24):
        make_draft(phase, f"coeditrice{n}@example.fr", f"sans-compte{n}@example.org")
    real = reminders.queue_email

    def slow_queue_email(*args, **kwargs):
        time.sleep(0.002)  # widens the overlap of the two sweeps
        return real(*args, **kwargs)

    monkeypatch.setattr(reminders, "queue_email", slow_queue_email)
    barrier, counts, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait()
            counts.append(reminders.sweep(DRAFTS, now=CLOSES_AT - 6 * DAY, batch_size=4))
        except Exception as error:  # noqa: BLE001 -- reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sum(counts) == 72
    assert_each_once(mailoutbox, 72)
    first, second = SweepRun.objects.order_by("started_at")
    assert [(run.name, run.error) for run in (first, second)] == [(DRAFTS, "")] * 2
    assert second.started_at < first.finished_at  # they did run at once
