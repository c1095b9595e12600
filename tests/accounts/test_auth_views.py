import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
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


def test_a_confirmation_link_used_again_does_not_log_in(client, django_capture_on_commit_callbacks):
    # Found by the role x URL matrix (tests/security): the link logged in whoever held it for three days.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), SIGNUP_DATA)
    path = link_in(mail.outbox[0]).split("8000", 1)[1]
    client.get(path)
    other = Client()

    response = other.get(path, follow=True)

    assert response.redirect_chain[0] == (reverse("accounts:login"), 302)
    assert "_auth_user_id" not in other.session
    assert "Votre adresse est déjà confirmée : connectez-vous avec votre mot de passe." in response.content.decode()


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
        ({"first_name": ""}, "first_name", "Ce champ est obligatoire."),
    ],
)
def test_signup_errors_are_in_french_next_to_the_field(client, changes, field, message):
    response = client.post(reverse("accounts:signup"), {**SIGNUP_DATA, **changes})

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors)
    assert User.objects.count() == 0


# Sign-up with an address that has an account: the page answers as for a new address, the owner is e-mailed.

INTRUDER_DATA = {**SIGNUP_DATA, "first_name": "Intrus", "organisation": "Cliquez ici : http://piege.example"}


def signup_answer(client, data, capture):
    """The whole answer a person signing up sees: the redirect, then the page it leads to."""
    with capture(execute=True):
        response = client.post(reverse("accounts:signup"), data)
    page = client.get(response["Location"])
    # The CSRF token of the header's forms (the language switcher) differs from one browser to another, by design.
    html = re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', page.content.decode()
    )
    return response.status_code, response["Location"], page.status_code, html


@pytest.mark.parametrize("existing", ["confirmed", "unconfirmed", "inactive"])
def test_signup_with_an_existing_address_answers_exactly_as_for_a_new_one(
    django_capture_on_commit_callbacks, existing
):
    UserFactory(
        email="marie.curie@example.fr", unconfirmed=existing == "unconfirmed", is_active=existing != "inactive"
    )
    new_address = {**SIGNUP_DATA, "email": "Jeanne.Barret@Example.fr"}

    known = signup_answer(Client(), INTRUDER_DATA, django_capture_on_commit_callbacks)
    new = signup_answer(Client(), new_address, django_capture_on_commit_callbacks)

    assert known[:3] == new[:3] == (302, reverse("accounts:signup_done"), 200)
    assert known[3].replace("marie.curie@example.fr", "jeanne.barret@example.fr") == new[3]
    assert "existe déjà" not in known[3]


def test_signup_with_an_existing_address_changes_nothing_and_emails_its_owner(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="marie.curie@example.fr", first_name="Marie", last_name="Curie")
    before = User.objects.values().get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), INTRUDER_DATA)

    assert list(User.objects.values()) == [before]
    assert owner.check_password(PASSWORD)
    [message] = mail.outbox
    assert (message.to, message.subject) == (["marie.curie@example.fr"], "AMI PTCE — vous avez déjà un compte")
    assert message.body.startswith("Bonjour Marie,\n\nQuelqu'un, peut-être vous, a demandé à créer un compte")
    assert f"{settings.SITE_URL}/compte/connexion/" in message.body
    assert f"{settings.SITE_URL}/compte/mot-de-passe/oubli/" in message.body
    assert "/compte/confirmation/" not in message.body  # the address is confirmed already
    assert "Intrus" not in message.body and "piege" not in message.body  # nothing typed by the person reaches it
    assert "_auth_user_id" not in client.session


def test_signup_with_an_unconfirmed_address_resends_its_confirmation_link(client, django_capture_on_commit_callbacks):
    owner = UserFactory(email="marie.curie@example.fr", unconfirmed=True)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), INTRUDER_DATA)
    [message] = mail.outbox
    assert "Votre mot de passe reste celui que vous avez choisi à votre première inscription." in message.body
    path = link_in(message).split("8000", 1)[1]

    response = client.get(path)

    assert (response.status_code, response["Location"]) == (302, reverse("site:dashboard"))
    owner.refresh_from_db()
    assert owner.email_confirmed
    assert owner.check_password(PASSWORD)  # not the password typed at the second sign-up
    assert not owner.check_password(SIGNUP_DATA["password1"])


def test_signup_with_a_deactivated_address_emails_nothing(client, django_capture_on_commit_callbacks):
    UserFactory(email="marie.curie@example.fr", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), INTRUDER_DATA)

    assert response["Location"] == reverse("accounts:signup_done")
    assert mail.outbox == []
    assert not User.objects.get().is_active


def test_signup_errors_are_the_same_whether_the_address_has_an_account_or_not(client):
    UserFactory(email="marie.curie@example.fr")
    mismatch = {"password2": "autre-chose-entierement"}

    known = client.post(reverse("accounts:signup"), {**SIGNUP_DATA, **mismatch})
    new = client.post(reverse("accounts:signup"), {**SIGNUP_DATA, **mismatch, "email": "jeanne.barret@example.fr"})

    assert known.context["form"].errors == new.context["form"].errors
    assert list(known.context["form"].errors) == ["password2"]


def test_the_confirmation_page_of_a_resend_keeps_its_own_wording(client):
    client.post(reverse("accounts:resend_confirmation"), {"email": "inconnu@example.fr"})

    page = client.get(reverse("accounts:signup_done")).content.decode()

    assert "Si un compte à confirmer existe pour inconnu@example.fr" in page


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
