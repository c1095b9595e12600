"""The interface speaks French by default, whatever the browser prefers, and English on request (the header's
switcher, remembered per account); the project's msgids are the French text, each with its English translation."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.test import Client
from django.urls import reverse
from django.utils.translation import trans_real

from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import PhaseFactory

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", ROOT / "territories" / "templates"]
PYTHON_PACKAGES = ["applications", "reviews", "territories", "ptce_ami"]
# Copies of Django's admin templates with accessibility fixes: their msgids are Django's (translated by Django).
DJANGO_TEMPLATE_COPIES = {ROOT / "templates" / "admin" / "edit_inline" / "tabular.html"}
# gettext_noop: the API's schema descriptions, translated when the documentation page shows them.
GETTEXT_FUNCTIONS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext"}
GETTEXT_FUNCTIONS |= {"pgettext_lazy"}


def template_msgids(path, plurals=True):
    nodelist = engines["django"].engine.from_string(path.read_text()).nodelist
    for node in nodelist.get_nodes_by_type(TranslateNode):
        literal = getattr(node.filter_expression.var, "literal", None)
        if literal is not None:
            yield str(literal)
    for node in nodelist.get_nodes_by_type(BlockTranslateNode):
        yield node.render_token_list(node.singular)[0]
        if node.plural and plurals:
            yield node.render_token_list(node.plural)[0]


def python_msgids(path, plurals=True):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT_FUNCTIONS:
            literals = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
            # pgettext(context, message): the message is the second literal. ngettext(singular, plural, n): the
            # first two (a lazy ngettext may name its number argument with a third literal, "count").
            if node.func.id.startswith("pgettext"):
                yield from literals[1:2]
            elif node.func.id.startswith("ngettext"):
                yield from literals[: 2 if plurals else 1]
            else:
                yield from literals[:1]


def project_msgids(plurals=True):
    """{msgid: first file using it} over our templates and Python code (migrations aside); ``plurals=False``
    leaves out the plural forms (a catalogue is keyed by the singular)."""
    found = {}
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*")):
            if path.suffix in (".html", ".txt") and path not in DJANGO_TEMPLATE_COPIES:
                for msgid in template_msgids(path, plurals):
                    found.setdefault(msgid, str(path.relative_to(ROOT)))
    for package in PYTHON_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                for msgid in python_msgids(path, plurals):
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


def test_french_is_the_default_and_english_is_offered():
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.LANGUAGES == [("fr", "Français"), ("en", "English")]


def test_every_msgid_of_ours_has_an_english_translation():
    """A msgid added to a template or to the code without its English in locale/en fails here: run `make messages`,
    translate the new entries, then `make compilemessages`."""
    english = trans_real.translation("en")._catalog

    def translated(msgid):
        return bool(english.get(msgid) or english.get((msgid, 0)))

    msgids = project_msgids(plurals=False)
    missing = sorted((msgid, where) for msgid, where in msgids.items() if not translated(msgid))

    assert missing == []


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


def switch(client, language, next_path="/"):
    return client.post(reverse("accounts:language"), {"language": language, "next": next_path})


@pytest.mark.django_db
def test_a_visitor_who_chooses_english_gets_english_pages_and_keeps_them(client):
    PhaseFactory(closed=True)
    call = reverse("site:call")

    response = switch(client, "en", call)

    assert response.status_code == 302 and response["Location"] == call
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(call)
    content = page.content.decode()
    assert page["Content-Language"] == "en"
    assert '<html lang="en"' in content
    assert '<p class="fr-badge fr-badge--sm">Closed</p>' in content
    assert "Display settings" in content  # django-dsfr's own label, in its own English
    assert "Paramètres d’affichage" not in content
    # The switcher names each language in itself, marked with its lang, the current one marked.
    assert 'lang="fr"' in content and "FR - Français" in content and "EN - English" in content
    assert re.search(r'<button type="submit"\s+name="language"\s+value="en"[^>]*\slang="en"', content)


@pytest.mark.django_db
def test_a_signed_in_users_choice_is_kept_on_the_account_and_follows_them_to_another_browser(client):
    user = UserFactory()
    client.force_login(user)

    switch(client, "en", reverse("site:dashboard"))

    user.refresh_from_db()
    assert user.language == "en"
    elsewhere = Client()  # another browser: no cookie, a new session
    elsewhere.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    page = elsewhere.get(reverse("accounts:profile"))
    assert '<html lang="en"' in page.content.decode()
    assert page["Content-Language"] == "en"

    switch(elsewhere, "fr")
    user.refresh_from_db()
    assert user.language == "fr"


@pytest.mark.django_db
def test_an_account_that_never_chose_adopts_the_language_its_browser_chose_before_signing_in(client):
    newcomer, french = UserFactory(), UserFactory(language="fr")
    assert newcomer.language == ""  # never chosen: e-mails in French
    assert newcomer.preferred_language == "fr"

    switch(client, "en")
    client.post(reverse("accounts:login"), {"username": newcomer.email, "password": PASSWORD})

    newcomer.refresh_from_db()
    assert newcomer.language == "en"
    assert '<html lang="en"' in client.get(reverse("accounts:profile")).content.decode()
    # An account that chose French keeps it, whatever the browser chose before.
    other = Client()
    switch(other, "en")
    other.post(reverse("accounts:login"), {"username": french.email, "password": PASSWORD})
    assert '<html lang="fr"' in other.get(reverse("accounts:profile")).content.decode()
    french.refresh_from_db()
    assert french.language == "fr"


@pytest.mark.django_db
def test_an_unknown_language_is_refused_with_a_message_and_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)

    response = switch(client, "de", reverse("accounts:profile"))

    user.refresh_from_db()
    assert user.language == ""  # unchanged: never chosen
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    page = client.get(response["Location"])
    assert "Cette langue n&#x27;est pas proposée." in page.content.decode()


@pytest.mark.django_db
def test_the_switch_only_goes_back_to_a_page_of_this_site(client):
    response = switch(client, "en", "https://example.com/")

    assert response["Location"] == reverse("site:home")


@pytest.mark.django_db
def test_a_get_does_not_switch(client):
    assert client.get(reverse("accounts:language"), {"language": "en"}).status_code == 405


def eager_gettext_outside_functions(path):
    """Calls of gettext/ngettext/pgettext (not their lazy forms) outside any function: evaluated once, at import, in
    the default language, so a constant built with them stays French on an English page."""
    tree = ast.parse(path.read_text())
    eager = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in ("gettext", "ngettext", "pgettext")
    }

    def calls(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if not in_function and isinstance(child, ast.Call) and getattr(child.func, "id", None) in eager:
                yield f"{path.relative_to(ROOT)}:{child.lineno}: {ast.unparse(child)[:80]}"
            yield from calls(child, inside)

    return list(calls(tree, False)) if eager else []


def test_no_constant_is_translated_once_at_import():
    found = [
        call
        for package in PYTHON_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
        for call in eager_gettext_outside_functions(path)
    ]

    assert found == [], "use gettext_lazy for these module or class constants"


def test_no_translate_tag_holds_a_percent_sign():
    """makemessages catalogues a "%" of {% translate "…" %} as "%%", which the tag then never looks up: the text stays
    French in English. Such a text goes through {% blocktranslate %}, or takes a {name} placeholder."""
    found = []
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*")):
            if path.suffix in (".html", ".txt") and path not in DJANGO_TEMPLATE_COPIES:
                nodelist = engines["django"].engine.from_string(path.read_text()).nodelist
                for node in nodelist.get_nodes_by_type(TranslateNode):
                    literal = getattr(node.filter_expression.var, "literal", None)
                    if literal is not None and "%" in str(literal):
                        found.append(f"{path.relative_to(ROOT)}: {literal}")

    assert found == []
