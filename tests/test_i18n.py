"""The interface speaks French only, whatever the browser prefers, with the project's own msgids."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.urls import reverse
from django.utils.translation import trans_real

from tests.applications.factories import PhaseFactory

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", ROOT / "territories" / "templates"]
PYTHON_PACKAGES = ["applications", "reviews", "territories", "ptce_ami"]
# Copies of Django's admin templates with accessibility fixes: their msgids are Django's (translated by Django).
DJANGO_TEMPLATE_COPIES = {ROOT / "templates" / "admin" / "edit_inline" / "tabular.html"}
GETTEXT_FUNCTIONS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}


def template_msgids(path):
    nodelist = engines["django"].engine.from_string(path.read_text()).nodelist
    for node in nodelist.get_nodes_by_type(TranslateNode):
        literal = getattr(node.filter_expression.var, "literal", None)
        if literal is not None:
            yield str(literal)
    for node in nodelist.get_nodes_by_type(BlockTranslateNode):
        yield node.render_token_list(node.singular)[0]
        if node.plural:
            yield node.render_token_list(node.plural)[0]


def python_msgids(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT_FUNCTIONS:
            literals = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
            # pgettext(context, message): the message is the second literal; ngettext(singular, plural, n): both.
            yield from literals[1:] if node.func.id.startswith("pgettext") else literals


def project_msgids():
    """{msgid: first file using it} over our templates and Python code (migrations aside)."""
    found = {}
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*")):
            if path.suffix in (".html", ".txt") and path not in DJANGO_TEMPLATE_COPIES:
                for msgid in template_msgids(path):
                    found.setdefault(msgid, str(path.relative_to(ROOT)))
    for package in PYTHON_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                for msgid in python_msgids(path):
                    found.setdefault(msgid, str(path.relative_to(ROOT)))
    return found


def test_the_msgid_scan_finds_template_and_python_msgids():
    msgids = project_msgids()

    assert msgids["L'appel à manifestation d'intérêt"] == "templates/site/call.html"
    assert msgids["Brouillon"] == "applications/enums.py"
    assert len(msgids) > 1000


def test_no_msgid_of_ours_is_translated_by_another_catalogue():
    """Our msgids are the French text itself: a msgid that Django's or django-dsfr's catalogue knows (English
    "Close" is "Fermer" there) would print their translation instead of ours."""
    catalogue = trans_real.translation("fr")._catalog

    collisions = {
        msgid: (where, catalogue.get(msgid, catalogue.get((msgid, 0))))
        for msgid, where in project_msgids().items()
        if catalogue.get(msgid, msgid) != msgid or (msgid, 0) in catalogue
    }

    assert collisions == {}


def test_the_only_language_offered_is_french():
    assert [code for code, _name in settings.LANGUAGES] == ["fr"]


@pytest.mark.django_db
def test_a_browser_preferring_english_gets_a_page_written_and_announced_in_french(client):
    PhaseFactory(closed=True)

    response = client.get(reverse("site:call"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    content = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr"' in content
    assert '<p class="fr-badge fr-badge--sm">Fermée</p>' in content
    assert "Paramètres d’affichage" in content  # django-dsfr's own display-settings dialog


@pytest.mark.django_db
def test_a_browser_preferring_english_gets_djangos_validation_messages_in_french(client):
    data = {"email": "camille@example.fr", "first_name": "Camille", "password1": "court", "password2": "court"}

    response = client.post(reverse("accounts:signup"), data, HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in content  # last_name left empty
    assert "Ce mot de passe est trop court." in content
    assert "This field is required." not in content
