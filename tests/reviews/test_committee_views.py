"""The committee's pages: who reaches them (instructeurs; anyone else 404), the committee view (ranked candidates,
envelope, regional balance, filters, constant queries), proposals with their errors at the field, the publication's
preview and confirmation, and what the porteurs see of a decision (nothing until it is published)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.enums import BudgetCategory, BudgetSide, DossierState, NoticeKind, PhaseKind
from applications.models import BudgetLine, Notice
from applications.services import notices
from reviews.enums import DecisionOutcome, SessionStatus
from reviews.models import Decision, DossierScore
from reviews.services import committee, publication
from reviews.views import committee as committee_views
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory
from tests.reviews.factories import RegionalOpinionFactory

pytestmark = pytest.mark.django_db

MOTIVATION = "Une coopération solide et un territoire engagé."


def squash(text):
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@pytest.fixture
def staff():
    return UserFactory(instructeur=True)


@pytest.fixture
def phase2():
    return PhaseFactory(
        edition=EditionFactory(year=2023, envelope=None),
        kind=PhaseKind.PHASE2,
        envelope=Decimal(250_000),
        max_laureates=3,
        min_grant=Decimal(30_000),
        max_grant=Decimal(100_000),
        closed=True,
    )


@pytest.fixture(autouse=True)
def fake_pdfs(monkeypatch):
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: b"%PDF-1.7\n% letter\n%%EOF\n")
    monkeypatch.setattr(committee, "html_to_pdf", lambda html: b"%PDF-1.7\n% minutes\n%%EOF\n")


def candidate(phase, score=None, region="84", **kwargs):
    dossier = DossierFactory(phase=phase, submitted=True, state=DossierState.ELIGIBLE, region_id=region, **kwargs)
    if score is not None:
        DossierScore.objects.create(dossier=dossier, value=Decimal(score), spread=Decimal(5), review_count=2)
    return dossier


def with_everything(dossier, staff, amount=Decimal(80_000)):
    """A candidate with a requested grant, a regional opinion and a proposal."""
    BudgetLine.objects.create(
        dossier=dossier, year=1, side=BudgetSide.RESOURCES, category=BudgetCategory.AMI_GRANT, amount=amount
    )
    RegionalOpinionFactory(dossier=dossier, rank=1)
    committee.propose(dossier, outcome=DecisionOutcome.LAUREATE, amount=Decimal(50_000), motivation="Oui", by=staff)
    return dossier


# Who reaches the pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["porteur", "evaluateur", "partenaire"])
def test_the_committee_pages_do_not_exist_for_other_roles(client, referential, phase2, role):
    dossier = candidate(phase2)
    client.force_login(UserFactory(**{role: True}))

    urls = [
        reverse("reviews:committee"),
        reverse("reviews:committee_phase", kwargs={"phase_id": phase2.pk}),
        reverse("reviews:committee_propose", kwargs={"reference": dossier.reference}),
        reverse("reviews:committee_session_create", kwargs={"phase_id": phase2.pk}),
    ]

    assert [client.get(url).status_code for url in urls] == [404] * len(urls)
    response = client.post(urls[2], {"outcome": "laureate", "amount": "50000", "motivation": "x"})
    assert response.status_code == 404
    assert not Decision.objects.exists()


def test_a_dossier_not_eligible_gets_no_proposal_form(client, referential, phase2, staff):
    dossier = DossierFactory(phase=phase2, submitted=True, state=DossierState.IN_REVIEW)
    client.force_login(staff)

    response = client.get(reverse("reviews:committee_propose", kwargs={"reference": dossier.reference}))

    assert response.status_code == 403


# The committee view ----------------------------------------------------------------------------------------------


def test_the_committee_view_ranks_by_score_and_shows_the_envelope(client, referential, phase2, staff):
    unscored = candidate(phase2, name="Pôle sans note")
    low = candidate(phase2, score=60, name="Pôle bas")
    high = with_everything(candidate(phase2, score=85, name="Pôle haut", includes_qpv=True), staff)
    client.force_login(staff)

    response = client.get(reverse("reviews:committee_phase", kwargs={"phase_id": phase2.pk}))

    assert response.status_code == 200
    assert [row.dossier for row in response.context["rows"]] == [high, low, unscored]
    text = squash(response.content.decode())
    assert "250 000 €" in text and "Reste : 200 000 €" in text
    assert "1 sur 3 au plus" in text
    row = response.context["rows"][0]
    assert (squash(row.requested), squash(row.amount)) == ("80 000 €", "50 000 €")
    assert row.flags == ["Quartier prioritaire de la ville"]
    assert response.context["balance"][0]["candidates"] == 3
    assert response.context["balance"][0]["laureates"] == 1


def test_the_committee_view_filters_by_proposal_and_sorts_by_request(client, referential, phase2, staff):
    proposed = with_everything(candidate(phase2, score=50), staff)
    free = candidate(phase2, score=90)
    client.force_login(staff)
    url = reverse("reviews:committee_phase", kwargs={"phase_id": phase2.pk})

    without = client.get(url, {"proposal": "none"})
    laureates = client.get(url, {"proposal": "laureate"})
    by_request = client.get(url, {"o": "-requested"})

    assert [row.dossier for row in without.context["rows"]] == [free]
    assert [row.dossier for row in laureates.context["rows"]] == [proposed]
    assert [row.dossier for row in by_request.context["rows"]] == [proposed, free]


def committee_view_queries(client, count, staff):
    phase = PhaseFactory(kind=PhaseKind.PHASE2, envelope=Decimal(10_000_000), max_grant=Decimal(100_000), closed=True)
    for index in range(count):
        with_everything(candidate(phase, score=50 + index), staff)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reviews:committee_phase", kwargs={"phase_id": phase.pk}))
    assert response.status_code == 200
    assert len(response.context["rows"]) == count
    return len(captured)


def test_the_committee_view_costs_the_same_queries_for_one_or_three_dossiers(client, referential, staff):
    assert committee_view_queries(client, 1, staff) == committee_view_queries(client, 3, staff)


# Proposals -------------------------------------------------------------------------------------------------------


def test_a_proposal_beyond_the_envelope_shows_the_figures_next_to_the_amount(client, referential, phase2, staff):
    for _ in range(2):
        committee.propose(
            candidate(phase2), outcome=DecisionOutcome.LAUREATE, amount=Decimal(100_000), motivation="Oui", by=staff
        )
    dossier = candidate(phase2)
    client.force_login(staff)

    response = client.post(
        reverse("reviews:committee_propose", kwargs={"reference": dossier.reference}),
        {"outcome": "laureate", "amount": "100 000", "motivation": MOTIVATION},
    )

    assert response.status_code == 400
    assert squash(response.context["form"].errors["amount"][0]) == (
        "Enveloppe dépassée : 200 000 € déjà proposés + 100 000 € > 250 000 €."
    )
    assert not Decision.objects.filter(dossier=dossier).exists()


def test_a_proposal_within_the_envelope_is_recorded(client, referential, phase2, staff):
    dossier = candidate(phase2)
    client.force_login(staff)

    response = client.post(
        reverse("reviews:committee_propose", kwargs={"reference": dossier.reference}),
        {"outcome": "laureate", "amount": "80 000", "motivation": MOTIVATION},
    )

    assert response.status_code == 302
    decision = Decision.objects.get(dossier=dossier)
    assert (decision.amount, decision.motivation, decision.decided_by) == (Decimal(80_000), MOTIVATION, staff)


def test_a_proposal_without_motivation_says_so_at_the_field(client, referential, phase2, staff):
    dossier = candidate(phase2)
    client.force_login(staff)

    response = client.post(
        reverse("reviews:committee_propose", kwargs={"reference": dossier.reference}),
        {"outcome": "not_retained", "motivation": ""},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["motivation"] == ["La décision doit être motivée."]


# Sessions and publication ----------------------------------------------------------------------------------------


def adopt_one(phase, staff, porteur=None):
    dossier = candidate(phase, **({"owner": porteur} if porteur else {}))
    committee.propose(
        dossier, outcome=DecisionOutcome.LAUREATE, amount=Decimal(80_000), motivation=MOTIVATION, by=staff
    )
    session = committee.create_session(phase, held_on="2023-10-10", members_present="Mme Durand", notes="", by=staff)
    committee.adopt(session, by=staff)
    return dossier, session


def test_a_session_is_recorded_then_adopts_the_list(client, referential, phase2, staff):
    committee.propose(
        candidate(phase2), outcome=DecisionOutcome.LAUREATE, amount=Decimal(80_000), motivation="Oui", by=staff
    )
    client.force_login(staff)

    created = client.post(
        reverse("reviews:committee_session_create", kwargs={"phase_id": phase2.pk}),
        {"held_on": "2023-10-10", "members_present": "Mme Durand\nM. Martin", "notes": "RAS"},
    )
    session = phase2.committee_sessions.get()
    adopted = client.post(reverse("reviews:committee_adopt", kwargs={"pk": session.pk}))

    session.refresh_from_db()
    assert (created.status_code, adopted.status_code) == (302, 302)
    assert session.status == SessionStatus.ADOPTED
    assert session.decisions.count() == 1


def test_the_publication_preview_shows_the_outbox_and_sends_nothing(client, referential, phase2, staff, mailoutbox):
    dossier, session = adopt_one(phase2, staff)
    client.force_login(staff)

    response = client.get(reverse("reviews:committee_publish", kwargs={"pk": session.pk}))
    decision = session.decisions.get()
    letter = client.get(
        reverse("reviews:committee_letter_preview", kwargs={"pk": session.pk, "decision_id": decision.pk})
    )

    text = squash(response.content.decode())
    assert f"AMI PTCE — un document est disponible pour le dossier {dossier.reference}" in text
    assert dossier.owner.email in text
    assert "Lettre de décision — lauréat" in text
    assert MOTIVATION in squash(letter.content.decode())
    assert "80 000 €" in squash(letter.content.decode())
    assert mailoutbox == []
    assert not Notice.objects.exists()


def publication_preview_queries(client, count, staff):
    """The publication page of a session adopting ``count`` decisions, each dossier with an English owner and a
    co-editor invited (two e-mails, each in its recipient's language)."""
    phase = PhaseFactory(kind=PhaseKind.PHASE2, envelope=Decimal(10_000_000), max_grant=Decimal(100_000), closed=True)
    for _ in range(count):
        dossier = candidate(phase, owner=UserFactory(language="en"))
        dossier.invitations.create(email=UserFactory().email, invited_by=dossier.owner)
        committee.propose(
            dossier, outcome=DecisionOutcome.LAUREATE, amount=Decimal(50_000), motivation="Oui", by=staff
        )
    session = committee.create_session(phase, held_on="2023-10-10", members_present="Mme Durand", notes="", by=staff)
    committee.adopt(session, by=staff)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reviews:committee_publish", kwargs={"pk": session.pk}))
    assert response.status_code == 200
    assert squash(response.content.decode()).count("AMI PTCE — a document is available") == count
    return len(captured)


def test_the_publication_preview_costs_the_same_queries_for_one_or_three_decisions(client, referential, staff):
    assert publication_preview_queries(client, 1, staff) == publication_preview_queries(client, 3, staff)


def test_publishing_twice_through_the_page_sends_once(
    client, referential, phase2, staff, mailoutbox, django_capture_on_commit_callbacks
):
    dossier, session = adopt_one(phase2, staff)
    client.force_login(staff)
    url = reverse("reviews:committee_publish", kwargs={"pk": session.pk})

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url)

    dossier.refresh_from_db()
    assert (first.status_code, second.status_code) == (302, 302)
    assert dossier.state == DossierState.LAUREATE
    # Once each: the decision letter and the grant notification of this phase-2 laureate.
    assert sorted(m.attachments[0][0].split("-PTCE")[0] for m in mailoutbox) == [
        "lettre-de-decision",
        "notification-de-l-aide",
    ]
    assert Notice.objects.filter(kind=NoticeKind.LAUREATE_LETTER).count() == 1


# What the porteurs see -------------------------------------------------------------------------------------------


def test_a_provisional_decision_is_invisible_to_the_porteur_until_published(
    client, referential, phase2, staff, django_capture_on_commit_callbacks
):
    porteur = UserFactory()
    dossier, session = adopt_one(phase2, staff, porteur=porteur)
    client.force_login(porteur)
    page = reverse("applications:dossier", kwargs={"reference": dossier.reference})

    before_page = client.get(page).content.decode()
    before_list = client.get(reverse("applications:dossier_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish(session, by=staff)
    after = client.get(page)

    for before in (before_page, before_list):
        assert "Décision du comité" not in before
        assert "Lettre de décision" not in before
        assert ">Lauréat<" not in before.replace(" ", "").replace("\n", "")
        assert MOTIVATION not in before
        assert "80 000" not in squash(before)
    text = squash(after.content.decode())
    assert "Décision du comité de sélection : Lauréat" in text
    assert MOTIVATION in text and "Aide accordée : 80 000 €" in text
    letter = Notice.objects.get(dossier=dossier, kind=NoticeKind.LAUREATE_LETTER)
    download = reverse("applications:notice_download", kwargs={"reference": dossier.reference, "notice_id": letter.pk})
    assert download in after.content.decode()
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(UserFactory())
    assert client.get(download).status_code == 404


def test_the_staff_dossier_page_shows_who_proposed_and_published_and_offers_reopening(
    client, referential, phase2, staff, django_capture_on_commit_callbacks
):
    dossier, session = adopt_one(phase2, staff)
    publisher = UserFactory(instructeur=True, first_name="Paul", last_name="Publieur")
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish(session, by=publisher)
    client.force_login(staff)

    response = client.get(reverse("reviews:dossier", kwargs={"reference": dossier.reference}))
    decision = Decision.objects.get(dossier=dossier)
    reopened = client.post(
        reverse("reviews:committee_reopen", kwargs={"pk": decision.pk}), {"motivation": "Budget à revoir."}
    )

    text = squash(response.content.decode())
    assert f"Proposée par {staff.display_name}" in text
    assert "Publiée par Paul Publieur" in text
    assert reverse("reviews:committee_reopen", kwargs={"pk": decision.pk}) in response.content.decode()
    assert reopened.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.IN_REVIEW


def test_the_minutes_are_downloaded_by_instructeurs_only(
    client, referential, phase2, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _dossier, session = adopt_one(phase2, staff)
    url = reverse("reviews:committee_minutes", kwargs={"pk": session.pk})
    client.force_login(staff)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(UserFactory(partenaire=True))
    assert client.get(url).status_code == 404


def test_reopening_without_a_motive_says_so_at_the_field(
    client, referential, phase2, staff, django_capture_on_commit_callbacks
):
    dossier, session = adopt_one(phase2, staff)
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish(session, by=staff)
    decision = Decision.objects.get(dossier=dossier)
    client.force_login(staff)

    response = client.post(reverse("reviews:committee_reopen", kwargs={"pk": decision.pk}), {"motivation": " "})

    assert response.status_code == 400
    assert response.context["form"].errors["motivation"] == ["La réouverture doit être motivée."]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.LAUREATE


def test_a_phase1_proposal_has_no_amount_field(client, referential, staff):
    phase1 = PhaseFactory(kind=PhaseKind.PHASE1, closed=True)
    dossier = candidate(phase1)
    client.force_login(staff)
    url = reverse("reviews:committee_propose", kwargs={"reference": dossier.reference})

    page = client.get(url)
    response = client.post(url, {"outcome": "laureate", "motivation": MOTIVATION})

    assert "amount" not in page.context["form"].fields
    assert response.status_code == 302
    assert Decision.objects.get(dossier=dossier).amount is None


def test_the_committee_view_shows_each_proposal_withdrawal_and_adoption_at_once(client, referential, phase2, staff):
    first, second = candidate(phase2, score=80), candidate(phase2, score=70)
    client.force_login(staff)
    url = reverse("reviews:committee_phase", kwargs={"phase_id": phase2.pk})

    def figures():
        context = client.get(url).context
        return context["committed"], context["pending"], [row["laureates"] for row in context["balance"]]

    assert figures() == (committee_views.money(Decimal(0)), 0, [0])  # cached from here on

    client.post(
        reverse("reviews:committee_propose", kwargs={"reference": first.reference}),
        {"outcome": "laureate", "amount": "80 000", "motivation": MOTIVATION},
    )
    assert figures() == (committee_views.money(Decimal(80_000)), 1, [1])

    decision = committee.propose(
        second, outcome=DecisionOutcome.LAUREATE, amount=Decimal(50_000), motivation=MOTIVATION, by=staff
    )
    assert figures() == (committee_views.money(Decimal(130_000)), 2, [2])

    committee.withdraw(decision, by=staff)
    assert figures() == (committee_views.money(Decimal(80_000)), 1, [1])

    session = committee.create_session(phase2, held_on="2023-10-10", members_present="Mme Durand", notes="", by=staff)
    committee.adopt(session, by=staff)  # a queryset update: no post_save
    assert figures() == (committee_views.money(Decimal(80_000)), 0, [1])
