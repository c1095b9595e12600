"""Demo dossiers for seed_demo: drafts and submitted dossiers with realistic members in several regions.

Everything goes through the services a porteur's clicks call (create, save steps, members, attachments,
submit), so the demo shows what the platform really produces: references, versions, receipts, history.
The SIRETs are fictitious but valid (Luhn); the communes come from the loaded referential.
"""

import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum import luhn

from applications.enums import DossierState, MemberCategory, MemberRole
from applications.models import Dossier, Sector
from applications.services import attachments as attachment_services
from applications.services import dossiers as dossier_services
from applications.services.submission import submit_dossier
from applications.steps import STEPS
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
