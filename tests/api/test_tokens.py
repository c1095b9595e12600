"""Personal tokens: created on the account's page (secret shown once, only its hash stored), listed, revoked;
expired and revoked tokens answer 401 with a French message; porteurs and reviewers get none."""

import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from ptce_ami.accounts.models import ApiToken
from tests.accounts.factories import UserFactory
from tests.api.conftest import secret_for

PAGE = reverse("accounts:api_tokens")


def create_on_page(client, user, name="Tableau CRESS", lifetime=90):
    client.force_login(user)
    return client.post(PAGE, {"name": name, "lifetime": lifetime})


@pytest.mark.parametrize("role", ["instructeur", "administrateur", "partenaire"])
def test_staff_role_creates_a_token_whose_secret_is_shown_once(client, ara, role):
    user = UserFactory(**{role: True}, regions=[ara] if role == "partenaire" else None)

    response = create_on_page(client, user)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = re.search(r'value="(ptce_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=user)
    assert token.name == "Tableau CRESS"
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in token.digest and token.prefix in secret
    assert (token.expires_at - timezone.now()).days == 89
    again = client.get(PAGE)
    assert secret not in again.content.decode()
    assert token.display_prefix in again.content.decode()


def test_lifetime_is_one_year_at_most(client, instructeur):
    response = create_on_page(client, instructeur, lifetime=400)

    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert "lifetime" in response.context["form"].errors


@pytest.mark.parametrize("role", ["porteur", "evaluateur"])
def test_porteurs_and_reviewers_cannot_create_tokens(client, db, role):
    user = UserFactory(**{role: True})

    assert create_on_page(client, user).status_code == 403
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    assert not ApiToken.objects.exists()


def test_anonymous_is_sent_to_the_login_page(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_token_reads_the_api_then_revoked_answers_401(client, call, instructeur):
    secret = secret_for(instructeur)
    assert call(secret, "regions").status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None

    client.force_login(instructeur)
    response = client.post(reverse("accounts:revoke_api_token", kwargs={"token_id": token.pk}))

    assert response.status_code == 302
    refused = call(secret, "regions")
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Ce jeton d'accès a été révoqué."}
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_one_cannot_revoke_another_users_token(client, instructeur):
    secret_for(instructeur)
    token = ApiToken.objects.get()
    client.force_login(UserFactory(instructeur=True))

    response = client.post(reverse("accounts:revoke_api_token", kwargs={"token_id": token.pk}))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_token_answers_401(call, instructeur):
    with freeze_time(timezone.now() - timezone.timedelta(days=31)):
        secret = secret_for(instructeur, days=30)

    response = call(secret, "regions")

    assert response.status_code == 401
    assert response.json()["detail"].startswith("Ce jeton d'accès a expiré le ")


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ptce_nothere_secret", "Token abc", "Basic dXNlcjpwYXNz"],
)
def test_missing_or_unknown_token_answers_401_in_french(client, header, instructeur):
    secret = secret_for(instructeur)
    headers = {"Authorization": header} if header else {}

    response = client.get("/api/v1/regions", headers=headers)

    assert response.status_code == 401
    assert "Jeton d'accès absent ou inconnu" in response.json()["detail"]
    # A right prefix with a wrong secret is refused too.
    forged = secret[:-4] + "AAAA"
    assert client.get("/api/v1/regions", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_owner_no_longer_staff_gets_403_and_deactivated_401(call, instructeur):
    secret = secret_for(instructeur)
    instructeur.role = "porteur"
    instructeur.save()

    assert call(secret, "regions").status_code == 403

    instructeur.role, instructeur.is_active = "instructeur", False
    instructeur.save()
    assert call(secret, "regions").status_code == 401
