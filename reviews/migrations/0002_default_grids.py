"""The default evaluation grids of DESIGN §7, one per kind of phase, marked as proposals (no official weights
are published). Staff edit them, or copy them onto a phase, in the admin; a grid that exists is left alone.
"""

from django.db import migrations

LEVELS = ["Absent", "Faible", "Moyen", "Bon", "Excellent"]

# (label, guidance, phase-1 weight, phase-2 weight)
CRITERIA = [
    (
        "Coopération multi-acteurs et stratégie commune",
        "Le pôle réunit des entreprises de l'ESS, des entreprises hors ESS et au moins une collectivité ; "
        "la stratégie est partagée et se traduit par une mutualisation réelle.",
        25,
        20,
    ),
    (
        "Ancrage territorial et développement local durable",
        "Le projet répond à des besoins identifiés du territoire et s'articule avec les politiques des "
        "collectivités (lien formalisé, soutien, co-construction).",
        20,
        15,
    ),
    (
        "Innovation sociale ou technologique, partenariats de R&D",
        "Le caractère innovant du projet et les partenariats avec la recherche, l'enseignement supérieur ou "
        "la formation.",
        15,
        15,
    ),
    (
        "Gouvernance et capacité d'animation",
        "La gouvernance associe les membres ; le pôle dispose de moyens d'animation identifiés (ETP, structure "
        "porteuse).",
        15,
        20,
    ),
    (
        "Modèle économique et viabilité après la subvention",
        "Les ressources prévues, leur diversité et la capacité du pôle à poursuivre son activité après le "
        "soutien de l'État.",
        10,
        20,
    ),
    (
        "Impact attendu : emplois non délocalisables, social, environnemental",
        "Les emplois créés ou consolidés, et les effets sociaux et environnementaux attendus, mesurables.",
        15,
        10,
    ),
]

GRIDS = [("phase1", "Grille proposée — phase 1 (émergence)", 2), ("phase2", "Grille proposée — phase 2", 3)]


def create_default_grids(apps, schema_editor):
    Grid = apps.get_model("reviews", "Grid")
    Criterion = apps.get_model("reviews", "Criterion")
    for kind, name, weight_column in GRIDS:
        if Grid.objects.filter(phase__isnull=True, phase_kind=kind).exists():
            continue
        grid = Grid.objects.create(name=name, phase_kind=kind, is_proposal=True, levels=LEVELS)
        Criterion.objects.bulk_create(
            Criterion(grid=grid, position=position, label=row[0], guidance=row[1], weight=row[weight_column])
            for position, row in enumerate(CRITERIA, start=1)
        )


def delete_default_grids(apps, schema_editor):
    Grid = apps.get_model("reviews", "Grid")
    Grid.objects.filter(phase__isnull=True, is_proposal=True, name__in=[name for _kind, name, _col in GRIDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(create_default_grids, delete_default_grids)]
