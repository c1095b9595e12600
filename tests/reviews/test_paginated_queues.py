"""The reviewer's queue and the regional opinions page, paginated with tabs (issue 15: flat at national scale).

Each page shows one tab and one page at a time, the tabs with their counts; a page costs the same number of
queries whatever the number of assignments or dossiers.
"""

import datetime as dt
import html as htmllib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState
from reviews.models import AssignmentStatus
from reviews.services import evaluation as services
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory
from tests.reviews.factories import AssignmentFactory, RegionalOpinionFactory, make_review

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("reviews:queue")
OPINIONS_URL = reverse("reviews:regional_opinions")


def text_of(response):
    assert response.status_code == 200
    return " ".join(htmllib.unescape(response.content.decode()).split())


def tabs_of(response):
    return {tab.key: (str(tab.label), tab.count) for tab in response.context["tabs"]}


def current_tab(response):
    (current,) = [tab.key for tab in response.context["tabs"] if tab.current]
    return current


def listed(response):
    return [row.assignment.pk for row in response.context["rows"]]


def days(count):
    return timezone.now() + dt.timedelta(days=count)


# The reviewer's queue --------------------------------------------------------------------------------------------


@pytest.fixture
def reviewer():
    return UserFactory(evaluateur=True)


@pytest.fixture
def queue(reviewer):
    """One assignment of each kind, due on different days; a conflict and another reviewer's assignment."""
    to_confirm = AssignmentFactory(reviewer=reviewer, due_at=days(10))
    in_progress = AssignmentFactory(reviewer=reviewer, confirmed=True, due_at=days(5))
    late = AssignmentFactory(reviewer=reviewer, confirmed=True, due_at=days(-2))
    submitted = AssignmentFactory(reviewer=reviewer, confirmed=True, due_at=days(-20))
    make_review(submitted)
    AssignmentFactory(reviewer=reviewer, status=AssignmentStatus.CONFLICT, due_at=days(1))
    AssignmentFactory(confirmed=True, due_at=days(1))
    return {"to_confirm": to_confirm, "in_progress": in_progress, "late": late, "submitted": submitted}


def test_the_queue_opens_on_what_the_reviewer_has_to_do_by_due_date(client, reviewer, queue):
    client.force_login(reviewer)

    response = client.get(QUEUE_URL)

    assert current_tab(response) == "todo"
    assert listed(response) == [queue["late"].pk, queue["in_progress"].pk, queue["to_confirm"].pk]
    assert tabs_of(response) == {
        "todo": ("À faire", 3),
        "to_confirm": ("À confirmer", 1),
        "in_progress": ("En cours", 2),
        "late": ("En retard", 1),
        "submitted": ("Rendues", 1),
    }
    page = text_of(response)
    assert 'aria-current="page">À faire <span class="ptce-list-tabs__count">3</span>' in response.content.decode()
    assert queue["submitted"].dossier.reference not in page
    assert "Les dossiers qui vous sont confiés : À faire (page 1 sur 1)" in page


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("to_confirm", ["to_confirm"]),
        ("in_progress", ["late", "in_progress"]),
        ("late", ["late"]),
        ("submitted", ["submitted"]),
        ("todo", ["late", "in_progress", "to_confirm"]),
    ],
)
def test_each_tab_shows_its_assignments(client, reviewer, queue, tab, expected):
    client.force_login(reviewer)

    response = client.get(QUEUE_URL, {"tab": tab})

    assert current_tab(response) == tab
    assert listed(response) == [queue[key].pk for key in expected]


def test_the_tabs_links_keep_nothing_but_the_tab(client, reviewer, queue):
    client.force_login(reviewer)

    response = client.get(QUEUE_URL, {"tab": "submitted", "page": "2"})

    urls = {tab.key: tab.url for tab in response.context["tabs"]}
    assert urls["late"] == "?tab=late"
    assert urls["todo"] == "?tab=todo"


@pytest.mark.parametrize("tab", ["", "nope", "conflict", "all"])
def test_an_unknown_tab_shows_the_default_one(client, reviewer, queue, tab):
    client.force_login(reviewer)

    response = client.get(QUEUE_URL, {"tab": tab})

    assert current_tab(response) == "todo"
    assert len(listed(response)) == 3


def test_the_queue_is_paginated(client, reviewer, queue, monkeypatch):
    monkeypatch.setattr(services, "QUEUE_PAGE_SIZE", 2)
    client.force_login(reviewer)

    first = client.get(QUEUE_URL)
    second = client.get(QUEUE_URL, {"page": "2"})
    beyond = client.get(QUEUE_URL, {"page": "99"})
    garbage = client.get(QUEUE_URL, {"page": "deux"})

    assert listed(first) == [queue["late"].pk, queue["in_progress"].pk]
    assert listed(second) == [queue["to_confirm"].pk]
    assert listed(beyond) == listed(second)  # out of range: the last page
    assert listed(garbage) == listed(first)
    assert first.context["pagination"]["next"] == "?page=2"
    assert "Les dossiers qui vous sont confiés : À faire (page 2 sur 2)" in text_of(second)
    assert 'class="fr-pagination"' in first.content.decode()


def test_pagination_links_keep_the_tab(client, reviewer, monkeypatch):
    monkeypatch.setattr(services, "QUEUE_PAGE_SIZE", 1)
    for _ in range(2):
        make_review(AssignmentFactory(reviewer=reviewer, confirmed=True))
    client.force_login(reviewer)

    response = client.get(QUEUE_URL, {"tab": "submitted"})

    assert response.context["pagination"]["next"] == "?tab=submitted&page=2"
    assert len(listed(client.get(QUEUE_URL, {"tab": "submitted", "page": "2"}))) == 1


def test_an_empty_tab_says_so_and_keeps_the_tabs(client, reviewer):
    AssignmentFactory(reviewer=reviewer, confirmed=True)
    client.force_login(reviewer)

    response = client.get(QUEUE_URL, {"tab": "submitted"})

    assert response.context["rows"] == []
    assert "Aucun dossier dans cet onglet." in text_of(response)
    assert tabs_of(response)["todo"] == ("À faire", 1)


def test_a_reviewer_without_assignments_gets_the_explanation_without_tabs(client, reviewer):
    AssignmentFactory(reviewer=reviewer, status=AssignmentStatus.CONFLICT)
    client.force_login(reviewer)

    page = text_of(client.get(QUEUE_URL))

    assert "Aucun dossier ne vous est confié pour le moment" in page
    assert "ptce-list-tabs" not in page


@pytest.mark.parametrize("role", ["porteur", "partenaire", "instructeur", "administrateur"])
def test_the_queue_tabs_and_pages_are_for_reviewers_only(client, role):
    client.force_login(UserFactory(**{role: True}))

    assert client.get(QUEUE_URL, {"tab": "submitted", "page": "2"}).status_code == 404


def add_assignments(reviewer, count):
    """``count`` assignments of each kind: to confirm, a draft in progress, submitted."""
    for _ in range(count):
        AssignmentFactory(reviewer=reviewer)
        make_review(
            AssignmentFactory(reviewer=reviewer, confirmed=True), [2, None, None, None, None, None], submitted=False
        )
        make_review(AssignmentFactory(reviewer=reviewer, confirmed=True))


def queries_of(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), len(response.context["rows"])


@pytest.mark.parametrize("tab", ["todo", "to_confirm", "in_progress", "submitted"])
def test_queue_queries_are_the_same_with_one_and_three_assignments(client, reviewer, tab):
    client.force_login(reviewer)
    add_assignments(reviewer, 1)
    one, one_rows = queries_of(client, QUEUE_URL, {"tab": tab})
    add_assignments(reviewer, 2)
    three, three_rows = queries_of(client, QUEUE_URL, {"tab": tab})

    assert three == one
    assert three_rows == 3 * one_rows


# The regional opinions page --------------------------------------------------------------------------------------


@pytest.fixture
def region():
    return RegionFactory()


@pytest.fixture
def partner(region):
    return UserFactory(partenaire=True, regions=[region])


def eligible(region, phase, **kwargs):
    kwargs.setdefault("state", DossierState.ELIGIBLE)
    return DossierFactory(region=region, phase=phase, submitted_at=timezone.now(), **kwargs)


def dossiers_of(response):
    return [row.dossier.pk for row in response.context["rows"]]


@pytest.fixture
def opinions(region, partner):
    """This edition: two ranked dossiers and one without opinion; last edition: one ranked dossier."""
    current = PhaseFactory(edition=EditionFactory(year=2026))
    past = PhaseFactory(edition=EditionFactory(year=2025))
    second, first, waiting = eligible(region, current), eligible(region, current), eligible(region, current)
    RegionalOpinionFactory(dossier=first, rank=1, author=partner)
    RegionalOpinionFactory(dossier=second, rank=2, author=partner)
    old = eligible(region, past, state=DossierState.LAUREATE)
    RegionalOpinionFactory(dossier=old, rank=1, author=partner)
    eligible(RegionFactory(code="53", name="Bretagne"), current)
    return {"first": first, "second": second, "waiting": waiting, "old": old}


def test_opinions_tabs_count_the_dossiers_with_and_without_opinion(client, partner, opinions):
    client.force_login(partner)

    response = client.get(OPINIONS_URL)

    assert current_tab(response) == "all"
    assert tabs_of(response) == {"all": ("Tous", 4), "to_give": ("Sans avis", 1), "given": ("Avis donnés", 3)}
    # The current edition first; in a phase, the ranked dossiers by rank, then the others.
    assert dossiers_of(response) == [opinions[key].pk for key in ("first", "second", "waiting", "old")]
    assert dossiers_of(client.get(OPINIONS_URL, {"tab": "to_give"})) == [opinions["waiting"].pk]
    assert dossiers_of(client.get(OPINIONS_URL, {"tab": "given"})) == [
        opinions[key].pk for key in ("first", "second", "old")
    ]
    assert dossiers_of(client.get(OPINIONS_URL, {"tab": "nope"})) == dossiers_of(response)


def test_instructeurs_count_every_region(client, opinions):
    client.force_login(UserFactory(instructeur=True))

    response = client.get(OPINIONS_URL)

    assert tabs_of(response)["all"] == ("Tous", 5)
    assert tabs_of(response)["to_give"] == ("Sans avis", 2)


def test_the_opinions_are_paginated(client, partner, opinions, monkeypatch):
    monkeypatch.setattr(services, "OPINIONS_PAGE_SIZE", 3)
    client.force_login(partner)

    first = client.get(OPINIONS_URL)
    second = client.get(OPINIONS_URL, {"page": "2"})
    beyond = client.get(OPINIONS_URL, {"page": "7"})
    given = client.get(OPINIONS_URL, {"tab": "given", "page": "2"})

    assert dossiers_of(first) == [opinions[key].pk for key in ("first", "second", "waiting")]
    assert dossiers_of(second) == dossiers_of(beyond) == [opinions["old"].pk]
    assert dossiers_of(given) == [opinions[key].pk for key in ("first", "second", "old")]  # one page only
    assert first.context["pagination"]["next"] == "?page=2"
    page = text_of(second)
    assert "Les dossiers recevables et leur avis régional : Tous (page 2 sur 2)" in page


def test_an_empty_opinions_tab_says_so(client, partner, region):
    RegionalOpinionFactory(dossier=eligible(region, PhaseFactory()), rank=1, author=partner)
    client.force_login(partner)

    page = text_of(client.get(OPINIONS_URL, {"tab": "to_give"}))

    assert "Aucun dossier dans cet onglet." in page


@pytest.mark.parametrize("role", ["porteur", "evaluateur"])
def test_the_opinions_tabs_and_pages_are_not_for_porteurs_nor_reviewers(client, role):
    client.force_login(UserFactory(**{role: True}))

    assert client.get(OPINIONS_URL, {"tab": "given", "page": "2"}).status_code == 404


@pytest.mark.parametrize("tab", ["all", "to_give", "given"])
def test_opinions_queries_are_the_same_with_one_and_three_dossiers(client, partner, region, tab):
    phase = PhaseFactory()
    client.force_login(partner)

    def add(count):
        for _ in range(count):
            RegionalOpinionFactory(dossier=eligible(region, phase), author=partner)
            eligible(region, phase)

    add(1)
    one, one_rows = queries_of(client, OPINIONS_URL, {"tab": tab})
    add(2)
    three, three_rows = queries_of(client, OPINIONS_URL, {"tab": tab})

    assert three == one
    assert three_rows == 3 * one_rows
