"""The laureate history behind rule R07 in the model: the shipped lists, the admin (SIREN, aliases, search, filters),
the CSV/XLSX import with its preview (errors at their line and column, nothing written before confirmation) and rule
R07 reading the model, by SIREN first, then by name."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from applications.eligibility import evaluate
from applications.eligibility.laureates import load_history
from applications.enums import LaureateCall, MemberRole
from applications.models import LaureateRecord
from applications.services import laureate_history
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, siret_from

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:applications_laureaterecord_import"
PROCESS_URL = "admin:applications_laureaterecord_process_import"
CSV_FORMAT, XLSX_FORMAT = "0", "1"
# Valid SIREN (Luhn) made up for the tests.
SIREN_A, SIREN_B = siret_from(7_100_001)[:9], siret_from(7_100_002)[:9]


@pytest.fixture
def instructeur_client(client):
    client.force_login(UserFactory(instructeur=True))
    return client


def upload(client, content, name="laureats.csv", file_format=CSV_FORMAT):
    data = content.encode("utf-8") if isinstance(content, str) else content
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse(IMPORT_URL), {"import_file": file, "format": file_format})


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(reverse(PROCESS_URL), {name: form[name].value() for name in form.fields})


def error_table(response):
    """{line of the file: {column: [messages]}} from the preview's invalid rows."""
    return {
        row.number + 1: {column: list(messages) for column, messages in row.field_specific_errors.items()}
        for row in response.context["result"].invalid_rows
    }


# The shipped lists ------------------------------------------------------------------------------------------------


def test_the_data_migration_loaded_the_published_lists_with_kinds_and_aliases():
    records = LaureateRecord.objects.all()

    assert records.count() == 61
    assert records.filter(kind=LaureateCall.FUNDED).count() == 51
    assert records.filter(kind=LaureateCall.PHASE1, call="AMI 2021 phase 1").count() == 10
    assert set(records.filter(call="AMI 2023 phase 2").values_list("region_name", flat=True)) >= {"Mayotte", "Guyane"}
    jade = records.get(call="AMI 2023 phase 2", name="JADE")
    assert jade.aliases == "Association JADES|JADES"
    assert not records.exclude(lead_siren="").exists()  # no SIREN was published with these lists


def test_regions_are_linked_once_the_referential_is_loaded(referential):
    """The mini referential holds Normandie, Auvergne-Rhône-Alpes, Corse and Saint-Pierre-et-Miquelon: loading it links
    the records that name one of them, and only one."""
    linked = LaureateRecord.objects.exclude(region=None)

    assert set(linked.values_list("region_id", "region_name")) == {
        ("28", "Normandie"),
        ("84", "Auvergne-Rhône-Alpes"),
    }
    assert linked.filter(region_id="84").count() == 8
    assert not LaureateRecord.objects.filter(region_name="Hauts-de-France / Normandie").exclude(region=None).exists()


def test_region_names_one_or_several():
    index = {"occitanie": "OCC", "hauts de france": "HDF", "normandie": "NOR"}

    assert laureate_history.region_of("Occitanie", index) == "OCC"
    assert laureate_history.region_of("Hauts-de-France / Normandie", index) is None
    assert laureate_history.unknown_regions("Hauts-de-France ; Normandy", index) == ["Normandy"]


# The admin --------------------------------------------------------------------------------------------------------


def test_instructeur_adds_the_siren_and_aliases_of_a_laureate(instructeur_client):
    record = LaureateRecord.objects.get(name="Réuniverre")
    data = {
        "name": record.name,
        "aliases": "PTCE Réuniverre|Réuni'verre",
        "year": 2021,
        "call": record.call,
        "kind": record.kind,
        "lead": "Association Réuniverre",
        "lead_siren": f"{SIREN_A[:3]} {SIREN_A[3:6]} {SIREN_A[6:]}",
        "region_name": record.region_name,
        "region": "",
        "contact_email": "",
        "source_url": record.source_url,
        "note": record.note,
    }

    response = instructeur_client.post(reverse("admin:applications_laureaterecord_change", args=[record.pk]), data)

    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.lead_siren, record.aliases) == (SIREN_A, "PTCE Réuniverre|Réuni'verre")


def test_a_wrong_siren_is_refused_next_to_the_field(instructeur_client):
    record = LaureateRecord.objects.get(name="Réuniverre")
    change_url = reverse("admin:applications_laureaterecord_change", args=[record.pk])
    form = instructeur_client.get(change_url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}

    response = instructeur_client.post(change_url, {**data, "lead_siren": SIREN_A[:8] + "0"})

    assert response.context["adminform"].form.errors["lead_siren"] == [
        "Ce SIREN n'est pas valide : la clé de contrôle ne correspond pas. Vérifiez qu'aucun chiffre n'a été inversé."
    ]


def test_the_list_searches_names_and_aliases_and_filters(instructeur_client):
    LaureateRecord.objects.filter(name="Réuniverre").update(lead_siren=SIREN_A)
    url = reverse("admin:applications_laureaterecord_changelist")

    by_alias = instructeur_client.get(url, {"q": "Synethic"}).context["cl"].queryset
    with_siren = instructeur_client.get(url, {"siren": "yes"}).context["cl"].queryset
    phase1_2021 = instructeur_client.get(url, {"kind__exact": "phase1", "year__exact": "2021"}).context["cl"]

    assert sorted(record.name for record in by_alias) == ["EDENN", "Synethic / EDENN"]
    assert [record.name for record in with_siren] == ["Réuniverre"]
    assert phase1_2021.result_count == 10


def test_the_history_is_out_of_reach_of_other_roles(client):
    client.force_login(UserFactory(partenaire=True, is_staff=True))

    assert client.get(reverse("admin:applications_laureaterecord_changelist")).status_code in (302, 403)
    assert client.get(reverse(IMPORT_URL)).status_code in (302, 403)


def test_a_claimed_record_cannot_be_deleted(instructeur_client):
    record = LaureateRecord.objects.get(name="Brie'Nov")
    record.claimed_by = UserFactory()
    record.save()

    response = instructeur_client.post(
        reverse("admin:applications_laureaterecord_delete", args=[record.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert LaureateRecord.objects.filter(pk=record.pk).exists()


# The import: phase-1 laureates of earlier editions ----------------------------------------------------------------

PHASE1_CSV = f"""nom;SIREN;Région;Année;Courriel
Pôle des Deux Vallées;{SIREN_A};Auvergne-Rhône-Alpes;2024;contact@deuxvallees.fr
La Fabrique du Bocage;;Normandie;2024;fabrique@bocage.fr
"""


def waiting_files(settings):
    """The uploaded files waiting for their confirmation (django-import-export's MediaStorage)."""
    folder = Path(settings.MEDIA_ROOT) / "django-import-export"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_preview_shows_errors_at_their_line_and_column_and_writes_nothing(
    instructeur_client, referential, settings
):
    before = LaureateRecord.objects.count()
    content = (
        "nom,siren,région,année,courriel\n"
        f"Pôle des Deux Vallées,{SIREN_A},Auvergne-Rhône-Alpes,2024,contact@deuxvallees.fr\n"
        "La Fabrique du Bocage,123 456 78,Normandie,vingt-quatre,fabrique@bocage\n"
        ",,Normandy,2024,\n"
    )

    response = upload(instructeur_client, content)

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert error_table(response) == {
        3: {
            "siren": ["Le SIREN doit comporter 9 chiffres (vous en avez saisi 8)."],
            "année": ["« vingt-quatre » n'est pas une année : écrivez-la en 4 chiffres, par exemple 2022."],
            "courriel": ["Saisissez une adresse de courriel valide."],
        },
        4: {
            "région": ["Région inconnue : « Normandy ». Écrivez son nom, par exemple « Occitanie »."],
            "nom": ["Ce champ ne peut pas être vide."],
        },
    }
    page = response.content.decode()
    assert "Des lignes du fichier sont à corriger" in page and "Ligne du fichier" in page
    assert LaureateRecord.objects.count() == before
    assert waiting_files(settings) == []  # a file that cannot be confirmed is not kept


def test_a_valid_file_is_previewed_then_written_on_confirmation(instructeur_client, referential, settings):
    before = LaureateRecord.objects.count()

    preview = upload(instructeur_client, PHASE1_CSV)

    assert [row.import_type for row in preview.context["result"].valid_rows()] == ["new", "new"]
    assert LaureateRecord.objects.count() == before  # the preview wrote nothing
    assert len(waiting_files(settings)) == 1
    assert confirm(instructeur_client, preview).status_code == 302
    assert waiting_files(settings) == []
    deux_vallees = LaureateRecord.objects.get(name="Pôle des Deux Vallées")
    assert (deux_vallees.kind, deux_vallees.call, deux_vallees.year) == (LaureateCall.PHASE1, "AMI 2024 phase 1", 2024)
    assert (deux_vallees.lead_siren, deux_vallees.contact_email) == (SIREN_A, "contact@deuxvallees.fr")
    assert (deux_vallees.region_name, deux_vallees.region_id) == ("Auvergne-Rhône-Alpes", "84")
    assert LaureateRecord.objects.get(name="La Fabrique du Bocage").region_id == "28"


def test_importing_the_same_list_again_updates_rather_than_duplicates(instructeur_client, referential):
    confirm(instructeur_client, upload(instructeur_client, PHASE1_CSV))
    changed = PHASE1_CSV.replace("contact@deuxvallees.fr", "bureau@deuxvallees.fr")

    preview = upload(instructeur_client, changed)

    assert [row.import_type for row in preview.context["result"].valid_rows()] == ["update", "skip"]
    confirm(instructeur_client, preview)
    assert LaureateRecord.objects.filter(name="Pôle des Deux Vallées").get().contact_email == "bureau@deuxvallees.fr"


def test_an_xlsx_file_with_numbers_typed_by_the_spreadsheet(instructeur_client, referential):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Nom du pôle", "SIREN", "Région", "Année", "E-mail", "Nature"])
    sheet.append(["Coop des Cimes", int(SIREN_B), "Auvergne-Rhône-Alpes", 2022, "cimes@example.org", "financé"])
    content = io.BytesIO()
    workbook.save(content)

    preview = upload(instructeur_client, content.getvalue(), name="laureats.xlsx", file_format=XLSX_FORMAT)
    confirm(instructeur_client, preview)

    record = LaureateRecord.objects.get(name="Coop des Cimes")
    assert (record.lead_siren, record.kind, record.call, record.region_id) == (
        SIREN_B,
        LaureateCall.FUNDED,
        "AMI 2022 phase 2",
        "84",
    )


def test_the_import_page_says_which_columns_it_reads(instructeur_client):
    page = instructeur_client.get(reverse(IMPORT_URL)).content.decode()

    assert re.search(r"<code>nom</code>, <code>siren</code>.*<code>région</code>, <code>année</code>", page, re.S)


# Rule R07 reads the model ----------------------------------------------------------------------------------------


def r07(dossier, **kwargs):
    [result] = evaluate(dossier, rule_ids=["R07"], **kwargs)
    return result.status, result.explanation


def test_r07_finds_a_siren_staff_added_to_the_history(referential):
    dossier = DossierFactory(complete=True, name="Pôle des Tisserands")
    lead = dossier.members.get(role=MemberRole.LEAD)
    LaureateRecord.objects.filter(name="Les Herbes Folles").update(lead_siren=lead.siret[:9])

    status, explanation = r07(dossier)

    assert status == "fail"
    assert explanation.startswith(f"La structure porteuse, {lead.name} (SIREN ")
    assert explanation.endswith("a déjà été financée comme lauréate de l'AMI 2023 : « Les Herbes Folles ».")


def test_r07_ignores_a_phase1_label_with_the_same_siren(referential):
    dossier = DossierFactory(complete=True, name="Pôle des Tisserands")
    lead = dossier.members.get(role=MemberRole.LEAD)
    LaureateRecord.objects.create(
        year=2024, call="AMI 2024 phase 1", kind=LaureateCall.PHASE1, name="Tisserands", lead_siren=lead.siret[:9]
    )

    assert r07(dossier)[0] == "pass"


def test_r07_warns_on_an_imported_alias(referential):
    dossier = DossierFactory(complete=True, name="Réuni'verre")
    LaureateRecord.objects.filter(name="Réuniverre").update(aliases="Réuni'verre")

    assert r07(dossier) == ("warning", "Nom proche d'un lauréat de l'AMI 2021 : « Réuniverre » — à vérifier.")


@pytest.mark.parametrize("extra", [0, 40])
def test_r07_reads_the_history_in_one_query_whatever_its_size(referential, django_assert_num_queries, extra):
    LaureateRecord.objects.bulk_create(
        LaureateRecord(year=2024, call="AMI 2024 phase 1", kind=LaureateCall.PHASE1, name=f"Pôle {number}")
        for number in range(extra)
    )
    dossier = DossierFactory(complete=True)
    members = list(dossier.members.select_related("commune__parent"))

    with django_assert_num_queries(1):  # the history
        r07(dossier, members=members)


def test_a_history_shared_between_dossiers_is_read_once(referential, django_assert_num_queries):
    dossiers = [DossierFactory(complete=True) for _ in range(3)]
    history = load_history()

    with django_assert_num_queries(3):  # per dossier: its members; never the history again
        for dossier in dossiers:
            evaluate(dossier, rule_ids=["R07"], history=history)
