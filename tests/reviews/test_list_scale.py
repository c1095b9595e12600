"""The staff list at national scale (issue 15): its counters and filter form are cached until a dossier changes
state, its page's ids are read in order before its rows, and its sorts on the dossier's own columns page through
the whole selection in order, in both directions."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.enums import DossierState
from applications.services.workflow import transition
from reviews.models import DossierScore, Follow
from reviews.services.scoring import refresh_dossier_score
from territories.models import Region
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory
from tests.reviews.factories import AssignmentFactory, make_review

pytestmark = pytest.mark.django_db

LIST_URL = "/instruction/"


def tabs(response):
    return {tab.key: tab.count for tab in response.context["tabs"]}


def listed(response):
    return [row.dossier.reference for row in response.context["rows"]]


def filter_form(response):
    return re.search(r'<form method="get"[^>]*id="filtres">.*?</form>', response.content.decode(), re.S).group(0)


@pytest.fixture
def instructeur(db):
    return UserFactory(instructeur=True)


def test_a_state_change_refreshes_the_cached_counters(client, instructeur):
    dossiers = DossierFactory.create_batch(3, submitted=True)
    client.force_login(instructeur)
    before = tabs(client.get(LIST_URL))
    assert (before["all"], before[DossierState.SUBMITTED], before[DossierState.IN_REVIEW]) == (3, 3, 0)

    transition(dossiers[0], "start_review", by=instructeur)

    after = tabs(client.get(LIST_URL))
    assert (after["all"], after[DossierState.SUBMITTED], after[DossierState.IN_REVIEW]) == (3, 2, 1)
    in_review = client.get(LIST_URL, {"state": DossierState.IN_REVIEW})
    assert listed(in_review) == [dossiers[0].reference]
    assert in_review.context["page"].paginator.count == 1


def test_a_second_request_reads_the_counters_and_the_filter_form_from_the_cache(client, instructeur, referential):
    DossierFactory.create_batch(3, submitted=True)
    client.force_login(instructeur)
    with CaptureQueriesContext(connection) as cold:
        first = client.get(LIST_URL, {"region": "84"})
    with CaptureQueriesContext(connection) as warm:
        second = client.get(LIST_URL, {"region": "84"})
    assert len(warm) < len(cold)
    counted = [
        q["sql"]
        for q in warm.captured_queries
        if re.match(r'SELECT COUNT\([^)]*\) AS "\w+"(, COUNT.*)? FROM "applications_dossier"', q["sql"])
    ]
    assert not counted
    assert tabs(second) == tabs(first)
    assert filter_form(second) == filter_form(first)
    assert 'value="84" selected' in filter_form(second)


def test_the_cached_filter_form_is_never_another_scopes(client, instructeur, referential):
    ara, corse = Region.objects.get(code="84"), Region.objects.get(code="94")
    partner = UserFactory(partenaire=True, regions=[corse])
    client.force_login(instructeur)
    assert f'value="{ara.pk}"' in filter_form(client.get(LIST_URL))
    client.force_login(partner)
    form = filter_form(client.get(LIST_URL))
    assert f'value="{corse.pk}"' in form
    assert f'value="{ara.pk}"' not in form


def test_the_pages_follow_each_other_in_order_in_both_directions(client, instructeur):
    names = [f"Pôle {letter}" for letter in "QWERTYUIOPASDFGHJKLZXCVBNM"]
    for name in names * 3:  # 78 dossiers, three of each name: the reference breaks the ties
        DossierFactory(submitted=True, name=name)
    client.force_login(instructeur)
    for sort in ("name", "-name", "submitted_at", "-submitted_at", "reference", "-updated_at", "state"):
        pages = [client.get(LIST_URL, {"o": sort, "page": number}) for number in (1, 2)]
        rows = [row.dossier for page in pages for row in page.context["rows"]]
        assert len(rows) == 78
        key = sort.lstrip("-")
        values = [(getattr(dossier, key), dossier.reference) for dossier in rows]
        assert values == sorted(values, reverse=sort.startswith("-")), sort


def test_the_followed_and_state_filters_together_count_what_they_show(client, instructeur):
    dossiers = DossierFactory.create_batch(4, submitted=True)
    transition(dossiers[0], "start_review", by=instructeur)
    Follow.objects.bulk_create(Follow(user=instructeur, dossier=dossier) for dossier in dossiers[:2])
    client.force_login(instructeur)
    response = client.get(LIST_URL, {"followed": "1", "state": DossierState.SUBMITTED})
    assert listed(response) == [dossiers[1].reference]
    assert response.context["page"].paginator.count == 1
    assert tabs(response)["followed"] == 2
    assert tabs(response)["all"] == 4


def test_a_cache_that_does_not_answer_only_slows_the_list(client, instructeur, settings):
    settings.CACHES = {
        "default": {"BACKEND": "ptce_ami.core.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    DossierFactory.create_batch(2, submitted=True)
    client.force_login(instructeur)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert tabs(response)["all"] == 2
    cache.close()


@pytest.mark.parametrize("sort", ["-score", "score"])
def test_the_score_sort_pages_through_scored_then_unscored_dossiers(client, instructeur, sort):
    scored = DossierFactory.create_batch(35, submitted=True)
    for number, dossier in enumerate(scored):
        DossierScore.objects.create(dossier=dossier, value=Decimal(40 + number % 12), review_count=2)
    unscored = DossierFactory.create_batch(25, submitted=True)
    DossierScore.objects.create(dossier=unscored[0], value=None, review_count=0)  # reviews pending: no value
    client.force_login(instructeur)

    pages = [client.get(LIST_URL, {"o": sort, "page": number}) for number in (1, 2)]

    shown = [row.dossier.reference for page in pages for row in page.context["rows"]]
    by_score = sorted(
        scored, key=lambda dossier: (dossier.score.value * (-1 if sort == "-score" else 1), dossier.reference)
    )
    others = sorted(dossier.reference for dossier in unscored)
    assert shown == [dossier.reference for dossier in by_score] + others
    assert pages[0].context["page"].paginator.count == 60


def test_a_new_score_moves_the_dossier_at_once(client, instructeur):
    first, second = DossierFactory.create_batch(2, submitted=True)
    DossierScore.objects.create(dossier=first, value=Decimal(50), review_count=1)
    client.force_login(instructeur)
    assert listed(client.get(LIST_URL, {"o": "-score"})) == [first.reference, second.reference]

    make_review(AssignmentFactory(dossier=second, confirmed=True))
    refresh_dossier_score(second)  # what submitting a review does: the counted scored dossiers change

    second.score.refresh_from_db()
    expected = sorted([first, second], key=lambda dossier: (-dossier.score.value, dossier.reference))
    assert listed(client.get(LIST_URL, {"o": "-score"})) == [dossier.reference for dossier in expected]
