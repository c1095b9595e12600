"""Bulk demo data for the dashboards (issue 12, item 8): some three hundred fictitious pôles across the 18 regions,
at every stage of the 2026 and 2023 calls, written with ``bulk_create`` so that ``make run`` stays quick.

demo.py and demo_selection.py go through the services, one click at a time, so that the demo shows what the
platform produces; they make a handful of dossiers. This module adds the crowd the charts need, writing the rows the
services would have written, consistent with each other and with the calendar of demo_selection.py:

- references from the edition's ``ReferenceSequence`` (a block of numbers reserved at once), the region derived
  from the territory (the lead member's commune, whose département the map shows);
- every filed dossier has its frozen version 1 (``snapshots.serialize``), its attachments (one small shared file per
  kind, stored once) and the ``DossierTransition`` rows of its path, dated within its phase, submissions thickening
  towards the deadline, so that submissions per day and processing times mean something;
- reviews with their scores and the dossier's score, some assignments overdue; regional opinions on part of the
  eligible and decided dossiers, each by a partner of the dossier's region;
- decisions only where the committee's rules allow them: phase 1 of 2026, wave 1 (no envelope, no maximum: more
  PTCE émergents and dossiers not retained, in its published session) and the 2023 call (dossiers not retained
  only: its fifteen laureates fill its envelope). The open phases get dossiers up to eligibility, never a decision.

Everything is drawn from a seeded ``random.Random``: the same run gives the same pôles. The names of pôles, people
and structures are made up; addresses are @demo.ptce.fr; the people cannot log in (unusable passwords).

Re-runnable: the bulk dossiers are recognised by their owners' addresses (``OWNER_PREFIX``). A run on the day they
were written leaves them as they are; a later run deletes and rewrites them, with dates that follow the calendar.
No signal is sent, no e-mail, no PDF rendered; the statistics' cache is forgotten at the end.
"""

import datetime
import hashlib
import logging
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.utils import timezone

from applications.enums import (
    ActionLever,
    BudgetCategory,
    BudgetSide,
    DossierState,
    EssLegalForm,
    FundingStatus,
    MemberCategory,
    MemberRole,
    PhaseKind,
    Stage,
    TerritoryType,
)
from applications.models import (
    Attachment,
    BudgetLine,
    CorrectionRequest,
    Dossier,
    DossierTransition,
    DossierVersion,
    MemberStructure,
    ReferenceSequence,
    Sector,
)
from applications.services import snapshots
from applications.services import statistics as application_statistics
from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.models import User
from ptce_ami.site import demo
from reviews.enums import DecisionOutcome
from reviews.models import (
    Assignment,
    AssignmentStatus,
    CommitteeSession,
    Decision,
    DossierScore,
    Grid,
    RegionalOpinion,
    Review,
    ReviewerDeclaration,
    ReviewStatus,
    Score,
)
from reviews.services import scoring
from territories.enums import CommuneKind, Zone
from territories.models import Commune, Departement, Region

logger = logging.getLogger(__name__)

SEED = 12
OWNER_PREFIX = "pole-"  # pole-001@demo.ptce.fr …: the porteurs of the bulk dossiers
REVIEWER_PREFIX = "evaluation-"  # evaluation-01@demo.ptce.fr …
PARTNER_PREFIX = "avis-cress-"  # avis-cress-53@demo.ptce.fr …: the other regions' partners
DOMAIN = "demo.ptce.fr"
INSTRUCTEUR = "instructeur@demo.ptce.fr"
ARA_PARTNER = "cress-ara@demo.ptce.fr"
DEMO_REVIEWERS = ["evaluateur@demo.ptce.fr", "evaluateur2@demo.ptce.fr", "evaluateur3@demo.ptce.fr"]

S = DossierState
# Per phase of demo_selection.py: how many bulk dossiers end in each state. The phase 2 of wave 2 continues phase-1
# laureates of wave 1 (same owner, pôle and members); the others are spread over the regions below.
PLAN = {
    "p1w2": [
        (S.DRAFT, 40),
        (S.SUBMITTED, 30),
        (S.CORRECTIONS_REQUESTED, 6),
        (S.IN_REVIEW, 30),
        (S.ELIGIBLE, 28),
        (S.INELIGIBLE, 7),
        (S.WITHDRAWN, 6),
    ],
    "p1w1": [(S.LAUREATE, 28), (S.NOT_RETAINED, 24), (S.INELIGIBLE, 10), (S.WITHDRAWN, 6), (S.DRAFT, 12)],
    "2023-p2": [(S.NOT_RETAINED, 22), (S.INELIGIBLE, 8), (S.WITHDRAWN, 4), (S.DRAFT, 6)],
    "p2w2": [(S.DRAFT, 6), (S.SUBMITTED, 6), (S.IN_REVIEW, 5), (S.ELIGIBLE, 5)],
}
# Dossiers of p1w2, p1w1 and 2023 by region (267 = their total): Auvergne-Rhône-Alpes densest, every region some.
REGION_WEIGHTS = {
    "84": 56,
    "11": 28,
    "76": 26,
    "75": 24,
    "32": 20,
    "53": 18,
    "52": 16,
    "44": 16,
    "93": 15,
    "27": 11,
    "28": 11,
    "24": 9,
    "94": 3,
    "01": 3,
    "02": 3,
    "03": 2,
    "04": 4,
    "06": 2,
}
# The path of each final state through the workflow (applications/workflow.py).
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.CORRECTIONS_REQUESTED: ["submit", "start_review", "request_corrections"],
    S.IN_REVIEW: ["submit", "start_review"],
    S.ELIGIBLE: ["submit", "start_review", "declare_eligible"],
    S.INELIGIBLE: ["submit", "start_review", "declare_ineligible"],
    S.LAUREATE: ["submit", "start_review", "declare_eligible", "select_laureate"],
    S.NOT_RETAINED: ["submit", "start_review", "declare_eligible", "not_retain"],
    S.WITHDRAWN: ["submit", "withdraw"],
}
FROM_TO = {
    "submit": (S.DRAFT, S.SUBMITTED),
    "start_review": (S.SUBMITTED, S.IN_REVIEW),
    "request_corrections": (S.IN_REVIEW, S.CORRECTIONS_REQUESTED),
    "declare_eligible": (S.IN_REVIEW, S.ELIGIBLE),
    "declare_ineligible": (S.IN_REVIEW, S.INELIGIBLE),
    "select_laureate": (S.ELIGIBLE, S.LAUREATE),
    "not_retain": (S.ELIGIBLE, S.NOT_RETAINED),
    "withdraw": (S.SUBMITTED, S.WITHDRAWN),
}
COMMENTS = {
    "request_corrections": "Le budget d'animation et la liste des membres ne concordent pas : merci de les préciser.",
    "declare_ineligible": (
        "Le pôle ne réunit pas d'acteur de l'article 9 autre que des entreprises : la condition de la loi ESS "
        "n'est pas remplie."
    ),
    "withdraw": "Le pôle préfère candidater à la prochaine vague.",
}
MOTIVATIONS = {
    DecisionOutcome.LAUREATE: "Coopération réelle entre structures de l'ESS, entreprises et collectivités.",
    DecisionOutcome.NOT_RETAINED: "Dossier recevable, moins avancé que les dossiers retenus ; à représenter.",
}

# Names (made up) ---------------------------------------------------------------------------------------------------
POLE_NAMES = {
    "economie-circulaire": ["Pôle réemploi", "Ressourcerie coopérative", "Filière réemploi", "Atelier circulaire"],
    "alimentation": ["Pôle alimentaire", "Coopérative nourricière", "Légumerie solidaire", "Circuits courts"],
    "batiment": ["Pôle éco-construction", "Coopérative des bâtisseurs", "Filière bois-construction"],
    "energie": ["Énergies citoyennes", "Coopérative de rénovation énergétique"],
    "mobilite": ["Mobilités solidaires", "Coopérative des mobilités"],
    "numerique": ["Inclusion numérique", "Fabrique numérique"],
    "culture": ["Pôle culturel coopératif", "Fabrique culturelle"],
    "tourisme": ["Tourisme solidaire", "Coopérative touristique"],
    "sport": ["Pôle sport et territoire"],
    "sante": ["Pôle bien vieillir", "Coopérative santé-autonomie"],
    "petite-enfance": ["Pôle petite enfance", "Coopérative éducative"],
    "habitat": ["Habitat coopératif", "Pôle habitat solidaire"],
    "insertion": ["Pôle insertion et emploi", "Fabrique de l'emploi"],
    "textile": ["Textile circulaire", "Filière textile solidaire"],
    "industrie": ["Fabrique des coopérations industrielles", "Pôle artisanat et réparation"],
    "services": ["Coopérative de services", "Pôle services à la personne"],
}
FIRST_NAMES = [
    "Alice", "Bastien", "Chloé", "Damien", "Élodie", "Fabien", "Gaëlle", "Hugo", "Isabelle", "Jérôme", "Karine",
    "Loïc", "Maëlle", "Nicolas", "Océane", "Pascal", "Romane", "Samuel", "Typhaine", "Valentin", "Yasmine", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "Aubert", "Barre", "Carpentier", "Delmas", "Esnault", "Ferrand", "Gauthier", "Hamon", "Jacquet", "Laporte",
    "Marchand", "Navarro", "Ollivier", "Perrot", "Quémener", "Renaud", "Sabatier", "Tessier", "Vidal", "Weber",
]  # fmt: skip
ESS_WORDS = ["Trait d'Union", "Passerelle", "Tremplin", "Le Relais", "Convergences", "Horizons", "La Navette",
             "Solid'Action", "L'Atelier", "Les Jardins", "Envol", "Ricochet", "La Fabrique", "Boussole"]  # fmt: skip
ESS_FORMS = [  # (legal form, name prefix, weight)
    (EssLegalForm.ASSOCIATION, "Association", 8),
    (EssLegalForm.COOPERATIVE_SCIC, "SCIC", 4),
    (EssLegalForm.COOPERATIVE_SCOP, "SCOP", 3),
    (EssLegalForm.COOPERATIVE_OTHER, "Coopérative", 2),
    (EssLegalForm.MUTUELLE, "Mutuelle", 1),
    (EssLegalForm.FONDATION, "Fondation", 1),
    (EssLegalForm.COMMERCIAL_ESS, "Entreprise solidaire", 2),
]
ACTIVITIES = ["Menuiserie", "Transports", "Maraîchage", "Bâtiment", "Imprimerie", "Conseil", "Logistique",
              "Électricité", "Boulangerie", "Informatique", "Paysage", "Métallerie"]  # fmt: skip
OTHER_MEMBERS = {  # category → (weight, name patterns with {of} = "de Vichy", "du Puy-en-Velay"…)
    MemberCategory.ENTERPRISE: (5, ["{activity} {place} SAS", "{activity} {place} SARL"]),
    MemberCategory.COLLECTIVITE: (
        4,
        ["Communauté de communes {of}", "Ville {of}", "Communauté d'agglomération {of}", "Commune {of}"],
    ),
    MemberCategory.ESS_ENTERPRISE: (4, []),
    MemberCategory.RESEARCH: (1, ["Laboratoire d'économie territoriale {of}", "Institut de recherche {of}"]),
    MemberCategory.HIGHER_EDUCATION: (1, ["IUT {of}", "Campus universitaire {of}"]),
    MemberCategory.TRAINING: (2, ["Lycée professionnel {of}", "Centre de formation {of}"]),
    MemberCategory.OTHER: (1, ["Collectif d'habitants {of}", "Fonds de dotation {of}"]),
}
SUMMARY = "{pole} : des structures de l'ESS, des entreprises et des collectivités coopèrent autour de {place}."


def of_place(name):
    """ "de Vichy", "d'Annecy", "du Puy-en-Velay", "des Sables-d'Olonne", "de la Rochelle"…"""
    for article, contracted in (("Le ", "du "), ("Les ", "des "), ("La ", "de la "), ("L'", "de l'")):
        if name.startswith(article):
            return contracted + name[len(article) :]
    return ("d'" if name[:1].lower() in "aeiouyhéèêîôâ" else "de ") + name


def paris(day, hour=12, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone())


# Entry point --------------------------------------------------------------------------------------------------------


def bulk_dossiers():
    """The dossiers this module wrote (recognised by their owners)."""
    return Dossier.objects.filter(owner__email__startswith=OWNER_PREFIX, owner__email__endswith=f"@{DOMAIN}")


def seed_bulk(phases, users, today):
    """Add the bulk dossiers (see the module's note); returns how many there are."""
    now = timezone.now()
    existing = bulk_dossiers()
    if existing.filter(phase=phases["p1w2"], created_at=anchor(phases["p1w2"])).exists():
        return existing.count()  # written today: left as it is
    if existing.exists() and not delete(existing):
        return existing.count()
    count = Bulk(phases, users, today, now).run()
    application_statistics.invalidate()
    return count


def anchor(phase):
    """The creation moment of the first bulk dossier of the open phase 1: it tells a run of the same day."""
    return phase.opens_at + datetime.timedelta(hours=1)


def delete(existing):
    """Delete the bulk dossiers of an earlier day, their decisions first; False when someone built on them."""
    try:
        with transaction.atomic():
            Decision.objects.filter(dossier__in=existing).delete()
            existing.filter(continues__isnull=False).delete()
            existing.delete()
    except (ProtectedError, RestrictedError):
        logger.warning("Bulk demo dossiers kept: other rows refer to them.")
        return False
    return True


class Bulk:
    """One run: plans every dossier in memory (``plan``), then writes each kind of row in one ``bulk_create``."""

    def __init__(self, phases, users, today, now):
        self.phases, self.users, self.today, self.now = phases, users, today, now
        self.random = random.Random(SEED)
        self.instructeur = users[INSTRUCTEUR]
        self.sectors = {sector.code: sector for sector in Sector.objects.all()}
        self.used_names = set()
        self.sessions = {}

    # Orchestration ------------------------------------------------------------------------------------------------

    def run(self):
        self.load_places()
        specs = self.plan()
        self.owners = self.ensure_people(specs)
        dossiers = self.write_dossiers(specs)
        self.write_members_and_territory(specs, dossiers)
        self.write_transitions(specs, dossiers)
        self.write_attachments(specs, dossiers)
        self.write_budgets(specs, dossiers)
        self.write_versions(specs, dossiers)
        self.write_decisions(specs, dossiers)
        self.write_reviews(specs, dossiers)
        self.write_opinions(specs, dossiers)
        return len(dossiers)

    def load_places(self):
        """Communes of 3,000 inhabitants or more by département, and the départements of each of the 18 regions."""
        self.regions = {
            region.pk: region
            for region in Region.objects.filter(zone__in=[Zone.METRO, Zone.DROM], pk__in=REGION_WEIGHTS)
        }
        self.departements = defaultdict(list)
        for code, name, region_id in Departement.objects.filter(region__in=self.regions).values_list(
            "code", "name", "region_id"
        ):
            self.departements[region_id].append((code, name))
        self.communes = defaultdict(list)
        self.commune_objects = {}
        rows = Commune.objects.filter(
            kind=CommuneKind.CURRENT, population__gte=3000, departement__region__in=self.regions
        ).only("code", "kind", "name", "departement_id", "population")
        for commune in rows.order_by("code"):
            self.commune_objects[commune.pk] = commune  # the members' snapshots name it: no query then
            self.communes[commune.departement_id].append((commune.pk, commune.name, commune.population))
        for region_id in self.regions:
            self.departements[region_id] = sorted(d for d in self.departements[region_id] if self.communes[d[0]])

    def plan(self):
        """One spec (a dict) per bulk dossier: phase, state, place, pôle, people, dates."""
        rng = self.random
        finals = []
        for key in ("p1w2", "p1w1", "2023-p2"):
            # Decided only within the committee demo_selection.py published (eligible otherwise).
            decided = self.session({"phase_key": key}) is not None
            finals += [
                (key, state if decided or state not in S.decided() else S.ELIGIBLE)
                for state, count in PLAN[key]
                for _ in range(count)
            ]
        regions = [code for code, weight in REGION_WEIGHTS.items() if code in self.regions for _ in range(weight)]
        rng.shuffle(regions)
        if len(regions) < len(finals):  # a referential without some region: the others take its share
            regions += [rng.choice(list(self.regions)) for _ in range(len(finals) - len(regions))]
        cycles = {region: [] for region in self.regions}
        specs = []
        for (key, state), region in zip(finals, regions, strict=False):
            specs.append(self.new_spec(key, state, region, self.next_departement(cycles, region)))
        laureates = [spec for spec in specs if spec["phase_key"] == "p1w1" and spec["state"] == S.LAUREATE]
        continued = [state for state, count in PLAN["p2w2"] for _ in range(count)]
        for state, laureate in zip(continued, laureates, strict=False):
            specs.append({**laureate, "phase_key": "p2w2", "state": state, "continues": laureate})
        for key in PLAN:
            self.schedule([spec for spec in specs if spec["phase_key"] == key], self.phases[key])
        for number, spec in enumerate(specs):
            spec["index"] = number
        return specs

    def next_departement(self, cycles, region):
        """Every département of the region in turn (shuffled), then again: the map of a dense region fills up."""
        if not cycles[region]:
            cycles[region] = list(self.departements[region])
            self.random.shuffle(cycles[region])
        return cycles[region].pop()

    def new_spec(self, key, state, region, departement):
        rng = self.random
        dept_code, dept_name = departement
        communes = self.communes[dept_code]
        lead = rng.choices(communes, weights=[population**0.5 for *_x, population in communes])[0]
        others = [c for c in communes if c != lead]
        territory = [lead] + rng.sample(others, min(len(others), rng.choice([0, 1, 1, 2])))
        sector_codes = rng.sample(sorted(POLE_NAMES), rng.choice([1, 1, 2, 2, 3]))
        pole = self.pole_name(sector_codes[0], lead[1], dept_name)
        filed = state != S.DRAFT
        size = rng.randint(3, 8) if filed else rng.randint(1, 4)
        return {
            "phase_key": key,
            "state": state,
            "region": region,
            "departement": dept_code,
            "communes": territory,
            "sectors": sector_codes,
            "name": pole,
            "members": self.member_specs(size, region, dept_code, lead, filed),
            "continues": None,
            "owner_name": (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)),
            "stage": rng.choice([Stage.EMERGENCE, Stage.EMERGENCE, Stage.STRUCTURATION, Stage.CONSOLIDATION]),
            "territory_type": rng.choice(list(TerritoryType.values)),
            "qpv": rng.random() < 0.3,
            "jobs": rng.randint(2, 40),
            "fte": Decimal(rng.choice(["0.5", "1", "1.5", "2"])),
            "started": self.today.replace(day=1) - datetime.timedelta(days=rng.randint(200, 3000)),
            "needs": rng.sample(["dla", "tsf", "visites", "veille", "gt_modele", "gt_collectivites"], 2),
            "complete": filed or rng.random() < 0.3,
        }

    def pole_name(self, sector, commune_name, dept_name):
        rng = self.random
        for place in (commune_name, dept_name):
            name = f"{rng.choice(POLE_NAMES[sector])} {of_place(place)}"
            if name not in self.used_names:
                break
        else:
            name = f"{name} ({len(self.used_names)})"
        self.used_names.add(name)
        return name

    def member_specs(self, size, region, dept_code, lead, filed):
        """The lead (an ESS enterprise in the lead commune), then a collectivité and an enterprise for a filed
        dossier (what the eligibility rules ask), then members of any category, mostly in the same département."""
        rng = self.random
        categories = [MemberCategory.ESS_ENTERPRISE]
        if filed:
            categories += [MemberCategory.COLLECTIVITE, MemberCategory.ENTERPRISE]
        pool = list(OTHER_MEMBERS)
        weights = [OTHER_MEMBERS[c][0] for c in pool]
        categories += rng.choices(pool, weights=weights, k=max(0, size - len(categories)))
        members = []
        for position, category in enumerate(categories[:size]):
            if position == 0:
                commune = lead
            elif rng.random() < 0.75:
                commune = rng.choice(self.communes[dept_code])
            else:
                other = rng.choice(self.departements[region])[0]
                commune = rng.choice(self.communes[other])
            name, legal_form = self.member_name(category, commune[1])
            role = MemberRole.LEAD if position == 0 else rng.choice([MemberRole.MEMBER] * 3 + [MemberRole.PARTNER])
            members.append((name, category, legal_form, commune[0], role))
        return members

    def member_name(self, category, place):
        rng = self.random
        if category == MemberCategory.ESS_ENTERPRISE:
            legal_form, prefix, _weight = rng.choices(ESS_FORMS, weights=[w for *_x, w in ESS_FORMS])[0]
            return f"{prefix} {rng.choice(ESS_WORDS)} {place}", legal_form
        pattern = rng.choice(OTHER_MEMBERS[category][1])
        return pattern.format(activity=rng.choice(ACTIVITIES), place=place, of=of_place(place)), ""

    # Dates -------------------------------------------------------------------------------------------------------

    def schedule(self, specs, phase):
        """Creation, submission and each later step's moment. Submissions thicken towards the deadline (or today,
        in an open phase); the most advanced dossiers were filed first; staff act in the following days."""
        rng = self.random
        opens = phase.opens_at
        last = min(phase.closes_at, self.now - datetime.timedelta(hours=2))
        span = (last - opens).total_seconds()
        filed = [spec for spec in specs if spec["state"] != S.DRAFT]
        moments = sorted(opens + datetime.timedelta(seconds=span * rng.random() ** 0.45) for _ in filed)
        rank = {state: position for position, state in enumerate(PATHS)}  # DRAFT < SUBMITTED < … in PATHS' order
        filed.sort(key=lambda spec: -len(PATHS[spec["state"]]) * 10 - rank[spec["state"]])
        for spec, moment in zip(filed, moments, strict=True):
            spec["submitted_at"] = moment.replace(second=0, microsecond=0)
        for spec in specs:
            if spec["state"] == S.DRAFT:
                spec.pop("submitted_at", None)  # a phase-2 draft copies its phase-1 spec
                spec["created_at"] = opens + datetime.timedelta(seconds=span * rng.random())
                spec["steps"] = []
                continue
            begun = spec["submitted_at"] - datetime.timedelta(days=rng.randint(3, 40))
            spec["created_at"] = max(opens + datetime.timedelta(minutes=5), begun)
            spec["steps"] = self.steps(spec, phase)
        first = next((spec for spec in specs if spec["phase_key"] == "p1w2"), None)
        if first is not None:
            first["created_at"] = anchor(phase)

    def steps(self, spec, phase):
        """[(action, moment)] of the spec's path after its submission, each no later than now."""
        rng = self.random
        session = self.session(spec) if spec["state"] in S.decided() else None
        moments = [spec["submitted_at"]]
        # Instruction starts after the deadline in a closed phase, in the days after the submission in an open one.
        start = max(spec["submitted_at"], phase.closes_at) if phase.closes_at < self.now else spec["submitted_at"]
        steps = []
        for action in PATHS[spec["state"]][1:]:
            if action in ("select_laureate", "not_retain"):
                at = session.published_at if session is not None else None
            elif action == "start_review":
                at = start + datetime.timedelta(days=rng.uniform(0.5, 6))
            elif action == "withdraw":
                at = moments[-1] + datetime.timedelta(days=rng.uniform(1, 10))
            else:
                at = moments[-1] + datetime.timedelta(days=rng.uniform(1, 14))
            if at is None or at >= self.now:  # a step that would fall in the future comes half-way from the last
                at = moments[-1] + (self.now - moments[-1]) / 2
            moments.append(at)
            steps.append((action, at))
        return steps

    # People -------------------------------------------------------------------------------------------------------

    def ensure_people(self, specs):
        """The owners (one per pôle; a phase-2 dossier keeps its phase-1 owner), the other regions' partners and
        a few more reviewers: created once, with unusable passwords, reused by later runs."""
        wanted = {}
        for spec in specs:
            if spec["continues"] is None:
                spec["owner_email"] = f"{OWNER_PREFIX}{spec['index'] + 1:03d}@{DOMAIN}"
                first, last = spec["owner_name"]
                wanted[spec["owner_email"]] = (Role.PORTEUR, first, last, spec["members"][0][0][:200], [])
            else:
                spec["owner_email"] = spec["continues"]["owner_email"]
        for region in self.regions:
            if region != "84":
                name = self.regions[region].cress_name or f"CRESS {self.regions[region].name}"
                wanted[f"{PARTNER_PREFIX}{region}@{DOMAIN}"] = (Role.PARTENAIRE, "Avis", "CRESS", name, [region])
        rng = random.Random(SEED + 1)
        declared_regions = {}  # the reviewers' regions of activity, in their declaration of interests
        for number in range(1, 9):
            email = f"{REVIEWER_PREFIX}{number:02d}@{DOMAIN}"
            declared_regions[email] = rng.sample(sorted(self.regions), 2)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            wanted[email] = (Role.EVALUATEUR, first, last, "Experte ou expert ESS (démonstration)", [])
        have = {user.email: user for user in User.objects.filter(email__in=wanted)}
        confirmed = self.now
        new = [
            User(
                email=email,
                role=role,
                first_name=first,
                last_name=last,
                organisation=organisation,
                password=make_password(None),
                email_confirmed_at=confirmed,
            )
            for email, (role, first, last, organisation, _regions) in wanted.items()
            if email not in have
        ]
        for user in User.objects.bulk_create(new):
            have[user.email] = user
        User.regions.through.objects.bulk_create(
            [
                User.regions.through(user_id=have[email].pk, region_id=region)
                for email, (*_x, regions) in wanted.items()
                for region in regions
            ],
            ignore_conflicts=True,
        )
        self.partners = {
            region: have[f"{PARTNER_PREFIX}{region}@{DOMAIN}"] for region in self.regions if region != "84"
        }
        self.partners["84"] = self.users[ARA_PARTNER]
        self.reviewers = [self.users[email] for email in DEMO_REVIEWERS] + [
            have[f"{REVIEWER_PREFIX}{number:02d}@{DOMAIN}"] for number in range(1, 9)
        ]
        edition = self.phases["p1w2"].edition
        declared = set(
            ReviewerDeclaration.objects.filter(edition=edition, reviewer__in=self.reviewers).values_list(
                "reviewer_id", flat=True
            )
        )
        declarations = ReviewerDeclaration.objects.bulk_create(
            ReviewerDeclaration(reviewer=reviewer, edition=edition, declared_at=self.phases["p1w2"].opens_at)
            for reviewer in self.reviewers
            if reviewer.pk not in declared
        )
        ReviewerDeclaration.regions.through.objects.bulk_create(
            ReviewerDeclaration.regions.through(reviewerdeclaration_id=declaration.pk, region_id=region)
            for declaration in declarations
            for region in declared_regions.get(declaration.reviewer.email, [])
        )
        return have

    # Dossiers -----------------------------------------------------------------------------------------------------

    def write_dossiers(self, specs):
        references = self.references(specs)
        dossiers = []
        for spec in specs:
            phase = self.phases[spec["phase_key"]]
            owner = self.owners[spec["owner_email"]]
            dossiers.append(self.dossier(spec, phase, owner, references[spec["index"]]))
        # The phase-1 dossiers first: the phase-2 ones continue some of them.
        Dossier.objects.bulk_create([d for d, spec in zip(dossiers, specs, strict=True) if spec["continues"] is None])
        for dossier, spec in zip(dossiers, specs, strict=True):
            if spec["continues"] is not None:
                dossier.continues = dossiers[spec["continues"]["index"]]
        Dossier.objects.bulk_create([d for d, spec in zip(dossiers, specs, strict=True) if spec["continues"]])
        return dossiers

    def references(self, specs):
        """A block of numbers of each edition's sequence, reserved at once: PTCE-2026-P1-0042."""
        by_sequence = defaultdict(list)
        for spec in specs:
            phase = self.phases[spec["phase_key"]]
            by_sequence[(phase.edition, phase.kind)].append(spec)
        references = {}
        for (edition, kind), group in by_sequence.items():
            sequence, _created = ReferenceSequence.objects.select_for_update().get_or_create(
                edition=edition, kind=kind
            )
            first = sequence.last_number + 1
            sequence.last_number += len(group)
            sequence.save(update_fields=["last_number"])
            code = self.phases[group[0]["phase_key"]].reference_code
            group.sort(key=lambda spec: spec["created_at"])
            for number, spec in enumerate(group, start=first):
                references[spec["index"]] = f"PTCE-{edition.year}-{code}-{number:04d}"
        return references

    def dossier(self, spec, phase, owner, reference):
        place = spec["communes"][0][1]
        complete = spec["complete"]
        narratives = dict(demo.NARRATIVES) if complete else {}
        dossier = Dossier(
            reference=reference,
            phase=phase,
            state=spec["state"],
            owner=owner,
            name=spec["name"],
            summary=SUMMARY.format(pole=spec["name"], place=place),
            started_on=spec["started"],
            website=f"https://pole-{spec['index'] + 1:03d}.example.org",
            stage=spec["stage"],
            representative_name=owner.get_full_name(),
            representative_title="Président·e",
            contact_name=owner.get_full_name(),
            contact_email=owner.email,
            animation_fte=spec["fte"],
            region_id=spec["region"],
            territory_type=spec["territory_type"],
            includes_qpv=spec["qpv"],
            territory_description=f"Le bassin de vie {of_place(place)} et les communes voisines." if complete else "",
            jobs_expected=spec["jobs"] if complete else None,
            bouquet_needs=spec["needs"] if complete else [],
            charter_adherence=complete,
            certify_accurate=complete,
            consent_publication=complete,
            created_at=spec["created_at"],
            last_edited_by=owner,
            submitted_at=spec.get("submitted_at") if spec["state"] != S.DRAFT else None,
            **narratives,
        )
        if phase.kind == PhaseKind.PHASE2:
            dossier.action_levers = [ActionLever.ANIMATION, ActionLever.ENGINEERING]
            dossier.action_plan = "Année 1 : recrutement de l'animatrice ; année 2 : deux projets communs lancés."
            dossier.staffing = "Une animatrice à temps plein, un quart de temps de chargé de projet mutualisé."
            dossier.staffing_fte = Decimal("1.25")
            dossier.post_grant_plan = "Les cotisations des membres et les prestations financent l'animation ensuite."
            dossier.indicators = "Membres actifs, projets communs, emplois créés, chiffre d'affaires mutualisé."
            low, high = int(phase.min_grant or 30_000), int(phase.max_grant or 80_000)  # within the phase's bounds
            spec["grant"] = Decimal(self.random.randrange(low, high + 1, 5_000))
        return dossier

    def write_members_and_territory(self, specs, dossiers):
        members = []
        for spec, dossier in zip(specs, dossiers, strict=True):
            for position, (name, category, legal_form, commune, role) in enumerate(spec["members"]):
                members.append(
                    MemberStructure(
                        dossier=dossier,
                        name=name,
                        siret=demo.siret_for(f"{dossier.reference}:{position}:{name}"),
                        category=category,
                        ess_legal_form=legal_form,
                        esus_approved=legal_form == EssLegalForm.COMMERCIAL_ESS,
                        commune=self.commune_objects[commune],
                        role=role,
                        position=position,
                    )
                )
        self.members = defaultdict(list)
        for member in MemberStructure.objects.bulk_create(members):
            self.members[member.dossier_id].append(member)
        Dossier.communes.through.objects.bulk_create(
            Dossier.communes.through(dossier_id=dossier.pk, commune_id=commune[0])
            for spec, dossier in zip(specs, dossiers, strict=True)
            for commune in spec["communes"]
        )
        Dossier.sectors.through.objects.bulk_create(
            Dossier.sectors.through(dossier_id=dossier.pk, sector_id=self.sectors[code].pk)
            for spec, dossier in zip(specs, dossiers, strict=True)
            for code in spec["sectors"]
            if code in self.sectors
        )

    def write_transitions(self, specs, dossiers):
        rows, corrections = [], []
        for spec, dossier in zip(specs, dossiers, strict=True):
            if spec["state"] == S.DRAFT:
                continue
            owner = dossier.owner
            rows.append(self.transition(dossier, "submit", spec["submitted_at"], owner))
            for action, at in spec["steps"]:
                by = owner if action == "withdraw" else self.instructeur
                if action in ("select_laureate", "not_retain"):
                    by = self.session(spec).published_by or self.instructeur
                rows.append(self.transition(dossier, action, at, by))
                if action == "request_corrections":
                    corrections.append(
                        CorrectionRequest(
                            dossier=dossier,
                            requested_by=self.instructeur,
                            reason=COMMENTS[action],
                            sections=["membres", "projet"],
                            due_at=self.now + datetime.timedelta(days=10),
                            created_at=at,
                        )
                    )
        DossierTransition.objects.bulk_create(rows)
        CorrectionRequest.objects.bulk_create(corrections)

    def transition(self, dossier, action, at, by):
        from_state, to_state = FROM_TO[action]
        comment = COMMENTS.get(action, "")
        if action in ("select_laureate", "not_retain"):
            comment = MOTIVATIONS[DecisionOutcome.LAUREATE if action == "select_laureate" else "not_retained"]
        return DossierTransition(
            dossier=dossier, action=action, from_state=from_state, to_state=to_state, by=by, at=at, comment=comment
        )

    def session(self, spec):
        """The published committee of the spec's phase (demo_selection.py made it), or None."""
        key = spec["phase_key"]
        if key not in self.sessions:
            self.sessions[key] = (
                CommitteeSession.objects.filter(phase=self.phases[key], published_at__isnull=False)
                .order_by("pk")
                .first()
            )
        return self.sessions[key]

    def write_attachments(self, specs, dossiers):
        """The required pieces of every complete dossier: one small file per kind, stored once and shared."""
        files = {}
        rows = []
        for spec, dossier in zip(specs, dossiers, strict=True):
            if not spec["complete"]:
                continue
            uploaded = spec.get("submitted_at", spec["created_at"]) - datetime.timedelta(hours=3)
            for kind in dossier.phase.required_attachment_kinds:
                if kind not in files:
                    files[kind] = self.shared_file(kind)
                path, size, digest = files[kind]
                rows.append(
                    Attachment(
                        dossier=dossier,
                        kind=kind,
                        file=path,
                        original_name=f"{kind}.pdf",
                        extension=".pdf",
                        content_type="application/pdf",
                        size=size,
                        sha256=digest,
                        uploaded_by=dossier.owner,
                        uploaded_at=max(uploaded, spec["created_at"]),
                    )
                )
        self.attachments = defaultdict(list)
        for attachment in Attachment.objects.bulk_create(rows):
            self.attachments[attachment.dossier_id].append(attachment)

    @staticmethod
    def shared_file(kind):
        content = demo.tiny_pdf(f"{kind} (pièce de démonstration)")
        path = f"dossiers/demo-bulk/{kind}.pdf"
        if not default_storage.exists(path):
            path = default_storage.save(path, ContentFile(content))
        return path, len(content), hashlib.sha256(content).hexdigest()

    def write_budgets(self, specs, dossiers):
        """Phase 2: a balanced two-year budget whose aid requested is the spec's grant."""
        lines = []
        for spec, dossier in zip(specs, dossiers, strict=True):
            if "grant" not in spec:
                continue
            per_year = (spec["grant"] / 2).quantize(Decimal("0.01"))
            for year in (1, 2):
                parts = [
                    (BudgetSide.CHARGES, BudgetCategory.STAFF, "Animation du pôle", Decimal("1.2"), "", ""),
                    (BudgetSide.CHARGES, BudgetCategory.OPERATIONS, "Locaux et outils", Decimal("0.5"), "", ""),
                    (BudgetSide.CHARGES, BudgetCategory.SERVICES, "Ingénierie", Decimal("0.3"), "", ""),
                    (BudgetSide.RESOURCES, BudgetCategory.AMI_GRANT, "Aide AMI PTCE", Decimal("1"), "État", ""),
                    (
                        BudgetSide.RESOURCES,
                        BudgetCategory.COLLECTIVITES,
                        "Convention d'animation",
                        Decimal("0.6"),
                        "Intercommunalité",
                        FundingStatus.ACQUIRED,
                    ),
                    (
                        BudgetSide.RESOURCES,
                        BudgetCategory.OWN,
                        "Cotisations des membres",
                        Decimal("0.4"),
                        "Membres du pôle",
                        FundingStatus.ACQUIRED,
                    ),
                ]
                for position, (side, category, label, share, funder, status) in enumerate(parts):
                    lines.append(
                        BudgetLine(
                            dossier=dossier,
                            year=year,
                            side=side,
                            category=category,
                            label=label,
                            funder=funder,
                            status=status,
                            amount=(per_year * share).quantize(Decimal("0.01")),
                            position=position,
                        )
                    )
        BudgetLine.objects.bulk_create(lines)

    def write_versions(self, specs, dossiers):
        """Version 1 of every filed dossier, frozen as ``submit_dossier`` freezes it (read back with its relations,
        in a constant number of queries)."""
        filed = {dossier.pk: spec for spec, dossier in zip(specs, dossiers, strict=True) if spec["state"] != S.DRAFT}
        loaded = (
            Dossier.objects.filter(pk__in=filed)
            .select_related("phase__edition", "owner", "region")
            .prefetch_related("sectors", "communes", "epcis", "departements", "budget_lines")
        )
        versions = []
        for dossier in loaded:
            spec = filed[dossier.pk]
            members = sorted(self.members[dossier.pk], key=lambda member: member.position)
            data = snapshots.serialize(dossier, members, self.attachments[dossier.pk], spec["submitted_at"])
            versions.append(
                DossierVersion(
                    dossier=dossier, number=1, submitted_at=spec["submitted_at"], submitted_by=dossier.owner, data=data
                )
            )
        DossierVersion.objects.bulk_create(versions)

    # Selection ----------------------------------------------------------------------------------------------------

    def write_decisions(self, specs, dossiers):
        """Decisions of the decided dossiers, in their phase's published committee (phase 1: no amount)."""
        decisions = []
        for spec, dossier in zip(specs, dossiers, strict=True):
            if spec["state"] not in S.decided():
                continue
            session = self.session(spec)
            outcome = DecisionOutcome.LAUREATE if spec["state"] == S.LAUREATE else DecisionOutcome.NOT_RETAINED
            decisions.append(
                Decision(
                    dossier=dossier,
                    session=session,
                    outcome=outcome,
                    amount=None,
                    motivation=MOTIVATIONS[outcome],
                    decided_by=self.instructeur,
                    decided_at=session.adopted_at or session.published_at,
                    published_at=session.published_at,
                    published_by=session.published_by,
                )
            )
        Decision.objects.bulk_create(decisions)

    def write_reviews(self, specs, dossiers):
        """Two or three reviewers on each dossier in instruction: reviews submitted on the decided ones, a mix of
        pending (some overdue), draft and submitted ones on the others; the dossiers' scores."""
        rng = self.random
        grids = {}
        assignments, plans = [], []
        for spec, dossier in zip(specs, dossiers, strict=True):
            if spec["state"] not in (S.IN_REVIEW, S.CORRECTIONS_REQUESTED, *S.eligible_or_decided()):
                continue
            phase = dossier.phase
            if phase.pk not in grids:
                grids[phase.pk] = Grid.objects.for_phase(phase)
            started = dict(spec["steps"]).get("start_review")
            reviewers = rng.sample(self.reviewers, rng.choice([2, 3, 3]))
            for reviewer in reviewers:
                status, review = self.assignment_state(spec["state"])
                assigned_at = min(started + datetime.timedelta(hours=rng.randint(2, 48)), self.now)
                due_at = assigned_at + datetime.timedelta(days=rng.choice([10, 14, 21]))
                if status in AssignmentStatus.pending() and rng.random() < 0.3:
                    due_at = self.now - datetime.timedelta(days=rng.randint(2, 9))  # overdue
                assignments.append(
                    Assignment(
                        dossier=dossier,
                        reviewer=reviewer,
                        status=status,
                        due_at=due_at,
                        assigned_by=self.instructeur,
                        assigned_at=assigned_at,
                        no_conflict_confirmed_at=None if status == AssignmentStatus.TO_CONFIRM else assigned_at,
                    )
                )
                done_at = assigned_at + (min(due_at, self.now) - assigned_at) * rng.uniform(0.3, 0.95)
                plans.append((spec, dossier, grids[phase.pk], review, done_at))
        Assignment.objects.bulk_create(assignments)
        reviews, levels = [], []
        for assignment, (spec, dossier, grid, review, done_at) in zip(assignments, plans, strict=True):
            if review is None or grid is None:
                continue
            criteria = list(grid.criteria.all())
            strength = 3 if spec["state"] in (S.LAUREATE, S.ELIGIBLE) else 2
            values = [max(0, min(4, strength + rng.choice([-1, 0, 0, 1]))) for _ in criteria]
            if review == ReviewStatus.DRAFT:
                values = values[:2] + [None] * (len(values) - 2)
            total = scoring.review_total(
                (criterion.weight, value) for criterion, value in zip(criteria, values, strict=True)
            )
            mean = sum(v for v in values if v is not None) / max(1, len([v for v in values if v is not None]))
            recommendation = "" if review == ReviewStatus.DRAFT else self.recommendation(mean)
            reviews.append(
                Review(
                    assignment=assignment,
                    dossier=dossier,
                    grid=grid,
                    status=review,
                    recommendation=recommendation,
                    comment="Coopération crédible ; le modèle économique reste à consolider."
                    if recommendation
                    else "",
                    total=total if review == ReviewStatus.SUBMITTED else None,
                    submitted_at=done_at if review == ReviewStatus.SUBMITTED else None,
                )
            )
            levels.append(list(zip(criteria, values, strict=True)))
        Review.objects.bulk_create(reviews)
        Score.objects.bulk_create(
            Score(review=review, criterion=criterion, value=value)
            for review, pairs in zip(reviews, levels, strict=True)
            for criterion, value in pairs
        )
        self.write_scores(reviews, grids)

    def assignment_state(self, state):
        """(assignment status, review status or None) for a dossier in ``state``."""
        roll = self.random.random()
        if state in S.decided() or state == S.INELIGIBLE:
            return AssignmentStatus.SUBMITTED, ReviewStatus.SUBMITTED
        if state == S.ELIGIBLE:
            if roll < 0.7:
                return AssignmentStatus.SUBMITTED, ReviewStatus.SUBMITTED
            return (
                (AssignmentStatus.IN_PROGRESS, ReviewStatus.DRAFT)
                if roll < 0.85
                else (AssignmentStatus.IN_PROGRESS, None)
            )
        if roll < 0.3:
            return AssignmentStatus.TO_CONFIRM, None
        if roll < 0.6:
            return AssignmentStatus.IN_PROGRESS, None
        if roll < 0.75:
            return AssignmentStatus.IN_PROGRESS, ReviewStatus.DRAFT
        return AssignmentStatus.SUBMITTED, ReviewStatus.SUBMITTED

    @staticmethod
    def recommendation(mean):
        return "favourable" if mean >= 2.8 else "reserved" if mean >= 2 else "unfavourable"

    @staticmethod
    def write_scores(reviews, grids):
        by_dossier = defaultdict(list)
        for review in reviews:
            if review.status == ReviewStatus.SUBMITTED:
                by_dossier[review.dossier].append(review.total)
        rows = []
        for dossier, totals in by_dossier.items():
            grid = grids.get(dossier.phase_id)
            value, spread = scoring.aggregate(totals, grid.aggregation)
            rows.append(
                DossierScore(
                    dossier=dossier,
                    value=value,
                    spread=spread,
                    review_count=len(totals),
                    discordant=len(totals) > 1 and spread > grid.discordance_threshold,
                )
            )
        DossierScore.objects.bulk_create(rows)

    def write_opinions(self, specs, dossiers):
        """The partners' opinions on most decided dossiers and half of the eligible ones, ranked in each region and
        phase after those already given."""
        rng = self.random
        ranks = defaultdict(int)
        for phase_id, region_id, rank in (
            RegionalOpinion.objects.values_list("dossier__phase", "region")
            .annotate(rank=Max("rank"))
            .values_list("dossier__phase", "region", "rank")
        ):
            ranks[(phase_id, region_id)] = rank or 0
        opinions = []
        for spec, dossier in zip(specs, dossiers, strict=True):
            if spec["state"] not in S.eligible_or_decided():
                continue
            if rng.random() > (0.5 if spec["state"] == S.ELIGIBLE else 0.8):
                continue
            key = (dossier.phase_id, dossier.region_id)
            ranks[key] += 1
            opinion = (
                "favourable"
                if spec["state"] == S.LAUREATE or rng.random() < 0.5
                else rng.choice(["reserved", "unfavourable"])
            )
            moments = dict(spec["steps"])
            end = moments.get("select_laureate") or moments.get("not_retain") or self.now
            at = moments["declare_eligible"] + (end - moments["declare_eligible"]) / 2
            opinions.append(
                RegionalOpinion(
                    dossier=dossier,
                    region_id=dossier.region_id,
                    opinion=opinion,
                    text="Le pôle est connu de la CRESS ; son ancrage territorial est réel.",
                    rank=ranks[key],
                    author=self.partners[dossier.region_id],
                    updated_at=at,
                )
            )
        RegionalOpinion.objects.bulk_create(opinions)
