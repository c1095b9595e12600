"""Staff pages not covered elsewhere keep a constant number of queries: the reviewers' list, the automatic
assignment's preview, the batch assignment page and the exports' list (1 item against 3)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.enums import DossierState
from reviews.models import Export
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.reviews.factories import AssignmentFactory, DeclarationFactory

pytestmark = pytest.mark.django_db


def queries(client, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(captured)


def seed(count, phase, instructeur):
    dossiers = []
    for _ in range(count):
        reviewer = UserFactory(evaluateur=True)
        DeclarationFactory(reviewer=reviewer, edition=phase.edition)
        dossier = DossierFactory(phase=phase, state=DossierState.IN_REVIEW, submitted=True)
        dossier.state = DossierState.IN_REVIEW
        dossier.save(update_fields=["state"])
        AssignmentFactory(dossier=DossierFactory(phase=phase, submitted=True), reviewer=reviewer)
        Export.objects.create(requested_by=instructeur, format="csv")
        dossiers.append(dossier)
    return dossiers


def counts(client, count):
    phase = PhaseFactory()
    instructeur = UserFactory(instructeur=True)
    dossiers = seed(count, phase, instructeur)
    client.force_login(instructeur)
    return [
        queries(client, reverse("reviews:reviewers")),
        queries(client, reverse("reviews:assign_auto"), {"phase": phase.pk, "per_dossier": 1, "cap": 5}),
        queries(client, reverse("reviews:assign_batch"), {"dossier": [dossier.pk for dossier in dossiers]}),
        queries(client, reverse("reviews:export_list")),
    ]


def test_staff_pages_cost_the_same_queries_for_one_or_three(client):
    one = counts(client, 1)
    client.logout()
    three = counts(client, 3)

    assert one == three
