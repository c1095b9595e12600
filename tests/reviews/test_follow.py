"""Following a dossier: any staff member who sees it may follow it (it is personal), the list's "Suivis par moi" tab
shows those only, and nobody else learns the dossier exists."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.enums import DossierState
from reviews.models import Follow
from reviews.services import selection as filters
from territories.models import Region
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory
from tests.reviews.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/instruction/"


def follow_url(dossier):
    return f"/instruction/dossiers/{dossier.reference}/suivi/"


def references(response):
    return sorted(row.dossier.reference for row in response.context["rows"])


def tabs(response):
    return {tab.key: tab for tab in response.context["tabs"]}


@pytest.fixture
def instructeur(db):
    return UserFactory(instructeur=True)


@pytest.fixture
def ara(referential):
    return Region.objects.get(code="84")


def test_url(db):
    dossier = DossierFactory(submitted=True)
    assert reverse("reviews:dossier_follow", kwargs={"reference": dossier.reference}) == follow_url(dossier)


def test_follow_then_unfollow_from_the_dossier_page(client, instructeur):
    dossier = DossierFactory(submitted=True)
    client.force_login(instructeur)
    page = client.get(f"/instruction/dossiers/{dossier.reference}/").content.decode()
    assert "Suivre ce dossier" in page
    assert f'action="{follow_url(dossier)}"' in page

    response = client.post(follow_url(dossier), {"follow": "1"})

    assert response["Location"] == f"/instruction/dossiers/{dossier.reference}/"
    assert list(Follow.objects.values_list("user", "dossier")) == [(instructeur.pk, dossier.pk)]
    page = client.get(response["Location"]).content.decode()
    assert "Ne plus suivre ce dossier" in page
    assert f"Vous suivez le dossier {dossier.reference}." in page

    client.post(follow_url(dossier), {"follow": "0"})

    assert not Follow.objects.exists()


def test_following_twice_keeps_one_row(client, instructeur):
    dossier = DossierFactory(submitted=True)
    client.force_login(instructeur)
    client.post(follow_url(dossier), {"follow": "1"})
    client.post(follow_url(dossier), {"follow": "1"})
    assert Follow.objects.count() == 1


def test_following_takes_posts_only(client, instructeur):
    dossier = DossierFactory(submitted=True)
    client.force_login(instructeur)
    assert client.get(follow_url(dossier)).status_code == 405
    assert not Follow.objects.exists()


def test_following_changes_nothing_on_the_dossier(client, instructeur):
    dossier = DossierFactory(submitted=True)
    before = (dossier.state, dossier.updated_at)
    client.force_login(instructeur)
    client.post(follow_url(dossier), {"follow": "1"})
    dossier.refresh_from_db()
    assert (dossier.state, dossier.updated_at) == before
    assert not dossier.transitions.exists()


def test_a_partner_follows_a_dossier_of_their_region(client, ara):
    """Read-only on the dossier's decisions, a partner still keeps their own list: following writes nothing on it."""
    partner = UserFactory(partenaire=True, regions=[ara])
    dossier = DossierFactory(submitted=True, region=ara)
    client.force_login(partner)

    assert "Suivre ce dossier" in client.get(f"/instruction/dossiers/{dossier.reference}/").content.decode()
    assert client.post(follow_url(dossier), {"follow": "1"}).status_code == 302
    assert Follow.objects.filter(user=partner, dossier=dossier).exists()


@pytest.mark.parametrize("outsider", ["porteur", "owner", "evaluateur", "assigned_evaluateur", "other_partner"])
def test_outsiders_cannot_follow_and_are_told_nothing(client, ara, outsider):
    dossier = DossierFactory(submitted=True, region=ara)
    user = {
        "porteur": lambda: UserFactory(porteur=True),
        "owner": lambda: dossier.owner,
        "evaluateur": lambda: UserFactory(evaluateur=True),
        "assigned_evaluateur": lambda: AssignmentFactory(dossier=dossier, confirmed=True).reviewer,
        "other_partner": lambda: UserFactory(partenaire=True, regions=[Region.objects.get(code="94")]),
    }[outsider]()
    client.force_login(user)

    assert client.post(follow_url(dossier), {"follow": "1"}).status_code == 404
    assert not Follow.objects.exists()


def test_a_draft_cannot_be_followed(client, instructeur):
    draft = DossierFactory()
    client.force_login(instructeur)
    assert client.post(follow_url(draft), {"follow": "1"}).status_code == 404


def test_the_followed_tab_shows_only_the_dossiers_i_follow(client, instructeur):
    mine, also_mine = DossierFactory(submitted=True), DossierFactory(submitted=True, state=DossierState.IN_REVIEW)
    someone_elses = DossierFactory(submitted=True)
    DossierFactory(submitted=True)
    Follow.objects.create(user=instructeur, dossier=mine)
    Follow.objects.create(user=instructeur, dossier=also_mine)
    Follow.objects.create(user=UserFactory(instructeur=True), dossier=someone_elses)
    client.force_login(instructeur)

    response = client.get(LIST_URL, {"followed": "1"})

    assert references(response) == sorted([mine.reference, also_mine.reference])
    counts = {key: tab.count for key, tab in tabs(response).items()}
    assert counts["all"] == 4
    assert counts["followed"] == 2
    assert counts["submitted"] == 3
    assert counts["in_review"] == 1
    assert tabs(response)["followed"].current
    assert not tabs(response)["all"].current
    content = response.content.decode()
    assert re.search(r'data-tab="followed"\s+href="[^"]*"\s+aria-current="page"', content)
    # The export of that selection holds the same dossiers.
    exported = filters.filtered_dossiers(instructeur, "followed=1")
    assert sorted(dossier.reference for dossier in exported) == references(response)


def test_tabs_keep_the_other_filters_and_mark_the_current_one(client, instructeur):
    DossierFactory(submitted=True, name="Pôle des Monts")
    client.force_login(instructeur)

    response = client.get(LIST_URL, {"q": "Monts", "state": "submitted", "page": "1"})

    urls = {key: tab.url for key, tab in tabs(response).items()}
    assert urls["all"] == "?q=Monts"
    assert urls["followed"] == "?q=Monts&followed=1"
    assert urls["in_review"] == "?q=Monts&state=in_review"
    assert [key for key, tab in tabs(response).items() if tab.current] == ["submitted"]
    assert [key for key, tab in tabs(client.get(LIST_URL)).items() if tab.current] == ["all"]
    several = client.get(LIST_URL, {"state": ["submitted", "in_review"]})
    assert [key for key, tab in tabs(several).items() if tab.current] == []
    # The tab marked is the selection shown, whatever was typed in the address.
    for query, current in (({"followed": "oui"}, "followed"), ({"state": "nonsense"}, "all")):
        response = client.get(LIST_URL, query)
        assert [key for key, tab in tabs(response).items() if tab.current] == [current]
        assert tabs(response)[current].count == response.context["page"].paginator.count


def test_a_partner_counts_only_what_they_see(client, ara):
    partner = UserFactory(partenaire=True, regions=[ara])
    seen = DossierFactory(submitted=True, region=ara)
    elsewhere = DossierFactory(submitted=True, region=Region.objects.get(code="94"))
    # A follow left from before a change of regions never reveals the other region's dossier.
    Follow.objects.create(user=partner, dossier=seen)
    Follow.objects.create(user=partner, dossier=elsewhere)
    client.force_login(partner)

    response = client.get(LIST_URL, {"followed": "1"})

    assert references(response) == [seen.reference]
    assert tabs(response)["followed"].count == 1
    assert tabs(response)["all"].count == 1


def test_the_followed_tab_costs_the_same_queries_for_3_and_30_dossiers(client, instructeur):
    client.force_login(instructeur)
    counts = []
    for size in (3, 27):
        dossiers = DossierFactory.create_batch(size, submitted=True)
        Follow.objects.bulk_create(Follow(user=instructeur, dossier=dossier) for dossier in dossiers)
        cache.clear()  # the counters and the filter form are cached: measure their queries too
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST_URL, {"followed": "1"})
        assert tabs(response)["followed"].count == len(response.context["rows"])
        counts.append(len(captured))
    assert len(response.context["rows"]) == 30
    assert counts[0] == counts[1]
