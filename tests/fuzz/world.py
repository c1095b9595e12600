"""One small world with a dossier in every state a form needs, and one user per role (built once per test)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from applications.enums import BudgetCategory, BudgetSide, DossierState, LaureateCall
from applications.models import BudgetLine, DossierInvitation, LaureateRecord
from applications.services import eligibility
from applications.services import phase2 as phase2_services
from applications.services.corrections import request_corrections
from applications.services.submission import submit_dossier
from applications.services.workflow import transition
from ptce_ami.accounts.services import create_api_token
from reviews.enums import DecisionOutcome
from reviews.models import SavedFilter
from reviews.services import committee
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.reviews.factories import (
    AssignmentFactory,
    BouquetRequestFactory,
    DeclarationFactory,
    RegionalOpinionFactory,
    decide,
)
from tests.reviews.grants_helpers import laureate, open_grant, phase2


@dataclass(repr=False)
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world():
    """Everything the fuzzed forms need. The referential (tests/territories/cog_mini) must be loaded."""
    region = RegionFactory(code="84")
    owner = UserFactory(porteur=True, email="porteur@example.fr")
    instructeur = UserFactory(instructeur=True, email="instructeur@example.fr")
    administrateur = UserFactory(administrateur=True, email="admin@example.fr")
    evaluateur = UserFactory(evaluateur=True, email="evaluateur@example.fr")
    partner = UserFactory(partenaire=True, regions=[region], email="partenaire@example.fr")

    phase1 = PhaseFactory()
    draft = DossierFactory(complete=True, phase=phase1, owner=owner)

    submitted = DossierFactory(complete=True, phase=phase1, owner=owner)
    submit_dossier(submitted, by=owner)

    in_review = DossierFactory(complete=True, phase=phase1, owner=owner)
    submit_dossier(in_review, by=owner)
    transition(in_review, "start_review", by=instructeur)
    assignment = AssignmentFactory(dossier=in_review, reviewer=evaluateur, assigned_by=instructeur, confirmed=True)
    unconfirmed = AssignmentFactory(
        dossier=DossierFactory(phase=phase1, owner=owner, submitted=True, state=DossierState.IN_REVIEW),
        reviewer=evaluateur,
        assigned_by=instructeur,
    )

    DeclarationFactory(reviewer=evaluateur, edition=phase1.edition)
    # A second reviewer, declared, free: the automatic assignment has someone to propose.
    DeclarationFactory(reviewer=UserFactory(evaluateur=True, email="evaluateur2@example.fr"), edition=phase1.edition)

    corrections = DossierFactory(complete=True, phase=phase1, owner=owner)
    submit_dossier(corrections, by=owner)
    request_corrections(
        corrections,
        by=instructeur,
        reason="Précisez les statuts.",
        sections=["pole", "pieces"],
        due_at=timezone.now() + datetime.timedelta(days=10),
    )

    p2 = phase2()
    draft2 = DossierFactory(complete=True, phase=p2, owner=owner)
    eligible = DossierFactory(phase=p2, owner=owner, submitted=True, state=DossierState.ELIGIBLE, region=region)
    BudgetLine.objects.create(
        dossier=eligible,
        year=1,
        side=BudgetSide.RESOURCES,
        category=BudgetCategory.AMI_GRANT,
        amount=Decimal(80_000),
    )
    RegionalOpinionFactory(dossier=eligible, rank=1, author=partner)
    eligible_open = DossierFactory(phase=p2, owner=owner, submitted=True, state=DossierState.ELIGIBLE, region=region)
    proposed = DossierFactory(phase=p2, owner=owner, submitted=True, state=DossierState.ELIGIBLE, region=region)
    to_publish = DossierFactory(phase=p2, owner=owner, submitted=True, state=DossierState.ELIGIBLE, region=region)
    committee.propose(
        to_publish, outcome=DecisionOutcome.LAUREATE, amount=Decimal(50_000), motivation="Oui", by=instructeur
    )
    adopted = committee.create_session(
        p2, held_on="2026-10-01", members_present="Mme Durand", notes="", by=instructeur
    )
    committee.adopt(adopted, by=instructeur)
    committee.propose(
        proposed, outcome=DecisionOutcome.LAUREATE, amount=Decimal(50_000), motivation="Oui", by=instructeur
    )
    session = committee.create_session(
        p2, held_on="2026-10-10", members_present="Mme Durand", notes="", by=instructeur
    )

    decision = laureate(p2, region=region, owner=owner, by=instructeur)
    grant = open_grant(decision)

    emergent = DossierFactory(complete=True, phase=phase1, owner=owner, submitted=True, region=region)
    decide(emergent, by=instructeur)
    bouquet_request = BouquetRequestFactory(dossier=emergent, requested_by=owner)

    member = draft.members.order_by("-position").first()
    attachment = draft.attachments.first()
    DossierInvitation.objects.create(dossier=draft, email="coediteur@example.fr", invited_by=owner)
    SavedFilter.objects.create(user=instructeur, name="Mes dossiers", query="state=submitted")
    create_api_token(instructeur, name="Outil", days=30)
    record = LaureateRecord.objects.create(
        year=2024,
        call="AMI 2024 phase 1",
        kind=LaureateCall.PHASE1,
        name="Pôle des Rives",
        lead_siren="123456782",
        contact_email="contact@rives.example.fr",
    )
    due_on = (timezone.localdate() + datetime.timedelta(days=21)).isoformat()
    auto_query = f"phase={phase1.pk}&per_dossier=2&cap=10&due_on={due_on}&dossier={in_review.pk}"
    claim_token = phase2_services.claim_token(record, owner)
    eligibility.run(submitted, key=eligibility.new_key(), by=instructeur)
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    reset_path = reverse(
        "accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(owner)}
    )

    newcomer = UserFactory(porteur=True, email="nouvelle@example.fr")
    DossierFactory(owner=newcomer, phase=draft.phase)
    objects = locals().copy()
    users = {
        "owner": owner,
        "instructeur": instructeur,
        "administrateur": administrateur,
        "evaluateur": evaluateur,
        "partner": partner,
        # A porteur with nothing submitted (a draft): they may delete their account.
        "newcomer": newcomer,
    }
    return World(users=users, objects={k: v for k, v in objects.items() if k not in users})
