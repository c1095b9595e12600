from django.db import migrations

SECTORS = [
    ("economie-circulaire", "Économie circulaire, réemploi et recyclage"),
    ("alimentation", "Alimentation, agriculture et circuits courts"),
    ("batiment", "Bâtiment, éco-construction et rénovation"),
    ("energie", "Transition énergétique"),
    ("mobilite", "Mobilité"),
    ("numerique", "Numérique et inclusion numérique"),
    ("culture", "Culture, patrimoine et médias"),
    ("tourisme", "Tourisme et loisirs"),
    ("sport", "Sport"),
    ("sante", "Santé, autonomie et bien vieillir"),
    ("petite-enfance", "Petite enfance, éducation et jeunesse"),
    ("habitat", "Habitat et logement"),
    ("insertion", "Insertion et emploi"),
    ("textile", "Textile et mode"),
    ("industrie", "Industrie et artisanat"),
    ("services", "Services aux entreprises et aux personnes"),
    ("autre", "Autre filière"),
]


def create_sectors(apps, schema_editor):
    Sector = apps.get_model("applications", "Sector")
    for position, (code, label) in enumerate(SECTORS):
        Sector.objects.update_or_create(code=code, defaults={"label": label, "position": position})


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_dossiers")]

    operations = [migrations.RunPython(create_sectors, migrations.RunPython.noop)]
