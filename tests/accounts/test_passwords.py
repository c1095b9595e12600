"""Password validators: a common-password list among them, with French messages next to the field."""

import pytest
from django.conf import settings
from django.urls import reverse

from ptce_ami.accounts.models import User
from tests.accounts.test_auth_views import SIGNUP_DATA

pytestmark = pytest.mark.django_db


def test_the_validators_include_the_common_password_list():
    names = [validator["NAME"].rsplit(".", 1)[1] for validator in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]


@pytest.mark.parametrize("password", ["motdepasse", "password123", "qwertyuiop123"])
def test_a_common_password_is_refused_at_sign_up_in_french_next_to_the_field(client, password):
    response = client.post(reverse("accounts:signup"), {**SIGNUP_DATA, "password1": password, "password2": password})

    assert response.status_code == 200
    errors = response.context["form"].errors["password1"]
    assert "Ce mot de passe est trop courant." in errors
    assert not User.objects.exists()


def test_a_common_password_is_refused_at_password_change(client):
    user = User.objects.create_user("marie@example.fr", "cooperation-territoriale-2026")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "cooperation-territoriale-2026",
            "new_password1": "password1234",
            "new_password2": "password1234",
        },
    )
    assert response.status_code == 200
    assert "Ce mot de passe est trop courant." in response.context["form"].errors["new_password2"]
