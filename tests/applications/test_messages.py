import datetime
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from applications.enums import DossierState
from applications.models import DossierInvitation, Message, MessageAttachment, MessageRead, StaffNotification
from applications.services import notifications as staff_notifications
from applications.services.messages import post_message, unread_counts
from applications.services.notifications import notify_porteurs
from ptce_ami.accounts.enums import NotificationFrequency
from ptce_ami.core.models import OutboundEmail
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import PDF_BYTES, DossierFactory
from tests.reviews.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
def region():
    return RegionFactory()


@pytest.fixture
def dossier(region):
    dossier = DossierFactory(submitted=True, region=region, reference="PTCE-2026-P1-0042", name="Pôle des Rives")
    dossier.owner.email = "titulaire@example.fr"
    dossier.owner.save(update_fields=["email"])
    return dossier


@pytest.fixture
def coeditor(dossier):
    user = UserFactory(email="coediteur@example.fr")
    DossierInvitation.objects.create(dossier=dossier, email=user.email, invited_by=dossier.owner)
    return user


@pytest.fixture
def instructeur():
    return UserFactory(instructeur=True, email="instructeur@tresor.fr")


@pytest.fixture
def partner(region):
    return UserFactory(partenaire=True, email="cress@example.fr", regions=[region])


def make_user(who, dossier):
    """Everyone around a dossier, by role."""
    if who == "owner":
        return dossier.owner
    if who == "coeditor":
        user = UserFactory()
        DossierInvitation.objects.create(dossier=dossier, email=user.email, invited_by=dossier.owner)
        return user
    if who == "other_porteur":
        return UserFactory()
    if who == "reviewer":
        return AssignmentFactory(dossier=dossier, confirmed=True).reviewer
    if who == "partner_of_region":
        return UserFactory(partenaire=True, regions=[dossier.region])
    if who == "partner_of_other_region":
        return UserFactory(partenaire=True, regions=[RegionFactory(code="94", name="Corse", cress_name="CRESS")])
    return UserFactory(instructeur=True)


def text(response):
    return html.unescape(response.content.decode())


def post_url(dossier):
    return reverse("applications:message_post", kwargs={"reference": dossier.reference})


def send(client, dossier, body="Bonjour", **extra):
    return client.post(post_url(dossier), {"message-body": body, **extra})


# Visibility and permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "page_status", "sees_thread", "post_status"),
    [
        ("owner", 200, True, 302),
        ("coeditor", 200, True, 302),
        ("other_porteur", 404, False, 404),
        ("reviewer", 200, False, 404),
        ("partner_of_other_region", 404, False, 404),
        ("partner_of_region", 200, True, 302),
        ("instructeur", 200, True, 302),
    ],
)
def test_the_thread_is_for_the_porteurs_side_and_the_dossiers_staff_only(
    client, dossier, who, page_status, sees_thread, post_status
):
    post_message(dossier, author=UserFactory(instructeur=True), body="Merci de préciser le budget.", notify=False)
    client.force_login(make_user(who, dossier))

    page = client.get(dossier.get_absolute_url())
    response = send(client, dossier, "Une réponse")

    assert page.status_code == page_status
    assert ('id="messages"' in page.content.decode()) is sees_thread
    assert ("Merci de préciser le budget." in page.content.decode()) is sees_thread
    assert response.status_code == post_status
    assert Message.objects.filter(body="Une réponse").exists() is (post_status == 302)


def test_a_draft_has_no_thread(client):
    draft = DossierFactory()
    client.force_login(draft.owner)

    page = client.get(draft.get_absolute_url())
    response = send(client, draft)

    assert 'id="messages"' not in page.content.decode()
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_the_thread_of_a_withdrawn_dossier_is_read_only(client, dossier):
    dossier.state = DossierState.WITHDRAWN
    dossier.save(update_fields=["state"])
    client.force_login(dossier.owner)

    page = client.get(dossier.get_absolute_url())
    response = send(client, dossier)

    assert "la messagerie est fermée" in page.content.decode()
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, dossier):
    response = send(client, dossier)

    assert response.status_code == 302
    assert "/connexion" in response.url or "login" in response.url
    assert not Message.objects.exists()


def test_posting_goes_back_to_a_safe_next_page_only(client, dossier, instructeur):
    client.force_login(instructeur)

    inside = send(client, dossier, next="/instruction/dossiers/?page=2")
    outside = send(client, dossier, next="https://evil.example/")

    assert inside.url == "/instruction/dossiers/?page=2"
    assert outside.url == dossier.get_absolute_url() + "#messages"


def test_an_empty_message_is_refused_with_a_french_error(client, dossier):
    client.force_login(dossier.owner)

    response = send(client, dossier, "   ")

    assert response.status_code == 200
    assert "Écrivez votre message avant de l'envoyer." in text(response)
    assert not Message.objects.exists()


# Awaiting reply ----------------------------------------------------------------------------------------------


def test_awaiting_reply_is_set_by_staff_and_cleared_when_the_porteurs_side_answers(
    client, dossier, coeditor, instructeur
):
    client.force_login(instructeur)
    send(client, dossier, "Pouvez-vous joindre les statuts ?", **{"message-awaiting_reply": "on"})
    client.force_login(dossier.owner)

    listing = text(client.get(reverse("applications:dossier_list")))
    page = text(client.get(dossier.get_absolute_url()))
    client.force_login(coeditor)
    send(client, dossier, "Voici les statuts.")
    listing_after = text(client.get(reverse("applications:dossier_list")))

    assert "Réponse attendue" in listing
    assert "l'équipe d'instruction attend votre réponse" in page
    assert list(Message.objects.values_list("from_staff", "awaiting_reply")) == [(True, False), (False, False)]
    assert "Réponse attendue" not in listing_after


def test_the_porteurs_side_cannot_ask_for_a_reply(client, dossier):
    client.force_login(dossier.owner)

    send(client, dossier, "Une question", **{"message-awaiting_reply": "on"})

    assert Message.objects.get().awaiting_reply is False


# Unread counters ---------------------------------------------------------------------------------------------


def test_unread_counts_count_the_other_sides_messages_since_the_last_reading_in_one_query(
    client, dossier, coeditor, instructeur, partner, django_assert_num_queries
):
    other = DossierFactory(submitted=True, region=dossier.region, owner=dossier.owner)
    for minute, (target, author, body) in enumerate(
        [
            (dossier, instructeur, "Un"),
            (dossier, partner, "Deux"),
            (other, instructeur, "Trois"),
            (dossier, coeditor, "Réponse du co-éditeur"),
        ]
    ):
        with freeze_time(datetime.datetime(2026, 9, 1, 10, minute, tzinfo=datetime.UTC)):
            post_message(target, author=author, body=body, notify=False)

    with django_assert_num_queries(1):
        owner_counts = unread_counts(dossier.owner, [dossier.pk, other.pk])
    assert owner_counts == {dossier.pk: 2, other.pk: 1}
    # The partner wrote after the instructeur: only the porteur's side counts for staff.
    assert unread_counts(instructeur, [dossier.pk, other.pk]) == {dossier.pk: 1}
    assert unread_counts(coeditor, [dossier.pk]) == {}  # read up to their own message

    client.force_login(dossier.owner)
    page = client.get(dossier.get_absolute_url()).content.decode()
    assert "2 nouveaux messages" in page
    assert unread_counts(dossier.owner, [dossier.pk, other.pk]) == {other.pk: 1}
    assert MessageRead.objects.filter(dossier=dossier, user=dossier.owner).exists()


def test_the_porteurs_list_shows_unread_messages(client, dossier, instructeur):
    post_message(dossier, author=instructeur, body="Un", notify=False)
    post_message(dossier, author=instructeur, body="Deux", notify=False)
    client.force_login(dossier.owner)

    listing = client.get(reverse("applications:dossier_list")).content.decode()

    assert "2 messages non lus" in listing


# E-mails and staff notifications -----------------------------------------------------------------------------


def test_a_staff_message_is_emailed_once_to_the_owner_and_the_coeditors_in_french(
    client, dossier, coeditor, instructeur, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(instructeur)

    with freeze_time("2026-09-14 14:30"), django_capture_on_commit_callbacks(execute=True):
        send(client, dossier, "Merci de compléter le budget.", **{"message-awaiting_reply": "on"})
    message = Message.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        notify_porteurs(message)  # a second call sends nothing again

    assert sorted(m.to[0] for m in mailoutbox) == ["coediteur@example.fr", "titulaire@example.fr"]
    assert OutboundEmail.objects.about(dossier).count() == 2
    email = mailoutbox[0]
    assert email.subject == "AMI PTCE — nouveau message sur votre dossier PTCE-2026-P1-0042"
    body = " ".join(email.body.split())
    assert (
        "L'équipe d'instruction vous a écrit le 14 septembre 2026 à 16 h 30 (heure de Paris) à propos du dossier "
        "« Pôle des Rives » (référence PTCE-2026-P1-0042)."
    ) in body
    assert "Une réponse de votre part est attendue." in body
    assert f"http://127.0.0.1:8000{dossier.get_absolute_url()}#messages" in body
    assert "Merci de compléter le budget." not in body  # the text stays behind the login
    assert not StaffNotification.objects.exists()


@pytest.fixture
def staff(region):
    return {
        "immediate": UserFactory(instructeur=True, email="immediat@tresor.fr"),
        "daily": UserFactory(
            partenaire=True,
            email="quotidien@example.fr",
            regions=[region],
            notification_frequency=NotificationFrequency.DAILY,
        ),
        "other_region": UserFactory(
            partenaire=True, email="corse@example.fr", regions=[RegionFactory(code="94", name="Corse")]
        ),
    }


def test_a_porteur_message_notifies_the_dossiers_staff_as_each_chose(
    client, dossier, staff, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(dossier.owner)

    with freeze_time("2026-09-14 14:30"), django_capture_on_commit_callbacks(execute=True):
        send(client, dossier, "Voici notre réponse.")

    notifications = StaffNotification.objects.order_by("recipient__email")
    assert [(n.recipient.email, n.kind, n.emailed_at is not None) for n in notifications] == [
        ("immediat@tresor.fr", "message_received", True),
        ("quotidien@example.fr", "message_received", False),
    ]
    assert [m.to for m in mailoutbox] == [["immediat@tresor.fr"]]
    email = mailoutbox[0]
    assert email.subject == (
        "AMI PTCE — nouveau message du porteur : dossier PTCE-2026-P1-0042 (Auvergne-Rhône-Alpes)"
    )
    body = " ".join(email.body.split())
    assert "Le porteur du dossier « Pôle des Rives » (référence PTCE-2026-P1-0042, région Auvergne-Rhône-Alpes)" in (
        body
    )
    assert "a écrit un message le 14 septembre 2026 à 16 h 30 (heure de Paris)." in body
    assert f"Lire le message : http://127.0.0.1:8000{dossier.get_absolute_url()}#messages" in body

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_notifications.send_daily_digests(now=datetime.datetime(2026, 9, 15, 6, tzinfo=datetime.UTC))
        staff_notifications.send_daily_digests(now=datetime.datetime(2026, 9, 15, 7, tzinfo=datetime.UTC))

    assert [m.to for m in mailoutbox] == [["quotidien@example.fr"]]
    assert "Nouveau message du porteur" in mailoutbox[0].body
    assert "PTCE-2026-P1-0042" in mailoutbox[0].body


# Attachments -------------------------------------------------------------------------------------------------


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_message_attachment_is_checked_by_its_content(client, dossier):
    client.force_login(dossier.owner)

    response = send(client, dossier, "Voici le fichier", **{"message-files": [upload("statuts.pdf", EXE_BYTES)]})

    assert response.status_code == 200
    content = text(response)
    assert "Ce fichier n'est pas d'un type accepté" in content
    assert "Son contenu ne correspond pas à son extension « .pdf »." in content
    assert not Message.objects.exists()
    assert not MessageAttachment.objects.exists()


def test_a_message_attachment_is_stored_and_served_to_those_who_follow_the_thread_only(client, dossier):
    client.force_login(dossier.owner)
    send(client, dossier, "Nos statuts", **{"message-files": [upload("Statuts signés.pdf", PDF_BYTES)]})
    attachment = MessageAttachment.objects.get()
    url = reverse(
        "applications:message_attachment_download",
        kwargs={"reference": dossier.reference, "attachment_id": attachment.pk},
    )

    owner_response = client.get(url)
    client.force_login(make_user("instructeur", dossier))
    staff_response = client.get(url)
    statuses = {}
    for who in ("reviewer", "partner_of_other_region", "other_porteur"):
        client.force_login(make_user(who, dossier))
        statuses[who] = client.get(url).status_code

    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "Statuts signés.pdf",
        "application/pdf",
        len(PDF_BYTES),
    )
    assert not attachment.file.url.endswith("Statuts signés.pdf")
    assert owner_response.status_code == 200
    assert b"".join(owner_response.streaming_content) == PDF_BYTES
    owner_response.close()
    staff_response.close()
    assert owner_response["Content-Disposition"].startswith("attachment")
    assert staff_response.status_code == 200
    assert statuses == {"reviewer": 404, "partner_of_other_region": 404, "other_porteur": 404}


def test_an_attachment_of_another_dossier_is_not_found(client, dossier, instructeur):
    other = DossierFactory(submitted=True, region=dossier.region)
    message = post_message(other, author=instructeur, body="Pièce", uploads=[upload("a.pdf", PDF_BYTES)], notify=False)
    client.force_login(dossier.owner)

    response = client.get(
        reverse(
            "applications:message_attachment_download",
            kwargs={"reference": dossier.reference, "attachment_id": message.attachments.get().pk},
        )
    )

    assert response.status_code == 404


# Query counts ------------------------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_messages(dossier, count, staff_user):
    for number in range(count):
        author = staff_user if number % 2 == 0 else dossier.owner
        post_message(
            dossier, author=author, body=f"Message {number}", uploads=[upload("a.pdf", PDF_BYTES)], notify=False
        )


@pytest.mark.parametrize("viewer", ["owner", "instructeur"])
def test_the_dossier_pages_queries_do_not_grow_with_its_messages(client, dossier, instructeur, viewer):
    other = DossierFactory(submitted=True, region=dossier.region, owner=dossier.owner)
    add_messages(dossier, 1, instructeur)
    add_messages(other, 3, instructeur)
    client.force_login(dossier.owner if viewer == "owner" else instructeur)
    client.get(dossier.get_absolute_url())  # the first reading writes the MessageRead row
    client.get(other.get_absolute_url())
    add_messages(dossier, 1, instructeur)
    add_messages(other, 1, instructeur)

    assert count_queries(client, dossier.get_absolute_url()) == count_queries(client, other.get_absolute_url())


def test_the_porteurs_lists_queries_do_not_grow_with_messages(client, dossier, instructeur):
    client.force_login(dossier.owner)
    add_messages(dossier, 1, instructeur)
    with_one = count_queries(client, reverse("applications:dossier_list"))
    add_messages(dossier, 2, instructeur)
    for _number in range(2):
        add_messages(DossierFactory(submitted=True, region=dossier.region, owner=dossier.owner), 3, instructeur)

    assert count_queries(client, reverse("applications:dossier_list")) == with_one
