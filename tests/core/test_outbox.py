import datetime
import smtplib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from ptce_ami.core import outbox, tasks
from ptce_ami.core.models import EmailStatus, OutboundEmail, SweepRun
from ptce_ami.core.sweeps import sweep_run
from tests.accounts.factories import UserFactory
from tests.core import flaky_backend

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 21, 13, 32, tzinfo=datetime.UTC)
PDF = b"%PDF-1.4 a small receipt"


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.core.flaky_backend.FlakyBackend"
    yield flaky_backend.FAILURES
    flaky_backend.FAILURES.clear()


def queue(user, key="test:1", **kwargs):
    context = {"user": user, "link": "https://ptce.example/lien"}
    return outbox.queue_email("accounts/email/confirm_email", user.email, context, key=key, **kwargs)


def pending_email(user, key="test:1", **kwargs):
    """A recorded message whose sending was never queued (the transaction's callbacks are dropped)."""
    with transaction.atomic():
        email = queue(user, key=key, **kwargs)
        transaction.get_connection().run_on_commit = []
    return email


# queue_email


def test_queue_email_records_the_message_and_sends_it_after_commit(mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory(email="camille@example.fr", first_name="Camille")

    with django_capture_on_commit_callbacks(execute=True):
        email = queue(user, related=user)

    email.refresh_from_db()
    assert (email.status, email.attempts, email.recipient) == (EmailStatus.SENT, 1, "camille@example.fr")
    assert email.subject == "AMI PTCE — confirmez votre adresse électronique"
    assert "Bonjour Camille," in email.body_text and 'href="https://ptce.example/lien"' in email.body_html
    assert list(OutboundEmail.objects.about(user)) == [email]
    [message] = mailoutbox
    assert (message.to, message.subject, message.body) == (["camille@example.fr"], email.subject, email.body_text)
    assert message.alternatives[0].mimetype == "text/html"


def test_queue_email_is_idempotent_on_its_key(mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = queue(user, key="confirm:1:abc")
        second = queue(user, key="confirm:1:abc")

    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert OutboundEmail.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_rolled_back_transaction_sends_nothing(mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue(user)
            raise RuntimeError("the submission failed")

    assert callbacks == []
    assert not OutboundEmail.objects.exists()
    assert mailoutbox == []


# deliver


def test_deliver_sends_once_even_if_called_twice(mailoutbox):
    email = pending_email(UserFactory())

    first = outbox.deliver(email.pk)
    second = outbox.deliver(email.pk)

    assert first.status == EmailStatus.SENT and second is None
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)


def test_a_message_being_sent_is_not_sent_by_a_second_delivery(mailoutbox):
    email = pending_email(UserFactory())
    OutboundEmail.objects.filter(pk=email.pk).update(status=EmailStatus.SENDING, claimed_at=timezone.now())

    assert outbox.deliver(email.pk) is None
    assert mailoutbox == []


def test_an_smtp_error_leaves_the_message_failed_with_the_error(flaky, mailoutbox):
    email = pending_email(UserFactory())
    flaky.append(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))

    with pytest.raises(smtplib.SMTPServerDisconnected):
        outbox.deliver(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at) == (EmailStatus.FAILED, 1, None)
    assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert mailoutbox == []


def test_the_task_retries_after_an_smtp_error_and_sends_once(flaky, mailoutbox):
    email = pending_email(UserFactory())
    flaky.append(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))

    tasks.send_email.apply(kwargs={"email_id": email.pk})

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 2, "")
    assert len(mailoutbox) == 1


def test_a_permanent_error_is_not_retried(flaky, mailoutbox):
    email = pending_email(UserFactory())
    flaky.append(smtplib.SMTPAuthenticationError(535, b"bad credentials"))

    tasks.send_email.apply(kwargs={"email_id": email.pk})

    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 1)
    assert email.last_error.startswith("SMTPAuthenticationError")
    assert mailoutbox == []


def test_a_refused_recipient_is_recorded_and_not_retried(flaky, mailoutbox):
    email = pending_email(UserFactory(email="inconnu@example.fr"))
    flaky.append(smtplib.SMTPRecipientsRefused({"inconnu@example.fr": (550, b"5.1.1 User unknown")}))
    flaky.append(smtplib.SMTPRecipientsRefused({"inconnu@example.fr": (550, b"5.1.1 User unknown")}))

    tasks.send_email.apply(kwargs={"email_id": email.pk})

    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 1)
    assert email.last_error.startswith("SMTPRecipientsRefused: {'inconnu@example.fr': (550")
    assert len(flaky) == 1  # one sending only
    assert mailoutbox == []


def test_attachments_are_read_from_storage_when_sending(mailoutbox):
    path = default_storage.save("notices/accuse.pdf", ContentFile(PDF))
    attachment = {"path": path, "filename": "accuse-de-reception-PTCE-2026-P1-0001.pdf", "mimetype": "application/pdf"}
    email = pending_email(UserFactory(), attachments=[attachment])

    outbox.deliver(email.pk)

    [message] = mailoutbox
    assert message.attachments == [("accuse-de-reception-PTCE-2026-P1-0001.pdf", PDF, "application/pdf")]


# The sweep of interrupted sendings (pending ones are sent again by the task sweep: tests/core/test_queue.py)


def test_the_sweep_marks_failed_a_message_interrupted_while_sending(mailoutbox, django_capture_on_commit_callbacks):
    stale, recent = pending_email(UserFactory()), pending_email(UserFactory(), key="test:recent")
    OutboundEmail.objects.filter(pk=stale.pk).update(status=EmailStatus.SENDING, claimed_at=NOW)
    recent_claim = NOW + datetime.timedelta(minutes=10)
    OutboundEmail.objects.filter(pk=recent.pk).update(status=EmailStatus.SENDING, claimed_at=recent_claim)

    with freeze_time(NOW + datetime.timedelta(minutes=16)), django_capture_on_commit_callbacks(execute=True):
        tasks.mark_interrupted_emails.apply()

    stale.refresh_from_db()
    recent.refresh_from_db()
    assert (stale.status, stale.last_error) == (EmailStatus.FAILED, "Envoi interrompu : vérifier avant de renvoyer")
    assert recent.status == EmailStatus.SENDING
    assert mailoutbox == []  # never resent automatically: it may have left
    run = SweepRun.objects.get()
    assert (run.name, run.processed, run.error) == ("core.mark_interrupted_emails", 1, "")
    assert run.finished_at >= run.started_at


def test_a_later_delivery_never_sends_a_message_interrupted_while_sending(mailoutbox):
    email = pending_email(UserFactory())
    OutboundEmail.objects.filter(pk=email.pk).update(status=EmailStatus.SENDING, claimed_at=NOW)
    with freeze_time(NOW + datetime.timedelta(minutes=16)):
        outbox.mark_interrupted()

    # The task delivered again (Celery after the visibility timeout, the task sweep): it may have left already.
    tasks.send_email.apply(kwargs={"email_id": email.pk})

    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 0)
    assert mailoutbox == []


def test_staff_can_send_again_a_message_interrupted_while_sending(mailoutbox, django_capture_on_commit_callbacks):
    email = pending_email(UserFactory())
    OutboundEmail.objects.filter(pk=email.pk).update(status=EmailStatus.SENDING, claimed_at=NOW)
    with freeze_time(NOW + datetime.timedelta(minutes=16)):
        outbox.mark_interrupted()

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.requeue(email)

    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert [message.to for message in mailoutbox] == [[email.recipient]]


def test_the_sweep_works_in_bounded_batches_and_the_next_run_takes_the_rest():
    emails = [pending_email(UserFactory(), key=f"test:{n}") for n in range(5)]
    OutboundEmail.objects.update(status=EmailStatus.SENDING, claimed_at=NOW)

    with freeze_time(NOW + datetime.timedelta(minutes=16)):
        first = outbox.mark_interrupted(batch=2, max_batches=2)
        second = outbox.mark_interrupted(batch=2, max_batches=2)

    assert (first, second) == (4, 1)
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {EmailStatus.FAILED}
    assert {email.pk for email in emails} == set(OutboundEmail.objects.values_list("pk", flat=True))


def test_a_failing_sweep_records_its_error():
    with pytest.raises(ValueError), sweep_run("core.test") as run:
        run.processed += 3
        raise ValueError("boom")

    run = SweepRun.objects.get()
    assert (run.name, run.processed, run.error) == ("core.test", 3, "ValueError: boom")
    assert run.finished_at is not None


# requeue (the admin's "Renvoyer")


def test_requeue_sends_a_failed_message_but_never_a_sent_or_sending_one(
    mailoutbox, django_capture_on_commit_callbacks
):
    failed, sent, sending = (pending_email(UserFactory(), key=f"test:{n}") for n in range(3))
    OutboundEmail.objects.filter(pk=failed.pk).update(status=EmailStatus.FAILED, last_error="SMTP down")
    OutboundEmail.objects.filter(pk=sent.pk).update(status=EmailStatus.SENT)
    OutboundEmail.objects.filter(pk=sending.pk).update(status=EmailStatus.SENDING)

    with django_capture_on_commit_callbacks(execute=True):
        results = [outbox.requeue(email) for email in (failed, sent, sending)]

    assert results == [True, False, False]
    assert [message.to for message in mailoutbox] == [[failed.recipient]]
    statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
    assert statuses == {failed.pk: EmailStatus.SENT, sent.pk: EmailStatus.SENT, sending.pk: EmailStatus.SENDING}


# The admin


def changelist_queries(client, count):
    user = UserFactory()
    for n in range(count):
        pending_email(user, key=f"test:list:{n}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:core_outboundemail_changelist"))
    assert response.status_code == 200
    return len(queries)


def test_outbox_admin_lists_with_a_constant_number_of_queries(client):
    client.force_login(UserFactory(instructeur=True))

    one = changelist_queries(client, 1)
    OutboundEmail.objects.all().delete()
    three = changelist_queries(client, 3)

    assert one == three


@pytest.mark.parametrize(
    ("traits", "status"),
    [({"instructeur": True}, 200), ({"administrateur": True}, 200), ({"partenaire": True}, 302), ({}, 302)],
)
def test_outbox_admin_is_for_state_staff(client, traits, status):
    client.force_login(UserFactory(**traits))

    for name in ("outboundemail", "sentreminder", "sweeprun"):
        assert client.get(reverse(f"admin:core_{name}_changelist")).status_code == status


def test_outbox_admin_is_read_only_and_hides_bodies_from_instructeurs(client):
    email = pending_email(UserFactory())
    url = reverse("admin:core_outboundemail_change", args=[email.pk])
    client.force_login(UserFactory(instructeur=True))

    page = client.get(url)

    assert page.status_code == 200
    assert email.subject in page.content.decode()
    assert "https://ptce.example/lien" not in page.content.decode()  # a sign-in link
    assert client.post(url, {"subject": "changé"}).status_code == 403
    client.force_login(UserFactory(administrateur=True))
    assert "https://ptce.example/lien" in client.get(url).content.decode()


def test_outbox_admin_resends_failed_messages_only(client, mailoutbox, django_capture_on_commit_callbacks):
    failed, sent = pending_email(UserFactory(), key="test:failed"), pending_email(UserFactory(), key="test:sent")
    OutboundEmail.objects.filter(pk=failed.pk).update(status=EmailStatus.FAILED, last_error="SMTP down")
    OutboundEmail.objects.filter(pk=sent.pk).update(status=EmailStatus.SENT)
    client.force_login(UserFactory(instructeur=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:core_outboundemail_changelist"),
            {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    assert [message.to for message in mailoutbox] == [[failed.recipient]]
    assert [str(message) for message in response.context["messages"]] == [
        "1 courriel remis en envoi.",
        "1 courriel n'est pas en échec : il n'est pas renvoyé.",
    ]
