"""The history of the State's PTCE laureates, moved from applications/eligibility/data/laureates.csv into
LaureateRecord (rule R07 reads the model; staff complete it in the admin).

One tuple per laureate: year, call, kind ("funded": AAP 2013, AAP 2015, AMI phase 2; "phase1": the « PTCE émergent »
label, no money), name, aliases (separated by "|"), lead structure, region(s), source, note. No SIREN was published
with these lists: staff add them in the admin. The region is linked to the referential when one region is named and
the referential is loaded (else later, when ``load_territories`` runs: applications.services.laureates.link_regions).
Sources and what is still missing: docs/laureate-history.md.
"""

import unicodedata

from django.db import migrations

# fmt: off
LAUREATES = [
    (2013, 'AAP 2013', 'funded', 'Pôle de gestion des déchets et de développement environnemental des Alpilles', '', 'Association La Courte Échelle', "Provence-Alpes-Côte d'Azur", 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', 'Nord Alpilles (Bouches-du-Rhône) ; région déduite du département'),
    (2013, 'AAP 2013', 'funded', 'La Coursive Boutaric', '', 'Association La Coursive Boutaric', 'Bourgogne-Franche-Comté', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', "Quartier des Grésilles, Dijon (Côte-d'Or) ; région déduite du département"),
    (2013, 'AAP 2013', 'funded', 'Pôle Sud Archer', '', 'Groupe Pôle Sud Archer', 'Auvergne-Rhône-Alpes', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', 'Agglomération de Romans (Drôme) ; région déduite du département'),
    (2013, 'AAP 2013', 'funded', 'La Serre - Le Multiple', 'La Serre', 'SCIC La Serre', 'Occitanie', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', 'Toulouse Métropole (Haute-Garonne) ; région déduite du département'),
    (2013, 'AAP 2013', 'funded', 'Coopaxis', '', '', 'Centre-Val de Loire', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', "Quartier du Sanitas, Tours (Indre-et-Loire) ; coordonné par une SCOP SARL, coopérative d'activité et d'emploi, non nommée par la source ; région déduite du département"),
    (2013, 'AAP 2013', 'funded', 'Entrepreneurs solidaires du Centre Isère', '', 'Association Entrepreneurs Solidaires du Centre Isère', 'Auvergne-Rhône-Alpes', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', 'Centre Isère ; région déduite du département'),
    (2013, 'AAP 2013', 'funded', "Clu'Ster Jura", 'Cluster Jura', 'Juratri', 'Bourgogne-Franche-Comté', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', "Bassin de solidarité de Juratri (Jura) ; Juratri est une SCOP et entreprise d'insertion ; région déduite du département"),
    (2013, 'AAP 2013', 'funded', 'Pôle Sud Aquitain', 'PTCE Sud Aquitaine', "Comité de bassin d'emploi du Seignanx", 'Nouvelle-Aquitaine', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', 'Sud des Landes / Pays basque (canton du Seignanx) ; région déduite du département'),
    (2013, 'AAP 2013', 'funded', 'Culture et Coopération', '', 'Association Cluster Culture et Coopération', 'Auvergne-Rhône-Alpes', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', 'Saint-Étienne (Loire) ; région déduite du département'),
    (2013, 'AAP 2013', 'funded', "Comité du bassin d'emploi du Pays d'Ancenis", '', '', 'Pays de la Loire', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', "Loire-Atlantique ; coordonné par le bassin d'emploi du Pays d'Ancenis ; région déduite du département"),
    (2013, 'AAP 2013', 'funded', 'CIS DT 52', 'Coopération industrielle et sociale pour le développement territorial', 'Association CIS DT 52', 'Grand Est', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', "Bassin d'emploi de Saint-Dizier (Haute-Marne) ; région déduite du département"),
    (2013, 'AAP 2013', 'funded', 'Florange e2i, écologie industrielle et insertion', 'Florange e2i', 'Valoprest', 'Grand Est', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', "Val de Fensch (Moselle) ; Valoprest est une entreprise d'insertion ; région déduite du département"),
    (2013, 'AAP 2013', 'funded', 'Lille MétroPôle solidaire', '', 'initiativesETcité', 'Hauts-de-France', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', "Lille (Nord) ; coordonné par l'UES SA initiativesETcité ; région déduite du département"),
    (2013, 'AAP 2013', 'funded', "PTCE Pays de Bray - Maison de l'économie solidaire", 'PTCE Pays de Bray', "SCIC Maison de l'économie solidaire", 'Hauts-de-France / Normandie', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', 'Pays de Bray (Oise et Seine-Maritime) ; régions déduites des départements'),
    (2013, 'AAP 2013', 'funded', 'Le Damier', '', 'Association Le Damier', 'Auvergne-Rhône-Alpes', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', 'Clermont-Ferrand (Puy-de-Dôme) ; région déduite du département'),
    (2013, 'AAP 2013', 'funded', "Les Gouttes d'Or de la Mode et du Design", '', "Association des professionnels de la mode et du design de la Goutte d'Or", 'Île-de-France', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', 'Paris 18e ; région déduite du département'),
    (2013, 'AAP 2013', 'funded', "APPUI, Marmite d'Afrique TAF et MAFFE", '', 'Association APPUI', 'Île-de-France', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', "Paris, Seine-Saint-Denis et Val-de-Marne ; APPUI : restauration sociale d'insertion ; région déduite des départements"),
    (2013, 'AAP 2013', 'funded', 'PTCE la Verrière', '', '', 'Île-de-France', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', 'Ville de La Verrière (Yvelines) ; coordonné par TRACETEL, la MGEB et la Ville de La Verrière ; région déduite du département'),
    (2013, 'AAP 2013', 'funded', 'Les Ateliers', '', 'Association Les Ateliers', 'Occitanie', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', 'Castres (Tarn) ; région déduite du département'),
    (2013, 'AAP 2013', 'funded', 'Pôle régional des musiques actuelles de Poitou-Charentes', 'PRMA Poitou-Charentes', 'Pôle régional des musiques actuelles (PRMA) de Poitou-Charentes', 'Nouvelle-Aquitaine', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', 'Deux-Sèvres ; région déduite du département'),
    (2013, 'AAP 2013', 'funded', "Le PHARES, Pôle d'hospitalité aux activités à rayonnement écologique et solidaire", 'Le PHARES', 'Association Halage', 'Île-de-France', 'https://fr.wikipedia.org/wiki/P%C3%B4le_territorial_de_coop%C3%A9ration_%C3%A9conomique', "L'Île-Saint-Denis (Seine-Saint-Denis) ; région déduite du département"),
    (2021, 'AMI 2021 phase 1', 'phase1', 'Calade / Remendaires', 'Calade|Remendaires', '', 'Occitanie', 'https://www.cressoccitanie.org/8-laureats-en-occitanie-les-ptce-emergents-2/', "Label « PTCE émergent » (phase 1) : pas d'aide financière"),
    (2021, 'AMI 2021 phase 1', 'phase1', 'Terres de Vie / Micro-filière meunerie Margeride', 'Terres de Vie|Micro-filière meunerie Margeride', '', 'Occitanie', 'https://www.cressoccitanie.org/8-laureats-en-occitanie-les-ptce-emergents-2/', "Label « PTCE émergent » (phase 1) : pas d'aide financière"),
    (2021, 'AMI 2021 phase 1', 'phase1', 'AGIR Durable 2.0', '', '', 'Occitanie', 'https://www.cressoccitanie.org/8-laureats-en-occitanie-les-ptce-emergents-2/', "Label « PTCE émergent » (phase 1) : pas d'aide financière"),
    (2021, 'AMI 2021 phase 1', 'phase1', 'Cosmopolis / Cartoucherie', 'Cosmopolis|Cartoucherie', '', 'Occitanie', 'https://www.cressoccitanie.org/8-laureats-en-occitanie-les-ptce-emergents-2/', "Label « PTCE émergent » (phase 1) : pas d'aide financière"),
    (2021, 'AMI 2021 phase 1', 'phase1', 'MIESS 30 / PEPSS 30', 'MIESS 30|PEPSS 30', '', 'Occitanie', 'https://www.cressoccitanie.org/8-laureats-en-occitanie-les-ptce-emergents-2/', "Label « PTCE émergent » (phase 1) : pas d'aide financière"),
    (2021, 'AMI 2021 phase 1', 'phase1', 'SCIC Station A', 'Station A', '', 'Occitanie', 'https://www.cressoccitanie.org/8-laureats-en-occitanie-les-ptce-emergents-2/', "Label « PTCE émergent » (phase 1) : pas d'aide financière"),
    (2021, 'AMI 2021 phase 1', 'phase1', "Recyclo'Occ textile", "Cluster des acteurs de l'économie textile circulaire en Occitanie", '', 'Occitanie', 'https://www.cressoccitanie.org/8-laureats-en-occitanie-les-ptce-emergents-2/', "Label « PTCE émergent » (phase 1) : pas d'aide financière ; lauréat de la phase 2 la même année"),
    (2021, 'AMI 2021 phase 1', 'phase1', 'Synethic / EDENN', 'Synethic|EDENN', '', 'Occitanie', 'https://www.cressoccitanie.org/8-laureats-en-occitanie-les-ptce-emergents-2/', "Label « PTCE émergent » (phase 1) : pas d'aide financière ; lauréat de la phase 2 la même année"),
    (2021, 'AMI 2021 phase 1', 'phase1', "Brie'Nov", '', '', 'Île-de-France', 'https://www.brienov.fr/chantiers/le-developpement-global/ptce/ptce-une-premiere-etape-de-franchie', "Label « PTCE émergent » (phase 1) : pas d'aide financière"),
    (2021, 'AMI 2021 phase 1', 'phase1', "La Mut'", '', '', "Provence-Alpes-Côte d'Azur", 'https://www.lamut.fr/la-mut-laureate-de-la-phase-2-de-lami-pcte-emergent/', "Digne ; classé en phase 1 par DOMAIN_FACTS (d), mais l'adresse de la page annonce une phase 2 (édition non précisée, 2022 ?) : à vérifier"),
    (2021, 'AMI 2021 phase 2', 'funded', "PTCE Turfu Productions en Val d'Allier", 'Turfu Productions', 'Régie de Territoire des Deux Rives', 'Auvergne-Rhône-Alpes', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', 'Royans-Vercors – La Place des Possibles', 'La Place des Possibles', 'Association Les Tracols', 'Auvergne-Rhône-Alpes', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', 'PTCE Gâtinais Montargois', 'CI&EL', '', 'Centre-Val de Loire', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', 'PTCE Stras Eco Renov', '', '', 'Grand Est', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', 'PTCE – Les Amis du Bien-vieillir', '', '', 'Guadeloupe', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', "PTCE Auton'Homme", "Auton'Hommes", '', 'Hauts-de-France', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', 'PTCE filière vélo du Grand Paris', '', '', 'Île-de-France', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', 'PTCE autonomie MCE-M3S', '', '', 'Normandie', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', 'Les Ateliers du Rond-Point', '', '', 'Nouvelle-Aquitaine', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', 'PTCE Grand Bergeracois', "Coop'actions", '', 'Nouvelle-Aquitaine', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', "Cluster des acteurs de l'économie textile circulaire en Occitanie", "Recyclo'Occ textile", '', 'Occitanie', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', 'EDENN', 'Synethic', '', 'Occitanie', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', 'Projet PHARE', '', '', "Provence-Alpes-Côte d'Azur", 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', 'Tiers lieu ESS Level', '', '', 'Pays de la Loire', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2021, 'AMI 2021 phase 2', 'funded', 'Réuniverre', '', '', 'La Réunion', 'https://chorum.fr/actualite/15-nouveaux-ptce-obtiennent-100-000-euros-de-soutien', '100 000 € sur 2 ans'),
    (2022, 'AMI 2022 phase 2', 'funded', 'Le LEVIER', '', 'Kèpos', 'Grand Est', 'https://avise.org/actualites/le-transfert-de-savoir-faire-lexperience-du-ptce-le-levier', "Lauréat probable, non confirmé : Avise (4 janv. 2023) indique qu'il a reçu « le financement attribué aux lauréats de l'AMI national » ; la liste 2022 n'a pas été trouvée"),
    (2023, 'AMI 2023 phase 2', 'funded', "PECCS – Pôle d'Économie Circulaire en Cœur de Savoie", 'PECCS', '', 'Auvergne-Rhône-Alpes', 'https://lelabo-ess.org/Laur%C3%A9ats-PTCE-2023-', '100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', 'Pôle Laine du Pays de Saugues', '', '', 'Auvergne-Rhône-Alpes', 'https://lelabo-ess.org/Laur%C3%A9ats-PTCE-2023-', 'Haute-Loire ; 100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', 'La Californie', '', '', 'Bourgogne-Franche-Comté', 'https://lelabo-ess.org/Laur%C3%A9ats-PTCE-2023-', 'Toucy (Yonne) ; 100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', "Pôle associatif L'Accordeur", "L'Accordeur", '', 'Guyane', 'https://erreur-systeme.fr/actualite/olivia-gregoire-annonce-la-labellisation-de-x-nouveaux-ptce', '100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', 'Anima Grand Calais', '', '', 'Hauts-de-France', 'https://lelabo-ess.org/Laur%C3%A9ats-PTCE-2023-', 'Région déduite de la ville ; 100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', 'Émergence Hénin-Carvin', '', '', 'Hauts-de-France', 'https://lelabo-ess.org/Laur%C3%A9ats-PTCE-2023-', 'Région déduite de la ville ; 100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', 'PôPE – Pôle Petite Enfance', 'PôPE', '', 'Île-de-France', 'https://lelabo-ess.org/Laur%C3%A9ats-PTCE-2023-', 'Bobigny ; région déduite de la ville ; 100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', 'GEIQ Sport et Loisirs', '', '', 'Mayotte', 'https://erreur-systeme.fr/actualite/olivia-gregoire-annonce-la-labellisation-de-x-nouveaux-ptce', '100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', 'Écosystème coopératif Tera', 'Tera', '', 'Nouvelle-Aquitaine', 'https://erreur-systeme.fr/actualite/olivia-gregoire-annonce-la-labellisation-de-x-nouveaux-ptce', '100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', 'Les Herbes Folles', '', '', 'Occitanie', 'https://lelabo-ess.org/Laur%C3%A9ats-PTCE-2023-', 'Haute-Garonne ; région déduite du département ; 100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', "Les Grandlieu'Zarts", '', '', 'Pays de la Loire', 'https://erreur-systeme.fr/actualite/olivia-gregoire-annonce-la-labellisation-de-x-nouveaux-ptce', '100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', 'LABSPORT', '', '', 'Pays de la Loire', 'https://lelabo-ess.org/Laur%C3%A9ats-PTCE-2023-', 'Saint-Nazaire ; région déduite de la ville ; 100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', 'ECHOBAT', '', '', 'La Réunion', 'https://reunion.deets.gouv.fr/Labellisation-par-l-Etat-de-15-nouveaux-poles-territoriaux-de-cooperation', 'Éco-construction ; 100 000 € sur 2 ans'),
    (2023, 'AMI 2023 phase 2', 'funded', 'JADE', 'Association JADES|JADES', '', 'La Réunion', 'https://reunion.deets.gouv.fr/Labellisation-par-l-Etat-de-15-nouveaux-poles-territoriaux-de-cooperation', 'Nommé « JADE » ou « Association JADES » selon les sources ; 100 000 € sur 2 ans'),
]
# fmt: on


def region_key(name):
    decomposed = unicodedata.normalize("NFKD", name)
    return (
        "".join(c for c in decomposed if not unicodedata.combining(c))
        .lower()
        .replace("-", " ")
        .replace("'", " ")
        .replace("’", " ")
    )


def create_laureates(apps, schema_editor):
    """Idempotent: a row is identified by its call and name (the tests seed it again after a flush)."""
    LaureateRecord = apps.get_model("applications", "LaureateRecord")
    Region = apps.get_model("territories", "Region")
    regions = {region_key(region.name): region for region in Region.objects.all()}
    for year, call, kind, name, aliases, lead, region_name, source_url, note in LAUREATES:
        LaureateRecord.objects.update_or_create(
            call=call,
            name=name,
            defaults={
                "year": year,
                "kind": kind,
                "aliases": aliases,
                "lead": lead,
                "region_name": region_name,
                "region": regions.get(region_key(region_name)),
                "source_url": source_url,
                "note": note,
            },
        )


def remove_laureates(apps, schema_editor):
    LaureateRecord = apps.get_model("applications", "LaureateRecord")
    for _year, call, _kind, name, *_rest in LAUREATES:
        LaureateRecord.objects.filter(call=call, name=name, lead_siren="", claimed_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0008_phase2_selection_foundation"),
        ("territories", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_laureates, remove_laureates)]
