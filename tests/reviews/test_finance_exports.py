"""The finance team's exports (issue 11, item 9): decisions, grants and payments, CSV and XLSX through the exports'
machinery, with its protections (instructeurs only, downloads for who asked, formulas neutralised)."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import Decision, Export, ExportKind, ExportStatus
from reviews.services import exports, finance_exports, grants
from tests.accounts.factories import RegionFactory, UserFactory
from tests.reviews.grants_helpers import laureate, open_grant, phase2, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructeur():
    return UserFactory(instructeur=True, first_name="Claire", last_name="Dupont")


def build(user, kind, export_format, capture):
    with capture(execute=True):
        export = exports.request_export(user, query="", export_format=export_format, kind=kind)
    export.refresh_from_db()
    assert export.status == ExportStatus.READY, export.error
    return export


def read_csv(export):
    with export.file.open("rb") as handle:
        raw = handle.read()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_decisions_export_lists_published_and_provisional_decisions(
    instructeur, django_capture_on_commit_callbacks
):
    phase = phase2()
    published = laureate(phase, amount=Decimal("80000.00"), by=instructeur, name="Pôle publié")
    provisional = laureate(phase, amount=Decimal("50000.00"), by=instructeur, published=False, name="Pôle en attente")
    revoked = laureate(phase, by=instructeur, published=False, name="Pôle rouvert")
    Decision.objects.filter(pk=revoked.pk).update(revoked_at=datetime.datetime.now(datetime.UTC))

    rows = read_csv(build(instructeur, ExportKind.DECISIONS, "csv", django_capture_on_commit_callbacks))

    by_reference = {row["Référence"]: row for row in rows}
    assert set(by_reference) == {published.dossier.reference, provisional.dossier.reference}
    row = by_reference[published.dossier.reference]
    assert row["Nom du pôle"] == "Pôle publié"
    assert row["Décision"] == "Lauréat"
    assert row["Montant accordé (€)"] == "80000,00"
    assert row["Statut"] == "Publiée"
    assert row["Publiée par"] == "Claire Dupont"
    assert row["Motivation"] == "Une coopération solide et un territoire engagé."
    assert by_reference[provisional.dossier.reference]["Statut"] == "Provisoire"
    assert by_reference[provisional.dossier.reference]["Publiée le"] == ""


def test_the_grants_export_has_one_row_per_tranche_with_suspension_and_year3(
    instructeur, django_capture_on_commit_callbacks
):
    grant = open_grant(amount=Decimal("100000.00"), by=instructeur)
    signed(grant, instructeur, on=datetime.date(2026, 3, 2))
    first = grant.payments.get(position=1)
    grants.record_payment(first, paid_on=datetime.date(2026, 3, 20), by=instructeur)
    grants.suspend(grant, motivation='=HYPERLINK("http://x") plus d\'animateur', by=instructeur)

    rows = read_csv(build(instructeur, ExportKind.GRANTS, "csv", django_capture_on_commit_callbacks))

    assert [(r["Tranche"], r["Part (%)"], r["Montant de la tranche (€)"], r["État de la tranche"]) for r in rows] == [
        ("Premier versement", "50", "50000,00", "Versée"),
        ("Deuxième versement", "40", "40000,00", "Prévue"),
        ("Solde", "10", "10000,00", "Prévue"),
    ]
    assert rows[0]["Versée le"] == "20/03/2026"
    assert rows[0]["Convention signée le"] == "02/03/2026"
    assert rows[0]["Condition de versement"] == "À la signature de la convention"
    assert rows[0]["État de l'aide"] == "Suspendue"
    assert rows[0]["Motif de la suspension"].startswith("'=HYPERLINK")  # formula injection neutralised
    assert rows[0]["Aide de 3e année"] == ""


def test_the_grants_export_in_xlsx_has_real_numbers_and_dates(instructeur, django_capture_on_commit_callbacks):
    grant = open_grant(amount=Decimal("100000.00"), by=instructeur)
    signed(grant, instructeur, on=datetime.date(2026, 3, 2))

    export = build(instructeur, ExportKind.GRANTS, "xlsx", django_capture_on_commit_callbacks)

    with export.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(handle).active
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert sheet.title == "Aides et versements"
    assert first["Montant de la tranche (€)"] == 50000
    assert first["Convention signée le"] == datetime.datetime(2026, 3, 2)
    assert export.file.name.rsplit("/", 1)[-1].startswith("aides-versements-ptce-")


@pytest.mark.parametrize("kind", [ExportKind.DECISIONS, ExportKind.GRANTS])
def test_finance_exports_make_a_constant_number_of_queries(instructeur, kind):
    def queries(count):
        phase = phase2()
        for _ in range(count):
            open_grant(phase=phase, by=instructeur)
        export = Export.objects.create(requested_by=instructeur, format="csv", kind=kind)
        with CaptureQueriesContext(connection) as captured:
            exports.build_export(export, finance_exports.write_file)
        assert Export.objects.get(pk=export.pk).status == ExportStatus.READY
        return len(captured)

    assert queries(1) == queries(3)


@pytest.mark.parametrize("role", ["partenaire", "evaluateur", "porteur"])
def test_only_instructeurs_ask_for_a_finance_export(client, role):
    user = (
        UserFactory(**{role: True}, regions=[RegionFactory()]) if role == "partenaire" else UserFactory(**{role: True})
    )
    client.force_login(user)

    response = client.post(reverse("reviews:export_create"), {"kind": "grants", "format": "csv"})

    assert response.status_code == (403 if role == "partenaire" else 404)
    assert Export.objects.count() == 0


def test_an_instructeur_asks_for_the_decisions_export_from_the_grant_list_and_downloads_it(
    client, instructeur, django_capture_on_commit_callbacks
):
    laureate(by=instructeur)
    client.force_login(instructeur)
    page = client.get(reverse("reviews:grant_list")).content.decode()
    assert 'name="kind" value="decisions"' in page
    assert 'name="kind" value="decisions"' in client.get(reverse("reviews:export_list")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:export_create"), {"kind": "decisions", "format": "csv"})

    export = Export.objects.get()
    assert response.url == reverse("reviews:export_detail", kwargs={"pk": export.pk})
    assert (export.kind, export.status) == (ExportKind.DECISIONS, ExportStatus.READY)
    other = UserFactory(instructeur=True)
    client.force_login(other)
    assert client.get(reverse("reviews:export_download", kwargs={"pk": export.pk})).status_code == 404
    client.force_login(instructeur)
    download = client.get(reverse("reviews:export_download", kwargs={"pk": export.pk}))
    assert b"".join(download.streaming_content).decode("utf-8-sig").startswith("Référence;Nom du pôle")


def test_the_dossiers_export_stays_the_default_kind(client, instructeur, django_capture_on_commit_callbacks):
    client.force_login(instructeur)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviews:export_create"), {"query": "state=laureate", "format": "csv"})

    export = Export.objects.get()
    assert (export.kind, export.query) == (ExportKind.DOSSIERS, "state=laureate")
