"""Background work through a real Celery worker on Redis: the receipt, a worker killed mid-task, a broker down.

These are the end-to-end checks of issue 4; the services and tasks have their own unit tests.
"""

import datetime

import pytest
from django.utils import timezone

from applications.enums import NoticeKind, NoticeStatus
from applications.models import DossierVersion, EligibilityRun, Notice
from applications.services.submission import submit_dossier
from ptce_ami.celery import app as celery_app
from ptce_ami.core.models import EmailStatus, OutboundEmail, QueuedTask
from tests.applications.factories import DossierFactory
from tests.core.dead_broker import dead_broker, platform_celery
from tests.workers.conftest import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SUBJECT = "AMI PTCE — dossier {reference} déposé"


def receipt_ready(dossier):
    return Notice.objects.filter(dossier=dossier, kind=NoticeKind.RECEIPT, status=NoticeStatus.READY).exists()


def receipt_emails_sent(dossier):
    return OutboundEmail.objects.about(dossier).filter(status=EmailStatus.SENT).count()


def test_a_submitted_dossier_gets_its_receipt_pdf_and_email_through_the_worker(referential, through_worker):
    dossier = DossierFactory(complete=True)

    submit_dossier(dossier, by=dossier.owner)

    wait_for(
        lambda: receipt_ready(dossier) and receipt_emails_sent(dossier) == 1,
        message="receipt and e-mail",
        worker=through_worker,
    )
    notice = Notice.objects.get(dossier=dossier)
    with notice.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert through_worker.sent_subjects().count(SUBJECT.format(reference=dossier.reference)) == 1
    wait_for(lambda: EligibilityRun.objects.filter(dossier=dossier).exists(), message="the eligibility run")
    assert "applications.issue_receipt" in through_worker.log_text()


def test_a_worker_killed_in_the_middle_runs_the_task_again_and_sends_nothing_twice(referential, through_worker):
    dossier = DossierFactory(complete=True)
    through_worker.slow_flag.touch()

    submit_dossier(dossier, by=dossier.owner)
    started = through_worker.slow_flag.with_name(through_worker.slow_flag.name + ".started")
    wait_for(started.exists, message="the render to start")
    through_worker.kill_child()

    wait_for(
        lambda: receipt_ready(dossier) and receipt_emails_sent(dossier) == 1,
        message="the task run again",
        worker=through_worker,
    )
    assert Notice.objects.filter(dossier=dossier).count() == 1
    assert through_worker.sent_subjects().count(SUBJECT.format(reference=dossier.reference)) == 1
    assert "WorkerLostError" in through_worker.log_text() or "Process" in through_worker.log_text()


def test_broker_down_at_submission_the_receipt_goes_out_when_it_is_back(referential, through_worker, monkeypatch):
    dossier = DossierFactory(complete=True)
    # Setting conf.broker_url is not enough: Celery takes CELERY_BROKER_URL from the environment first.
    with dead_broker("refused") as url, platform_celery(monkeypatch, url, task_default_queue=through_worker.queue):
        version = submit_dossier(dossier, by=dossier.owner)  # the porteur's submission succeeds all the same

    dossier.refresh_from_db()
    assert dossier.submitted_at is not None and DossierVersion.objects.filter(pk=version.pk).exists()
    notice = Notice.objects.get(dossier=dossier)
    assert notice.status == NoticeStatus.PENDING
    # The broker is back; a few minutes later the sweep finds the tasks left queued and sends them again.
    QueuedTask.objects.update(due_at=timezone.now() - datetime.timedelta(seconds=1))
    celery_app.send_task("core.requeue_tasks", queue=through_worker.queue)

    wait_for(
        lambda: receipt_ready(dossier) and receipt_emails_sent(dossier) == 1,
        message="the re-queued receipt",
        worker=through_worker,
    )
    assert through_worker.sent_subjects().count(SUBJECT.format(reference=dossier.reference)) == 1
