"""Regional opinions (DESIGN §2, §5): partners of the region give an opinion and a rank on its eligible dossiers;
instructeurs read them; nobody else reaches them."""

import html as htmllib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState
from reviews.models import RegionalOpinion
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.reviews.factories import AssignmentFactory, RegionalOpinionFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("reviews:regional_opinions")


def text_of(response):
    return htmllib.unescape(response.content.decode())


def opinion_url(dossier):
    return reverse("reviews:regional_opinion", kwargs={"reference": dossier.reference})


@pytest.fixture
def region():
    return RegionFactory()


@pytest.fixture
def bretagne():
    return RegionFactory(code="53", name="Bretagne", cress_name="CRESS Bretagne")


@pytest.fixture
def phase():
    return PhaseFactory()


@pytest.fixture
def partner(region):
    return UserFactory(partenaire=True, regions=[region])


def eligible(region, phase, **kwargs):
    kwargs.setdefault("state", DossierState.ELIGIBLE)
    return DossierFactory(region=region, phase=phase, submitted_at=timezone.now(), **kwargs)


def opinion_data(rank, opinion="favourable", text="Pôle solide, bien ancré.", shift=False):
    data = {"opinion": opinion, "text": text, "rank": str(rank)}
    if shift:
        data["shift"] = "on"
    return data


# The list --------------------------------------------------------------------------------------------------------


def test_partners_list_the_eligible_dossiers_of_their_region_with_opinion_and_rank(
    client, partner, region, bretagne, phase
):
    ranked = eligible(region, phase)
    RegionalOpinionFactory(dossier=ranked, rank=1, opinion="reserved", author=partner)
    waiting = eligible(region, phase)
    laureate = eligible(region, phase, state=DossierState.LAUREATE)
    in_review = eligible(region, phase, state=DossierState.IN_REVIEW)
    elsewhere = eligible(bretagne, phase)
    client.force_login(partner)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert [row.dossier for row in response.context["rows"]] == [
        ranked,
        *sorted([waiting, laureate], key=lambda d: d.reference),
    ]
    page = text_of(response)
    assert in_review.reference not in page and elsewhere.reference not in page
    assert "Réservé" in page and "Donner l'avis" in page and "Modifier l'avis" in page


def test_instructeurs_list_every_region_read_only(client, region, bretagne, phase):
    first, second = eligible(region, phase), eligible(bretagne, phase)
    client.force_login(UserFactory(instructeur=True))

    response = client.get(LIST_URL)

    assert {row.dossier for row in response.context["rows"]} == {first, second}
    assert response.context["can_give"] is False
    assert "Donner l'avis" not in text_of(response)


@pytest.mark.parametrize("role", ["porteur", "evaluateur"])
def test_the_list_is_not_for_porteurs_nor_reviewers(client, role):
    client.force_login(UserFactory(**{role: True}))

    assert client.get(LIST_URL).status_code == 404


def add_opinions(region, phase, partner, count, start):
    for rank in range(start, start + count):
        RegionalOpinionFactory(dossier=eligible(region, phase), rank=rank, author=partner)


def test_list_queries_do_not_grow_with_the_dossiers(client, partner, region, phase):
    client.force_login(partner)
    add_opinions(region, phase, partner, 1, start=1)
    eligible(region, phase)
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST_URL).status_code == 200
    add_opinions(region, phase, partner, 2, start=2)
    eligible(region, phase)
    with CaptureQueriesContext(connection) as three:
        response = client.get(LIST_URL)

    assert len(three) == len(one)
    assert len(response.context["rows"]) == 5


# Giving an opinion -----------------------------------------------------------------------------------------------


def test_a_partner_gives_an_opinion_and_a_rank(client, partner, region, phase):
    dossier = eligible(region, phase)
    client.force_login(partner)

    form = client.get(opinion_url(dossier))
    response = client.post(opinion_url(dossier), opinion_data(2, opinion="unfavourable"))

    assert form.status_code == 200 and 'name="rank"' in text_of(form)
    assert response.status_code == 302 and response.url == LIST_URL
    opinion = RegionalOpinion.objects.get(dossier=dossier)
    assert (opinion.opinion, opinion.rank, opinion.region, opinion.author) == ("unfavourable", 2, region, partner)


def test_the_text_the_opinion_and_the_rank_are_required(client, partner, region, phase):
    dossier = eligible(region, phase)
    client.force_login(partner)

    response = client.post(opinion_url(dossier), {"opinion": "", "text": "  ", "rank": ""})

    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["opinion", "rank", "text"]
    page = text_of(response)
    assert "Motivez l'avis de la région." in page and "Indiquez le rang du dossier dans la région." in page
    assert not RegionalOpinion.objects.exists()


def test_a_rank_already_given_names_the_dossier_that_has_it(client, partner, region, phase):
    first = eligible(region, phase)
    RegionalOpinionFactory(dossier=first, rank=1, author=partner)
    second = eligible(region, phase)
    client.force_login(partner)

    response = client.post(opinion_url(second), opinion_data(1))

    assert response.status_code == 200
    assert response.context["form"].errors["rank"] == [
        f"Le rang 1 est déjà attribué au dossier {first.reference} ({first.name}). Choisissez un autre rang, ou "
        "cochez la case ci-dessous pour décaler ce dossier et les suivants."
    ]
    assert not RegionalOpinion.objects.filter(dossier=second).exists()


def test_shifting_moves_the_following_run_down(client, partner, region, phase):
    holders = [eligible(region, phase) for _index in range(3)]
    for rank, dossier in zip((1, 2, 4), holders, strict=True):
        RegionalOpinionFactory(dossier=dossier, rank=rank, author=partner)
    newcomer = eligible(region, phase)
    client.force_login(partner)

    response = client.post(opinion_url(newcomer), opinion_data(1, shift=True))

    assert response.status_code == 302
    ranks = dict(RegionalOpinion.objects.values_list("dossier", "rank"))
    # 1 and 2 move to 2 and 3; 4 was not in the way.
    assert [ranks[d.pk] for d in (newcomer, *holders)] == [1, 2, 3, 4]


def test_ranks_are_per_region_and_phase(client, partner, region, bretagne, phase):
    RegionalOpinionFactory(dossier=eligible(bretagne, phase), rank=1)
    RegionalOpinionFactory(dossier=eligible(region, PhaseFactory(edition=phase.edition)), rank=1, author=partner)
    dossier = eligible(region, phase)
    client.force_login(partner)

    assert client.post(opinion_url(dossier), opinion_data(1)).status_code == 302


def test_a_partner_changes_their_opinion_keeping_its_rank(client, partner, region, phase):
    dossier = eligible(region, phase)
    RegionalOpinionFactory(dossier=dossier, rank=3, author=partner)
    client.force_login(partner)

    response = client.post(opinion_url(dossier), opinion_data(3, opinion="reserved", text="Réserves sur le budget."))

    assert response.status_code == 302
    opinion = RegionalOpinion.objects.get(dossier=dossier)
    assert (opinion.opinion, opinion.text, opinion.rank) == ("reserved", "Réserves sur le budget.", 3)


def test_a_partner_of_another_region_gets_404(client, bretagne, region, phase):
    dossier = eligible(region, phase)
    client.force_login(UserFactory(partenaire=True, regions=[bretagne]))

    assert client.get(opinion_url(dossier)).status_code == 404
    assert client.post(opinion_url(dossier), opinion_data(1)).status_code == 404


def test_no_opinion_on_a_dossier_not_yet_eligible(client, partner, region, phase):
    dossier = eligible(region, phase, state=DossierState.IN_REVIEW)
    client.force_login(partner)

    assert client.get(opinion_url(dossier)).status_code == 403
    assert client.post(opinion_url(dossier), opinion_data(1)).status_code == 403


@pytest.mark.parametrize("role", ["instructeur", "administrateur"])
def test_instructeurs_read_the_opinion_but_cannot_give_one(client, region, phase, role):
    dossier = eligible(region, phase)
    RegionalOpinionFactory(dossier=dossier, rank=1, text="Avis motivé de la CRESS.")
    client.force_login(UserFactory(**{role: True}))

    page = client.get(opinion_url(dossier))
    refused = client.post(opinion_url(dossier), opinion_data(2, opinion="unfavourable"))

    assert page.status_code == 200 and "Avis motivé de la CRESS." in text_of(page)
    assert page.context.get("form") is None
    assert refused.status_code == 403
    assert RegionalOpinion.objects.get(dossier=dossier).rank == 1


def test_porteurs_and_reviewers_get_404_even_on_their_own_dossier(client, region, phase):
    dossier = eligible(region, phase)
    reviewer = AssignmentFactory(dossier=dossier, confirmed=True).reviewer

    for user in (dossier.owner, reviewer):
        client.force_login(user)
        assert client.get(opinion_url(dossier)).status_code == 404
        assert client.post(opinion_url(dossier), opinion_data(1)).status_code == 404
