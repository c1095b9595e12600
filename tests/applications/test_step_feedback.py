"""What the step pages say after a save: the fields still needed to submit, and the saved version on a conflict."""

import re

import pytest

from applications.models import Dossier
from tests.applications.factories import DossierFactory
from tests.applications.test_views import pole_data, step_url

pytestmark = pytest.mark.django_db


def heading_and_title(content):
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", content, re.S).group(1).strip()
    title = re.search(r"<title>(.*?)</title>", content, re.S).group(1).strip()
    return h1, title


def test_the_conflict_page_names_the_dossier_by_its_saved_name(client):
    dossier = DossierFactory(name="Nom initial")
    client.force_login(dossier.owner)
    tab_1 = pole_data(dossier, name="Nom enregistré")
    tab_2 = pole_data(dossier, name="Nom perdu")
    client.post(step_url(dossier), tab_1)

    response = client.post(step_url(dossier), tab_2)

    content = response.content.decode()
    h1, title = heading_and_title(content)
    assert response.status_code == 409
    assert h1 == "Nom enregistré"
    assert "Nom perdu" not in title and "Nom perdu" not in h1
    assert 'value="Nom perdu"' in content  # the typed value stays in the form, to be saved again if wanted
    assert Dossier.objects.get(pk=dossier.pk).name == "Nom enregistré"


def test_emptying_a_required_field_saves_the_draft_and_says_it_is_needed_to_submit(client):
    dossier = DossierFactory(name="Pôle des Deux Rives", summary="Une coopération.")
    client.force_login(dossier.owner)

    response = client.post(
        step_url(dossier), {**pole_data(dossier, name="", summary="Une coopération."), "save_next": ""}
    )

    content = response.content.decode()
    dossier.refresh_from_db()
    assert dossier.name == ""  # the draft keeps what was typed
    assert response.status_code == 200  # the porteur stays on the step instead of moving on
    assert "Étape « Le pôle » enregistrée." not in content  # not the plain success message
    messages = re.search(r'<div class="fr-messages-group" id="id_name-messages">(.*?)</div>', content, re.S)
    assert messages is not None, "no message at the field"
    assert 'class="fr-message fr-message--warning">À remplir pour pouvoir déposer le dossier.' in messages.group(1)
    name_input = re.search(r'<input[^>]*id="id_name"[^>]*>', content).group(0)
    assert 'aria-describedby="id_name-hint id_name-messages"' in name_input
    assert "aria-invalid" not in name_input  # saved, not in error
    assert '<a href="#id_name">« nom du pôle » n&#x27;est pas renseigné.</a>' in content
    assert 'id="id_summary-messages"' not in content  # a filled field gets no message
    assert "pole" in response.context["incomplete_steps"]
    assert re.search(r"1\. Le pôle\s*<span class=\"fr-badge[^\"]*fr-badge--warning[^\"]*\"[^>]*>à compléter", content)
    next_url = step_url(dossier, "porteur")
    assert re.search(rf'href="{next_url}">\s*Passer à l’étape suivante : La structure porteuse\s*</a>', content)


def test_a_step_saved_complete_moves_on_as_before(client, referential):
    dossier = DossierFactory(complete=True)
    client.force_login(dossier.owner)
    data = pole_data(dossier, summary=dossier.summary, stage=dossier.stage)
    data["sectors"] = [str(pk) for pk in dossier.sectors.values_list("pk", flat=True)]

    response = client.post(step_url(dossier), {**data, "save_next": ""}, follow=True)

    assert response.redirect_chain == [(step_url(dossier, "porteur"), 302)]
    assert "Étape « Le pôle » enregistrée." in response.content.decode()
