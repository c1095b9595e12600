import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from applications import tasks
from applications.models import StaffNotification
from applications.services import notifications as staff_notifications
from applications.services.workflow import transition
from ptce_ami.accounts.enums import NotificationFrequency, Role
from ptce_ami.accounts.models import User
from ptce_ami.core.models import EmailStatus, OutboundEmail, SweepRun
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory

pytestmark = pytest.mark.django_db

DAY = datetime.datetime(2026, 11, 21, 13, 32, tzinfo=datetime.UTC)  # 14 h 32 in Paris
NEXT_MORNING = datetime.datetime(2026, 11, 22, 6, 0, tzinfo=datetime.UTC)
DAILY = NotificationFrequency.DAILY


@pytest.fixture
def region():
    return RegionFactory()


@pytest.fixture
def people(region):
    corse = RegionFactory(code="94", name="Corse", cress_name="CRESS Corse")
    return {
        "instructeur": UserFactory(instructeur=True, email="instructeur@tresor.fr"),
        "administrateur": UserFactory(administrateur=True, email="admin@tresor.fr", notification_frequency=DAILY),
        "partenaire": UserFactory(partenaire=True, email="cress-ara@example.fr", regions=[region]),
        "partenaire_quotidien": UserFactory(
            partenaire=True, email="cra-ara@example.fr", regions=[region], notification_frequency=DAILY
        ),
        "partenaire_corse": UserFactory(partenaire=True, email="cress-corse@example.fr", regions=[corse]),
        "evaluateur": UserFactory(evaluateur=True, email="expert@example.fr"),
        "porteur": UserFactory(email="autre-porteur@example.fr"),
        "inactif": UserFactory(instructeur=True, email="parti@tresor.fr", is_active=False),
    }


def submit(dossier, capture, at=DAY, action="submit"):
    with freeze_time(at), capture(execute=True):
        transition(dossier, action, by=dossier.owner)


def recipients(notifications):
    return sorted(notification.recipient.email for notification in notifications)


def sent_to(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


def test_a_submission_notifies_state_staff_and_the_partners_of_its_region_only(
    people, region, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(region=region)

    submit(dossier, django_capture_on_commit_callbacks)

    notifications = StaffNotification.objects.select_related("recipient")
    assert recipients(notifications) == [
        "admin@tresor.fr",
        "cra-ara@example.fr",
        "cress-ara@example.fr",
        "instructeur@tresor.fr",
    ]
    transition_pk = dossier.transitions.get().pk
    assert {(n.kind, n.event_key, n.dossier_id) for n in notifications} == {
        ("dossier_submitted", f"submit:{dossier.pk}:{transition_pk}", dossier.pk)
    }


def test_immediate_recipients_get_an_email_at_once_about_the_dossier(
    people, region, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(region=region, reference="PTCE-2026-P1-0042", name="Pôle des Deux Rives")

    submit(dossier, django_capture_on_commit_callbacks)

    assert sent_to(mailoutbox) == ["cress-ara@example.fr", "instructeur@tresor.fr"]
    message = mailoutbox[0]
    assert message.subject == "AMI PTCE — nouveau dépôt : dossier PTCE-2026-P1-0042 (Auvergne-Rhône-Alpes)"
    body = " ".join(message.body.split())
    assert (
        "Le dossier de candidature « Pôle des Deux Rives » (référence PTCE-2026-P1-0042, région "
        "Auvergne-Rhône-Alpes) a été déposé le 21 novembre 2026 à 14 h 32 (heure de Paris)."
    ) in body
    assert f"Consulter le dossier : http://127.0.0.1:8000{dossier.get_absolute_url()}" in body
    assert "/compte/mon-compte/" in body
    assert f'href="http://127.0.0.1:8000{dossier.get_absolute_url()}"' in message.alternatives[0].content
    emailed = dict(StaffNotification.objects.values_list("recipient__email", "emailed_at"))
    assert emailed == {
        "instructeur@tresor.fr": DAY,
        "cress-ara@example.fr": DAY,
        "admin@tresor.fr": None,
        "cra-ara@example.fr": None,
    }
    assert OutboundEmail.objects.about(dossier).filter(status=EmailStatus.SENT).count() == 2


def test_a_submission_builds_no_staff_email_itself_whatever_the_number_of_staff(
    region, mailoutbox, django_capture_on_commit_callbacks
):
    """One task for the event, recorded in the submission's transaction; a worker builds the e-mails (issue 15: at
    the deadline, a submission waited for one rendered e-mail per staff member, its dossier locked)."""

    def submission(staff):
        for _ in range(staff):
            UserFactory(instructeur=True)
        dossier = DossierFactory(region=region)
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
            transition(dossier, "submit", by=dossier.owner)
        return len(queries), callbacks

    one, _ = submission(1)
    three, callbacks = submission(2)  # three instructeurs now

    assert one == three
    assert not OutboundEmail.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the commit: the task runs (inline, no broker here)
        for callback in callbacks:
            callback()
    instructeurs = User.objects.filter(role=Role.INSTRUCTEUR).values_list("email", flat=True)
    assert sent_to(mailoutbox) == sorted(instructeurs)  # the second submission's e-mails: its three instructeurs


def test_a_rolled_back_submission_notifies_nobody(people, region, mailoutbox, django_capture_on_commit_callbacks):
    dossier = DossierFactory(region=region)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            transition(dossier, "submit", by=dossier.owner)
            raise RuntimeError("the version could not be frozen")

    assert not StaffNotification.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert mailoutbox == []


def test_a_resubmission_after_corrections_is_a_new_event(
    people, region, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(region=region)
    submit(dossier, django_capture_on_commit_callbacks)
    transition(dossier, "request_corrections", by=people["instructeur"], comment="La pièce 2 manque.")
    mailoutbox.clear()

    submit(dossier, django_capture_on_commit_callbacks, at=DAY + datetime.timedelta(days=2), action="resubmit")

    assert StaffNotification.objects.filter(kind="dossier_resubmitted").count() == 4
    assert sent_to(mailoutbox) == ["cress-ara@example.fr", "instructeur@tresor.fr"]
    assert "déposé à nouveau après corrections" in mailoutbox[0].subject


def test_other_transitions_notify_nobody(people, region, django_capture_on_commit_callbacks):
    dossier = DossierFactory(region=region)
    submit(dossier, django_capture_on_commit_callbacks)

    transition(dossier, "start_review", by=people["instructeur"])

    assert StaffNotification.objects.count() == 4


def test_the_daily_digest_lists_every_notification_in_one_email_sent_once(
    people, region, mailoutbox, django_capture_on_commit_callbacks
):
    first = DossierFactory(region=region, reference="PTCE-2026-P1-0001", name="Pôle Un")
    second = DossierFactory(region=region, reference="PTCE-2026-P1-0002", name="Pôle Deux")
    submit(first, django_capture_on_commit_callbacks)
    submit(second, django_capture_on_commit_callbacks, at=DAY + datetime.timedelta(hours=2))
    mailoutbox.clear()

    with freeze_time(NEXT_MORNING), django_capture_on_commit_callbacks(execute=True):
        processed = tasks.send_daily_digests.apply().get()
        again = tasks.send_daily_digests.apply().get()

    assert (processed, again) == (2, 0)
    assert sent_to(mailoutbox) == ["admin@tresor.fr", "cra-ara@example.fr"]
    message = mailoutbox[0]
    assert message.subject == "AMI PTCE — récapitulatif du 22 novembre 2026 : 2 événements"
    body = " ".join(message.body.split())
    assert "- PTCE-2026-P1-0001 — « Pôle Un » — Auvergne-Rhône-Alpes" in body
    assert "Nouveau dépôt, le 21 novembre 2026 à 16 h 32" in body
    assert f"http://127.0.0.1:8000{second.get_absolute_url()}" in body
    assert body.index("PTCE-2026-P1-0001") < body.index("PTCE-2026-P1-0002")
    assert not StaffNotification.objects.filter(emailed_at=None).exists()
    assert list(SweepRun.objects.order_by("pk").values_list("name", "processed")) == [
        ("applications.send_daily_digests", 2),
        ("applications.send_daily_digests", 0),
    ]


def test_the_next_digest_lists_only_what_came_since(people, region, mailoutbox, django_capture_on_commit_callbacks):
    submit(DossierFactory(region=region, reference="PTCE-2026-P1-0001"), django_capture_on_commit_callbacks)
    with freeze_time(NEXT_MORNING), django_capture_on_commit_callbacks(execute=True):
        staff_notifications.send_daily_digests()
    later = DossierFactory(region=region, reference="PTCE-2026-P1-0003")
    submit(later, django_capture_on_commit_callbacks, at=NEXT_MORNING + datetime.timedelta(hours=1))
    mailoutbox.clear()

    # The same day, again: a new message for the new notification (its key names it), nothing resent.
    with freeze_time(NEXT_MORNING + datetime.timedelta(hours=3)), django_capture_on_commit_callbacks(execute=True):
        assert staff_notifications.send_daily_digests() == 2

    assert sent_to(mailoutbox) == ["admin@tresor.fr", "cra-ara@example.fr"]
    assert "PTCE-2026-P1-0003" in mailoutbox[0].body and "PTCE-2026-P1-0001" not in mailoutbox[0].body


def test_a_partner_moved_to_another_region_gets_no_digest_of_the_old_one(
    people, region, mailoutbox, django_capture_on_commit_callbacks
):
    submit(DossierFactory(region=region), django_capture_on_commit_callbacks)
    partner = people["partenaire_quotidien"]
    partner.regions.set([RegionFactory(code="94")])
    mailoutbox.clear()

    with freeze_time(NEXT_MORNING), django_capture_on_commit_callbacks(execute=True):
        staff_notifications.send_daily_digests()

    assert sent_to(mailoutbox) == ["admin@tresor.fr"]
    assert StaffNotification.objects.get(recipient=partner).emailed_at is None


def test_a_recipient_who_switches_to_immediate_still_gets_what_waited(
    people, region, mailoutbox, django_capture_on_commit_callbacks
):
    submit(DossierFactory(region=region), django_capture_on_commit_callbacks)
    admin = people["administrateur"]
    admin.notification_frequency = NotificationFrequency.IMMEDIATE
    admin.save()
    mailoutbox.clear()

    with freeze_time(NEXT_MORNING), django_capture_on_commit_callbacks(execute=True):
        staff_notifications.send_daily_digests()

    assert "admin@tresor.fr" in sent_to(mailoutbox)


def digest_queries(region, capture, count):
    for _ in range(count):
        submit(DossierFactory(region=region), capture)
    with CaptureQueriesContext(connection) as queries, freeze_time(NEXT_MORNING), capture(execute=True):
        assert staff_notifications.send_daily_digests() == 1
    return len(queries)


def test_a_digest_takes_the_same_number_of_queries_whatever_its_length(region, django_capture_on_commit_callbacks):
    UserFactory(instructeur=True, notification_frequency=DAILY)

    one = digest_queries(region, django_capture_on_commit_callbacks, 1)
    StaffNotification.objects.all().delete()
    three = digest_queries(region, django_capture_on_commit_callbacks, 3)

    assert one == three


# The dossier's page: the e-mails sent about it, for its staff


def test_staff_see_the_emails_sent_about_the_dossier(people, region, client, django_capture_on_commit_callbacks):
    dossier = DossierFactory(region=region, reference="PTCE-2026-P1-0042")
    submit(dossier, django_capture_on_commit_callbacks)

    for role in ("instructeur", "partenaire"):
        client.force_login(people[role])
        page = client.get(dossier.get_absolute_url()).content.decode()
        assert "Courriels envoyés" in page, role
        assert "AMI PTCE — nouveau dépôt : dossier PTCE-2026-P1-0042" in page
        assert "instructeur@tresor.fr" in page and "Envoyé" in page


def test_porteurs_do_not_see_the_emails_of_their_dossier(people, region, client, django_capture_on_commit_callbacks):
    dossier = DossierFactory(region=region)
    submit(dossier, django_capture_on_commit_callbacks)
    client.force_login(dossier.owner)

    page = client.get(dossier.get_absolute_url())

    assert page.status_code == 200
    assert "Courriels envoyés" not in page.content.decode()


def page_queries(client, region, capture, count):
    dossier = DossierFactory(region=region, submitted=True)
    for n in range(count):
        StaffNotification.objects.create(
            recipient=UserFactory(instructeur=True), kind="dossier_submitted", dossier=dossier, event_key=f"e{n}"
        )
    with capture(execute=True):
        staff_notifications.email_immediately("dossier_submitted", "e0", now=DAY)
        for n in range(1, count):
            staff_notifications.email_immediately("dossier_submitted", f"e{n}", now=DAY)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(dossier.get_absolute_url())
    assert page.content.decode().count("AMI PTCE — nouveau dépôt") == count
    return len(queries)


def test_the_emails_section_takes_the_same_number_of_queries_whatever_its_length(
    client, region, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(instructeur=True))

    assert page_queries(client, region, django_capture_on_commit_callbacks, 1) == page_queries(
        client, region, django_capture_on_commit_callbacks, 3
    )


# The profile page: the frequency, for staff and partners only


@pytest.mark.parametrize("traits", [{"instructeur": True}, {"administrateur": True}, {"partenaire": True}])
def test_staff_and_partners_choose_their_notification_frequency(client, traits):
    user = UserFactory(**traits)
    client.force_login(user)

    page = client.get(reverse("accounts:profile")).content.decode()
    response = client.post(
        reverse("accounts:profile"),
        {
            "first_name": "Camille",
            "last_name": "Roux",
            "organisation": "",
            "phone": "",
            "notification_frequency": DAILY,
        },
    )

    assert 'type="radio"' in page and "Un récapitulatif quotidien" in page
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.notification_frequency == DAILY


@pytest.mark.parametrize("traits", [{}, {"evaluateur": True}])
def test_porteurs_and_reviewers_are_not_offered_the_frequency(client, traits):
    user = UserFactory(**traits)
    client.force_login(user)

    page = client.get(reverse("accounts:profile")).content.decode()
    client.post(
        reverse("accounts:profile"),
        {
            "first_name": "Camille",
            "last_name": "Roux",
            "organisation": "",
            "phone": "",
            "notification_frequency": DAILY,
        },
    )

    assert "Un récapitulatif quotidien" not in page
    user.refresh_from_db()
    assert user.notification_frequency == NotificationFrequency.IMMEDIATE
