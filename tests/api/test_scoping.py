"""A token sees what its owner sees: a regional partner's token never reads another region's dossier, member,
review, opinion, decision or grant; reviews and decisions come as the staff pages show them to each role."""

import pytest

from reviews.models import Decision, Grant, RegionalOpinion, Review
from tests.accounts.factories import UserFactory
from tests.api.conftest import secret_for
from tests.api.worlds import region_world
from tests.reviews.grants_helpers import phase2


@pytest.fixture
def world(ara, idf):
    phase = phase2()
    return {"84": region_world(ara, phase), "11": region_world(idf, phase)}


def all_rows(call, secret, path, **query):
    response = call(secret, path, limit=100, **query)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_partner_token_reads_only_its_regions(call, world, partner):
    secret = secret_for(partner)

    dossiers = all_rows(call, secret, "dossiers")
    assert {row["region"] for row in dossiers} == {"84"}
    assert len(dossiers) == 2  # the laureate and the dossier with a provisional decision; never the draft
    assert {row["dossier"] for row in all_rows(call, secret, "regional-opinions")} == {world["84"].reference}
    assert {row["dossier"] for row in all_rows(call, secret, "grants")} == {world["84"].reference}
    assert {row["dossier"] for row in all_rows(call, secret, "reviews")} == {world["84"].reference}
    assert {row["dossier"] for row in all_rows(call, secret, "decisions")} == {world["84"].reference}


def test_partner_gets_404_on_another_regions_dossier(call, world, partner):
    secret = secret_for(partner)
    other = world["11"].reference

    assert call(secret, f"dossiers/{other}").status_code == 404
    assert call(secret, f"dossiers/{other}/members").status_code == 404
    assert call(secret, f"dossiers/{world['84'].reference}").status_code == 200


@pytest.mark.parametrize("path", ["dossiers", "reviews", "regional-opinions", "decisions", "grants"])
def test_partner_filtering_on_another_region_is_refused(call, world, partner, path):
    response = call(secret_for(partner), path, region="11")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Filtre invalide (region : ")
    assert world["11"].reference not in response.content.decode()


def test_instructeur_token_reads_every_region(call, world, instructeur):
    secret = secret_for(instructeur)

    assert {row["region"] for row in all_rows(call, secret, "dossiers")} == {"84", "11"}
    assert len(all_rows(call, secret, "grants")) == Grant.objects.count() == 2
    assert len(all_rows(call, secret, "regional-opinions")) == RegionalOpinion.objects.count() == 2


def test_reviews_in_full_for_instructeurs(call, world, instructeur):
    rows = all_rows(call, secret_for(instructeur), "reviews", region="84")

    assert len(rows) == Review.objects.filter(dossier=world["84"]).count() == 3
    assert sorted((row["status"], row["counted"]) for row in rows) == [
        ("draft", False),
        ("submitted", False),
        ("submitted", True),
    ]
    scores = [row["scores"] for row in rows]
    assert all(isinstance(levels, list) and levels for levels in scores)
    assert {"criterion", "weight", "value"} == set(scores[0][0])
    assert all("comment" not in row and "reviewer" not in row for row in rows)


def test_reviews_as_the_partner_summary_shows_them(call, world, partner):
    rows = all_rows(call, secret_for(partner), "reviews")

    counted = Review.objects.counted().filter(dossier=world["84"])
    assert [row["id"] for row in rows] == [review.pk for review in counted]
    assert all(row["scores"] is None and row["counted"] for row in rows)
    assert rows[0]["total"] is not None and rows[0]["recommendation"] == "favourable"


def test_decisions_as_each_role_sees_them(call, world, partner, instructeur):
    partner_rows = all_rows(call, secret_for(partner), "decisions")
    instructeur_rows = all_rows(call, secret_for(instructeur), "decisions")

    assert [row["id"] for row in partner_rows] == [Decision.objects.published().get(dossier=world["84"]).pk]
    assert partner_rows[0]["motivation"] is None
    assert len(instructeur_rows) == Decision.objects.count() == 4
    assert sum(row["published_at"] is None for row in instructeur_rows) == 2
    assert all(row["motivation"] for row in instructeur_rows)


def test_grants_carry_their_tranches(call, world, partner):
    (row,) = all_rows(call, secret_for(partner), "grants")

    grant = Grant.objects.get(dossier=world["84"])
    assert row["amount"] == str(grant.amount) or float(row["amount"]) == float(grant.amount)
    assert [tranche["percent"] for tranche in row["tranches"]] == [50, 40, 10]
    assert [tranche["position"] for tranche in row["tranches"]] == [1, 2, 3]


def test_members_of_a_visible_dossier(call, world, partner):
    rows = all_rows(call, secret_for(partner), f"dossiers/{world['84'].reference}/members")

    assert [row["id"] for row in rows] == list(world["84"].members.order_by("pk").values_list("pk", flat=True))
    assert {row["role"] for row in rows} == {"lead", "member"}


def test_a_partner_of_two_regions_reads_both(call, world, ara, idf):
    partner = UserFactory(partenaire=True, regions=[ara, idf])

    assert {row["region"] for row in all_rows(call, secret_for(partner), "dossiers")} == {"84", "11"}
