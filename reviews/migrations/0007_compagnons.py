"""The PTCE compagnons of the transfert de savoir-faire that public sources name (DOMAIN_FACTS, "PTCE compagnons and
the bouquet de services"), each with the page that cites it. Staff complete the list in the admin (region, contact,
topics); a compagnon that exists is left alone."""

from django.db import migrations

AVISE = "avise.org/actualites/le-transfert-de-savoir-faire-lexperience-du-ptce-"
# (name, page that cites it (as DOMAIN_FACTS gives it), the emerging PTCE it accompanied according to that page)
COMPAGNONS = [
    ("FE2I", f"https://{AVISE}ciel", "PTCE CI&EL (Gâtinais Montargois)"),
    ("Clus'Ter Jura", f"https://www.{AVISE}coopactions", "Coop'actions (Grand Bergeracois) ; Le LEVIER (Kèpos)"),
    ("PTCE Sud Aquitaine (CBE du Seignanx)", f"https://{AVISE}autonhommes", "Auton'Hommes (collectif PHARE)"),
    ("Les Anges Gardins", f"https://{AVISE}emergence-henin-carvin", "Émergence Hénin-Carvin"),
]


def create_compagnons(apps, schema_editor):
    Compagnon = apps.get_model("reviews", "Compagnon")
    for name, source_url, accompanied in COMPAGNONS:
        Compagnon.objects.get_or_create(
            name=name,
            defaults={
                "source_url": source_url,
                "note": f"Compagnon cité par Avise (transfert de savoir-faire) auprès de : {accompanied}.",
            },
        )


def delete_compagnons(apps, schema_editor):
    Compagnon = apps.get_model("reviews", "Compagnon")
    Compagnon.objects.filter(name__in=[name for name, *_rest in COMPAGNONS], requests__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0006_bouquet_request_history")]

    operations = [migrations.RunPython(create_compagnons, delete_compagnons)]
