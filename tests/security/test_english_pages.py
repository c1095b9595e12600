"""Every page of every role, in English (issue 14): each page the role × URL matrix lets a role open (GET, 200, HTML)
is asked again by the same role with English chosen, and must announce English (``<html lang="en">``,
``Content-Language: en``) and show no French sentence of the project's catalogue: a string marked for translation
but rendered in French (computed once at import time, forced to French, built outside the request's language) fails
here, naming the page, the role and the French text.

What the catalogue cannot know (the data people typed: dossier names, committee motivations) is not checked.
"""

import gettext
import html
import re
from pathlib import Path

import pytest
from django.conf import settings

from ptce_ami.accounts import language
from tests.security import harness
from tests.security.matrix import MATRIX
from tests.security.urls_filled import KWARGS
from tests.security.world import ROLES

pytestmark = pytest.mark.django_db

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]+>|%%")
# A fragment of a msgid this long, with this many words, is French prose, not a name or a number.
MIN_CHARS, MIN_WORDS = 18, 3
# Pages that show a document in its recipient's language, whoever looks at it: the decision letter's preview is
# the letter the porteur will receive, in the porteur's language (applications.services.notices.notice_language).
RECIPIENTS_LANGUAGE = {"reviews:committee_letter_preview"}
# Pages that show, beside their English text, the French data of a French dataset: the open-data schema gives each
# column's name ("nom") and an example value ("Lauréat phase 2") as the published CSV has them.
FRENCH_DATA = {"site:laureates_schema"}
NOT_TEXT = re.compile(r"<(script|style|template)\b.*?</\1>|<[^>]+>", re.S)


def french_sentences():
    """The French fragments (between placeholders and tags) of every msgid translated otherwise in English."""
    with (Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo").open("rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog
    english = " ".join(" ".join(str(text).split()) for text in catalogue.values())
    found = set()
    for key, translated in catalogue.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid or msgid == translated:
            continue
        for fragment in PLACEHOLDER.split(msgid.replace("%%", "%")):
            fragment = " ".join(fragment.split()).strip(" :;,.()«»—-")
            # Kept in English too (a law's name, an acronym, a proper noun): not a French leftover.
            if len(fragment) >= MIN_CHARS and len(fragment.split()) >= MIN_WORDS and fragment not in english:
                found.add(fragment)
    return found


def french_labels():
    """The whole French msgids (labels, buttons, column headers), short ones included, translated otherwise."""
    with (Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo").open("rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog
    english = {" ".join(str(text).split()) for text in catalogue.values()}
    return {
        " ".join(key.split())
        for key, translated in catalogue.items()
        if isinstance(key, str) and key and key != translated and " ".join(key.split()) not in english
    }


def text_nodes(content):
    """The page's texts between tags, whitespace squashed: a label alone in its element is one of them."""
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", content, flags=re.S)
    return {" ".join(html.unescape(text).split()) for text in re.split(r"<[^>]+>", body)} - {""}


def visible_text(content):
    return " ".join(html.unescape(NOT_TEXT.sub(" ", content)).split())


def english_client(world, role):
    client = harness.role_client(world.sessions[role])
    client.cookies["ptce_language"] = "en"  # anonymous: the visitor's choice; signed in: the session's below
    if world.sessions[role]:
        session = client.session
        session[language.SESSION_KEY] = "en"
        session.save()
    return client


def test_every_page_of_every_role_is_in_english_when_english_is_chosen(world, record_property):
    sentences, labels = french_sentences(), french_labels()
    assert len(sentences) > 1000 and len(labels) > 2000
    leftovers, pages = [], 0
    for pattern in harness.patterns():
        if pattern.is_admin or pattern.key not in MATRIX or pattern.key in RECIPIENTS_LANGUAGE:
            continue
        path = harness.fill(pattern.route, KWARGS.get(pattern.key, lambda w: {})(world))
        for role in ROLES:
            if MATRIX[pattern.key][0][role] != harness.OK:
                continue
            response = english_client(world, role).get(path)
            if response.streaming:  # a download: read to the end, which closes its file
                b"".join(response.streaming_content)
                continue
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            content = response.content.decode()
            if '<html lang="en"' not in content or response["Content-Language"] != "en":
                leftovers.append(f"{role} {path}: not announced in English")
            text = visible_text(content)
            french = sorted(sentence for sentence in sentences if sentence in text)
            leftovers += [f"{role:15} {path}: {sentence!r}" for sentence in french]
            if pattern.key not in FRENCH_DATA:
                found = sorted(text_nodes(content) & labels)
                leftovers += [f"{role:15} {path}: label {label!r}" for label in found]
    print(f"English pages checked against the French catalogue: {pages}")
    record_property("count:English pages checked", pages)
    assert pages > 150
    assert not leftovers, "French left on English pages:\n" + "\n".join(leftovers)
