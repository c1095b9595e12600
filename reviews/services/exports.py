"""Exports of the instruction list's selection to CSV and XLSX: the columns, the writers and the build.

One row per dossier, French headers, every field of the dossier with its members, scores, regional opinion,
eligibility and decision. Dossiers are read in chunks of ``CHUNK_SIZE`` with their relations prefetched, so
that the number of queries depends on the number of chunks, never on the number of dossiers or members.

``build_export(export)`` is the service the task calls: it never raises; a failure is recorded on the export.
"""

import contextlib
import csv
import datetime
import functools
import io
import logging
import tempfile
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from django.core.files import File
from django.db import transaction
from django.db.models import OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from applications.enums import (
    BouquetNeed,
    DossierState,
    MemberCategory,
    MemberRole,
    PhaseKind,
    RuleStatus,
    Stage,
    TerritoryType,
)
from applications.models import Dossier, DossierTransition, EligibilityRun, MemberStructure
from ptce_ami.accounts import permissions
from ptce_ami.core import audit
from ptce_ami.core.emails import absolute_url
from ptce_ami.core.queue import enqueue
from ptce_ami.core.spreadsheets import formula_safe
from reviews.models import Export, ExportFormat, ExportKind, ExportStatus, Opinion, Recommendation, Review
from reviews.services import notifications
from reviews.services.selection import filtered_dossiers

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
# From this many dossiers an export takes a while: who asked for it is told by e-mail when it is ready.
EMAIL_FROM = 500
PARIS = ZoneInfo("Europe/Paris")
LIST_SEPARATOR = " ; "
DECISION_ACTIONS = ("select_laureate", "not_retain")


@dataclass(frozen=True)
class Column:
    header: Any
    value: Any  # dossier -> str | int | Decimal | bool | date | datetime | None
    width: int = 20
    staff_only: bool = False


# Values ---------------------------------------------------------------------------------------------------------


@functools.cache
def choice_labels(choices, language):
    return {value: str(text) for value, text in choices.choices}


def label(choices, value):
    """The label of a choice, translated once per export rather than once per cell (get_FOO_display is slow)."""
    if not value:
        return ""
    return choice_labels(choices, translation.get_language()).get(value, value)


def related_or_none(dossier, name):
    """A reverse one-to-one (score, regional opinion) loaded by select_related, or None when missing."""
    try:
        return getattr(dossier, name)
    except ObjectDoesNotExist:
        return None


def names(objects):
    return LIST_SEPARATOR.join(str(obj.name) for obj in objects)


def member_line(member):
    details = [member.siret or "—", label(MemberCategory, member.category), label(MemberRole, member.role)]
    return f"{member.name} ({', '.join(details)})"


def members_list(dossier):
    return LIST_SEPARATOR.join(member_line(member) for member in dossier.export_members)


def lead_member(dossier):
    lead = next((member for member in dossier.export_members if member.is_lead), None)
    return member_line(lead) if lead else ""


def category_count(category):
    return lambda dossier: sum(1 for member in dossier.export_members if member.category == category)


def needs(dossier):
    return LIST_SEPARATOR.join(label(BouquetNeed, code) for code in dossier.bouquet_needs or ())


def score_field(name):
    def value(dossier):
        score = related_or_none(dossier, "score")
        return getattr(score, name) if score is not None else None

    return value


def opinion_field(name):
    def value(dossier):
        opinion = related_or_none(dossier, "regional_opinion")
        if opinion is None:
            return None
        return label(Opinion, opinion.opinion) if name == "opinion" else getattr(opinion, name)

    return value


def exported_run(dossier):
    """The latest run, as prefetched by export_queryset (EligibilityRun.objects.latest_pk)."""
    runs = dossier.latest_eligibility_runs
    return runs[0] if runs else None


def eligibility_summary(dossier):
    run = exported_run(dossier)
    if run is None:
        return ""
    counts = Counter(result.effective_status for result in run.export_results)
    return LIST_SEPARATOR.join(
        f"{label(RuleStatus, status)} : {counts[status]}" for status in RuleStatus if counts[status]
    )


def eligibility_failures(dossier):
    run = exported_run(dossier)
    if run is None:
        return ""
    failed = [result for result in run.export_results if result.effective_status != RuleStatus.PASS]
    return LIST_SEPARATOR.join(
        f"{result.rule_id}. {result.wording['title']} ({label(RuleStatus, result.effective_status)})"
        for result in failed
    )


def decision(dossier):
    return label(DossierState, dossier.state) if dossier.state in DossierState.decided() else ""


def decision_field(name):
    def value(dossier):
        if dossier.state not in DossierState.decided() or not dossier.decision_transitions:
            return None
        return getattr(dossier.decision_transitions[-1], name)

    return value


def reviews_detail(dossier):
    lines = []
    for review in dossier.counted_reviews:
        reviewer = review.assignment.reviewer.display_name
        total = format_number(review.total) if review.total is not None else "—"
        lines.append(f"{reviewer} : {total} ({label(Recommendation, review.recommendation) or '—'})")
    return LIST_SEPARATOR.join(lines)


def dossier_url(dossier):
    """The staff page of the dossier, as an absolute URL."""
    return absolute_url(reverse("reviews:dossier", kwargs={"reference": dossier.reference}))


def choice_label(name, choices):
    return lambda dossier: label(choices, getattr(dossier, name))


def field(name):
    return lambda dossier: getattr(dossier, name)


def columns_for(user):
    """The columns of ``user``'s exports: reviewers' names and individual scores only for the national cell."""
    staff = permissions.has_perm(user, "reviews.export_reviewers")
    return [column for column in COLUMNS if staff or not column.staff_only]


COLUMNS = [
    Column(_("Référence"), field("reference"), 20),
    Column(_("Lien vers le dossier"), dossier_url, 50),
    Column(_("Édition"), lambda d: d.phase.edition.name, 18),
    Column(_("Phase"), lambda d: label(PhaseKind, d.phase.kind), 24),
    Column(_("Vague"), lambda d: d.phase.wave, 8),
    Column(_("État"), lambda d: label(DossierState, d.state), 16),
    Column(_("Déposé le"), field("submitted_at"), 18),
    Column(_("Nom du pôle"), field("name"), 36),
    Column(_("Présentation synthétique"), field("summary"), 50),
    Column(_("Date de début de la coopération"), field("started_on"), 14),
    Column(_("Site internet"), field("website"), 30),
    Column(_("Stade de développement"), choice_label("stage", Stage), 16),
    Column(_("Secteurs et filières"), lambda d: LIST_SEPARATOR.join(s.label for s in d.export_sectors), 30),
    Column(_("Dossier de phase 1 poursuivi"), lambda d: d.continues.reference if d.continues_id else "", 20),
    Column(_("Région"), lambda d: d.region.name if d.region_id else "", 24),
    Column(_("Départements"), lambda d: names(d.export_departements), 30),
    Column(_("EPCI"), lambda d: names(d.export_epcis), 40),
    Column(_("Communes"), lambda d: names(d.export_communes), 40),
    Column(_("Type de territoire"), choice_label("territory_type", TerritoryType), 14),
    Column(_("Quartier prioritaire de la ville"), field("includes_qpv"), 10),
    Column(_("Le territoire et ses besoins"), field("territory_description"), 50),
    Column(_("Stratégie commune"), field("shared_strategy"), 50),
    Column(_("Gouvernance"), field("governance"), 50),
    Column(_("Lien avec les collectivités"), field("collectivites_link"), 50),
    Column(_("Innovation et R&D"), field("innovation"), 50),
    Column(_("Modèle économique"), field("economic_model"), 50),
    Column(_("Impact attendu"), field("expected_impact"), 50),
    Column(_("Emplois créés ou consolidés attendus"), field("jobs_expected"), 12),
    Column(_("ETP consacrés à l'animation"), field("animation_fte"), 12),
    Column(_("Besoins dans le bouquet de services"), needs, 50),
    Column(_("Précisions sur les besoins"), field("needs_comment"), 40),
    Column(_("Adhésion à la charte des PTCE"), field("charter_adherence"), 10),
    Column(_("Certification sur l'honneur"), field("certify_accurate"), 10),
    Column(_("Accord pour la publication"), field("consent_publication"), 10),
    Column(_("Représentant légal"), field("representative_name"), 24),
    Column(_("Qualité du représentant légal"), field("representative_title"), 20),
    Column(_("Personne à contacter"), field("contact_name"), 24),
    Column(_("Adresse électronique du contact"), field("contact_email"), 30),
    Column(_("Téléphone du contact"), field("contact_phone"), 16),
    Column(_("Nombre de membres"), lambda d: len(d.export_members), 10),
    *(
        Column(format_lazy(_("Membres : {category}"), category=label), category_count(code), 12)
        for code, label in MemberCategory.choices
    ),
    Column(_("Structure porteuse"), lead_member, 40),
    Column(_("Membres (nom, SIRET, catégorie, rôle)"), members_list, 80),
    Column(_("Note sur 100"), score_field("value"), 10),
    Column(_("Écart entre évaluations"), score_field("spread"), 10),
    Column(_("Évaluations rendues"), score_field("review_count"), 10),
    Column(_("Évaluations discordantes"), score_field("discordant"), 10),
    Column(_("Évaluations (évaluateur : note, recommandation)"), reviews_detail, 60, staff_only=True),
    Column(_("Avis régional"), opinion_field("opinion"), 14),
    Column(_("Motivation de l'avis régional"), opinion_field("text"), 50),
    Column(_("Rang régional"), opinion_field("rank"), 8),
    Column(_("Éligibilité : vérifiée le"), lambda d: exported_run(d) and exported_run(d).created_at, 18),
    Column(_("Éligibilité : résultats"), eligibility_summary, 30),
    Column(_("Éligibilité : règles à examiner"), eligibility_failures, 60),
    Column(_("Décision"), decision, 14),
    Column(_("Décision prise le"), decision_field("at"), 18),
    Column(_("Motivation de la décision"), decision_field("comment"), 40),
]


# Reading the dossiers -------------------------------------------------------------------------------------------


def export_queryset():
    """Dossiers with everything the columns read, in a fixed number of queries per chunk."""
    return Dossier.objects.select_related(
        "phase__edition", "region", "continues", "score", "regional_opinion"
    ).prefetch_related(
        *(Prefetch(name, to_attr=f"export_{name}") for name in ("sectors", "departements", "epcis", "communes")),
        Prefetch("members", queryset=MemberStructure.objects.order_by("position", "pk"), to_attr="export_members"),
        Prefetch(
            "eligibility_runs",
            queryset=EligibilityRun.objects.filter(
                pk=EligibilityRun.objects.latest_pk(OuterRef("dossier"))
            ).prefetch_related(Prefetch("results", to_attr="export_results")),
            to_attr="latest_eligibility_runs",
        ),
        Prefetch(
            "transitions",
            queryset=DossierTransition.objects.filter(action__in=DECISION_ACTIONS).order_by("at", "pk"),
            to_attr="decision_transitions",
        ),
        Prefetch(
            "reviews",
            queryset=Review.objects.counted().select_related("assignment__reviewer").order_by("submitted_at", "pk"),
            to_attr="counted_reviews",
        ),
    )


def iter_chunks(pks, chunk_size=None):
    """The dossiers of ``pks``, in that order, ``chunk_size`` at a time with their relations prefetched."""
    chunk_size = chunk_size or CHUNK_SIZE
    for start in range(0, len(pks), chunk_size):
        chunk = pks[start : start + chunk_size]
        loaded = {dossier.pk: dossier for dossier in export_queryset().filter(pk__in=chunk)}
        yield [loaded[pk] for pk in chunk if pk in loaded]


def selection_pks(user, query):
    return list(filtered_dossiers(user, query).values_list("pk", flat=True))


# Writers --------------------------------------------------------------------------------------------------------


def format_number(value):
    return format(value, "f").replace(".", ",") if isinstance(value, Decimal) else str(value)


def paris(value):
    return timezone.localtime(value, PARIS).replace(tzinfo=None)


def clean_text(value):
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


class CsvWriter:
    """UTF-8 with a BOM, ``;`` between fields, decimal commas and dd/mm/yyyy dates: what French spreadsheets read."""

    def __init__(self, handle, columns, title=None):
        self.stream = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", write_through=True)
        self.writer = csv.writer(self.stream, delimiter=";", quoting=csv.QUOTE_MINIMAL)
        self.writer.writerow([str(column.header) for column in columns])

    def writerow(self, values):
        self.writer.writerow([self.cell(value) for value in values])

    def close(self):
        self.stream.flush()
        self.stream.detach()

    def abort(self):
        self.close()

    @staticmethod
    def cell(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "Oui" if value else "Non"
        if isinstance(value, datetime.datetime):
            return paris(value).strftime("%d/%m/%Y %H:%M")
        if isinstance(value, datetime.date):
            return value.strftime("%d/%m/%Y")
        if isinstance(value, int | Decimal):
            return format_number(value)
        return formula_safe(value)


class XlsxWriter:
    """openpyxl in write-only mode: bold frozen header, real dates and numbers, text never read as a formula."""

    def __init__(self, handle, columns, title=None):
        self.handle = handle
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(str(title or _("Dossiers")))
        self.sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[self.letter(index)].width = column.width
        bold = Font(bold=True)
        header = []
        for column in columns:
            cell = WriteOnlyCell(self.sheet, value=clean_text(column.header))
            cell.font, cell.alignment = bold, Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        self.sheet.append(header)

    def writerow(self, values):
        self.sheet.append([self.cell(value) for value in values])

    def close(self):
        self.workbook.save(self.handle)

    def abort(self):
        """Finish the sheet's row writer, so that nothing is left open when a row fails."""
        with contextlib.suppress(Exception):
            self.sheet.close()

    def cell(self, value):
        if value is None or isinstance(value, bool | int | Decimal):
            return value
        if isinstance(value, datetime.datetime):
            cell = WriteOnlyCell(self.sheet, value=paris(value))
            cell.number_format = "DD/MM/YYYY HH:MM"
            return cell
        if isinstance(value, datetime.date):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = "DD/MM/YYYY"
            return cell
        text = clean_text(value)
        if text.startswith("="):
            cell = WriteOnlyCell(self.sheet, value=text)
            cell.data_type = "s"
            return cell
        return text

    @staticmethod
    def letter(index):
        return get_column_letter(index)


WRITERS = {ExportFormat.CSV: CsvWriter, ExportFormat.XLSX: XlsxWriter}


def write(handle, export_format, columns, chunks, on_chunk=None, title=None):
    """Write the header and one row per object (a dossier) of ``chunks`` to the binary ``handle``; returns the row
    count. ``title``: the XLSX sheet's name."""
    writer = WRITERS[export_format](handle, columns, title=title)
    done = 0
    try:
        for dossiers in chunks:
            for dossier in dossiers:
                writer.writerow([column.value(dossier) for column in columns])
            done += len(dossiers)
            if on_chunk is not None:
                on_chunk(done)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return done


# The build ------------------------------------------------------------------------------------------------------


def file_name(export):
    stamp = timezone.localtime(export.created_at, PARIS).strftime("%Y-%m-%d-%Hh%M")
    return f"dossiers-ptce-{stamp}.{export.format}"


def request_export(user, *, query, export_format, kind=ExportKind.DOSSIERS):
    """Record an export of ``user``'s selection (the list's ``query`` string; the finance exports take none) and
    queue its build after commit.

    Without a broker the build runs inline once the transaction commits (the demo, the tests).
    """
    query = query if kind == ExportKind.DOSSIERS else ""
    with transaction.atomic():
        export = Export.objects.create(requested_by=user, query=query, format=export_format, kind=kind)
        audit.record(audit.AuditAction.EXPORT, actor=user, obj=export, details={"kind": kind, "query": query})
        enqueue("reviews.build_export", export_id=export.pk)
    export.refresh_from_db()
    return export


def build_export(export, write_file=None):
    """Write the file of ``export`` (with ``write_file(export)``, by default the dossiers') and mark it ready; on any
    error mark it failed with the error, never raise.

    Progress (``total``, then ``done`` after each chunk) is written as it goes, for the progress page.
    A ready export is left as it is (a task delivered twice builds once).
    """
    if export.status == ExportStatus.READY:
        return export
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, done=0, error="")
    try:
        with translation.override("fr"):
            (write_file or write_dossiers_file)(export)
    except Exception as error:  # noqa: BLE001 -- recorded on the export; the user sees a message, never a 500
        logger.exception("export %s failed", export.pk)
        export.status, export.error = ExportStatus.FAILED, f"{type(error).__name__}: {error}"
    else:
        export.status, export.error = ExportStatus.READY, ""
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "error", "file", "finished_at", "total", "done"])
    if export.status == ExportStatus.READY and export.total >= EMAIL_FROM:
        notifications.notify_export_ready(export)
    return export


def write_dossiers_file(export):
    pks = selection_pks(export.requested_by, export.query)
    export.total, export.done = len(pks), 0
    Export.objects.filter(pk=export.pk).update(total=export.total)

    def progress(done):
        export.done = done
        Export.objects.filter(pk=export.pk).update(done=done)

    with tempfile.TemporaryFile() as handle:
        write(handle, export.format, columns_for(export.requested_by), iter_chunks(pks), on_chunk=progress)
        handle.seek(0)
        export.file.save(file_name(export), File(handle), save=False)
