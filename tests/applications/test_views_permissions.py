"""Every URL of a dossier, for every kind of visitor: outsiders get 404, read-only roles 403 (DESIGN §2)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.enums import MemberRole
from applications.models import DossierInvitation, Notice
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import AttachmentFactory, DossierFactory, MemberFactory

pytestmark = pytest.mark.django_db

GET_PAGES = [
    "dossier",
    "step",
    "members",
    "member_create",
    "member_edit",
    "member_delete",
    "attachments",
    "attachment_download",
    "coeditors",
    "summary",
    "withdraw",
]
POST_ACTIONS = [
    "step",
    "member_create",
    "member_edit",
    "member_delete",
    "attachments",
    "attachment_delete",
    "coeditors",
    "submit",
    "withdraw",
]


def fetch(client, method, path, data=None):
    response = getattr(client, method)(path, data)
    if response.streaming:
        b"".join(response.streaming_content)  # close the file the download opened
    return response


def url(name, dossier):
    kwargs = {"reference": dossier.reference}
    if name == "step":
        kwargs["step"] = "pole"
    if name.startswith("member_") and name != "member_create":
        kwargs["member_id"] = dossier.members.exclude(role=MemberRole.LEAD).first().pk
    if name.startswith("attachment_"):
        kwargs["attachment_id"] = dossier.attachments.first().pk
    return reverse(f"applications:{name}", kwargs=kwargs)


def make_dossier(submitted=False):
    region = RegionFactory()
    dossier = DossierFactory(region=region, **({"submitted": True} if submitted else {}))
    MemberFactory(dossier=dossier, lead=True)
    MemberFactory(dossier=dossier)
    AttachmentFactory(dossier=dossier)
    return dossier


OUTSIDERS = {
    "another porteur": lambda dossier: UserFactory(),
    "reviewer not assigned": lambda dossier: UserFactory(evaluateur=True),
    "partner of another region": lambda dossier: UserFactory(
        partenaire=True, regions=[RegionFactory(code="53", name="Bretagne")]
    ),
    "invited at an unconfirmed address": lambda dossier: invited(dossier, UserFactory(unconfirmed=True)),
}


def invited(dossier, user):
    DossierInvitation.objects.create(dossier=dossier, email=user.email, invited_by=dossier.owner)
    return user


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
@pytest.mark.parametrize("submitted", [False, True])
def test_outsiders_get_404_everywhere(client, who, submitted):
    dossier = make_dossier(submitted)
    client.force_login(OUTSIDERS[who](dossier))

    for name in GET_PAGES:
        assert fetch(client, "get", url(name, dossier)).status_code == 404, name
    for name in POST_ACTIONS:
        assert fetch(client, "post", url(name, dossier)).status_code == 404, name


@pytest.mark.parametrize("role", ["instructeur", "partenaire"])
def test_staff_and_partners_do_not_see_drafts(client, role):
    dossier = make_dossier(submitted=False)
    client.force_login(UserFactory(**{role: True}, regions=[dossier.region]))

    assert fetch(client, "get", url("dossier", dossier)).status_code == 404


@pytest.mark.parametrize("role", ["instructeur", "partenaire"])
def test_read_only_roles_read_a_submitted_dossier_but_get_403_on_writes(client, role):
    dossier = make_dossier(submitted=True)
    client.force_login(UserFactory(**{role: True}, regions=[dossier.region]))

    assert fetch(client, "get", url("dossier", dossier)).status_code == 200
    assert fetch(client, "get", url("attachment_download", dossier)).status_code == 200
    for name in [
        "step",
        "members",
        "member_create",
        "member_edit",
        "member_delete",
        "attachments",
        "coeditors",
        "summary",
        "withdraw",
    ]:
        assert fetch(client, "get", url(name, dossier)).status_code == 403, name
    for name in POST_ACTIONS:
        assert fetch(client, "post", url(name, dossier)).status_code == 403, name


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    dossier = make_dossier()

    for name in GET_PAGES:
        response = fetch(client, "get", url(name, dossier))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), name


def test_owner_reaches_every_page(client):
    dossier = make_dossier()
    client.force_login(dossier.owner)

    for name in GET_PAGES:
        assert fetch(client, "get", url(name, dossier)).status_code == 200, name


def test_coeditor_edits_but_cannot_submit_or_withdraw(client):
    dossier = make_dossier()
    coeditor = invited(dossier, UserFactory())
    client.force_login(coeditor)

    for name in ["dossier", "step", "members", "attachments", "summary", "coeditors"]:
        assert fetch(client, "get", url(name, dossier)).status_code == 200, name
    assert fetch(client, "post", url("submit", dossier)).status_code == 403
    assert fetch(client, "post", url("withdraw", dossier)).status_code == 403
    assert fetch(client, "post", url("coeditors", dossier), {"email": "x@example.fr"}).status_code == 403


def test_owner_of_a_submitted_dossier_is_sent_back_to_its_page_from_editing_pages(client):
    dossier = make_dossier(submitted=True)
    client.force_login(dossier.owner)

    response = fetch(client, "get", url("step", dossier))
    submitted_again = client.post(url("submit", dossier), follow=True)

    assert response.status_code == 302 and response["Location"] == dossier.get_absolute_url()
    # A double submit (another tab, a double click) says it was done, as the other actions do.
    assert submitted_again.redirect_chain == [(dossier.get_absolute_url(), 302)]
    assert "Action déjà effectuée : ce dossier est déjà déposé." in submitted_again.content.decode()


def test_porteurs_see_receipts_at_once_and_decision_letters_only_once_published(client):
    dossier = make_dossier(submitted=True)
    Notice.objects.create(dossier=dossier, kind="receipt", status="ready", file="notices/r.pdf")
    letter = Notice.objects.create(dossier=dossier, kind="laureate_letter", status="ready", file="notices/l.pdf")
    kwargs = {"reference": dossier.reference, "notice_id": letter.pk}
    letter_url = reverse("applications:notice_download", kwargs=kwargs)
    client.force_login(dossier.owner)

    assert [n.kind for n in client.get(dossier.get_absolute_url()).context["notices"]] == ["receipt"]
    assert client.get(letter_url).status_code == 404
    Notice.objects.filter(pk=letter.pk).update(published_at=timezone.now())
    shown = [n.kind for n in client.get(dossier.get_absolute_url()).context["notices"]]
    assert shown == ["laureate_letter", "receipt"]


def test_a_notice_whose_file_is_missing_from_the_storage_is_a_404_not_an_error(client):
    dossier = make_dossier(submitted=True)
    receipt = Notice.objects.create(dossier=dossier, kind="receipt", status="ready", file="notices/absent.pdf")
    client.force_login(dossier.owner)

    response = client.get(
        reverse("applications:notice_download", kwargs={"reference": dossier.reference, "notice_id": receipt.pk})
    )

    assert response.status_code == 404
