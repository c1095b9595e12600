"""Nothing is lost when the broker is down (issue 9, item 2), end to end through a real worker on Redis.

1. With the broker dead (silent), the submit, message and export views answer within 2 s; once it is back, the
   sweep of queued tasks (sent as beat would) makes the receipt, the e-mails, the eligibility run and the export.
2. A Redis of this test's own (never the shared one) stopped in the middle of a submission and started again:
   the worker reconnects, the sweep runs, and everything arrives, once.
"""

import datetime
import shutil
import subprocess
import time

import pytest
import redis
from django.db import connection
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState, NoticeKind, NoticeStatus
from applications.models import DossierVersion, EligibilityRun, Notice
from ptce_ami.celery import app as celery_app
from ptce_ami.core.models import EmailStatus, OutboundEmail, QueuedTask, TaskStatus
from reviews.models import Export, ExportStatus
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory
from tests.conftest import require_service
from tests.core.dead_broker import dead_broker, free_port, platform_celery
from tests.workers.conftest import start_worker, stop_process, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LIMIT = 2.0
RECEIPT_SUBJECT = "AMI PTCE — dossier {reference} déposé"


def timed_post(client, url, data=None):
    start = time.monotonic()
    response = client.post(url, data or {})
    return response, time.monotonic() - start


def run_the_sweep(queue):
    """The sweep as beat sends it, a few minutes later (the rows made due now rather than waiting)."""
    QueuedTask.objects.filter(status=TaskStatus.QUEUED).update(due_at=timezone.now() - datetime.timedelta(seconds=1))
    celery_app.send_task("core.requeue_tasks", queue=queue)


def receipt_sent(dossier):
    ready = Notice.objects.filter(dossier=dossier, kind=NoticeKind.RECEIPT, status=NoticeStatus.READY).exists()
    return (
        ready and OutboundEmail.objects.about(dossier).filter(template__contains="submitted", status="sent").exists()
    )


def all_done():
    return not QueuedTask.objects.exclude(status=TaskStatus.DONE).exists()


def test_after_a_dead_broker_the_sweep_delivers_receipt_emails_eligibility_and_export(
    referential, through_worker, client, monkeypatch
):
    dossier = DossierFactory(complete=True)
    instructeur = UserFactory(instructeur=True)

    with dead_broker("silent") as url, platform_celery(monkeypatch, url, task_default_queue=through_worker.queue):
        client.force_login(dossier.owner)
        submitted, submit_time = timed_post(client, reverse("applications:submit", args=[dossier.reference]))
        client.force_login(instructeur)
        message_url = reverse("applications:message_post", args=[dossier.reference])
        posted, message_time = timed_post(client, message_url, {"message-body": "Merci de préciser le budget."})
        exported, export_time = timed_post(client, reverse("reviews:export_create"), {"query": "", "format": "csv"})

    assert (submitted.status_code, posted.status_code, exported.status_code) == (302, 302, 302)
    assert max(submit_time, message_time, export_time) < LIMIT, (submit_time, message_time, export_time)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    names = list(QueuedTask.objects.values_list("name", flat=True))
    assert set(names) == {
        "applications.issue_receipt",
        "applications.run_eligibility",
        "applications.email_staff_notifications",
        "core.send_email",
        "reviews.build_export",
    }
    # One sending per e-mail recorded: the message to the owner; the staff's notification of the submission is built
    # by its own task (applications.email_staff_notifications), queued too.
    assert names.count("core.send_email") == OutboundEmail.objects.count() == 1
    assert set(QueuedTask.objects.values_list("status", flat=True)) == {TaskStatus.QUEUED}

    run_the_sweep(through_worker.queue)

    export = Export.objects.get()
    wait_for(
        lambda: (
            receipt_sent(dossier)
            and EligibilityRun.objects.filter(dossier=dossier).exists()
            and Export.objects.filter(pk=export.pk, status=ExportStatus.READY).exists()
            and all_done()
        ),
        timeout=90,
        message="the receipt, its e-mail, the message's e-mail, the eligibility run and the export",
        worker=through_worker,
    )
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
    subjects = through_worker.sent_subjects()
    assert subjects.count(RECEIPT_SUBJECT.format(reference=dossier.reference)) == 1
    assert len(subjects) == OutboundEmail.objects.count() == 3  # and the receipt, once it was made
    assert EligibilityRun.objects.filter(dossier=dossier).count() == 1


# Redis stopped during a submission ------------------------------------------------------------------------------


class OwnRedis:
    """A redis-server of this test, on a free port, without persistence: stopping it loses what it held."""

    def __init__(self, folder):
        self.port, self.folder, self.process = free_port(), folder, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for(self.answers, timeout=10, message=f"redis-server on port {self.port}")

    def answers(self):
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self):
        stop_process(self.process)


@pytest.fixture
def own_redis(tmp_path):
    require_service(shutil.which("redis-server"), "redis-server (this test starts and stops its own)")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def own_worker(own_redis, tmp_path, settings):
    require_service(connection.vendor == "postgresql", "PostgreSQL (the worker shares the test database)")
    worker = start_worker(tmp_path / "worker", connection.settings_dict["NAME"], broker_url=own_redis.url)
    settings.MEDIA_ROOT = worker.media_root
    yield worker
    stop_process(worker.process)


def test_redis_stopped_during_a_submission_and_started_again_loses_nothing(
    referential, own_redis, own_worker, client, monkeypatch
):
    dossier = DossierFactory(complete=True)
    client.force_login(dossier.owner)

    def stop_redis(sender, instance, created, **kwargs):
        if created:  # the version is frozen inside the submission's transaction: its tasks are not sent yet
            own_redis.stop()

    post_save.connect(stop_redis, sender=DossierVersion, dispatch_uid="stop-redis")
    try:
        with platform_celery(monkeypatch, own_redis.url, task_default_queue=own_worker.queue):
            response, elapsed = timed_post(client, reverse("applications:submit", args=[dossier.reference]))
            assert own_redis.process.poll() is not None  # Redis did stop during the request

            dossier.refresh_from_db()
            assert (response.status_code, dossier.state) == (302, DossierState.SUBMITTED)
            assert elapsed < LIMIT, elapsed
            assert set(QueuedTask.objects.values_list("status", flat=True)) == {TaskStatus.QUEUED}

            own_redis.start()
            run_the_sweep(own_worker.queue)

            wait_for(
                lambda: (
                    receipt_sent(dossier) and EligibilityRun.objects.filter(dossier=dossier).exists() and all_done()
                ),
                timeout=120,
                message="the receipt and the eligibility run once Redis is back",
                worker=own_worker,
            )
    finally:
        post_save.disconnect(dispatch_uid="stop-redis", sender=DossierVersion)

    assert own_worker.sent_subjects() == [RECEIPT_SUBJECT.format(reference=dossier.reference)]
    assert EligibilityRun.objects.filter(dossier=dossier).count() == 1
    assert Notice.objects.filter(dossier=dossier).count() == 1
