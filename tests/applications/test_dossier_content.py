"""The read-only content of a dossier, shared by the porteur's, the staff's and the reviewer's pages."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory
from tests.reviews.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(referential):
    return DossierFactory(complete=True, state=DossierState.IN_REVIEW, submitted_at=timezone.now())


def page_of(client, dossier, role):
    if role == "porteur":
        client.force_login(dossier.owner)
        return client.get(dossier.get_absolute_url())
    if role == "staff":
        client.force_login(UserFactory(instructeur=True))
        return client.get(reverse("reviews:dossier", kwargs={"reference": dossier.reference}))
    assignment = AssignmentFactory(dossier=dossier, confirmed=True)
    client.force_login(assignment.reviewer)
    return client.get(reverse("reviews:review", kwargs={"assignment_id": assignment.pk}))


@pytest.mark.parametrize(("role", "level"), [("porteur", 2), ("staff", 2), ("reviewer", 3)])
def test_summary_first_then_folded_sections_then_members_table(client, dossier, role, level):
    response = page_of(client, dossier, role)

    content = response.content.decode()
    assert response.status_code == 200
    summary = content.index('id="dossier-summary-title"')
    sections = [m.start() for m in re.finditer(r'<button type="button"\s+class="fr-accordion__btn"', content)]
    assert len(sections) == 7 and summary < sections[0]
    assert len(re.findall(r'aria-expanded="false"\s+aria-controls="dossier-section-', content)) == 7  # all folded
    assert f'<h{level} class="fr-callout__title fr-h5" id="dossier-summary-title">En bref</h{level}>' in content
    assert re.search(r"<dt>Structure porteuse</dt>\s*<dd>Association Coop des Rives</dd>", content)
    assert re.search(r"<dt>Région de rattachement</dt>\s*<dd>Auvergne-Rhône-Alpes</dd>", content)
    members_table = content[content.index('id="members-caption"') : content.index("</table>", summary)]
    assert members_table.count("<tr>") == 1 + dossier.members.count()  # a header row, then one row per member
    assert "<dl>" not in content  # no list left to the browser's default indent
