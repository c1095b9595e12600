"""Hostile and odd input on the staff pages (issue 9, item 5): due dates bounded, French numbers in the filters,
rank and annotations cleaned like every other input."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from applications.enums import DossierState
from reviews.models import Assignment, DossierScore
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory
from tests.core.html_dom import field_error_messages
from tests.reviews.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@freeze_time("2026-12-14")
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9999-12-31", "Saisissez une date comprise entre le 1er janvier 1900 et le 14 décembre 2031."),
        ("2032-01-01", "Saisissez une date comprise entre le 1er janvier 1900 et le 14 décembre 2031."),
        ("1000-01-01", "La date d'échéance ne peut pas être passée."),
    ],
)
def test_an_implausible_reviewer_due_date_is_refused_next_to_the_field(client, typed, message):
    dossier = DossierFactory(submitted=True, state=DossierState.IN_REVIEW)
    client.force_login(UserFactory(instructeur=True))

    response = client.post(
        reverse("reviews:dossier_assign", args=[dossier.reference]),
        {"assign-reviewer": UserFactory(evaluateur=True).pk, "assign-due_on": typed},
    )

    assert response.status_code == 200
    assert field_error_messages(response.content.decode(), "assign-due_on") == [message]
    assert not Assignment.objects.exists()


@freeze_time("2026-12-14")
def test_a_reviewer_due_date_within_five_years_is_kept(client):
    dossier = DossierFactory(submitted=True, state=DossierState.IN_REVIEW)
    client.force_login(UserFactory(instructeur=True))

    client.post(
        reverse("reviews:dossier_assign", args=[dossier.reference]),
        {"assign-reviewer": UserFactory(evaluateur=True).pk, "assign-due_on": "2031-12-14"},
    )

    assert Assignment.objects.get().due_at.year == 2031


def test_the_score_filters_read_french_decimals(client):
    low, high = DossierFactory(submitted=True), DossierFactory(submitted=True)
    DossierScore.objects.create(dossier=low, value="62.25", review_count=2)
    DossierScore.objects.create(dossier=high, value="62.75", review_count=2)
    client.force_login(UserFactory(instructeur=True))

    response = client.get(reverse("reviews:dossier_list"), {"score_min": "62,5"})

    assert response.context["filterset"].form.errors == {}
    assert [row.dossier.reference for row in response.context["rows"]] == [high.reference]


# Found by the fuzz suite (tests/fuzz) -----------------------------------------------------------------------------


@pytest.mark.parametrize("next_value", ["9223372036854775808", "accueil", "reviews:queue", "/\x00", "//evil.example/"])
def test_a_next_that_is_no_path_sends_back_to_the_dossier_assignments_not_a_server_error(client, next_value):
    assignment = AssignmentFactory()
    client.force_login(UserFactory(instructeur=True))

    response = client.post(reverse("reviews:assignment_remove", args=[assignment.pk]), {"next": next_value})

    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:dossier_assignments", args=[assignment.dossier.reference])


@pytest.mark.parametrize("path", ["reviews:dossier_list", "reviews:grant_list", "reviews:bouquet_requests"])
def test_a_huge_search_is_refused_next_to_the_field_not_a_server_error(client, path):
    # SQLite refused the pattern ("LIKE or GLOB pattern too complex"): a search is at most 200 characters.
    client.force_login(UserFactory(instructeur=True))

    response = client.get(reverse(path), {"q": "%_" * 50_000})

    assert response.status_code == 200
    assert "Assurez-vous que cette valeur comporte au plus 200 caractères" in response.content.decode()
