"""Co-editors are porteurs (issue 9, item 4): staff, reviewers and regional partners are refused as co-editors, and
an account that is not a porteur never edits a dossier through an invitation made before its role changed."""

import html

import pytest
from django.urls import reverse

from applications.models import DossierInvitation
from applications.services.dossiers import InvitationError, invite_coeditor
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory

pytestmark = pytest.mark.django_db

NOT_A_PORTEUR = ["evaluateur", "partenaire", "instructeur", "administrateur"]


def coeditors_url(dossier):
    return reverse("applications:coeditors", kwargs={"reference": dossier.reference})


@pytest.mark.parametrize("role", NOT_A_PORTEUR)
def test_staff_reviewers_and_partners_are_refused_as_coeditors_with_a_message(client, role):
    dossier = DossierFactory(region=RegionFactory())
    account = UserFactory(**{role: True}, email=f"{role}@example.fr")
    client.force_login(dossier.owner)

    response = client.post(coeditors_url(dossier), {"email": account.email.upper()})

    assert response.status_code == 200
    errors = response.context["form"].errors["email"]
    assert errors == [
        "Cette adresse ne peut pas être invitée : seuls les comptes de porteurs de projet co-éditent un dossier. "
        "Invitez l'adresse d'une personne de votre pôle."
    ]
    assert html.escape(errors[0]) in response.content.decode()
    assert not DossierInvitation.objects.exists()


def test_the_service_refuses_them_too():
    dossier = DossierFactory()
    reviewer = UserFactory(evaluateur=True)

    with pytest.raises(InvitationError):
        invite_coeditor(dossier, reviewer.email, by=dossier.owner)


def test_a_porteur_or_an_address_without_account_is_invited():
    dossier = DossierFactory()
    porteur = UserFactory()

    invite_coeditor(dossier, porteur.email, by=dossier.owner)
    invite_coeditor(dossier, "nouvelle@example.fr", by=dossier.owner)

    assert sorted(dossier.invitations.values_list("email", flat=True)) == sorted(
        [porteur.email, "nouvelle@example.fr"]
    )


@pytest.mark.parametrize("role", NOT_A_PORTEUR)
def test_an_invitation_made_before_the_account_became_staff_gives_no_access(client, role):
    dossier = DossierFactory(region=RegionFactory())
    account = UserFactory()
    DossierInvitation.objects.create(dossier=dossier, email=account.email, invited_by=dossier.owner)
    client.force_login(account)
    assert client.get(dossier.get_absolute_url()).status_code == 200

    account.role = role
    account.save(update_fields=["role"])
    step = reverse("applications:step", kwargs={"reference": dossier.reference, "step": "pole"})

    assert client.get(dossier.get_absolute_url()).status_code == 404  # a draft: staff do not see it
    assert client.post(step, {"name": "Changé"}).status_code == 404
    dossier.refresh_from_db()
    assert dossier.name != "Changé"
