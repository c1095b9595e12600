"""Hostile input into every POST form the project serves (issue 13, item 3).

The forms are found on their pages (tests/fuzz/table.py says which page, as which role), parsed from the HTML, and
posted with hypothesis' hostile variants (tests/fuzz/hostile.py). Each answer: never a 5xx; no English Django
message; an answer that refuses (a 4xx, or a page with an error) shows a French message and leaves every table as
it was. Each example runs in a savepoint rolled back afterwards, so all examples start from the same world."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import Resolver404, get_resolver, resolve
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz import checks
from tests.fuzz.engine import PHASES, examples_per_form, login
from tests.fuzz.forms import Control, Form, parse_forms
from tests.fuzz.hostile import payloads
from tests.fuzz.table import FORMS, NO_FORM, Action

pytestmark = [
    pytest.mark.django_db,
    # The 100,000-character values make hypothesis warn about the size of a failing example's repr.
    pytest.mark.filterwarnings("ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"),
]

MIN_EXAMPLES = 3


# The table covers the resolver ----------------------------------------------------------------------------------


def url_names(resolver=None, namespace=""):
    """(URL name, callback) of every pattern, included namespaces walked; the Django admin left out."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            if inner == "admin":
                continue
            yield from url_names(pattern, inner)
        else:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern.callback


def declared_methods(view):
    """The methods ``require_http_methods`` (``require_POST``, ``require_GET``) lets through, or None."""
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            contents = cell.cell_contents
            if isinstance(contents, list) and contents and all(isinstance(m, str) and m.isupper() for m in contents):
                return set(contents)
        view = getattr(view, "__wrapped__", None)
    return None


def test_every_url_name_is_in_the_fuzz_table():
    names = {name for name, _view in url_names()}
    missing = sorted(names - set(FORMS) - set(NO_FORM))
    assert not missing, (
        "URL names neither fuzzed nor declared without form: add each to FORMS (how to reach its form) or NO_FORM "
        f"(why it has none) in tests/fuzz/table.py: {missing}"
    )
    assert not sorted(set(FORMS) & set(NO_FORM)), "a URL name is in FORMS and in NO_FORM"
    stale = sorted((set(FORMS) | set(NO_FORM)) - names)
    assert not stale, f"tests/fuzz/table.py names URLs the resolver no longer knows: {stale}"


def test_no_view_that_accepts_post_is_declared_without_form():
    accepting_post = {name for name, view in url_names() if "POST" in (declared_methods(view) or ())}
    wrong = sorted(accepting_post & set(NO_FORM))
    assert not wrong, f"these views accept POST: move them from NO_FORM to FORMS in tests/fuzz/table.py: {wrong}"


# Fuzzing ---------------------------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def action_name(path):
    try:
        return resolve(path).view_name
    except Resolver404:
        return f"(unresolved) {path}"


def forms_of(name, entry, world, client):
    """The forms of ``name`` as shown on its pages (or the declared action), with the page they came from."""
    if isinstance(entry, Action):
        form = Form(action=entry.path(world))
        form.controls = [Control(field, "text", value) for field, value in entry.fields.items()]
        return [(form.action, form)]
    found, seen = [], set()
    for page in entry.paths(world):
        login(client, world, entry.role)
        response = client.get(page, follow=True)
        assert response.status_code == 200, f"{name}: its page {page} answers {response.status_code} to {entry.role}"
        final = response.request["PATH_INFO"]
        for form in parse_forms(response.content.decode(), final):
            target = action_name(form.action)
            assert target in FORMS or target in NO_FORM and target == "accounts:logout", (
                f"the page {page} shows a POST form to {form.action} ({target}), missing from FORMS in "
                "tests/fuzz/table.py"
            )
            key = (form.action, tuple(c.name for c in form.fields))
            if target == name and key not in seen:
                seen.add(key)
                found.append((page, form))
    assert found, f"{name}: no POST form to it on {entry.paths(world)} as {entry.role} (see tests/fuzz/table.py)"
    return found


def rewind(data):
    for value in data.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, UploadedFile):
                item.seek(0)


def check_answer(name, form, data, response, before, page):
    kept = set(FORMS[name].keeps_valid_fields)
    where = f"{name} ({form.action}, from {page}) with {summarise(data)}"
    assert response.status_code < 500, f"{where}: {response.status_code}"
    text = checks.body_text(response)
    leaks = checks.english_leaks(text)
    assert not leaks, f"{where}: English message(s) in the page: {leaks}"
    after = checks.snapshot()
    changed = checks.differences(before, after)
    refused = response.status_code >= 400 or (response.status_code == 200 and checks.shows_field_error(text))
    if refused:
        half_saved = [change for change in changed if change.split(" ")[0] not in kept]
        assert not half_saved, f"{where}: refused ({response.status_code}) but saved: {half_saved}"
    if response.status_code == 200 and text and not changed:
        assert checks.shows_message(text), f"{where}: a 200 that saved nothing and says nothing"
    return after


def summarise(data):
    def short(value):
        if isinstance(value, list):
            return [short(v) for v in value]
        if isinstance(value, UploadedFile):
            return f"<file {value.name!r} {value.size} B>"
        text = repr(value)
        return text if len(text) < 60 else f"{text[:40]}…({len(value)} chars)"

    return {key: short(value) for key, value in data.items() if key != "csrfmiddlewaretoken"}


def baseline(client, world, role):
    """The snapshot every example starts from (each example is rolled back)."""
    try:
        with transaction.atomic():
            login(client, world, role)
            state = checks.snapshot()
            raise _Rollback
    except _Rollback:
        return state


def fuzz_form(name, role, world, client, page, form, examples):
    """Post hostile variants of ``form``; returns how many examples were tried."""
    tried = 0
    before = baseline(client, world, role)

    @settings(max_examples=examples, phases=PHASES)
    @given(data=payloads(form), twice=st.booleans())
    def post_hostile(data, twice):
        nonlocal tried
        tried += 1
        try:
            with transaction.atomic():
                login(client, world, role)
                response = client.post(form.action, data)
                after = check_answer(name, form, data, response, before, page)
                if twice:  # the same submit again (a double click, a reload)
                    rewind(data)
                    check_answer(name, form, data, client.post(form.action, data), after, page)
                raise _Rollback
        except _Rollback:
            pass

    post_hostile()
    return tried


@pytest.mark.parametrize("name", sorted(FORMS))
def test_hostile_posts(name, world, client, record_property):
    entry = FORMS[name]
    forms = forms_of(name, entry, world, client)
    # A URL with many forms (the steps of both phases) shares out its examples, at least MIN_EXAMPLES each.
    examples = max(MIN_EXAMPLES, examples_per_form() * 4 // max(len(forms), 4))
    tried = sum(fuzz_form(name, entry.role, world, client, page, form, examples) for page, form in forms)
    record_property("fuzz_forms", len(forms))
    record_property("fuzz_examples", tried)


# Forms reached by following links ----------------------------------------------------------------------------------

CRAWL_START = ["/", "/espace/", "/dossiers/", "/instruction/", "/compte/mon-compte/", "/compte/api/"]
CRAWL_LIMIT = 80  # pages per role
NOT_CRAWLED = re.compile(r"^/admin/|/deconnexion|\.(pdf|zip|csv|json|xlsx)$|/telecharger/|^/api/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("/") and not href.startswith("//"):
            self.links.append(href.split("#")[0].split("?")[0])


def test_every_post_form_reached_by_links_is_in_the_fuzz_table(world, client):
    """Each role follows the links of its pages from its start pages: every POST form met must be in FORMS."""
    unknown = set()
    for role in ["anonymous", *world.users]:
        login(client, world, role)
        queue, seen = list(CRAWL_START), set()
        while queue and len(seen) < CRAWL_LIMIT:
            path = queue.pop(0)
            if path in seen or NOT_CRAWLED.search(path):
                continue
            seen.add(path)
            response = client.get(path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            for form in parse_forms(html, path):
                target = action_name(form.action)
                if target not in FORMS and target != "accounts:logout":
                    unknown.add((target, path, role))
            links = _Links()
            links.feed(html)
            queue += [link for link in links.links if link not in seen]
    assert not unknown, f"POST forms missing from FORMS in tests/fuzz/table.py (action, page, role): {sorted(unknown)}"
