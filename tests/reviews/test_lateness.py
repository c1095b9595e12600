"""A review due yesterday is late; one due today is not, whatever the hour (issue 9). The day is Paris's.

Staff type a due date as a day (the assignment is due at its end, 23 h 59). Late assignments are flagged in the
reviewer's queue and home page, on the staff dossier panel, the reviewer's staff page and the reviewers' list.
"""

import datetime as dt
import html
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from freezegun import freeze_time

from reviews.models import Assignment, AssignmentStatus
from reviews.services.assignments import due_at_end_of
from tests.accounts.factories import UserFactory
from tests.reviews.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TODAY = dt.date(2026, 3, 10)
YESTERDAY = TODAY - dt.timedelta(days=1)
# Half past midnight in Paris is still the day before in UTC (23:30): the day must be Paris's.
JUST_AFTER_MIDNIGHT = dt.datetime(2026, 3, 10, 0, 30, tzinfo=PARIS)
LATE_EVENING = dt.datetime(2026, 3, 10, 23, 59, 30, tzinfo=PARIS)


def page_text(response):
    assert response.status_code == 200
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.mark.parametrize("now", [JUST_AFTER_MIDNIGHT, LATE_EVENING], ids=["00h30", "23h59"])
@pytest.mark.parametrize(
    ("due_at", "status", "late"),
    [
        (due_at_end_of(YESTERDAY), AssignmentStatus.IN_PROGRESS, True),
        (due_at_end_of(YESTERDAY), AssignmentStatus.TO_CONFIRM, True),
        (due_at_end_of(TODAY), AssignmentStatus.IN_PROGRESS, False),
        (dt.datetime(2026, 3, 10, 0, 0, tzinfo=PARIS), AssignmentStatus.IN_PROGRESS, False),  # typed in the admin
        (due_at_end_of(YESTERDAY), AssignmentStatus.SUBMITTED, False),
        (due_at_end_of(YESTERDAY), AssignmentStatus.CONFLICT, False),
        (None, AssignmentStatus.IN_PROGRESS, False),
    ],
    ids=["due-yesterday", "to-confirm-due-yesterday", "due-today", "due-today-at-midnight", "submitted", "conflict",
         "no-due-date"],
)  # fmt: skip
def test_an_assignment_is_late_once_its_due_day_is_over_in_paris(now, due_at, status, late):
    with freeze_time(now):
        assignment = AssignmentFactory(due_at=due_at, status=status)

        assert assignment.is_late is late
        assert Assignment.objects.late().filter(pk=assignment.pk).exists() is late


@pytest.fixture
def assignments():
    """A reviewer with one assignment due yesterday and one due today, both in progress."""
    reviewer = UserFactory(evaluateur=True, first_name="Ada", last_name="Lovelace")
    with freeze_time(JUST_AFTER_MIDNIGHT):
        late = AssignmentFactory(reviewer=reviewer, confirmed=True, due_at=due_at_end_of(YESTERDAY))
        on_time = AssignmentFactory(
            reviewer=reviewer, confirmed=True, due_at=dt.datetime(2026, 3, 10, 0, 0, tzinfo=PARIS)
        )
    return reviewer, late, on_time


@freeze_time(JUST_AFTER_MIDNIGHT)
def test_the_reviewers_queue_and_home_page_flag_the_late_assignment(client, assignments):
    reviewer, late, on_time = assignments
    client.force_login(reviewer)

    queue = client.get(reverse("reviews:queue"))
    home = page_text(client.get(reverse("site:dashboard")))

    rows = {row.assignment.pk: row.late for row in queue.context["rows"]}
    assert rows == {late.pk: True, on_time.pk: False}
    assert page_text(queue).count('fr-badge--error">En retard') == 1
    assert "1 évaluation est en retard : sa date limite est passée." in home


@freeze_time(JUST_AFTER_MIDNIGHT)
def test_the_review_page_says_it_is_late(client, assignments):
    reviewer, late, on_time = assignments
    client.force_login(reviewer)

    late_page = page_text(client.get(reverse("reviews:review", args=[late.pk])))
    on_time_page = page_text(client.get(reverse("reviews:review", args=[on_time.pk])))

    assert "En retard" in late_page and "En retard" not in on_time_page


@freeze_time(JUST_AFTER_MIDNIGHT)
def test_staff_see_the_late_assignment_on_the_dossier_the_reviewer_and_the_reviewers_list(client, assignments):
    reviewer, late, on_time = assignments
    client.force_login(UserFactory(instructeur=True))

    late_dossier = page_text(client.get(reverse("reviews:dossier_assignments", args=[late.dossier.reference])))
    on_time_dossier = page_text(client.get(reverse("reviews:dossier_assignments", args=[on_time.dossier.reference])))
    reviewer_page = client.get(reverse("reviews:reviewer_assignments", args=[reviewer.pk]))
    reviewers = client.get(reverse("reviews:reviewers"))

    assert "En retard" in late_dossier and "En retard" not in on_time_dossier
    assert page_text(reviewer_page).count("En retard") == 1  # the late dossier's row
    assert "1 en retard" in page_text(reviewer_page)  # the reviewer's load
    assert reviewer_page.context["late_count"] == 1
    assert [row.late_count for row in reviewers.context["reviewers"] if row.pk == reviewer.pk] == [1]
    assert "Dont en retard" in page_text(reviewers)
