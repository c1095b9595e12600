"""Demo dossiers for seed_demo: drafts and submitted dossiers with realistic members in several regions, then
their instruction: dossiers in review and eligible, reviewers' declarations, assignments in every state, reviews
in draft and submitted (with the dossiers' scores), and the regional opinions of Auvergne-Rhône-Alpes.

Everything goes through the services a porteur's clicks call (create, save steps, members, attachments,
submit), so the demo shows what the platform really produces: references, versions, receipts, history.
The SIRETs are fictitious but valid (Luhn); the communes come from the loaded referential.
"""

import datetime
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from stdnum import luhn

from applications.enums import DossierState, MemberCategory, MemberRole
from applications.models import Dossier, Sector
from applications.services import attachments as attachment_services
from applications.services import dossiers as dossier_services
from applications.services.steps import STEPS
from applications.services.submission import submit_dossier
from applications.services.workflow import transition
from applications.workflow import TRANSITIONS
from reviews.models import (
    Assignment,
    AssignmentStatus,
    DeclaredOrganisation,
    Grid,
    RegionalOpinion,
    ReviewerDeclaration,
    ReviewStatus,
)
from reviews.services import assignments as assignment_services
from reviews.services.evaluation import ReviewInput, save_regional_opinion, save_review
from territories.models import Commune
from territories.places import TerritorySelection

NARRATIVES = {
    "shared_strategy": (
        "Le pôle réunit une recyclerie associative, deux entreprises du bâtiment et la communauté de communes "
        "autour d'une filière locale de réemploi des matériaux. Les membres mutualisent un entrepôt, un véhicule "
        "et un poste de coordinateur ; ils répondent ensemble aux marchés de déconstruction du territoire."
    ),
    "governance": (
        "Un comité de pilotage mensuel réunit un représentant par membre ; les décisions se prennent au "
        "consentement. L'association porteuse salarie l'animatrice et rend compte au comité. Une charte de "
        "coopération signée en 2024 fixe les engagements de chacun."
    ),
    "collectivites_link": (
        "La communauté de communes est membre du pôle et co-finance l'animation. Le projet s'inscrit dans son "
        "programme local de prévention des déchets et dans le schéma régional de développement économique."
    ),
    "innovation": (
        "Une plateforme numérique partagée trace les matériaux récupérés sur les chantiers et les propose aux "
        "artisans. Un partenariat avec l'IUT étudie la requalification des matériaux de réemploi."
    ),
    "economic_model": (
        "Ressources : ventes de matériaux (40 %), prestations de déconstruction (35 %), subventions (25 %). "
        "L'animation coûte 52 000 € par an ; l'objectif est de la financer par les cotisations d'ici trois ans."
    ),
    "expected_impact": (
        "Huit emplois d'insertion non délocalisables, 300 tonnes de matériaux détournées de l'enfouissement "
        "par an, une offre de matériaux à prix solidaires pour les ménages modestes."
    ),
}

# name, region hint, commune codes (INSEE), EPCI SIREN, members (name, category, legal form, commune, role)
DEMO_DOSSIERS = [
    {
        "owner": "porteur@demo.ptce.fr",
        "name": "Pôle réemploi du Val d'Allier",
        "summary": "Une filière locale de réemploi des matériaux du bâtiment entre Moulins et Vichy.",
        "communes": ["03190", "03310"],
        "members": [
            ("Régie de quartier Moulins Sud", MemberCategory.ESS_ENTERPRISE, "association", "03190", "lead"),
            ("Menuiserie Bourbonnaise SARL", MemberCategory.ENTERPRISE, "", "03190", "member"),
            ("Communauté d'agglomération Moulins Communauté", MemberCategory.COLLECTIVITE, "", "03190", "member"),
        ],
        "submit": True,
        "coeditor": "porteur2@demo.ptce.fr",
    },
    {
        "owner": "porteur@demo.ptce.fr",
        "name": "Coopérative des mobilités du Royans",
        "summary": "Des solutions de mobilité partagée pour les villages du Royans-Vercors.",
        "communes": ["26307", "38319"],
        "members": [
            ("Association Mobil’Royans", MemberCategory.ESS_ENTERPRISE, "association", "26307", "lead"),
        ],
        "submit": False,
    },
    {
        "owner": "porteur2@demo.ptce.fr",
        "name": "Terres de Bretagne solidaires",
        "summary": "Alimentation locale et circuits courts entre producteurs, épiceries solidaires et cantines.",
        "communes": ["35238", "35281"],
        "members": [
            ("SCIC Terres de Liens Bretagne", MemberCategory.ESS_ENTERPRISE, "cooperative_scic", "35238", "lead"),
            ("Biocoop Rennes Nord SAS", MemberCategory.ENTERPRISE, "", "35238", "member"),
            ("Rennes Métropole", MemberCategory.COLLECTIVITE, "", "35238", "member"),
            ("Lycée agricole du Rheu", MemberCategory.TRAINING, "", "35240", "partner"),
        ],
        "submit": True,
    },
    {
        "owner": "porteur3@demo.ptce.fr",
        "name": "Alimentation durable Lyon–Villeurbanne",
        "summary": (
            "Une logistique alimentaire partagée entre producteurs, épiceries solidaires et restauration collective."
        ),
        "communes": ["69123", "69266"],
        "members": [
            ("Association VRAC Lyon", MemberCategory.ESS_ENTERPRISE, "association", "69123", "lead"),
            ("Les Halles du Rhône SAS", MemberCategory.ENTERPRISE, "", "69266", "member"),
            ("Ville de Villeurbanne", MemberCategory.COLLECTIVITE, "", "69266", "member"),
            ("Laboratoire Triangle (CNRS)", MemberCategory.RESEARCH, "", "69123", "partner"),
        ],
        "submit": True,
    },
    {
        "owner": "porteur3@demo.ptce.fr",
        "name": "Fabrique stéphanoise des coopérations",
        "summary": "Un tiers-lieu industriel où coopératives, PME et collectivités relocalisent la réparation.",
        "communes": ["42218"],
        "members": [
            ("SCOP Répar'Acteurs", MemberCategory.ESS_ENTERPRISE, "cooperative_scop", "42218", "lead"),
            ("Mécanique Forézienne SARL", MemberCategory.ENTERPRISE, "", "42218", "member"),
            ("Saint-Étienne Métropole", MemberCategory.COLLECTIVITE, "", "42218", "member"),
        ],
        "submit": True,
    },
    {
        "owner": "porteur2@demo.ptce.fr",
        "name": "Pôle montagne solidaire d'Auvergne",
        "summary": "Tourisme social et emplois à l'année dans les villages du massif du Sancy.",
        "communes": ["63113"],
        "members": [
            ("Coopérative Sancy Vivant", MemberCategory.ESS_ENTERPRISE, "cooperative_scic", "63113", "lead"),
            ("Hôtellerie des Volcans SAS", MemberCategory.ENTERPRISE, "", "63113", "member"),
            ("Clermont Auvergne Métropole", MemberCategory.COLLECTIVITE, "", "63113", "member"),
        ],
        "submit": True,
    },
    {
        "owner": "porteur2@demo.ptce.fr",
        "name": "Textile circulaire en Occitanie",
        "summary": "Collecte, tri et réemploi des textiles entre Toulouse et Albi.",
        "communes": ["31555", "81004"],
        "members": [
            ("Recyclo'Occ", MemberCategory.ESS_ENTERPRISE, "cooperative_scop", "31555", "lead"),
            ("Atelier Couture Toulousain SAS", MemberCategory.ENTERPRISE, "", "31555", "member"),
        ],
        "submit": False,
    },
]


def siret_for(seed):
    body = f"{zlib.crc32(seed.encode()) % 10**8:08d}"
    siren = body + luhn.calc_check_digit(body)
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


def tiny_pdf(title):
    """A one-page PDF holding ``title`` (enough for a demo attachment; real ones come from porteurs)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    output, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(output)
    output += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    output += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    output += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(output)


def commune(code):
    return Commune.objects.select_related("departement").get(code=code, kind="commune-actuelle")


def seed_dossiers(phase, users):
    """Create the demo dossiers that do not exist yet (matched by owner and name); returns them all."""
    dossiers = []
    for spec in DEMO_DOSSIERS:
        owner = users[spec["owner"]]
        dossier = Dossier.objects.filter(owner=owner, name=spec["name"], phase=phase).first()
        if dossier is None:
            dossier = build_dossier(phase, owner, spec, users)
        dossiers.append(dossier)
    return dossiers


def build_dossier(phase, owner, spec, users):
    dossier = dossier_services.create_dossier(phase, owner)
    fill_steps(dossier, owner, spec)
    for position, (name, category, legal_form, code, role) in enumerate(spec["members"]):
        add_member(dossier, owner, name, category, legal_form, code, role, position)
    for kind in phase.required_attachment_kinds:
        upload = SimpleUploadedFile(f"{kind}.pdf", tiny_pdf(f"{kind} — {spec['name']}"), "application/pdf")
        attachment_services.add_attachment(dossier, kind=kind, uploaded_file=upload, by=owner)
    if spec.get("coeditor"):
        dossier_services.invite_coeditor(dossier, spec["coeditor"], by=owner)
    dossier.refresh_from_db()
    if spec["submit"] and dossier.state == DossierState.DRAFT:
        submit_dossier(dossier, by=owner)
    return dossier


def fill_steps(dossier, owner, spec):
    communes = [commune(code) for code in spec["communes"]]
    values = {
        "pole": {
            "name": spec["name"],
            "summary": spec["summary"],
            "stage": "emergence",
            "sectors": list(Sector.objects.filter(code__in=["economie-circulaire", "insertion"])),
        },
        "porteur": {
            "representative_name": owner.get_full_name(),
            "representative_title": "Président·e",
            "contact_name": owner.get_full_name(),
            "contact_email": owner.email,
        },
        "territoire": {
            "territory": TerritorySelection(communes=communes),
            "territory_type": "mixte",
            "territory_description": "Un bassin de vie mêlant une ville moyenne et des communes rurales.",
        },
        "cooperation": {name: NARRATIVES[name] for name in ("shared_strategy", "governance", "collectivites_link")},
        "projet": {
            **{name: NARRATIVES[name] for name in ("innovation", "economic_model", "expected_impact")},
            "jobs_expected": 8,
        },
        "besoins": {"bouquet_needs": ["dla", "tsf", "gt_modele"], "needs_comment": ""},
        "engagements": {"charter_adherence": True, "certify_accurate": True, "consent_publication": True},
    }
    for step in STEPS:
        if step.slug in values:
            save(dossier, step, values[step.slug], owner)


def save(dossier, step, values, owner, lead_data=None):
    dossier.refresh_from_db()
    expected = dossier_services.step_fingerprint(dossier, step)
    dossier_services.save_step(dossier, step, values, lead_data=lead_data, by=owner, expected_fingerprint=expected)


def add_member(dossier, owner, name, category, legal_form, code, role, position):
    data = {
        "name": name,
        "siret": siret_for(name),
        "category": category,
        "ess_legal_form": legal_form,
        "commune": commune(code),
        "role": role,
    }
    if role == MemberRole.LEAD:
        lead = {key: value for key, value in data.items() if key != "role"}
        save(dossier, STEPS[1], {}, owner, lead_data=lead)
    else:
        dossier_services.add_member(dossier, data, by=owner)


# Evaluation ------------------------------------------------------------------------------------------------------
# The reviewers' declarations of interests: the organisations' SIRENs are compared with the member structures'.
DECLARATIONS = {
    "evaluateur@demo.ptce.fr": {
        "regions": ["84", "53"],
        # She sits on the board of the Moulins régie: she is never assigned the Val d'Allier dossier.
        "organisations": ["Cabinet Benali Conseil", "Régie de quartier Moulins Sud"],
    },
    "evaluateur2@demo.ptce.fr": {"regions": ["84", "76"], "organisations": ["France Active Auvergne-Rhône-Alpes"]},
    "evaluateur3@demo.ptce.fr": {"regions": ["84"], "organisations": ["Université Lumière Lyon 2"]},
}

# Dossier name → the state the instruction has brought it to.
DEMO_STATES = {
    "Pôle réemploi du Val d'Allier": DossierState.ELIGIBLE,
    "Alimentation durable Lyon–Villeurbanne": DossierState.ELIGIBLE,
    "Fabrique stéphanoise des coopérations": DossierState.ELIGIBLE,
    "Terres de Bretagne solidaires": DossierState.IN_REVIEW,
}
PATH_TO = {
    DossierState.IN_REVIEW: ["start_review"],
    DossierState.ELIGIBLE: ["start_review", "declare_eligible"],
}

# (dossier, reviewer, what they have done: an assignment still to confirm, confirmed (in progress), a draft review,
#  or the levels of a submitted review; recommendation, general comment, days until due)
DEMO_ASSIGNMENTS = [
    # Refused: evaluateur@ declared the Moulins régie, a member of this pôle (SIREN match).
    ("Pôle réemploi du Val d'Allier", "evaluateur@demo.ptce.fr", AssignmentStatus.IN_PROGRESS, "", "", 14),
    (
        "Pôle réemploi du Val d'Allier",
        "evaluateur2@demo.ptce.fr",
        [3, 3, 2, 3, 2, 3],
        "favourable",
        "Une coopération réelle et outillée ; le modèle économique reste à consolider.",
        -10,
    ),
    (
        "Pôle réemploi du Val d'Allier",
        "evaluateur3@demo.ptce.fr",
        [3, 4, 2, 2, 2, 3],
        "reserved",
        "Ancrage territorial remarquable ; la gouvernance repose trop sur l'association porteuse.",
        -8,
    ),
    (
        "Alimentation durable Lyon–Villeurbanne",
        "evaluateur@demo.ptce.fr",
        [4, 4, 3, 4, 3, 4],
        "favourable",
        "Un pôle exemplaire : stratégie partagée, collectivité engagée, partenariat de recherche solide.",
        -5,
    ),
    (
        "Alimentation durable Lyon–Villeurbanne",
        "evaluateur2@demo.ptce.fr",
        [2, 2, 1, 2, 1, 2],
        "unfavourable",
        "Beaucoup d'intentions, peu d'engagements signés ; le budget d'animation n'est pas financé.",
        -4,
    ),
    ("Alimentation durable Lyon–Villeurbanne", "evaluateur3@demo.ptce.fr", ReviewStatus.DRAFT, "", "", 7),
    ("Fabrique stéphanoise des coopérations", "evaluateur@demo.ptce.fr", ReviewStatus.DRAFT, "", "", 10),
    (
        "Fabrique stéphanoise des coopérations",
        "evaluateur3@demo.ptce.fr",
        [3, 3, 3, 3, 2, 3],
        "favourable",
        "Projet industriel crédible, bien articulé avec la métropole.",
        -2,
    ),
    ("Terres de Bretagne solidaires", "evaluateur@demo.ptce.fr", AssignmentStatus.TO_CONFIRM, "", "", 14),
    ("Terres de Bretagne solidaires", "evaluateur2@demo.ptce.fr", AssignmentStatus.IN_PROGRESS, "", "", -1),
]

# Opinions of the CRESS Auvergne-Rhône-Alpes: (dossier, opinion, rank, text).
DEMO_OPINIONS = [
    (
        "Alimentation durable Lyon–Villeurbanne",
        "favourable",
        1,
        "Le pôle fédère les acteurs de l'alimentation de la métropole ; la CRESS l'accompagne depuis 2023.",
    ),
    (
        "Pôle réemploi du Val d'Allier",
        "reserved",
        2,
        "Dynamique réelle sur un territoire rural, mais un seul financeur public à ce jour.",
    ),
]


def seed_evaluation(dossiers, users):
    """Move submitted dossiers through instruction, then add declarations, assignments, reviews and opinions.

    Idempotent: a dossier already past a step, an existing assignment or opinion is left as it is.
    """
    by_name = {dossier.name: dossier for dossier in dossiers}
    instructeur = users["instructeur@demo.ptce.fr"]
    for name, state in DEMO_STATES.items():
        advance(by_name[name], state, instructeur)
    edition = dossiers[0].phase.edition
    for email, declaration in DECLARATIONS.items():
        declare(users[email], edition, declaration)
    for name, email, work, recommendation, comment, due_in in DEMO_ASSIGNMENTS:
        assign(by_name[name], users[email], instructeur, work, recommendation, comment, due_in)
    partner = users["cress-ara@demo.ptce.fr"]
    for name, opinion, rank, text in DEMO_OPINIONS:
        if not RegionalOpinion.objects.filter(dossier=by_name[name]).exists():
            save_regional_opinion(by_name[name], opinion=opinion, text=text, rank=rank, by=partner)


def advance(dossier, state, by):
    """Take the actions from the dossier's state towards ``state`` (none once it is there or past it)."""
    dossier.refresh_from_db()
    for action in PATH_TO[state]:
        if dossier.state in TRANSITIONS[action][0]:
            transition(dossier, action, by=by)


def declare(reviewer, edition, spec):
    declaration, created = ReviewerDeclaration.objects.get_or_create(reviewer=reviewer, edition=edition)
    if created:
        declaration.regions.set(spec["regions"])
        for name in spec["organisations"]:
            DeclaredOrganisation.objects.create(declaration=declaration, name=name, siret=siret_for(name))


def assign(dossier, reviewer, by, work, recommendation, comment, due_in):
    """Assign through the staff's service (which refuses a detected conflict), confirm as the reviewer would,
    then score: a draft, or a submitted review."""
    if Assignment.objects.filter(dossier=dossier, reviewer=reviewer).exists():
        return
    try:
        assignment = assignment_services.assign(
            dossier, reviewer, by=by, due_at=timezone.now() + datetime.timedelta(days=due_in)
        )
    except assignment_services.AssignmentRefused:
        return  # a conflict of interest detected from the reviewer's declaration
    if work == AssignmentStatus.TO_CONFIRM or assignment_services.confirm_no_conflict(assignment):
        return
    if work == ReviewStatus.DRAFT:
        criteria = list(Grid.objects.for_phase(dossier.phase).criteria.all())
        levels = {criterion.pk: 3 for criterion in criteria[:2]}
        comments = {criteria[0].pk: "Une coopération ancienne et des mutualisations concrètes (entrepôt, poste)."}
        save_review(assignment, ReviewInput(levels=levels, comments=comments, comment="À compléter."))
    elif isinstance(work, list):
        criteria = list(Grid.objects.for_phase(dossier.phase).criteria.all())
        levels = {criterion.pk: level for criterion, level in zip(criteria, work, strict=True)}
        data = ReviewInput(levels=levels, comments={}, recommendation=recommendation, comment=comment)
        save_review(assignment, data, submit=True)
