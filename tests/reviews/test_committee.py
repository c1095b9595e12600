"""The selection committee's services (reviews.services.committee and publication): proposals within the envelope
and the number of laureates, the amounts' bounds, sessions and their adoption, the minutes, publication (once) and
the reopening of a published decision."""

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from applications.enums import DossierState, NoticeKind, NoticeStatus, PhaseKind
from applications.models import DossierTransition, Notice
from applications.services import notices
from ptce_ami.core.models import OutboundEmail
from reviews.enums import DecisionOutcome, SessionStatus
from reviews.models import Decision
from reviews.services import committee, publication
from reviews.services.committee import ProposalRefused
from reviews.signals import decision_published
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory

pytestmark = pytest.mark.django_db

LAUREATE, NOT_RETAINED = DecisionOutcome.LAUREATE, DecisionOutcome.NOT_RETAINED
MOTIVATION = "Une coopération solide, une animation financée par plusieurs partenaires."


def squash(text):
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@pytest.fixture
def staff():
    return UserFactory(instructeur=True, first_name="Claire", last_name="Instructrice")


@pytest.fixture
def phase2():
    edition = EditionFactory(year=2023, envelope=None)
    return PhaseFactory(
        edition=edition,
        kind=PhaseKind.PHASE2,
        envelope=Decimal(250_000),
        max_laureates=3,
        min_grant=Decimal(30_000),
        max_grant=Decimal(100_000),
        closed=True,
    )


@pytest.fixture
def phase1():
    return PhaseFactory(edition=EditionFactory(year=2024, envelope=None), kind=PhaseKind.PHASE1, closed=True)


def eligible(phase, **kwargs):
    return DossierFactory(phase=phase, submitted=True, state=DossierState.ELIGIBLE, **kwargs)


def propose(dossier, by, outcome=LAUREATE, amount=Decimal(100_000), motivation=MOTIVATION):
    return committee.propose(dossier, outcome=outcome, amount=amount, motivation=motivation, by=by)


# Proposals -----------------------------------------------------------------------------------------------------


def test_a_proposal_is_provisional_and_leaves_the_dossier_eligible(phase2, staff):
    dossier = eligible(phase2)

    decision = propose(dossier, staff)

    dossier.refresh_from_db()
    assert (decision.outcome, decision.amount, decision.decided_by) == (LAUREATE, Decimal(100_000), staff)
    assert decision.provisional
    assert dossier.state == DossierState.ELIGIBLE


def test_a_proposal_beyond_the_envelope_is_refused_with_the_figures(phase2, staff):
    propose(eligible(phase2), staff)
    propose(eligible(phase2), staff)

    with pytest.raises(ProposalRefused) as refused:
        propose(eligible(phase2), staff)

    assert squash(refused.value.message) == "Enveloppe dépassée : 200 000 € déjà proposés + 100 000 € > 250 000 €."
    assert refused.value.field == "amount"
    assert Decision.objects.count() == 2


def test_a_proposal_within_what_remains_is_accepted(phase2, staff):
    propose(eligible(phase2), staff)
    propose(eligible(phase2), staff)

    decision = propose(eligible(phase2), staff, amount=Decimal(50_000))

    assert committee.commitment(phase2).committed == Decimal(250_000)
    assert committee.commitment(phase2).remaining == Decimal(0)
    assert decision.amount == Decimal(50_000)


def test_the_edition_envelope_caps_its_phases_together(phase2, staff):
    phase2.edition.envelope = Decimal(150_000)
    phase2.edition.save()
    other_phase = PhaseFactory(edition=phase2.edition, kind=PhaseKind.PHASE2, max_grant=Decimal(100_000), closed=True)
    propose(eligible(other_phase), staff)

    with pytest.raises(ProposalRefused) as refused:
        propose(eligible(phase2), staff)

    assert squash(refused.value.message) == (
        "Enveloppe de l'édition dépassée : 100 000 € déjà proposés sur l'édition + 100 000 € > 150 000 €."
    )


def test_a_laureate_beyond_the_maximum_number_is_refused_but_not_a_refusal(phase2, staff):
    phase2.max_laureates = 1
    phase2.save()
    propose(eligible(phase2), staff, amount=Decimal(40_000))

    with pytest.raises(ProposalRefused) as refused:
        propose(eligible(phase2), staff, amount=Decimal(40_000))
    not_retained = propose(eligible(phase2), staff, outcome=NOT_RETAINED, amount=None)

    assert squash(refused.value.message) == (
        "Nombre de lauréats dépassé : 1 lauréat déjà proposé, la phase en admet 1 au plus."
    )
    assert not_retained.outcome == NOT_RETAINED


def test_changing_a_proposal_does_not_count_it_twice(phase2, staff):
    dossier = eligible(phase2)
    propose(dossier, staff)
    propose(eligible(phase2), staff)

    decision = propose(dossier, staff, amount=Decimal(150_000 - 100_000 + 50_000))  # 100 000 again: still fits

    assert Decision.objects.filter(dossier=dossier).count() == 1
    assert decision.amount == Decimal(100_000)
    assert committee.commitment(phase2).committed == Decimal(200_000)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (None, "Indiquez le montant de l'aide accordée à ce lauréat."),
        (Decimal(20_000), "Le montant (20 000 €) doit être compris entre 30 000 € et 100 000 € pour cette phase."),
        (Decimal(120_000), "Le montant (120 000 €) doit être compris entre 30 000 € et 100 000 € pour cette phase."),
    ],
)
def test_a_phase2_laureate_needs_an_amount_within_the_bounds(phase2, staff, amount, message):
    with pytest.raises(ProposalRefused) as refused:
        propose(eligible(phase2), staff, amount=amount)

    assert (squash(refused.value.message), refused.value.field) == (message, "amount")


def test_a_phase1_laureate_carries_no_amount(phase1, staff):
    decision = propose(eligible(phase1), staff, amount=None)

    with pytest.raises(ProposalRefused) as refused:
        propose(eligible(phase1), staff, amount=Decimal(10_000))

    assert decision.amount is None
    assert refused.value.field == "amount"


def test_a_not_retained_proposal_drops_any_amount(phase2, staff):
    decision = propose(eligible(phase2), staff, outcome=NOT_RETAINED, amount=Decimal(50_000))

    assert decision.amount is None


def test_a_proposal_needs_a_motivation(phase2, staff):
    with pytest.raises(ProposalRefused) as refused:
        propose(eligible(phase2), staff, motivation="   ")

    assert refused.value.field == "motivation"


@pytest.mark.parametrize("state", [DossierState.IN_REVIEW, DossierState.INELIGIBLE, DossierState.SUBMITTED])
def test_only_eligible_dossiers_get_a_proposal(phase2, staff, state):
    dossier = DossierFactory(phase=phase2, submitted=True, state=state)

    with pytest.raises(ProposalRefused):
        propose(dossier, staff)

    assert not Decision.objects.exists()


def test_withdrawing_a_proposal_frees_the_envelope(phase2, staff):
    decision = propose(eligible(phase2), staff)

    committee.withdraw(decision, by=staff)

    assert not Decision.objects.exists()
    assert committee.commitment(phase2).committed == Decimal(0)


# Sessions ------------------------------------------------------------------------------------------------------


@pytest.fixture
def fake_minutes(monkeypatch):
    calls = []

    def render(html):
        calls.append(html)
        return b"%PDF-1.7\n% minutes\n%%EOF\n"

    monkeypatch.setattr(committee, "html_to_pdf", render)
    return calls


def make_session(phase, staff):
    return committee.create_session(
        phase,
        held_on="2023-10-10",
        members_present="Mme Durand, DG Trésor\nM. Martin, Banque des Territoires",
        notes="Le comité a examiné 5 dossiers.",
        by=staff,
    )


def test_adopting_takes_the_pending_proposals_freezes_them_and_stores_the_minutes(
    phase2, staff, fake_minutes, django_capture_on_commit_callbacks
):
    decision = propose(eligible(phase2), staff)
    session = make_session(phase2, staff)

    with django_capture_on_commit_callbacks(execute=True):
        committee.adopt(session, by=staff)

    session.refresh_from_db()
    decision.refresh_from_db()
    assert (session.status, session.adopted_by, decision.session) == (SessionStatus.ADOPTED, staff, session)
    assert session.minutes.name.endswith(".pdf")
    assert decision.dossier.reference in fake_minutes[0]
    with pytest.raises(ProposalRefused):
        propose(decision.dossier, staff, amount=Decimal(50_000))
    with pytest.raises(ProposalRefused):
        committee.withdraw(decision, by=staff)


def test_a_session_without_pending_proposals_cannot_adopt(phase2, staff):
    session = make_session(phase2, staff)

    with pytest.raises(ProposalRefused):
        committee.adopt(session, by=staff)

    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN


def test_the_minutes_pdf_names_the_members_laureates_and_amounts(phase2, staff):
    laureate = eligible(phase2, name="Pôle des Rives")
    propose(laureate, staff)
    propose(eligible(phase2, name="Pôle du Plateau"), staff, outcome=NOT_RETAINED, amount=None)
    session = make_session(phase2, staff)
    committee.adopt(session, by=staff)

    committee.render_minutes(session)

    session.refresh_from_db()
    with session.minutes.open("rb") as handle:
        content = handle.read()
    text = squash(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))
    assert "Procès-verbal du comité de sélection" in text
    assert "Mme Durand, DG Trésor" in text
    assert "Pôle des Rives" in text and "100 000 €" in text
    assert "Pôle du Plateau" in text


# Publication ---------------------------------------------------------------------------------------------------


@pytest.fixture
def fake_pdf(monkeypatch):
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: b"%PDF-1.7\n% letter\n%%EOF\n")


@pytest.fixture
def adopted(phase2, staff, fake_minutes):
    laureate = eligible(phase2, contact_email="contact@example.fr")
    refused = eligible(phase2)
    propose(laureate, staff)
    propose(refused, staff, outcome=NOT_RETAINED, amount=None, motivation="La coopération reste à construire.")
    session = make_session(phase2, staff)
    committee.adopt(session, by=staff)
    return session


def test_the_outbox_lists_each_letter_and_email_before_anything_is_sent(adopted):
    items = publication.outbox(adopted)

    assert [item.decision.outcome for item in items] == [LAUREATE, NOT_RETAINED]
    assert all(len(item.emails) == 1 for item in items)
    email = items[0].emails[0]
    assert items[0].decision.dossier.reference in email.subject
    assert email.recipient == items[0].decision.dossier.owner.email
    assert not OutboundEmail.objects.exists()
    assert not Notice.objects.exists()


def test_publishing_moves_the_dossiers_issues_the_letters_and_emails_them_once(
    adopted, staff, fake_pdf, mailoutbox, django_capture_on_commit_callbacks
):
    publisher = UserFactory(instructeur=True)
    received = []

    def receive(sender, decision, by, **kwargs):
        received.append((decision.pk, by))

    decision_published.connect(receive, weak=False)

    with django_capture_on_commit_callbacks(execute=True):
        published = publication.publish(adopted, by=publisher)
    with django_capture_on_commit_callbacks(execute=True):
        again = publication.publish(adopted, by=publisher)

    decision_published.disconnect(receive)
    assert len(published) == 2 and again == []
    assert sorted(received) == sorted((decision.pk, publisher) for decision in published)
    states = {decision.dossier.reference: decision.dossier.state for decision in published}
    assert sorted(states.values()) == [DossierState.LAUREATE, DossierState.NOT_RETAINED]
    transition = DossierTransition.objects.get(action="select_laureate")
    assert (transition.by, transition.comment) == (publisher, MOTIVATION)
    decision = Decision.objects.get(outcome=LAUREATE)
    assert (decision.decided_by, decision.published_by) == (staff, publisher)
    letters = Notice.objects.filter(kind__in=[NoticeKind.LAUREATE_LETTER, NoticeKind.NOT_RETAINED_LETTER])
    assert letters.count() == 2
    assert all(letter.published_at and letter.status == NoticeStatus.READY for letter in letters)
    # The two letters, and the grant notification of the phase-2 laureate (opened on publication), once each.
    letter_emails = [m for m in mailoutbox if m.attachments[0][0].startswith("lettre-de-decision-")]
    assert len(mailoutbox) == 3 and len(letter_emails) == 2
    assert {message.subject for message in letter_emails} == {
        f"AMI PTCE — un document est disponible pour le dossier {d.dossier.reference}" for d in published
    }
    assert all(message.attachments[0][2] == "application/pdf" for message in mailoutbox)


def test_an_open_session_publishes_nothing(phase2, staff):
    propose(eligible(phase2), staff)
    session = make_session(phase2, staff)

    with pytest.raises(ProposalRefused):
        publication.publish(session, by=staff)

    assert not Decision.objects.filter(published_at__isnull=False).exists()


# Reopening -----------------------------------------------------------------------------------------------------


def test_reopening_needs_a_motivation_is_logged_and_tells_the_porteur(
    adopted, staff, fake_pdf, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish(adopted, by=staff)
    decision = Decision.objects.get(outcome=LAUREATE)
    with pytest.raises(ProposalRefused):
        publication.reopen(decision, motivation=" ", by=staff)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        publication.reopen(decision, motivation="Une pièce du budget était erronée.", by=staff)

    decision.refresh_from_db()
    decision.dossier.refresh_from_db()
    assert (decision.revoked_by, decision.revoke_motivation) == (staff, "Une pièce du budget était erronée.")
    assert decision.dossier.state == DossierState.IN_REVIEW
    reopen = DossierTransition.objects.get(action="reopen")
    assert (reopen.by, reopen.comment) == (staff, "Une pièce du budget était erronée.")
    assert len(mailoutbox) == 1
    assert decision.dossier.reference in mailoutbox[0].subject
    assert "Une pièce du budget était erronée." in mailoutbox[0].body
    assert committee.commitment(decision.dossier.phase).committed == Decimal(0)
    with pytest.raises(ProposalRefused):
        publication.reopen(decision, motivation="Encore", by=staff)


def test_a_list_with_a_dossier_no_longer_eligible_publishes_nothing_until_it_is_withdrawn(
    adopted, staff, fake_pdf, mailoutbox, django_capture_on_commit_callbacks
):
    decision = adopted.decisions.get(outcome=NOT_RETAINED)
    dossier = decision.dossier
    dossier.state = DossierState.WITHDRAWN
    dossier.save(update_fields=["state"])

    with pytest.raises(ProposalRefused) as refused:
        publication.publish(adopted, by=staff)
    committee.withdraw(decision, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        published = publication.publish(adopted, by=staff)

    assert dossier.reference in refused.value.message
    assert [d.outcome for d in published] == [LAUREATE]
    # The laureate's letter, and its grant notification (a phase-2 laureate): nothing for the withdrawn dossier.
    assert sorted(m.attachments[0][0].split("-PTCE")[0] for m in mailoutbox) == [
        "lettre-de-decision",
        "notification-de-l-aide",
    ]


def test_an_adopted_decision_on_an_eligible_dossier_cannot_be_withdrawn(adopted, staff):
    decision = adopted.decisions.get(outcome=LAUREATE)

    with pytest.raises(ProposalRefused):
        committee.withdraw(decision, by=staff)

    assert Decision.objects.filter(pk=decision.pk).exists()


def test_a_publication_given_its_moment_dates_the_decisions_the_history_and_the_letters(
    adopted, staff, fake_pdf, django_capture_on_commit_callbacks
):
    moment = datetime.datetime(2026, 5, 18, 10, tzinfo=datetime.UTC)

    with django_capture_on_commit_callbacks(execute=True):
        published = publication.publish(adopted, by=staff, at=moment)

    assert {decision.published_at for decision in published} == {moment}
    assert set(DossierTransition.objects.filter(action="select_laureate").values_list("at", flat=True)) == {moment}
    letter = Notice.objects.get(kind=NoticeKind.LAUREATE_LETTER)
    assert "18 mai 2026" in notices.notice_html(letter)
