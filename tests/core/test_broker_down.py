"""A dead broker never costs a request, and nothing is lost (issue 9, item 2).

With CELERY_BROKER_URL pointing at a broker that refuses, hangs or cannot be reached, and the platform's own
Celery settings for that URL, the submit, message and export views answer within 2 s, do what was asked, and
leave the work recorded for the sweep. (The sweep with a live worker: tests/workers/test_broker_recovery.py.)
The time is measured around the request and its after-commit callbacks, where the tasks are sent.
"""

import time

import pytest
from django.urls import reverse

from applications.enums import DossierState, NoticeStatus
from applications.models import EligibilityRun, Message, Notice
from ptce_ami.core.models import EmailStatus, OutboundEmail, QueuedTask, TaskStatus
from reviews.models import Export, ExportStatus
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory
from tests.core.dead_broker import KINDS, dead_broker, platform_celery

pytestmark = pytest.mark.django_db

LIMIT = 2.0


@pytest.fixture(params=KINDS)
def broker_down(request, monkeypatch):
    with dead_broker(request.param) as url, platform_celery(monkeypatch, url) as conf:
        assert (conf.task_always_eager, conf.result_backend) == (False, None)
        yield request.param


def timed_post(client, url, data, capture):
    start = time.monotonic()
    with capture(execute=True):
        response = client.post(url, data)
    return response, time.monotonic() - start


def queued():
    return sorted(QueuedTask.objects.filter(status=TaskStatus.QUEUED).values_list("name", flat=True))


def test_submit_answers_quickly_and_leaves_the_receipt_and_eligibility_queued(
    broker_down, client, referential, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(complete=True)
    client.force_login(dossier.owner)

    url = reverse("applications:submit", kwargs={"reference": dossier.reference})
    response, elapsed = timed_post(client, url, {}, django_capture_on_commit_callbacks)

    assert elapsed < LIMIT, f"{broker_down}: {elapsed:.2f} s"
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert Notice.objects.get(dossier=dossier).status == NoticeStatus.PENDING
    assert not EligibilityRun.objects.exists()
    assert queued() == ["applications.issue_receipt", "applications.run_eligibility"]


def test_a_message_answers_quickly_and_leaves_its_email_queued(
    broker_down, client, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(submitted=True)
    client.force_login(UserFactory(instructeur=True))

    url = reverse("applications:message_post", kwargs={"reference": dossier.reference})
    response, elapsed = timed_post(
        client, url, {"message-body": "Merci de préciser le budget."}, django_capture_on_commit_callbacks
    )

    assert elapsed < LIMIT, f"{broker_down}: {elapsed:.2f} s"
    assert response.status_code == 302
    assert Message.objects.get(dossier=dossier).body == "Merci de préciser le budget."
    email = OutboundEmail.objects.get(recipient=dossier.owner.email)
    assert email.status == EmailStatus.PENDING
    assert queued() == ["core.send_email"]
    assert QueuedTask.objects.get().kwargs == {"email_id": email.pk}


def test_an_export_answers_quickly_and_stays_queued(broker_down, client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(instructeur=True))

    url = reverse("reviews:export_create")
    response, elapsed = timed_post(client, url, {"query": "", "format": "csv"}, django_capture_on_commit_callbacks)

    assert elapsed < LIMIT, f"{broker_down}: {elapsed:.2f} s"
    export = Export.objects.get()
    assert response.url == reverse("reviews:export_detail", kwargs={"pk": export.pk})
    assert export.status == ExportStatus.PENDING
    assert queued() == ["reviews.build_export"]
