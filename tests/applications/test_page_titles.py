"""Each page's <title> names the page, and in the dossier form the step and its number, as State services do
(issue 14, "Keyboard and assistive use"); a form sent back with errors says so first ("Erreur : …")."""

import html
import re

import pytest
from django.urls import reverse

from applications.services.steps import dossier_steps
from ptce_ami.site.context_processors import SERVICE_NAME
from tests.applications.factories import DossierFactory, MemberFactory

pytestmark = pytest.mark.django_db


def title_of(response):
    assert response.status_code == 200, response.status_code
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    return html.unescape(" ".join(match.group(1).split()))


def test_every_step_of_the_dossier_has_its_own_title_with_its_number_and_the_dossier(client):
    dossier = DossierFactory()
    client.force_login(dossier.owner)
    steps = dossier_steps(dossier)

    titles = []
    for step in steps:
        url = reverse("applications:step", kwargs={"reference": dossier.reference, "step": step.slug})
        titles.append(title_of(client.get(url, follow=True)))
        assert titles[-1] == (
            f"{step.title} — Étape {step.number} sur {len(steps)} — Dossier {dossier.reference} — {SERVICE_NAME}"
        )
    member = MemberFactory(dossier=dossier)
    for name, kwargs, page in (
        ("member_create", {}, "Ajouter une structure membre"),
        ("member_edit", {"member_id": member.pk}, f"Modifier {member.name}"),
        ("member_delete", {"member_id": member.pk}, f"Retirer {member.name} du pôle ?"),
        ("summary", {}, "Récapitulatif et dépôt"),
    ):
        url = reverse(f"applications:{name}", kwargs={"reference": dossier.reference, **kwargs})
        title = title_of(client.get(url))
        assert title.startswith(f"{page} — "), title
        assert f"Dossier {dossier.reference} — {SERVICE_NAME}" in title
        titles.append(title)
    assert len(set(titles)) == len(titles), titles


def test_a_form_sent_back_with_errors_puts_erreur_first_in_the_title(client):
    dossier = DossierFactory()
    client.force_login(dossier.owner)
    url = reverse("applications:member_create", kwargs={"reference": dossier.reference})

    assert not title_of(client.get(url)).startswith("Erreur")
    title = title_of(client.post(url, {"save": ""}))

    assert title.startswith("Erreur : Ajouter une structure membre — Les membres du pôle — Étape 3 sur "), title


def test_the_account_pages_have_their_own_title(client):
    anonymous_pages = ["accounts:login", "accounts:signup", "accounts:password_reset"]
    titles = [title_of(client.get(reverse(name))) for name in anonymous_pages]
    dossier = DossierFactory()
    client.force_login(dossier.owner)
    titles += [title_of(client.get(reverse(name))) for name in ("accounts:profile", "accounts:password_change")]
    assert all(title.endswith(f" — {SERVICE_NAME}") and title != SERVICE_NAME for title in titles), titles
    assert len(set(titles)) == len(titles), titles
    sent_back = title_of(client.post(reverse("accounts:password_change"), {}))
    assert sent_back.startswith("Erreur : Changer de mot de passe"), sent_back
