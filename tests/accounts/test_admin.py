import pytest
from django.core import mail
from django.urls import reverse

from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.models import User
from tests.accounts.factories import RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


def add_user(client, **data):
    payload = {"email": "", "first_name": "", "last_name": "", "organisation": "", "role": "", "regions": []}
    payload.update(data)
    return client.post(reverse("admin:accounts_user_add"), payload)


def test_instructeur_invites_a_regional_partner(client, django_capture_on_commit_callbacks):
    region = RegionFactory()
    client.force_login(UserFactory(instructeur=True, first_name="Sophie", last_name="Durand"))

    with django_capture_on_commit_callbacks(execute=True):
        response = add_user(
            client, email="cress@example.fr", first_name="Julien", role=Role.PARTENAIRE, regions=[region.pk]
        )

    assert response.status_code == 302
    partner = User.objects.get(email="cress@example.fr")
    assert (partner.role, list(partner.regions.all()), partner.has_usable_password()) == (
        Role.PARTENAIRE,
        [region],
        False,
    )
    assert mail.outbox[0].to == ["cress@example.fr"]
    assert "Sophie Durand vous a créé un compte" in mail.outbox[0].body
    assert "/compte/mot-de-passe/nouveau/" in mail.outbox[0].body


def test_partner_needs_a_region(client):
    client.force_login(UserFactory(instructeur=True))

    response = add_user(client, email="cress@example.fr", role=Role.PARTENAIRE)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["regions"] == [
        "Un partenaire régional doit suivre au moins une région."
    ]


def test_instructeur_cannot_create_staff_accounts(client):
    client.force_login(UserFactory(instructeur=True))

    response = add_user(client, email="chef@example.fr", role=Role.ADMINISTRATEUR)

    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not User.objects.filter(email="chef@example.fr").exists()


@pytest.mark.parametrize("role", ["porteur", "evaluateur", "partenaire"])
def test_non_staff_roles_cannot_reach_the_admin(client, role):
    client.force_login(UserFactory(**{role: True}))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_instructeur_reaches_call_configuration_in_admin(client):
    client.force_login(UserFactory(instructeur=True))

    assert client.get(reverse("admin:applications_edition_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
