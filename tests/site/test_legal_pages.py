"""The legal pages: legal notice, personal data, cookies, the RGAA declaration and the multi-year plan."""

import html
from pathlib import Path

import pytest
from django.urls import reverse

from applications.enums import DossierState
from ptce_ami.site.data import rgaa
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory

pytestmark = pytest.mark.django_db

LEGAL_PAGES = {
    "site:legal_notice": "<h1>Mentions légales</h1>",
    "site:personal_data": "<h1>Données personnelles</h1>",
    "site:cookies": "<h1>Gestion des cookies</h1>",
    "site:accessibility": "<h1>Déclaration d'accessibilité</h1>",
    "site:accessibility_plan": "<h1>Schéma pluriannuel de mise en accessibilité 2027-2029</h1>",
}


def text(response):
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(("name", "heading"), LEGAL_PAGES.items())
def test_legal_pages_answer_in_french_with_the_footer_links(client, name, heading):
    response = client.get(reverse(name))

    content = text(response)
    assert response.status_code == 200
    assert heading in content
    assert '<html lang="fr"' in content
    for footer_page in ("site:accessibility", "site:legal_notice", "site:personal_data", "site:cookies"):
        assert f'href="{reverse(footer_page)}"' in content


def test_legal_notice_names_the_host_from_the_settings(client, settings):
    settings.HOSTING_PROVIDER_NAME = "Hébergeur Exemple SAS"
    settings.HOSTING_PROVIDER_ADDRESS = "1 rue de l'Exemple, 75000 Paris"
    settings.PUBLICATION_DIRECTOR = "Directrice Exemple"

    content = text(client.get(reverse("site:legal_notice")))

    assert "Hébergeur Exemple SAS" in content
    assert "1 rue de l'Exemple, 75000 Paris" in content
    assert "Directrice Exemple" in content
    assert "indiqué ici lors de sa mise en service" not in content


def test_legal_notice_says_the_host_is_given_at_deployment_when_unset(client, settings):
    settings.HOSTING_PROVIDER_NAME = ""
    settings.PUBLICATION_DIRECTOR = ""

    content = text(client.get(reverse("site:legal_notice")))

    assert "L'hébergeur de la plateforme est indiqué ici lors de sa mise en service" in content
    assert "Le directeur général du Trésor." in content
    assert "Direction générale du Trésor" in content
    assert "licence ouverte Etalab 2.0" in content


def test_personal_data_gives_public_interest_as_basis_and_the_retention_from_settings(client, settings):
    settings.RETENTION_DRAFT_MONTHS = 18
    settings.RETENTION_CLOSED_YEARS = 6
    settings.RETENTION_LAUREATE_YEARS = 12
    settings.API_CALL_RETENTION_DAYS = 30

    content = text(client.get(reverse("site:personal_data")))

    assert "article 6.1.e" in content
    assert "pas sur votre consentement" in content
    assert "après 18 mois sans modification" in content
    assert "6 ans après la décision ou le retrait" in content
    assert "12 ans après la fin de l'aide attribuée" in content
    assert "Journal des appels à l'API : 30 jours." in content
    assert "adresse IP" in content
    # The rights of a 6.1.e processing, and the ones that do not apply.
    for right in ("droit d'accès", "rectification", "limitation", "opposition", "portabilité ne s'applique pas"):
        assert right in content
    assert "CNIL" in content
    # The publication consent of laureates is a real consent, and said so.
    assert 'id="publication-consent"' in content


def test_personal_data_retention_defaults_when_the_settings_are_absent(client, settings):
    for name in ("RETENTION_DRAFT_MONTHS", "RETENTION_CLOSED_YEARS", "RETENTION_LAUREATE_YEARS"):
        if hasattr(settings, name):
            delattr(settings, name)

    content = text(client.get(reverse("site:personal_data")))

    assert "après 24 mois sans modification" in content
    assert "5 ans après la décision ou le retrait" in content
    assert "10 ans après la fin de l'aide attribuée" in content


@pytest.mark.parametrize(
    ("dpo_email", "expected"),
    [
        ("dpo@example.gouv.fr", 'href="mailto:dpo@example.gouv.fr"'),
        ("", "demander à cette adresse d'être mis en relation avec le délégué à la protection des données"),
    ],
)
def test_personal_data_gives_the_dpo_contact(client, settings, dpo_email, expected):
    settings.DPO_EMAIL = dpo_email

    assert expected in text(client.get(reverse("site:personal_data")))


def test_cookies_page_lists_only_strictly_necessary_cookies_with_their_duration(client, settings):
    settings.SESSION_COOKIE_AGE = 2 * 60 * 60
    settings.SESSION_STAFF_COOKIE_AGE = 30 * 60

    content = text(client.get(reverse("site:cookies")))

    for name in ("sessionid", "csrftoken", "scheme", "ptce-brouillon:"):
        assert f"<code>{name}" in content
    assert "après 2 heures sans activité" in content
    assert "30 minutes pour les agents" in content
    assert "aucun bandeau ne vous demande de les accepter" in content


def test_signup_asks_no_consent_but_informs_and_links_to_the_personal_data_page(client):
    response = client.get(reverse("accounts:signup"))

    content = text(response)
    assert "accept_terms" not in response.context["form"].fields
    assert 'type="checkbox"' not in content
    assert "article 6.1.e du RGPD" in content
    assert f'href="{reverse("site:personal_data")}"' in content


def test_rgaa_data_has_the_106_criteria_each_with_a_status():
    numbers = [criterion.number for criterion in rgaa.CRITERIA]

    assert len(numbers) == 106 == len(set(numbers))
    assert all(criterion.status in rgaa.STATUS_LABELS for criterion in rgaa.CRITERIA)
    assert all(criterion.method in rgaa.METHOD_LABELS for criterion in rgaa.CRITERIA)
    per_theme = {theme: sum(1 for n in numbers if n.split(".")[0] == str(theme)) for theme in rgaa.THEMES}
    assert per_theme == {1: 9, 2: 2, 3: 3, 4: 13, 5: 8, 6: 2, 7: 5, 8: 10, 9: 4, 10: 14, 11: 13, 12: 11, 13: 12}


def test_rgaa_rate_is_conform_over_applicable_with_untested_counted_as_not_conform(monkeypatch):
    monkeypatch.setattr(
        rgaa,
        "CRITERIA",
        [
            rgaa.Criterion("1.1", "a", rgaa.C, "axe"),
            rgaa.Criterion("1.2", "b", rgaa.NC, "manual"),
            rgaa.Criterion("1.3", "c", rgaa.NT, "manual"),
            rgaa.Criterion("1.4", "d", rgaa.NA, "code"),
        ],
    )

    assert rgaa.conformity_rate() == pytest.approx(33.3)
    assert str(rgaa.conformity_level()) == "non conforme"


def test_accessibility_declaration_shows_the_computed_rate_and_level_in_the_footer(client):
    rate = rgaa.conformity_rate()

    content = text(client.get(reverse("site:accessibility")))

    assert f"révèle que {str(rate).replace('.', ',')} % des critères du RGAA" in content
    assert f"<strong>{rgaa.conformity_level()}</strong>" in content
    assert f"Accessibilité : {rgaa.conformity_level()}" in content
    assert "Accessibilité : non conforme" not in content
    assert content.count('<th scope="row">') >= 106
    assert "Défenseur des droits" in content
    assert "Retour d'information et contact" in content
    assert f'href="{reverse("site:accessibility_plan")}"' in content
    for criterion in rgaa.non_conformities():
        assert f"Critère {criterion.number} " in content


@pytest.mark.parametrize("level", ["totalement conforme", "partiellement conforme", "non conforme"])
def test_footer_level_follows_the_rate(client, monkeypatch, level):
    rates = {"totalement conforme": 100.0, "partiellement conforme": 50.0, "non conforme": 49.9}
    monkeypatch.setattr(rgaa, "conformity_rate", lambda: rates[level])

    content = text(client.get(reverse("site:home")))

    assert f"Accessibilité : {level}</a>" in content


def submitted_dossier():
    dossier = DossierFactory()
    Dossier = type(dossier)
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.SUBMITTED)
    dossier.refresh_from_db()
    return dossier


def test_submitted_dossier_offers_je_donne_mon_avis_when_configured(client, settings):
    settings.JE_DONNE_MON_AVIS_URL = "https://voxusagers.numerique.gouv.fr/Demarches/0000?key=abc"
    dossier = submitted_dossier()
    client.force_login(dossier.owner)

    content = text(client.get(dossier.get_absolute_url()))

    assert 'href="https://voxusagers.numerique.gouv.fr/Demarches/0000?key=abc"' in content
    assert "Je donne mon avis" in content


def test_no_je_donne_mon_avis_link_when_unset_or_not_submitted_or_not_the_porteur(client, settings):
    settings.JE_DONNE_MON_AVIS_URL = ""
    dossier = submitted_dossier()
    client.force_login(dossier.owner)
    assert "Je donne mon avis" not in text(client.get(dossier.get_absolute_url()))

    settings.JE_DONNE_MON_AVIS_URL = "https://voxusagers.numerique.gouv.fr/Demarches/0000"
    draft = DossierFactory(owner=dossier.owner)
    assert "Je donne mon avis" not in text(client.get(draft.get_absolute_url()))

    client.force_login(UserFactory(role="instructeur"))
    assert "Je donne mon avis" not in text(client.get(dossier.get_absolute_url()))


def test_the_audit_document_holds_the_criteria_table_of_the_data():
    document = (Path(__file__).resolve().parents[2] / "docs" / "rgaa-audit.md").read_text()

    assert rgaa.markdown_table() in document
    assert f"= {str(rgaa.conformity_rate())} %" in document


@pytest.mark.django_db
def test_a_declaration_without_non_conformity_says_so_without_listing_any(client, monkeypatch):
    """At 100 % the declaration neither claims non-conformities "listed below" nor shows an empty list."""
    monkeypatch.setattr(rgaa, "CRITERIA", [c for c in rgaa.CRITERIA if c.status in (rgaa.C, rgaa.NA)])

    content = client.get(reverse("site:accessibility")).content.decode()

    assert "<strong>totalement conforme</strong>" in content
    assert "en raison des non-conformités" not in content
    assert '<p id="non-conformities">Aucune.</p>' in content
