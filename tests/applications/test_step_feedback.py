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
