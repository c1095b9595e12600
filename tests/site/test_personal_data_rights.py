"""The person's rights on their account: the zip of all their data (JSON + attachments, nobody else's), and the
deletion of their account (only when no dossier of theirs was submitted; staff never; the password asked)."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from applications.models import Dossier, Message
from ptce_ami.accounts.models import User
from ptce_ami.core.models import AuditAction, AuditEntry
from tests.accounts.factories import UserFactory
from tests.applications.factories import AttachmentFactory, DossierFactory, MemberFactory
from tests.reviews.factories import decide

pytestmark = pytest.mark.django_db

DOWNLOAD = reverse("site:personal_data_download")
DELETE = reverse("site:account_delete")
PASSWORD = "un-mot-de-passe-solide-42"


def archive_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_zip_holds_the_account_the_dossiers_and_their_files(client):
    owner = UserFactory(first_name="Camille", phone="0600000000")
    dossier = DossierFactory(owner=owner, contact_email="camille@example.fr", summary="Notre pôle")
    MemberFactory(dossier=dossier, name="Atelier solidaire")
    AttachmentFactory(dossier=dossier, original_name="statuts signés.pdf")
    Message.objects.create(dossier=dossier, author=owner, body="Une question sur le budget.")
    submitted = DossierFactory(owner=owner, submitted=True)
    decide(submitted, published=False)  # provisional: not theirs to see yet
    client.force_login(owner)

    archive = archive_of(client.get(DOWNLOAD))
    names = archive.namelist()
    data = json.loads(archive.read("mes-donnees.json"))
    assert data["account"]["email"] == owner.email
    assert data["account"]["phone"] == "0600000000"
    by_reference = {item["reference"]: item for item in data["dossiers"]}
    assert set(by_reference) == {dossier.reference, submitted.reference}
    mine = by_reference[dossier.reference]
    assert mine["contact_email"] == "camille@example.fr" and mine["summary"] == "Notre pôle"
    assert [member["name"] for member in mine["members"]] == ["Atelier solidaire"]
    assert mine["messages"][0]["body"] == "Une question sur le budget."
    assert by_reference[submitted.reference]["decisions"] == []
    assert f"pieces/{dossier.reference}/statuts signés.pdf" in names
    assert archive.read(f"pieces/{dossier.reference}/statuts signés.pdf").startswith(b"%PDF")


def test_the_zip_never_holds_another_users_data(client):
    other = DossierFactory(contact_email="autre@example.fr")
    AttachmentFactory(dossier=other)
    me = UserFactory()
    DossierFactory(owner=me)
    client.force_login(me)

    archive = archive_of(client.get(DOWNLOAD))
    content = archive.read("mes-donnees.json").decode()
    assert other.reference not in content and "autre@example.fr" not in content
    assert not any(other.reference in name for name in archive.namelist())


def test_the_download_asks_to_sign_in(client):
    response = client.get(DOWNLOAD)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_porteur_with_drafts_only_deletes_the_account_after_giving_the_password(client):
    owner = UserFactory()
    owner.set_password(PASSWORD)
    owner.save()
    draft = DossierFactory(owner=owner)
    client.force_login(owner)

    page = client.get(DELETE)
    assert page.status_code == 200
    assert "Supprimer définitivement mon compte" in page.content.decode()
    assert draft.reference in page.content.decode()

    wrong = client.post(DELETE, {"password": "pas le bon"})
    assert wrong.status_code == 200
    assert "Mot de passe incorrect." in wrong.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()

    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("site:home")
    assert not User.objects.filter(pk=owner.pk).exists()
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT_DELETION, object_id=str(owner.pk)).exists()
    # Signed out: the account page asks to sign in.
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_a_porteur_with_a_submitted_dossier_is_told_why_not(client):
    owner = UserFactory()
    owner.set_password(PASSWORD)
    owner.save()
    filed = DossierFactory(owner=owner, submitted=True)
    client.force_login(owner)

    page = client.get(DELETE).content.decode()
    assert "ne peut pas être supprimé en ligne" in page
    assert filed.reference in page
    assert "5 ans après la décision" in page
    assert "Supprimer définitivement" not in page

    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 200
    assert User.objects.filter(pk=owner.pk).exists()


def test_staff_cannot_delete_their_account(client):
    agent = UserFactory(instructeur=True)
    agent.set_password(PASSWORD)
    agent.save()
    client.force_login(agent)

    page = client.get(DELETE).content.decode()
    assert "gérés par l'équipe" in page
    client.post(DELETE, {"password": PASSWORD})
    assert User.objects.filter(pk=agent.pk).exists()


def test_the_account_page_links_to_both(client):
    client.force_login(UserFactory())
    page = client.get(reverse("accounts:profile")).content.decode()
    assert DOWNLOAD in page and DELETE in page
