"""Demo data of the selection and what follows it: the calls' calendar and amounts, past committees and their
published decisions, the PTCE émergents and their bouquet requests, phase-2 dossiers with their budgets, grants in
every state, and the current committee's provisional decisions.

The calendar (days before or after today) makes sense in time:

    AMI PTCE 2023 — phase 2 (1 June – 31 July 2023), 15 laureates at €100k within €1.5M, decided 17 October 2023,
                    grants signed in December 2023, paid in three tranches (50/40/10), all reports approved.
    AMI PTCE 2026 — phase 1, wave 1: −420 → −330 days, decided at −300: the PTCE émergents.
                  — phase 2, wave 1: −280 → −220, for those émergents, decided at −200: three grants (one with its
                    first tranche paid and its interim report awaiting review, one suspended, one under way).
                  — phase 1, wave 2: −30 → +30, open: the dossiers of the demo's instruction (demo.py) and the
                    current committee's provisional decisions, not published.
                  — phase 2, wave 2: −20 → +60, open: the porteur's phase-2 draft, pre-filled from its phase-1
                    laureate.

As in demo.py, everything goes through the services staff's and porteurs' clicks call; only the moments of the past
(submission, decisions, publication) are given to the services or set afterwards on the rows they wrote.
"""

import contextlib
import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.enums import (
    ActionLever,
    AttachmentKind,
    BouquetNeed,
    BudgetCategory,
    BudgetSide,
    DossierState,
    FundingStatus,
    MemberCategory,
    PaymentCondition,
    PhaseKind,
    ReportKind,
)
from applications.models import Dossier, Edition, PaymentStage, Phase, ReportRequirement
from applications.services import attachments as attachment_services
from applications.services import budget as budget_services
from applications.services import phase2 as phase2_services
from applications.services.steps import get_step
from applications.services.submission import SubmissionRefused, submit_dossier
from applications.services.workflow import transition
from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.models import User
from ptce_ami.site import demo
from reviews.enums import DecisionOutcome, RequestStatus, Year3Decision
from reviews.models import BouquetRequest, CommitteeSession, Compagnon, Decision, Grant
from reviews.services import bouquet as bouquet_services
from reviews.services import committee, grants, publication

DEMO_YEAR = 2026
INSTRUCTEUR = "instructeur@demo.ptce.fr"
COMMITTEE_MEMBERS = (
    "DG Trésor — bureau de l'économie sociale et solidaire (présidence)\n"
    "ESS France\nRTES — Réseau des collectivités territoriales pour une économie solidaire\n"
    "Le Labo de l'ESS\nCoorace\nBanque des Territoires\nCRESS Auvergne-Rhône-Alpes"
)

# The 2023 laureates (DOMAIN_FACTS: 14 of the 15 names are published; the 15th is not) and two not retained.
# name, commune (INSEE), outcome.
LAUREATES_2023 = [
    ("PECCS – Pôle d'Économie Circulaire en Cœur de Savoie", "73171"),
    ("Pôle Laine du Pays de Saugues", "43234"),
    ("La Californie", "89419"),
    ("Pôle associatif L'Accordeur", "97311"),
    ("Anima Grand Calais", "62193"),
    ("Émergence Hénin-Carvin", "62427"),
    ("PôPE – Pôle Petite Enfance", "93008"),
    ("GEIQ Sport et Loisirs", "97611"),
    ("Écosystème coopératif Tera", "47312"),
    ("Les Herbes Folles", "31483"),
    ("Les Grandlieu'Zarts", "44188"),
    ("LABSPORT", "44184"),
    ("ECHOBAT", "97411"),
    ("Association JADES", "97416"),
    ("15e lauréat 2023 (nom non publié)", "37261"),
]
NOT_RETAINED_2023 = [("Pôle coopératif du Dijonnais", "21231"), ("Coopérations maritimes de Brest", "29019")]

# The 2026 phase-1 wave 1: owner, name, summary, communes, members, outcome.
EMERGENTS_2026 = [
    {
        "owner": "porteur@demo.ptce.fr",
        "name": "Recyclerie coopérative du Bocage bourbonnais",
        "summary": "Collecte, réparation et revente d'objets entre Moulins et les villages du bocage.",
        "communes": ["03190"],
        "members": [
            ("Régie de quartier Moulins Sud", MemberCategory.ESS_ENTERPRISE, "association", "03190", "lead"),
            ("Moulins Communauté", MemberCategory.COLLECTIVITE, "", "03190", "member"),
            ("Bâti Bocage SARL", MemberCategory.ENTERPRISE, "", "03190", "member"),
        ],
        "outcome": DecisionOutcome.LAUREATE,
    },
    {
        "owner": "porteur2@demo.ptce.fr",
        "name": "Pôle alimentaire du Pays de Redon",
        "summary": "Légumeries, cantines et producteurs du Pays de Redon coopèrent pour l'alimentation locale.",
        "communes": ["35236"],
        "members": [
            ("SCIC Redon Nourricière", MemberCategory.ESS_ENTERPRISE, "cooperative_scic", "35236", "lead"),
            ("Redon Agglomération", MemberCategory.COLLECTIVITE, "", "35236", "member"),
            ("Légumerie du Pays de Redon SAS", MemberCategory.ENTERPRISE, "", "35236", "member"),
        ],
        "outcome": DecisionOutcome.LAUREATE,
    },
    {
        "owner": "porteur3@demo.ptce.fr",
        "name": "Habitat coopératif du Beaujolais",
        "summary": "Rénovation énergétique et habitat partagé par un collectif d'artisans et de coopératives.",
        "communes": ["69264"],
        "members": [
            ("SCOP Bâtir Ensemble", MemberCategory.ESS_ENTERPRISE, "cooperative_scop", "69264", "lead"),
            (
                "Communauté d'agglomération Villefranche Beaujolais Saône",
                MemberCategory.COLLECTIVITE,
                "",
                "69264",
                "member",
            ),
            ("Menuiseries du Beaujolais SARL", MemberCategory.ENTERPRISE, "", "69264", "member"),
        ],
        "outcome": DecisionOutcome.LAUREATE,
    },
    {
        "owner": "porteur3@demo.ptce.fr",
        "name": "Énergies citoyennes de la Drôme",
        "summary": "Des centrales solaires citoyennes et une coopérative de rénovation pour la vallée de la Drôme.",
        "communes": ["26108"],
        "members": [
            ("SCIC Dwatts", MemberCategory.ESS_ENTERPRISE, "cooperative_scic", "26108", "lead"),
            ("Communauté de communes du Crestois", MemberCategory.COLLECTIVITE, "", "26108", "member"),
            ("Solaire Drôme SAS", MemberCategory.ENTERPRISE, "", "26108", "member"),
        ],
        "outcome": DecisionOutcome.LAUREATE,
    },
    {
        "owner": "porteur2@demo.ptce.fr",
        "name": "Tiers-lieu nourricier de Quimper",
        "summary": "Un tiers-lieu pour une cuisine partagée et un marché de producteurs.",
        "communes": ["29232"],
        "members": [
            ("Association Cuisine Commune", MemberCategory.ESS_ENTERPRISE, "association", "29232", "lead"),
            ("Quimper Bretagne Occidentale", MemberCategory.COLLECTIVITE, "", "29232", "member"),
            ("Maraîchers de Cornouaille SARL", MemberCategory.ENTERPRISE, "", "29232", "member"),
        ],
        "outcome": DecisionOutcome.NOT_RETAINED,
    },
]
# Phase-2 wave 1 of 2026: the émergent it continues → (amount, what became of its grant).
GRANTS_2026 = {
    "Pôle alimentaire du Pays de Redon": (Decimal("80000"), "report_to_review"),
    "Habitat coopératif du Beaujolais": (Decimal("60000"), "suspended"),
    "Énergies citoyennes de la Drôme": (Decimal("50000"), "under_way"),
}
PREFILLED = "Recyclerie coopérative du Bocage bourbonnais"

# The current committee (phase 1, wave 2): provisional decisions on the eligible dossiers of demo.py.
PROVISIONAL = [
    (
        "Alimentation durable Lyon–Villeurbanne",
        DecisionOutcome.LAUREATE,
        "Coopération ancienne et outillée, collectivité et recherche engagées ; avis favorable de la CRESS.",
    ),
    (
        "Pôle réemploi du Val d'Allier",
        DecisionOutcome.LAUREATE,
        "Dynamique réelle sur un territoire rural ; le modèle économique sera consolidé avec le bouquet de services.",
    ),
    (
        "Fabrique stéphanoise des coopérations",
        DecisionOutcome.NOT_RETAINED,
        "Projet crédible mais encore porté par une seule structure ; une nouvelle candidature est encouragée.",
    ),
]


def paris(day, hour=12):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_default_timezone())


# The calls ------------------------------------------------------------------------------------------------------


def seed_calls(today):
    """The editions and phases of the demo with their amounts, tranches and reports; returns the phases by key."""
    edition_2023, _ = Edition.objects.update_or_create(
        year=2023, defaults={"name": "AMI PTCE 2023", "published": True, "envelope": 1_500_000}
    )
    phases = {
        "2023-p2": phase(
            edition_2023,
            PhaseKind.PHASE2,
            1,
            paris(datetime.date(2023, 6, 1), 9),
            paris(datetime.date(2023, 7, 31), 12),
            envelope=1_500_000,
            max_laureates=15,
            min_grant=100_000,
            max_grant=100_000,
            attachments=[],
            stages=[
                ("Premier versement", 50, PaymentCondition.SIGNATURE),
                ("Deuxième versement", 40, PaymentCondition.INTERIM_REPORT),
                ("Solde", 10, PaymentCondition.FINAL_REPORT),
            ],
            reports=[(ReportKind.INTERIM, 12), (ReportKind.FINAL, 24)],
        )
    }
    edition, _ = Edition.objects.update_or_create(
        year=DEMO_YEAR, defaults={"name": f"AMI PTCE {DEMO_YEAR}", "published": True, "envelope": 500_000}
    )
    days = datetime.timedelta
    phase1_attachments = [AttachmentKind.STATUTES, AttachmentKind.SWORN_STATEMENT]
    phase2_attachments = [
        AttachmentKind.STATUTES,
        AttachmentKind.BUDGET,
        AttachmentKind.ACCOUNTS,
        AttachmentKind.SWORN_STATEMENT,
    ]
    # AMI PTCE 2026: €500k, €30k–80k over two years, "versées dès la première année".
    stages_2026 = [
        ("Premier versement", 60, PaymentCondition.SIGNATURE),
        ("Solde", 40, PaymentCondition.INTERIM_REPORT),
    ]
    reports_2026 = [(ReportKind.INTERIM, 6), (ReportKind.FINAL, 24)]
    phases["p1w1"] = phase(
        edition,
        PhaseKind.PHASE1,
        1,
        paris(today - days(420), 9),
        paris(today - days(330)),
        attachments=phase1_attachments,
    )
    phases["p2w1"] = phase(
        edition,
        PhaseKind.PHASE2,
        1,
        paris(today - days(280), 9),
        paris(today - days(220)),
        envelope=300_000,
        min_grant=30_000,
        max_grant=80_000,
        attachments=phase2_attachments,
        stages=stages_2026,
        reports=reports_2026,
    )
    phases["p1w2"] = phase(
        edition,
        PhaseKind.PHASE1,
        2,
        paris(today - days(30), 9),
        paris(today + days(30)),
        max_laureates=10,
        attachments=phase1_attachments,
    )
    phases["p2w2"] = phase(
        edition,
        PhaseKind.PHASE2,
        2,
        paris(today - days(20), 9),
        paris(today + days(60)),
        envelope=200_000,
        min_grant=30_000,
        max_grant=80_000,
        attachments=phase2_attachments,
        stages=stages_2026,
        reports=reports_2026,
    )
    return phases


def phase(edition, kind, wave, opens_at, closes_at, *, attachments, stages=(), reports=(), **amounts):
    phase, _ = Phase.objects.update_or_create(
        edition=edition,
        kind=kind,
        wave=wave,
        defaults={"opens_at": opens_at, "closes_at": closes_at, "required_attachment_kinds": attachments, **amounts},
    )
    for position, (label, percent, condition) in enumerate(stages, start=1):
        PaymentStage.objects.update_or_create(
            phase=phase, position=position, defaults={"label": label, "percent": percent, "condition": condition}
        )
    for kind_, months in reports:
        ReportRequirement.objects.update_or_create(phase=phase, kind=kind_, defaults={"due_months": months})
    return phase


# Dossiers of the past --------------------------------------------------------------------------------------------


def past_owner(name):
    """An account for a porteur of the past (not a demo login: its password is unusable)."""
    slug = "".join(c for c in demo.siret_for(name))[-6:]
    user, created = User.objects.get_or_create(
        email=f"porteur-{slug}@demo.ptce.fr",
        defaults={"role": Role.PORTEUR, "first_name": "Contact", "last_name": name[:60], "organisation": name[:150]},
    )
    if created:
        user.set_unusable_password()
        user.email_confirmed_at = timezone.now()
        user.save()
    return user


def past_dossier(phase, owner, spec, *, submitted_at, users, grant=None):
    """A dossier filed at ``submitted_at`` (within its phase), made eligible by staff the week after."""
    dossier = Dossier.objects.filter(phase=phase, name=spec["name"]).first()
    if dossier is not None:
        return dossier
    dossier = demo.build_dossier(phase, owner, {**spec, "submit": False}, users)
    if phase.kind == PhaseKind.PHASE2:
        fill_phase2(dossier, owner, grant or phase.max_grant)
    submit(dossier, owner, submitted_at)
    instructeur = users[INSTRUCTEUR]
    transition(dossier, "start_review", by=instructeur, at=submitted_at + datetime.timedelta(days=7))
    transition(dossier, "declare_eligible", by=instructeur, at=submitted_at + datetime.timedelta(days=8))
    return dossier


def submit(dossier, owner, at):
    """Submit at ``at``, a draft begun three weeks before (as its history will say)."""
    Dossier.objects.filter(pk=dossier.pk).update(created_at=at - datetime.timedelta(days=21))
    try:
        submit_dossier(dossier, by=owner, now=at)
    except SubmissionRefused as refused:  # the demo's data out of step with the rules: say which
        raise RuntimeError(f"{dossier.name}: {refused.missing}") from refused


def fill_phase2(dossier, owner, grant):
    """The phase-2 steps: the action plan, staffing, a balanced two-year budget (the aid covers half of it),
    what comes after the aid, indicators."""
    grant = Decimal(grant)
    steps = {
        "plan": {
            "action_levers": [ActionLever.ANIMATION, ActionLever.ENGINEERING],
            "action_plan": (
                "Année 1 : recrutement d'une animatrice, comité de coopération trimestriel, diagnostic des besoins "
                "des membres. Année 2 : deux projets communs lancés (achats groupés, offre de formation)."
            ),
        },
        "moyens": {
            "staffing": "Une animatrice à temps plein et un quart de temps de chargé de projet mutualisé.",
            "staffing_fte": Decimal("1.25"),
        },
        "apres": {
            "post_grant_plan": (
                "Les cotisations des membres et les prestations d'ingénierie financent l'animation à partir de la "
                "troisième année ; la collectivité s'engage sur une convention pluriannuelle."
            )
        },
        "engagements": {"charter_adherence": True, "certify_accurate": True, "consent_publication": True},
        "indicateurs": {
            "indicators": (
                "Nombre de membres actifs ; projets communs lancés ; emplois créés ou consolidés ; part "
                "d'autofinancement de l'animation."
            )
        },
    }
    for slug, values in steps.items():
        demo.save(dossier, get_step(slug, PhaseKind.PHASE2), values, owner)
    per_year = grant / 2
    lines = []
    for year in (1, 2):
        lines += [
            line(year, BudgetSide.CHARGES, BudgetCategory.STAFF, "Animation du pôle", per_year * Decimal("1.2")),
            line(year, BudgetSide.CHARGES, BudgetCategory.OPERATIONS, "Locaux et outils", per_year * Decimal("0.5")),
            line(year, BudgetSide.CHARGES, BudgetCategory.SERVICES, "Ingénierie", per_year * Decimal("0.3")),
            line(
                year,
                BudgetSide.RESOURCES,
                BudgetCategory.COLLECTIVITES,
                "Convention d'animation",
                per_year * Decimal("0.6"),
                funder="Intercommunalité",
                status=FundingStatus.ACQUIRED,
            ),
            line(
                year,
                BudgetSide.RESOURCES,
                BudgetCategory.OWN,
                "Cotisations des membres",
                per_year * Decimal("0.4"),
                funder="Membres du pôle",
                status=FundingStatus.ACQUIRED,
            ),
        ]
    budget_services.save_lines(dossier, lines, by=owner)
    budget_services.save_grant(dossier, {1: per_year, 2: per_year}, by=owner)


def line(year, side, category, label, amount, *, funder="", status=""):
    return {
        "year": year,
        "side": side,
        "category": category,
        "label": label,
        "funder": funder,
        "status": status,
        "amount": amount.quantize(Decimal("0.01")),
    }


# Committees ------------------------------------------------------------------------------------------------------


def decide(phase, decisions, *, held_on, by, publish_at=None):
    """A committee of ``phase``: the decisions proposed, the list adopted, and, with ``publish_at``, published then;
    the moments of the past are set on the rows the services wrote. Nothing is done twice."""
    session = CommitteeSession.objects.filter(phase=phase).first()
    if session is not None:
        return session
    for dossier, outcome, motivation, amount in decisions:
        committee.propose(dossier, outcome=outcome, motivation=motivation, by=by, amount=amount)
    session = committee.create_session(
        phase, held_on=held_on, members_present=COMMITTEE_MEMBERS, notes=committee_notes(phase), by=by
    )
    if publish_at is None:
        return session
    committee.adopt(session, by=by)
    at = paris(publish_at, 10)
    published = publication.publish(session, by=by, at=at)
    decided_at = paris(held_on, 16)
    CommitteeSession.objects.filter(pk=session.pk).update(adopted_at=decided_at, created_at=decided_at)
    Decision.objects.filter(session=session).update(decided_at=decided_at)
    for decision in published:
        if decision.outcome == DecisionOutcome.LAUREATE and phase.kind == PhaseKind.PHASE2:
            grants.open_grant(decision, by)
    return session


def committee_notes(phase):
    return (
        f"Le comité a examiné les dossiers recevables de la {phase.get_kind_display().lower()} (vague {phase.wave}), "
        "classés par note moyenne, avec les avis des CRESS. Il a veillé à l'équilibre entre les régions et à la "
        "priorité donnée aux territoires ruraux et aux quartiers prioritaires."
    )


# The demo ---------------------------------------------------------------------------------------------------------


def seed_selection(phases, users, today):
    """Everything after the instruction: past editions decided, émergents, phase 2, grants, the current committee."""
    instructeur = users[INSTRUCTEUR]
    with reopened([phases["2023-p2"], phases["p1w1"], phases["p2w1"]]):
        seed_2023(phases["2023-p2"], users, instructeur)
        emergents = seed_emergents(phases["p1w1"], users, instructeur, today)
        seed_phase2_wave1(phases["p2w1"], emergents, users, instructeur, today)
    seed_bouquet(emergents, users, instructeur)
    phase2_services.start_phase2(emergents[PREFILLED], users["porteur@demo.ptce.fr"], phases["p2w2"])
    seed_current_committee(phases["p1w2"], instructeur, today)


@contextlib.contextmanager
def reopened(past_phases):
    """Past phases open until tomorrow while their dossiers are written as porteurs wrote them (a closed draft is
    read-only), then closed again at their real deadline; submissions carry their moment of the past."""
    deadlines = {phase.pk: phase.closes_at for phase in past_phases}
    Phase.objects.filter(pk__in=deadlines).update(closes_at=timezone.now() + datetime.timedelta(days=1))
    try:
        yield
    finally:
        for pk, closes_at in deadlines.items():
            Phase.objects.filter(pk=pk).update(closes_at=closes_at)


def seed_2023(phase_2023, users, instructeur):
    submitted = paris(datetime.date(2023, 7, 20), 11)
    decisions = []
    for position, (name, code) in enumerate(LAUREATES_2023 + NOT_RETAINED_2023):
        spec = {"name": name, "summary": f"Pôle territorial de coopération économique — {name}.", "communes": [code]}
        spec["members"] = [
            (f"Association porteuse — {name}", MemberCategory.ESS_ENTERPRISE, "association", code, "lead"),
            (f"Entreprise partenaire — {name}", MemberCategory.ENTERPRISE, "", code, "member"),
            (f"Intercommunalité — {name}", MemberCategory.COLLECTIVITE, "", code, "member"),
        ]
        dossier = past_dossier(
            phase_2023,
            past_owner(name),
            spec,
            submitted_at=submitted + datetime.timedelta(hours=position),
            users=users,
        )
        if position < len(LAUREATES_2023):
            motivation = "Pôle mature et coopération éprouvée : l'aide finance prioritairement l'animation du pôle."
            decisions.append((dossier, DecisionOutcome.LAUREATE, motivation, Decimal("100000")))
        else:
            motivation = "Dossier recevable, mais moins avancé que les quinze dossiers retenus dans l'enveloppe."
            decisions.append((dossier, DecisionOutcome.NOT_RETAINED, motivation, None))
    session = decide(
        phase_2023,
        decisions,
        held_on=datetime.date(2023, 10, 10),
        by=instructeur,
        publish_at=datetime.date(2023, 10, 17),
    )
    # Grants signed in December 2023, all three tranches paid against approved reports.
    opened = list(Grant.objects.filter(decision__session=session, agreement_signed_on__isnull=True).order_by("pk"))
    for grant in opened:
        run_grant(
            grant, instructeur, signed_on=datetime.date(2023, 12, 4), reports=[ReportKind.INTERIM, ReportKind.FINAL]
        )
    # The year-3 complementary aid, decided after the final report: granted to one, refused to another.
    year3 = [
        (Year3Decision.GRANTED, Decimal("20000"), "Objectifs atteints ; une troisième année consolide l'animation."),
        (Year3Decision.REFUSED, None, "L'animation est financée par les membres : l'aide n'est pas nécessaire."),
    ]
    for grant, (decision, amount, motivation) in zip(opened, year3, strict=False):
        grants.decide_year3(grant, decision=decision, amount=amount, motivation=motivation, by=instructeur)


def seed_emergents(phase_p1w1, users, instructeur, today):
    submitted = paris(today - datetime.timedelta(days=340), 15)
    dossiers, decisions = {}, []
    for spec in EMERGENTS_2026:
        owner = users[spec["owner"]]
        dossier = past_dossier(phase_p1w1, owner, {**spec}, submitted_at=submitted, users=users)
        dossiers[spec["name"]] = dossier
        motivation = (
            "Coopération réelle entre structures de l'ESS, entreprises et collectivité ; label PTCE émergent."
            if spec["outcome"] == DecisionOutcome.LAUREATE
            else "La coopération reste à construire entre les membres ; le bouquet de services n'est pas ouvert."
        )
        decisions.append((dossier, spec["outcome"], motivation, None))
    decide(
        phase_p1w1,
        decisions,
        held_on=today - datetime.timedelta(days=305),
        by=instructeur,
        publish_at=today - datetime.timedelta(days=300),
    )
    for dossier in dossiers.values():
        dossier.refresh_from_db()
    return dossiers


def seed_phase2_wave1(phase_p2w1, emergents, users, instructeur, today):
    submitted = paris(today - datetime.timedelta(days=230), 10)
    decisions = []
    for name, (amount, _) in GRANTS_2026.items():
        laureate = emergents[name]
        existing = phase2_services.continuation(laureate, phase_p2w1)
        if existing is None:
            existing, _created = phase2_services.start_phase2(laureate, laureate.owner, phase_p2w1)
            fill_phase2(existing, laureate.owner, amount)
            attach(existing, laureate.owner)
            submit(existing, laureate.owner, submitted)
            transition(existing, "start_review", by=instructeur, at=submitted + datetime.timedelta(days=5))
            transition(existing, "declare_eligible", by=instructeur, at=submitted + datetime.timedelta(days=6))
        motivation = "Plan d'action centré sur l'animation, budget équilibré et cofinancements acquis."
        decisions.append((existing, DecisionOutcome.LAUREATE, motivation, amount))
    session = decide(
        phase_p2w1,
        decisions,
        held_on=today - datetime.timedelta(days=205),
        by=instructeur,
        publish_at=today - datetime.timedelta(days=200),
    )
    signed_on = today - datetime.timedelta(days=190)
    for grant in Grant.objects.filter(decision__session=session, agreement_signed_on__isnull=True).select_related(
        "dossier__continues"
    ):
        fate = GRANTS_2026[grant.dossier.continues.name][1]
        run_grant(grant, instructeur, signed_on=signed_on, reports=[])
        if fate == "report_to_review":
            report = grant.reports.get(kind=ReportKind.INTERIM)
            file_report(report, grant.dossier.owner, submit=True)
        elif fate == "under_way":
            file_report(grant.reports.get(kind=ReportKind.INTERIM), grant.dossier.owner, submit=False)
        elif fate == "suspended":
            grants.suspend(
                grant,
                motivation=(
                    "Le poste d'animation n'est pas pourvu depuis quatre mois et le comité de suivi ne s'est pas "
                    "réuni : l'aide est suspendue (décret n° 2015-431, art. 5) jusqu'au recrutement."
                ),
                by=instructeur,
            )


def attach(dossier, owner):
    for kind in dossier.phase.required_attachment_kinds:
        upload = SimpleUploadedFile(f"{kind}.pdf", demo.tiny_pdf(f"{kind} — {dossier.name}"), "application/pdf")
        attachment_services.add_attachment(dossier, kind=kind, uploaded_file=upload, by=owner)


def run_grant(grant, by, *, signed_on, reports):
    """The agreement signed on ``signed_on``, the first tranche paid a fortnight later, then each report of
    ``reports`` filed, approved and its tranche paid."""
    grants.record_agreement(grant, signed_on=signed_on, by=by)
    paid_on = signed_on + datetime.timedelta(days=14)
    for kind in reports:
        payable = grant.payments.filter(status="payable").order_by("position").first()
        if payable is not None:
            grants.record_payment(payable, paid_on=paid_on, by=by)
        report = grant.reports.get(kind=kind)
        file_report(report, grant.dossier.owner, submit=True)
        grants.review_report(report, approve=True, notes="Rapport complet ; dépenses conformes au budget.", by=by)
        paid_on = (report.due_on or paid_on) + datetime.timedelta(days=30)
    payable = grant.payments.filter(status="payable").order_by("position").first()
    if payable is not None:
        grants.record_payment(payable, paid_on=min(paid_on, timezone.localdate()), by=by)


def file_report(report, owner, *, submit):
    planned = grants.planned_budget(report.grant.dossier_id)
    spending = {str(line.category): str(line.planned) for line in grants.spending_lines(report, planned)}
    grants.save_report(
        report,
        narrative=(
            "L'animatrice a été recrutée au troisième mois ; le comité de coopération s'est réuni quatre fois et "
            "deux projets communs sont lancés (achats groupés, formation des bénévoles)."
        ),
        indicators={"Membres actifs": "14", "Projets communs": "2"},
        spending=spending,
        by=owner,
        submit=submit,
    )


def seed_bouquet(emergents, users, instructeur):
    """Requests to the bouquet de services from the PTCE émergents, followed by staff in every state."""
    recyclerie = emergents[PREFILLED]
    redon = emergents["Pôle alimentaire du Pays de Redon"]
    if BouquetRequest.objects.filter(dossier__in=[recyclerie, redon]).exists():
        return
    porteur, porteur2 = users["porteur@demo.ptce.fr"], users["porteur2@demo.ptce.fr"]
    dla = bouquet_services.request_service(
        recyclerie,
        service=BouquetNeed.DLA,
        note="Nous voulons consolider le modèle économique de la recyclerie avant la phase 2.",
        by=porteur,
    )
    bouquet_services.follow_up(
        dla,
        status=RequestStatus.IN_PROGRESS,
        compagnon=None,
        staff_notes="DLA de l'Allier contacté ; premier rendez-vous fixé.",
        by=instructeur,
    )
    tsf = bouquet_services.request_service(
        recyclerie,
        service=BouquetNeed.TSF,
        note="Un pôle qui a structuré une filière de réemploi pourrait nous transmettre son expérience.",
        by=porteur,
    )
    compagnon = Compagnon.objects.filter(active=True).order_by("pk").first()
    bouquet_services.follow_up(
        tsf,
        status=RequestStatus.IN_PROGRESS if compagnon else RequestStatus.REQUESTED,
        compagnon=compagnon,
        staff_notes="Binôme proposé ; rencontre à organiser.",
        by=instructeur,
    )
    done = bouquet_services.request_service(
        redon, service=BouquetNeed.FUNDING_WATCH, note="Veille sur les appels régionaux.", by=porteur2
    )
    bouquet_services.follow_up(
        done, status=RequestStatus.DONE, compagnon=None, staff_notes="Veille envoyée.", by=instructeur
    )
    bouquet_services.request_service(
        redon,
        service=BouquetNeed.WG_ECONOMIC_MODEL,
        note="Le groupe de travail sur le modèle économique.",
        by=porteur2,
    )


def seed_current_committee(phase_p1w2, instructeur, today):
    """The committee of the open phase 1: its provisional decisions, proposed, neither adopted nor published."""
    by_name = {dossier.name: dossier for dossier in Dossier.objects.filter(phase=phase_p1w2)}
    decisions = [
        (by_name[name], outcome, motivation, None)
        for name, outcome, motivation in PROVISIONAL
        if by_name.get(name) is not None and by_name[name].state == DossierState.ELIGIBLE
    ]
    decide(phase_p1w2, decisions, held_on=today + datetime.timedelta(days=7), by=instructeur)
