import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.enums import DossierState
from applications.models import Dossier, DossierTransition, EligibilityResult, EligibilityRun
from ptce_ami.core.models import OutboundEmail
from reviews.models import DossierScore, Export, ExportStatus
from reviews.services import exports, notifications
from reviews.tasks import build_export
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, MemberFactory
from tests.reviews.factories import AssignmentFactory, RegionalOpinionFactory, make_review

SUBMITTED_AT = datetime.datetime(2026, 3, 1, 11, 30, tzinfo=datetime.UTC)  # 12:30 in Paris


@pytest.fixture
def instructeur(db):
    return UserFactory(instructeur=True)


def make_dossier(name="Pôle Économie Sociale à Lyon", region="84", *, rich=True):
    """A submitted dossier with 3 members and, when ``rich``, a score, an opinion, an eligibility run and reviews."""
    dossier = DossierFactory(complete=True, submitted=True, name=name, jobs_expected=12)
    Dossier.objects.filter(pk=dossier.pk).update(submitted_at=SUBMITTED_AT, region_id=region)
    dossier.refresh_from_db()
    if rich:
        DossierScore.objects.create(
            dossier=dossier, value=Decimal("72.50"), spread=Decimal("5.00"), review_count=2, discordant=False
        )
        RegionalOpinionFactory(dossier=dossier, rank=2)
        run = EligibilityRun.objects.create(dossier=dossier, key=f"run-{dossier.pk}", trigger="submission")
        EligibilityResult.objects.create(run=run, rule_id="2", title="Trois personnes morales", status="pass",
                                         explanation="", legal_basis="")  # fmt: skip
        EligibilityResult.objects.create(run=run, rule_id="6", title="Membres sur le territoire", status="warning",
                                         explanation="", legal_basis="")  # fmt: skip
        make_review(AssignmentFactory(dossier=dossier, confirmed=True))
    return dossier


def build(user, export_format, query="", capture=None):
    with capture(execute=True):
        export = exports.request_export(user, query=query, export_format=export_format)
    export.refresh_from_db()
    return export


def read_csv(export):
    with export.file.open("rb") as handle:
        raw = handle.read()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def as_dict(header, row):
    return dict(zip(header, row, strict=True))


# Contents -------------------------------------------------------------------------------------------------------


def test_csv_has_french_headers_and_the_dossier_values(referential, instructeur, django_capture_on_commit_callbacks):
    dossier = make_dossier()

    export = build(instructeur, "csv", capture=django_capture_on_commit_callbacks)

    assert export.status == ExportStatus.READY
    header, *rows = read_csv(export)
    assert header[:3] == ["Référence", "Lien vers le dossier", "Édition"]
    assert len(rows) == 1
    row = as_dict(header, rows[0])
    lead = dossier.members.get(role="lead")
    assert row["Référence"] == dossier.reference
    assert row["Nom du pôle"] == "Pôle Économie Sociale à Lyon"
    assert row["Lien vers le dossier"] == f"http://127.0.0.1:8000/instruction/dossiers/{dossier.reference}/"
    assert row["Déposé le"] == "01/03/2026 12:30"
    assert row["État"] == "Déposé"
    assert row["Région"] == "Auvergne-Rhône-Alpes"
    assert row["Communes"] == "Lyon ; Villeurbanne"
    assert row["Secteurs et filières"].startswith("Économie circulaire")
    assert row["Emplois créés ou consolidés attendus"] == "12"
    assert row["Adhésion à la charte des PTCE"] == "Oui"
    assert row["Nombre de membres"] == "3"
    assert row["Membres : Entreprise de l'économie sociale et solidaire"] == "1"
    assert row["Membres : Collectivité territoriale ou groupement"] == "1"
    assert row["Structure porteuse"] == (
        f"Association Coop des Rives ({lead.siret}, Entreprise de l'économie sociale et solidaire, Structure porteuse)"
    )
    assert row["Membres (nom, SIRET, catégorie, rôle)"].count(" ; ") == 2
    assert row["Note sur 100"] == "72,50"
    assert row["Évaluations rendues"] == "2"
    assert row["Évaluations discordantes"] == "Non"
    assert row["Avis régional"] == "Favorable"
    assert row["Rang régional"] == "2"
    assert row["Éligibilité : résultats"] == "Respecté : 1 ; À vérifier : 1"
    assert row["Éligibilité : règles à examiner"] == "6. Membres sur le territoire (À vérifier)"
    assert row["Décision"] == ""


def test_xlsx_has_a_bold_frozen_header_real_dates_and_numbers(
    referential, instructeur, django_capture_on_commit_callbacks
):
    dossier = make_dossier()
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.LAUREATE, summary="=1+1 n'est pas une formule")
    DossierTransition.objects.create(
        dossier=dossier, action="select_laureate", from_state="eligible", to_state="laureate",
        by=instructeur, at=SUBMITTED_AT + datetime.timedelta(days=30), comment="Retenu par le comité.",
    )  # fmt: skip

    export = build(instructeur, "xlsx", capture=django_capture_on_commit_callbacks)

    assert export.status == ExportStatus.READY
    assert export.file.name.endswith(".xlsx")
    with export.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(handle).active
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=1, column=1).font.b is True
    row = dict(zip(header, sheet[2], strict=True))
    assert row["Déposé le"].value == datetime.datetime(2026, 3, 1, 12, 30)
    assert row["Note sur 100"].value == 72.5
    assert row["Emplois créés ou consolidés attendus"].value == 12
    assert row["Quartier prioritaire de la ville"].value is False
    assert row["Présentation synthétique"].value == "=1+1 n'est pas une formule"
    assert row["Présentation synthétique"].data_type == "s"
    assert row["Nom du pôle"].value == "Pôle Économie Sociale à Lyon"
    assert row["Décision"].value == "Lauréat"
    assert row["Décision prise le"].value == datetime.datetime(2026, 3, 31, 13, 30)
    assert row["Motivation de la décision"].value == "Retenu par le comité."
    assert row["Évaluations (évaluateur : note, recommandation)"].value.endswith("(Favorable)")


def test_csv_neutralises_formulas(referential, instructeur, django_capture_on_commit_callbacks):
    dossier = make_dossier(rich=False)
    Dossier.objects.filter(pk=dossier.pk).update(summary='=HYPERLINK("http://x")')

    header, row = read_csv(build(instructeur, "csv", capture=django_capture_on_commit_callbacks))

    assert as_dict(header, row)["Présentation synthétique"] == '\'=HYPERLINK("http://x")'


def test_regional_partner_exports_only_their_region_without_reviewers(referential, django_capture_on_commit_callbacks):
    mine = make_dossier("Pôle lyonnais", region="84")
    make_dossier("Pôle normand", region="28")
    partner = UserFactory(partenaire=True, regions=[RegionFactory(code="84")])
    instructeur = UserFactory(instructeur=True)

    header, *rows = read_csv(build(partner, "csv", capture=django_capture_on_commit_callbacks))
    _header, *all_rows = read_csv(build(instructeur, "csv", capture=django_capture_on_commit_callbacks))

    assert [row[0] for row in rows] == [mine.reference]
    assert "Évaluations (évaluateur : note, recommandation)" not in header
    assert len(all_rows) == 2


# Queries and progress -------------------------------------------------------------------------------------------


def count_build_queries(user, export_format):
    export = Export.objects.create(requested_by=user, format=export_format)
    with CaptureQueriesContext(connection) as queries:
        exports.build_export(export)
    assert export.status == ExportStatus.READY
    return len(queries)


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_queries_do_not_grow_with_the_number_of_dossiers(referential, instructeur, export_format):
    make_dossier("Premier pôle")
    one = count_build_queries(instructeur, export_format)
    make_dossier("Deuxième pôle")
    third = make_dossier("Troisième pôle")
    MemberFactory(dossier=third)
    AssignmentFactory(dossier=third, confirmed=True)

    three = count_build_queries(instructeur, export_format)

    assert Export.objects.latest("pk").total == 3
    assert three == one


def decide(dossier, by, comment):
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.LAUREATE)
    DossierTransition.objects.create(
        dossier=dossier, action="select_laureate", from_state="eligible", to_state="laureate", by=by,
        at=SUBMITTED_AT + datetime.timedelta(days=30), comment=comment,
    )  # fmt: skip


def test_a_decided_dossier_among_many_costs_no_query_more(referential, instructeur):
    decide(make_dossier("Premier pôle"), instructeur, "Retenu.")
    one = count_build_queries(instructeur, "xlsx")
    decide(make_dossier("Deuxième pôle"), instructeur, "Retenu aussi.")
    make_dossier("Troisième pôle", region="28", rich=False)

    three = count_build_queries(instructeur, "xlsx")

    assert three == one


def test_the_xlsx_reads_back_with_the_header_and_one_row_per_dossier(
    referential, instructeur, django_capture_on_commit_callbacks
):
    first = make_dossier("Premier pôle")
    decide(first, instructeur, "Retenu par le comité.")
    second = make_dossier("Deuxième pôle", region="28", rich=False)
    MemberFactory(dossier=second, name="Laboratoire", siret="", category="research")
    Dossier.objects.filter(pk=second.pk).update(submitted_at=SUBMITTED_AT + datetime.timedelta(days=1))

    export = build(instructeur, "xlsx", capture=django_capture_on_commit_callbacks)

    with export.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(handle, read_only=True).active
        header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header == [str(column.header) for column in exports.columns_for(instructeur)]
    assert len(header) == 63
    assert [row[0] for row in rows] == [second.reference, first.reference]  # the list's order: latest first
    newest, oldest = (as_dict(header, row) for row in rows)
    assert newest["Nom du pôle"] == "Deuxième pôle"
    assert newest["Région"] == "Normandie"
    assert newest["Nombre de membres"] == 4
    assert newest["Membres : Centre de recherche"] == 1
    assert newest["Membres (nom, SIRET, catégorie, rôle)"].endswith(" ; Laboratoire (—, Centre de recherche, Membre)")
    assert newest["Note sur 100"] is None
    assert newest["Avis régional"] is None
    assert newest["Éligibilité : résultats"] is None  # no run: an empty cell
    assert newest["Décision"] is None
    assert oldest["Nom du pôle"] == "Premier pôle"
    assert oldest["Déposé le"] == datetime.datetime(2026, 3, 1, 12, 30)
    assert oldest["Note sur 100"] == 72.5
    assert oldest["Rang régional"] == 2
    assert oldest["Éligibilité : règles à examiner"] == "6. Membres sur le territoire (À vérifier)"
    assert oldest["Décision"] == "Lauréat"
    assert oldest["Décision prise le"] == datetime.datetime(2026, 3, 31, 13, 30)
    assert oldest["Motivation de la décision"] == "Retenu par le comité."
    assert oldest["Évaluations (évaluateur : note, recommandation)"].endswith("(Favorable)")


def test_progress_is_written_after_each_chunk(referential, instructeur, monkeypatch):
    for number in range(3):
        make_dossier(f"Pôle {number}", rich=False)
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    export = Export.objects.create(requested_by=instructeur, format="xlsx")
    seen = []
    real_iter_chunks = exports.iter_chunks

    def spying_iter_chunks(pks, chunk_size=None):
        for chunk in real_iter_chunks(pks, chunk_size):
            row = Export.objects.get(pk=export.pk)
            seen.append((row.status, row.done, row.total))
            yield chunk

    monkeypatch.setattr(exports, "iter_chunks", spying_iter_chunks)

    exports.build_export(export)

    assert seen == [("running", 0, 3), ("running", 2, 3)]
    export.refresh_from_db()
    assert (export.status, export.done, export.total, export.progress) == ("ready", 3, 3, 100)
    assert export.finished_at is not None


def test_a_failing_writer_marks_the_export_failed(referential, instructeur, monkeypatch, client):
    make_dossier(rich=False)

    def broken(self, values):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(exports.XlsxWriter, "writerow", broken)
    export = Export.objects.create(requested_by=instructeur, format="xlsx")

    exports.build_export(export)

    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.error == "RuntimeError: disque plein"
    assert not export.file
    assert export.finished_at is not None
    client.force_login(instructeur)
    page = client.get(reverse("reviews:export_detail", kwargs={"pk": export.pk}))
    assert page.status_code == 200
    assert "pas pu être produit" in page.content.decode()
    assert client.get(reverse("reviews:export_download", kwargs={"pk": export.pk})).status_code == 404


def test_the_task_builds_a_pending_export_once(referential, instructeur):

    make_dossier(rich=False)
    export = Export.objects.create(requested_by=instructeur, format="csv")

    assert build_export.run(export_id=export.pk) == "ready"
    export.refresh_from_db()
    name = export.file.name
    assert build_export.run(export_id=export.pk) == "ready"
    export.refresh_from_db()
    assert export.file.name == name
    assert build_export.run(export_id=0) is None


# Views and permissions ------------------------------------------------------------------------------------------


def test_instructeur_asks_follows_and_downloads_an_export(
    referential, instructeur, client, django_capture_on_commit_callbacks
):
    dossier = make_dossier(rich=False)
    client.force_login(instructeur)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:export_create"), {"query": "?etat=submitted", "format": "csv"})

    export = Export.objects.get()
    assert response.url == reverse("reviews:export_detail", kwargs={"pk": export.pk})
    assert (export.requested_by, export.query, export.status, export.total) == (
        instructeur,
        "etat=submitted",
        "ready",
        1,
    )
    status = client.get(reverse("reviews:export_status", kwargs={"pk": export.pk})).json()
    download_url = reverse("reviews:export_download", kwargs={"pk": export.pk})
    assert status == {
        "status": "ready", "label": "Prêt", "done": 1, "total": 1, "progress": 100, "finished": True,
        "count": "1 dossier écrit sur 1", "download_url": download_url,
    }  # fmt: skip
    detail = client.get(response.url).content.decode()
    assert download_url in detail
    assert 'value="100"' in detail
    download = client.get(download_url)
    assert download["Content-Disposition"].startswith('attachment; filename="dossiers-ptce-')
    assert download["Cache-Control"] == "private, no-store"  # personal data: never kept by a shared cache
    content = b"".join(download.streaming_content).decode("utf-8-sig")  # read to the end: closes the file
    assert dossier.reference in content
    listing = client.get(reverse("reviews:export_list")).content.decode()
    assert response.url in listing


def test_a_running_export_page_polls_its_status(referential, instructeur, client):
    export = Export.objects.create(requested_by=instructeur, format="xlsx", status="running", total=10, done=4)
    client.force_login(instructeur)

    page = client.get(reverse("reviews:export_detail", kwargs={"pk": export.pk})).content.decode()
    script_url = static("js/export-progress.js")
    script = b"".join(client.get(script_url).streaming_content)

    assert 'value="40"' in page
    assert "4 dossiers écrits sur 10" in page
    assert script_url in page
    assert b"data-export-status-url" in script


def test_a_bad_format_is_refused_without_an_export(instructeur, client):
    client.force_login(instructeur)

    response = client.post(reverse("reviews:export_create"), {"query": "", "format": "pdf"})

    assert response.url == reverse("reviews:export_list")
    assert not Export.objects.exists()


@pytest.mark.parametrize("role", ["porteur", "evaluateur"])
def test_other_roles_cannot_export(db, client, role):
    user = UserFactory(**{role: True})
    export = Export.objects.create(requested_by=user, format="csv", status="ready")
    client.force_login(user)

    assert client.get(reverse("reviews:export_list")).status_code == 404
    assert client.post(reverse("reviews:export_create"), {"format": "csv"}).status_code == 404
    for name in ("export_detail", "export_status", "export_download"):
        assert client.get(reverse(f"reviews:{name}", kwargs={"pk": export.pk})).status_code == 404
    assert Export.objects.count() == 1


def test_anonymous_is_sent_to_the_login_page(db, client):
    response = client.get(reverse("reviews:export_list"))

    assert response.status_code == 302
    assert "connexion" in response.url or "login" in response.url


@pytest.mark.parametrize("other_role", ["instructeur", "partenaire"])
def test_only_who_asked_may_see_or_download_an_export(
    referential, instructeur, client, django_capture_on_commit_callbacks, other_role
):
    make_dossier(rich=False)
    export = build(instructeur, "csv", capture=django_capture_on_commit_callbacks)
    other = UserFactory(**{other_role: True}, regions=[RegionFactory(code="84")])

    client.force_login(other)
    for name in ("export_detail", "export_status", "export_download"):
        assert client.get(reverse(f"reviews:{name}", kwargs={"pk": export.pk})).status_code == 404
    detail_url = reverse("reviews:export_detail", kwargs={"pk": export.pk})
    assert detail_url not in client.get(reverse("reviews:export_list")).content.decode()
    client.force_login(instructeur)
    download = client.get(reverse("reviews:export_download", kwargs={"pk": export.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\xef\xbb\xbf")  # read to the end: closes the file


def test_partner_can_ask_for_an_export(referential, client, django_capture_on_commit_callbacks):
    make_dossier("Pôle lyonnais", region="84")
    make_dossier("Pôle normand", region="28")
    partner = UserFactory(partenaire=True, regions=[RegionFactory(code="84")])
    client.force_login(partner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviews:export_create"), {"query": "", "format": "xlsx"})

    export = Export.objects.get()
    assert (export.requested_by, export.status, export.total) == (partner, "ready", 1)


def test_a_large_export_is_announced_by_email_once(referential, instructeur, monkeypatch):

    make_dossier(rich=False)
    small = Export.objects.create(requested_by=instructeur, format="csv")
    exports.build_export(small)
    assert not OutboundEmail.objects.exists()
    monkeypatch.setattr(exports, "EMAIL_FROM", 1)
    export = Export.objects.create(requested_by=instructeur, format="xlsx")

    exports.build_export(export)
    notifications.notify_export_ready(export)

    email = OutboundEmail.objects.get()
    assert (email.template, email.recipient) == ("reviews/email/export_ready", instructeur.email)
    assert email.subject == "AMI PTCE — votre export d'un dossier est prêt"
    assert f"http://127.0.0.1:8000/instruction/exports/{export.pk}/" in email.body_text
