"""The project's own French catalogue (locale/fr/): it corrects the labels the libraries' catalogues get wrong in the
admin (issue 14). The compiled .mo is committed (a fresh machine needs no gettext to run the demo): it must say
what the .po says. No msgfmt here: the .po is read in Python and compared with the .mo as Python's gettext reads it
(the reader Django uses)."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tests.accounts.factories import UserFactory

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUE = LOCALE / "fr" / "LC_MESSAGES"
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$")


def read_po(text):
    """{msgid: msgstr} as gettext keys them: "context\\x04msgid" with a context, (msgid, n) for plural forms, "" for
    the header. Fuzzy and untranslated entries are left out, as msgfmt leaves them out."""
    catalogue, entry, key, fuzzy = {}, {}, None, False

    def flush():
        nonlocal entry, fuzzy
        if "msgid" in entry and not fuzzy:
            msgid = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
            if "msgid_plural" in entry:
                forms = {int(k[1]): v for k, v in entry.items() if isinstance(k, tuple)}
                if all(forms.values()):
                    catalogue.update({(msgid, n): text for n, text in forms.items()})
            elif entry.get("msgstr"):
                catalogue[msgid] = entry["msgstr"]
        entry, fuzzy = {}, False

    for line in [*text.splitlines(), ""]:
        line = line.strip()
        if not line:
            flush()
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        elif match := KEYWORD.match(line):
            name, index, value = match.groups()
            if name in ("msgctxt", "msgid") and ("msgstr" in entry or any(isinstance(k, tuple) for k in entry)):
                flush()
            key = (name, index) if index is not None else name
            entry[key] = ast.literal_eval(value)
    return catalogue


def read_mo(path):
    with path.open("rb") as file:
        return dict(gettext.GNUTranslations(file)._catalog)


def test_the_po_reader_reads_contexts_plurals_continuations_and_skips_fuzzy_entries():
    text = (
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        'msgid "Periodic "\n"Tasks"\nmsgstr "Tâches "\n"périodiques"\n\n'
        'msgctxt "month"\nmsgid "May"\nmsgstr "mai"\n\n'
        'msgid "{0} task"\nmsgid_plural "{0} tasks"\nmsgstr[0] "{0} tâche"\nmsgstr[1] "{0} tâches"\n\n'
        '#, fuzzy\nmsgid "Interval"\nmsgstr "Intervale"\n\n'
        'msgid "Untranslated"\nmsgstr ""\n'
    )

    assert read_po(text) == {
        "": "Language: fr\n",  # the header
        "Periodic Tasks": "Tâches périodiques",
        "month\x04May": "mai",
        ("{0} task", 0): "{0} tâche",
        ("{0} task", 1): "{0} tâches",
    }


@pytest.mark.parametrize(("language", "entries"), [("fr", 50), ("en", 3000)])
def test_the_committed_mo_says_what_the_po_says(language, entries):
    folder = LOCALE / language / "LC_MESSAGES"
    po = read_po((folder / "django.po").read_text(encoding="utf-8"))
    mo = read_mo(folder / "django.mo")
    # msgfmt leaves the header's POT-Creation-Date out of the .mo.
    po[""] = "".join(line for line in po[""].splitlines(keepends=True) if not line.startswith("POT-Creation-Date"))

    assert len(po) > entries
    assert mo == po, (
        f"locale/{language}/LC_MESSAGES/django.mo is not the compiled .po: run `make compilemessages` and commit it"
    )


def test_the_corrections_win_over_the_libraries_catalogues():
    with translation.override("fr"):
        assert translation.gettext("Periodic Tasks") == "Tâches périodiques"
        assert translation.gettext("intervals") == "intervalles"
        assert translation.gettext("Clean up expired attempts") == "Supprimer les tentatives expirées"
        assert translation.gettext("Add %s") % "intervalle" == "Ajout : intervalle"


@pytest.mark.django_db
def test_the_admin_no_longer_shows_the_libraries_typos(client):
    PeriodicTask.objects.create(
        name="Balayage", task="core.sweep", interval=IntervalSchedule.objects.create(every=5, period="minutes")
    )
    client.force_login(UserFactory(administrateur=True))

    pages = [
        reverse("admin:index"),
        reverse("admin:django_celery_beat_periodictask_changelist"),
        reverse("admin:django_celery_beat_intervalschedule_changelist"),
        reverse("admin:django_celery_beat_intervalschedule_add"),
        reverse("admin:django_celery_beat_crontabschedule_add"),
        reverse("admin:axes_accessattempt_changelist"),
    ]
    content = "".join(client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode() for url in pages)

    for typo in ("Tâches périodique<", "Tâches Périodique", "Intervales", "intervale ", "Période d'Intervale"):
        assert typo not in content
    for english in ("Clean up expired attempts", "Locked Out", "Periodic Tasks"):
        assert english not in content
    assert "Tâches périodiques" in content
    assert "Ajout : intervalle" in content
    assert "intervalle de 5 minutes" in content
    assert "Supprimer la sélection (tâches périodiques)" in content
