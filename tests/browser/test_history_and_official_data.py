"""Issue 11, items 7 and 8 in Chromium: the admin import of the laureate history with its preview (errors at their
line and column, then a valid file written on confirmation), and the staff dossier page with the members' official
data beside the declared data (axe-core: no violation)."""

import re

import pytest
from django.urls import reverse

from applications.enums import DossierState, EssLegalForm, MemberCategory
from applications.models import LaureateRecord, MemberStructure
from applications.services import official_data
from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import DossierFactory, siret_from
from tests.applications.test_official_data import CEASED, COMMUNE, SAS, SCIC, Directory
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIREN = siret_from(7_200_001)[:9]


def log_in_as(page, user):
    page.context.clear_cookies()
    log_in(page, user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))


def upload(page, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    page.goto(reverse("admin:applications_laureaterecord_import"))
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("select[name=format]").select_option(label="csv")
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()


def test_staff_import_phase1_laureates_after_a_preview(page, referential, tmp_path):
    log_in_as(page, UserFactory(instructeur=True, email="instructeur@example.fr"))
    before = LaureateRecord.objects.count()

    upload(
        page,
        tmp_path,
        "laureats-erreurs.csv",
        "nom;siren;région;année;courriel\n"
        f"Pôle des Deux Vallées;{SIREN};Auvergne-Rhône-Alpes;2024;contact@deuxvallees.fr\n"
        "La Fabrique du Bocage;123 456 78;Normandy;2o24;fabrique@bocage\n",
    )

    screenshot(page, "admin-laureate-import-errors")
    errors = page.locator("table.import-preview tbody tr")
    assert errors.count() == 1
    assert errors.locator("th").inner_text() == "3"
    # One item per column: its name (the admin's CSS shows it in capitals, above), then its errors.
    items = [" ".join(item.text_content().split()) for item in errors.locator("td.errors li").all()]
    assert items == [
        "siren Le SIREN doit comporter 9 chiffres (vous en avez saisi 8).",
        "année « 2o24 » n'est pas une année : écrivez-la en 4 chiffres, par exemple 2022.",
        "région Région inconnue : « Normandy ». Écrivez son nom, par exemple « Occitanie ».",
        "courriel Saisissez une adresse de courriel valide.",
    ]
    assert page.locator("input[name=confirm]").count() == 0
    assert LaureateRecord.objects.count() == before

    upload(
        page,
        tmp_path,
        "laureats.csv",
        "nom;siren;région;année;courriel\n"
        f"Pôle des Deux Vallées;{SIREN};Auvergne-Rhône-Alpes;2024;contact@deuxvallees.fr\n"
        "La Fabrique du Bocage;;Normandie;2024;fabrique@bocage.fr\n",
    )

    screenshot(page, "admin-laureate-import-preview")
    assert page.locator("table.import-preview tbody tr.new").count() == 2
    assert LaureateRecord.objects.count() == before
    page.locator("input[name=confirm]").click()
    page.wait_for_load_state()

    screenshot(page, "admin-laureate-import-done")
    assert LaureateRecord.objects.count() == before + 2
    record = LaureateRecord.objects.get(name="Pôle des Deux Vallées")
    assert (record.kind, record.call, record.lead_siren, record.region_id) == (
        "phase1",
        "AMI 2024 phase 1",
        SIREN,
        "84",
    )


def test_staff_see_the_official_data_beside_the_declared_data(page, referential, settings, monkeypatch):
    dossier = DossierFactory(complete=True, name="Pôle des Énergies partagées")
    members = list(dossier.members.order_by("position", "pk"))
    for member, (name, siret) in zip(
        members,
        [("SCIC Énergies partagées", SCIC), ("Ateliers du Lez", CEASED), ("Commune de Tulle", COMMUNE)],
        strict=True,
    ):
        member.name, member.siret = name, siret
        if member.is_lead:
            member.ess_legal_form = EssLegalForm.COOPERATIVE_SCIC
        member.save()
    MemberStructure.objects.create(
        dossier=dossier,
        name="Menuiseries du Nord",
        siret=SAS,
        category=MemberCategory.ESS_ENTERPRISE,
        ess_legal_form=EssLegalForm.ASSOCIATION,
        commune=members[0].commune,
        position=9,
    )
    settings.COMPANY_LOOKUP_URL = "https://recherche-entreprises.test/search"
    official_data.record(dossier, client=Directory().client())
    dossier.state, dossier.submitted_at = DossierState.SUBMITTED, dossier.created_at
    dossier.save()
    log_in_as(page, UserFactory(instructeur=True, email="instructeur@example.fr"))

    page.goto(reverse("reviews:dossier", kwargs={"reference": dossier.reference}))

    members_section = page.locator("#membres")
    members_section.scroll_into_view_if_needed()
    screenshot(page, "staff-dossier-official-data")
    members_section.screenshot(path=str(SCREENSHOTS / "staff-dossier-official-data-members.png"))
    table = members_section.get_by_role("table")
    assert table.get_by_role("columnheader", name="Annuaire des entreprises (données officielles)").is_visible()
    ceased = table.get_by_role("row", name=re.compile("Ateliers du Lez"))
    assert ceased.get_by_text("Cessée le 30 juin 2023").is_visible()
    sas = table.get_by_role("row", name=re.compile("Menuiseries du Nord"))
    assert sas.get_by_text("À vérifier", exact=True).is_visible()
    assert sas.get_by_text(re.compile("ne la recense pas dans l'économie sociale et solidaire")).is_visible()
    assert_accessible(page)
