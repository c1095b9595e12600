import pytest

from applications import workflow
from applications.enums import DossierState as S
from applications.models import DossierTransition
from applications.services.workflow import transition
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory

ALLOWED = {
    ("submit", S.DRAFT): S.SUBMITTED,
    ("withdraw", S.DRAFT): S.WITHDRAWN,
    ("withdraw", S.SUBMITTED): S.WITHDRAWN,
    ("withdraw", S.CORRECTIONS_REQUESTED): S.WITHDRAWN,
    ("request_corrections", S.SUBMITTED): S.CORRECTIONS_REQUESTED,
    ("request_corrections", S.IN_REVIEW): S.CORRECTIONS_REQUESTED,
    ("resubmit", S.CORRECTIONS_REQUESTED): S.SUBMITTED,
    ("start_review", S.SUBMITTED): S.IN_REVIEW,
    ("declare_eligible", S.IN_REVIEW): S.ELIGIBLE,
    ("declare_ineligible", S.IN_REVIEW): S.INELIGIBLE,
    ("select_laureate", S.ELIGIBLE): S.LAUREATE,
    ("not_retain", S.ELIGIBLE): S.NOT_RETAINED,
    ("reopen", S.LAUREATE): S.IN_REVIEW,
    ("reopen", S.NOT_RETAINED): S.IN_REVIEW,
    ("reopen", S.INELIGIBLE): S.IN_REVIEW,
}


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
def test_transitions_table(action, state):
    expected = ALLOWED.get((action, state))
    if expected is None:
        with pytest.raises(workflow.InvalidTransition):
            workflow.target_state(action, state)
    else:
        assert workflow.target_state(action, state) == expected


@pytest.mark.django_db
def test_transition_writes_the_audit_row_and_stamps_submission():
    dossier = DossierFactory()
    person = UserFactory()

    transition(dossier, "submit", by=person)

    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED and dossier.submitted_at is not None
    row = DossierTransition.objects.get()
    assert (row.action, row.from_state, row.to_state, row.by) == ("submit", S.DRAFT, S.SUBMITTED, person)


@pytest.mark.django_db
def test_transition_rereads_the_row_someone_else_was_faster():
    dossier = DossierFactory()
    stale = type(dossier).objects.get(pk=dossier.pk)
    transition(dossier, "withdraw", by=dossier.owner)

    with pytest.raises(workflow.InvalidTransition):
        transition(stale, "submit", by=dossier.owner)

    assert DossierTransition.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(workflow.MOTIVATION_REQUIRED))
def test_actions_needing_a_motivation_refuse_an_empty_one(action):
    source = next(iter(workflow.TRANSITIONS[action][0]))
    dossier = DossierFactory(state=source)

    with pytest.raises(workflow.MotivationRequired):
        transition(dossier, action, by=UserFactory(instructeur=True), comment="  ")

    dossier.refresh_from_db()
    assert dossier.state == source
