import re

import pytest
from django.core import mail
from django.urls import reverse

from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.models import User
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP_DATA = {
    "email": "Marie.Curie@Example.fr",
    "first_name": "Marie",
    "last_name": "Curie",
    "organisation": "SCIC Les Tracols",
    "phone": "",
    "password1": "cooperation-territoriale-2026",
    "password2": "cooperation-territoriale-2026",
    "accept_terms": "on",
}


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


def test_signup_creates_unconfirmed_porteur_and_sends_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), SIGNUP_DATA)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get()
    assert (user.email, user.role, user.email_confirmed) == ("marie.curie@example.fr", Role.PORTEUR, False)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["marie.curie@example.fr"]
    assert mail.outbox[0].subject == "AMI PTCE — confirmez votre adresse électronique"
    assert "/compte/confirmation/" in link_in(mail.outbox[0])


def test_confirmation_link_confirms_and_logs_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), SIGNUP_DATA)
    path = link_in(mail.outbox[0]).split("8000", 1)[1]

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("site:dashboard")
    assert User.objects.get().email_confirmed
    assert client.get(reverse("site:dashboard")).status_code == 200


def test_tampered_confirmation_link_is_refused_with_a_resend_form(client):
    response = client.get(reverse("accounts:confirm_email", kwargs={"token": "nimporte-quoi"}))

    assert response.status_code == 400
    assert "n'est plus valable" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "pas-une-adresse"}, "email", "Saisissez une adresse de courriel valide."),
        ({"password2": "autre-chose-entierement"}, "password2", "Les deux mots de passe ne sont pas identiques."),
        ({"password1": "court", "password2": "court"}, "password1", "Ce mot de passe est trop court."),
        ({"accept_terms": ""}, "accept_terms", "Vous devez accepter le traitement de vos données"),
        ({"first_name": ""}, "first_name", "Ce champ est obligatoire."),
    ],
)
def test_signup_errors_are_in_french_next_to_the_field(client, changes, field, message):
    response = client.post(reverse("accounts:signup"), {**SIGNUP_DATA, **changes})

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors)
    assert User.objects.count() == 0


def test_signup_refuses_an_existing_address_whatever_its_case(client):
    UserFactory(email="marie.curie@example.fr")

    response = client.post(reverse("accounts:signup"), SIGNUP_DATA)

    assert response.context["form"].errors["email"] == [
        "Un compte existe déjà avec cette adresse. Connectez-vous ou réinitialisez votre mot de passe."
    ]


def test_login_is_by_email_whatever_its_case(client):
    UserFactory(email="camille@example.fr")

    response = client.post(reverse("accounts:login"), {"username": "Camille@Example.FR", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("site:dashboard")


def test_login_with_wrong_password_says_so_in_french(client):
    UserFactory(email="camille@example.fr")

    response = client.post(reverse("accounts:login"), {"username": "camille@example.fr", "password": "faux"})

    assert response.context["form"].non_field_errors() == ["Adresse électronique ou mot de passe incorrect."]


def test_login_before_confirmation_explains_what_to_do(client):
    UserFactory(email="camille@example.fr", unconfirmed=True)

    response = client.post(reverse("accounts:login"), {"username": "camille@example.fr", "password": PASSWORD})

    assert response.status_code == 200
    assert "n'est pas encore confirmée" in response.context["form"].non_field_errors()[0]
    assert "_auth_user_id" not in client.session


def test_resend_confirmation_answers_the_same_for_unknown_addresses(client, django_capture_on_commit_callbacks):
    UserFactory(email="camille@example.fr", unconfirmed=True)

    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:resend_confirmation"), {"email": "camille@example.fr"})
        unknown = client.post(reverse("accounts:resend_confirmation"), {"email": "inconnu@example.fr"})

    assert known["Location"] == unknown["Location"] == reverse("accounts:signup_done")
    assert [m.to for m in mail.outbox] == [["camille@example.fr"]]


def test_password_reset_sends_a_link_that_sets_a_new_password(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="camille@example.fr", unconfirmed=True)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "CAMILLE@example.fr"})
    path = link_in(mail.outbox[0]).split("8000", 1)[1]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "un-nouveau-mot-de-passe", "new_password2": "un-nouveau-mot-de-passe"},
    )

    assert response["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("un-nouveau-mot-de-passe")
    assert user.email_confirmed  # the link proved the address


def test_logout_requires_post(client):
    client.force_login(UserFactory())

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout"))["Location"] == reverse("site:home")
    assert "_auth_user_id" not in client.session


def test_profile_edits_own_details_only(client):
    user = UserFactory(first_name="Camille")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"), {"first_name": "Camille", "last_name": "Roux", "organisation": "X", "phone": ""}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_name == "Roux"


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
