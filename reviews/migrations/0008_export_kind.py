"""Exports say what they hold: the instruction list's dossiers (as before), the committee's decisions, or the grants
and their payments (the finance team's exports)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0007_compagnons"),
    ]

    operations = [
        migrations.AddField(
            model_name="export",
            name="kind",
            field=models.CharField(
                choices=[
                    ("dossiers", "Dossiers de la sélection"),
                    ("decisions", "Décisions du comité"),
                    ("grants", "Aides et versements"),
                ],
                default="dossiers",
                max_length=10,
                verbose_name="contenu",
            ),
        ),
    ]
