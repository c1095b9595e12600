"""Exports of the instruction list's selection to CSV and XLSX: the columns, the writers and the build.

One row per dossier, French headers, every field of the dossier with its members, scores, regional opinion,
eligibility and decision. Dossiers are read in chunks of ``CHUNK_SIZE`` as plain values (no model instance: one
values() query for the dossiers, one per many-valued relation), so that the number of queries depends on the number
of chunks, never on the number of dossiers or members, and only one chunk is in memory at a time. XLSX files are
written by XlsxWriter in constant-memory mode, CSV files row by row (issue 15: 20,000 dossiers in under 20 s).

``build_export(export)`` is the service the task calls: it never raises; a failure is recorded on the export.
"""

import contextlib
import csv
import datetime
import functools
import io
import logging
import operator
import tempfile
from collections import Counter, defaultdict, namedtuple
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import xlsxwriter
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
from applications.models import Dossier, DossierTransition, EligibilityResult, EligibilityRun, MemberStructure
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
    value: Any  # row -> str | int | Decimal | bool | date | datetime | None (a dossier's row: see read_rows)
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


def names(values):
    return LIST_SEPARATOR.join(str(value) for value in values)


def member_line(name, siret, category, role, labels):
    """ "Name (SIRET, category, role)", with the choices' ``labels`` of the current language."""
    details = [siret or "—", labels[MemberCategory].get(category, category), labels[MemberRole].get(role, role)]
    return f"{name} ({', '.join(details)})"


def members_list(row):
    return LIST_SEPARATOR.join(member.line for member in row["members"])


def lead_member(row):
    return next((member.line for member in row["members"] if member.role == MemberRole.LEAD), "")


def category_count(category):
    return lambda row: sum(1 for member in row["members"] if member.category == category)


def needs(row):
    return LIST_SEPARATOR.join(label(BouquetNeed, code) for code in row["bouquet_needs"] or ())


def opinion(row):
    return label(Opinion, row["regional_opinion__opinion"]) if row["regional_opinion__pk"] is not None else None


def eligibility_summary(row):
    run = row["run"]
    if run is None:
        return ""
    counts = Counter(result.status for result in run.results)
    return LIST_SEPARATOR.join(
        f"{label(RuleStatus, status)} : {counts[status]}" for status in RuleStatus if counts[status]
    )


def eligibility_failures(row):
    run = row["run"]
    if run is None:
        return ""
    return LIST_SEPARATOR.join(
        f"{result.rule_id}. {result.title} ({label(RuleStatus, result.status)})"
        for result in run.results
        if result.status != RuleStatus.PASS
    )


def is_decided(row):
    return row["state"] in DossierState.decided()


def decision(row):
    return label(DossierState, row["state"]) if is_decided(row) else ""


def decision_field(name):
    def value(row):
        last = row["decision"]
        return getattr(last, name) if last is not None and is_decided(row) else None

    return value


def reviews_detail(row):
    return LIST_SEPARATOR.join(
        f"{review.reviewer} : {format_number(review.total) if review.total is not None else '—'} "
        f"({label(Recommendation, review.recommendation) or '—'})"
        for review in row["reviews"]
    )


REFERENCE_MARK = "REFERENCE-MARK"


def dossier_urls():
    """reference -> the absolute URL of the dossier's staff page: what reverse() gives, for one reverse() per chunk
    rather than one per row (reverse() quotes the path with these safe characters)."""
    before, after = absolute_url(reverse("reviews:dossier", kwargs={"reference": REFERENCE_MARK})).rsplit(
        REFERENCE_MARK, 1
    )
    return lambda reference: f"{before}{quote(reference, safe=RFC3986_SUBDELIMS + '/~:@')}{after}"


def choice_label(name, choices):
    return lambda row: label(choices, row[name])


def field(name):
    return operator.itemgetter(name)


def text_or_empty(name):
    return lambda row: "" if row[name] is None else row[name]


def columns_for(user):
    """The columns of ``user``'s exports: reviewers' names and individual scores only for the national cell."""
    staff = permissions.has_perm(user, "reviews.export_reviewers")
    return [column for column in COLUMNS if staff or not column.staff_only]


COLUMNS = [
    Column(_("Référence"), field("reference"), 20),
    Column(_("Lien vers le dossier"), field("url"), 50),
    Column(_("Édition"), field("phase__edition__name"), 18),
    Column(_("Phase"), choice_label("phase__kind", PhaseKind), 24),
    Column(_("Vague"), field("phase__wave"), 8),
    Column(_("État"), choice_label("state", DossierState), 16),
    Column(_("Déposé le"), field("submitted_at"), 18),
    Column(_("Nom du pôle"), field("name"), 36),
    Column(_("Présentation synthétique"), field("summary"), 50),
    Column(_("Date de début de la coopération"), field("started_on"), 14),
    Column(_("Site internet"), field("website"), 30),
    Column(_("Stade de développement"), choice_label("stage", Stage), 16),
    Column(_("Secteurs et filières"), lambda row: names(row["sectors"]), 30),
    Column(_("Dossier de phase 1 poursuivi"), text_or_empty("continues__reference"), 20),
    Column(_("Région"), text_or_empty("region__name"), 24),
    Column(_("Départements"), lambda row: names(row["departements"]), 30),
    Column(_("EPCI"), lambda row: names(row["epcis"]), 40),
    Column(_("Communes"), lambda row: names(row["communes"]), 40),
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
    Column(_("Nombre de membres"), lambda row: len(row["members"]), 10),
    *(
        Column(format_lazy(_("Membres : {category}"), category=label), category_count(code), 12)
        for code, label in MemberCategory.choices
    ),
    Column(_("Structure porteuse"), lead_member, 40),
    Column(_("Membres (nom, SIRET, catégorie, rôle)"), members_list, 80),
    Column(_("Note sur 100"), field("score__value"), 10),
    Column(_("Écart entre évaluations"), field("score__spread"), 10),
    Column(_("Évaluations rendues"), field("score__review_count"), 10),
    Column(_("Évaluations discordantes"), field("score__discordant"), 10),
    Column(_("Évaluations (évaluateur : note, recommandation)"), reviews_detail, 60, staff_only=True),
    Column(_("Avis régional"), opinion, 14),
    Column(_("Motivation de l'avis régional"), field("regional_opinion__text"), 50),
    Column(_("Rang régional"), field("regional_opinion__rank"), 8),
    Column(_("Éligibilité : vérifiée le"), lambda row: row["run"] and row["run"].created_at, 18),
    Column(_("Éligibilité : résultats"), eligibility_summary, 30),
    Column(_("Éligibilité : règles à examiner"), eligibility_failures, 60),
    Column(_("Décision"), decision, 14),
    Column(_("Décision prise le"), decision_field("at"), 18),
    Column(_("Motivation de la décision"), decision_field("comment"), 40),
]


# Reading the dossiers -------------------------------------------------------------------------------------------
#
# No model instance: each chunk of dossiers is one values() query for the dossier's own columns and its one-to-one
# and foreign-key relations, then one values_list() query per many-valued relation for the whole chunk, grouped by
# dossier in a dict. The rows are plain dicts (read_rows); the many-valued parts are lists of named tuples.

# What values() reads of each dossier: its own columns and its foreign-key and one-to-one relations (a LEFT JOIN:
# None when the score or the regional opinion is missing).
DOSSIER_VALUES = (
    "pk",
    "reference",
    "phase__edition__name",
    "phase__kind",
    "phase__wave",
    "state",
    "submitted_at",
    "name",
    "summary",
    "started_on",
    "website",
    "stage",
    "continues__reference",
    "region__name",
    "territory_type",
    "includes_qpv",
    "territory_description",
    "shared_strategy",
    "governance",
    "collectivites_link",
    "innovation",
    "economic_model",
    "expected_impact",
    "jobs_expected",
    "animation_fte",
    "bouquet_needs",
    "needs_comment",
    "charter_adherence",
    "certify_accurate",
    "consent_publication",
    "representative_name",
    "representative_title",
    "contact_name",
    "contact_email",
    "contact_phone",
    "score__value",
    "score__spread",
    "score__review_count",
    "score__discordant",
    "regional_opinion__pk",
    "regional_opinion__opinion",
    "regional_opinion__text",
    "regional_opinion__rank",
)

Member = namedtuple("Member", "category role line")
Run = namedtuple("Run", "created_at results")
Result = namedtuple("Result", "rule_id title status")  # status: the effective one (an agent's override first)
DecisionLine = namedtuple("DecisionLine", "at comment")
ReviewLine = namedtuple("ReviewLine", "reviewer total recommendation")

# Territories and sectors: (the many-to-many field of Dossier, the value read through it, its order): the target's
# own order, as a prefetch of the relation gave them (Sector: position, label; Departement: code; EPCI, Commune: name).
NAMED_RELATIONS = {
    "sectors": ("sectors", "sector__label", ("sector__position", "sector__label")),
    "departements": ("departements", "departement__name", ("departement__code",)),
    "epcis": ("epcis", "epci__name", ("epci__name",)),
    "communes": ("communes", "commune__name", ("commune__name",)),
}


def grouped(pairs):
    """{dossier pk: [value, …]} from (dossier pk, value) pairs, the values in the pairs' order."""
    groups = defaultdict(list)
    for pk, value in pairs:
        groups[pk].append(value)
    return groups


def named_relation(name, pks):
    accessor, value, order = NAMED_RELATIONS[name]
    through = getattr(Dossier, accessor).through
    return grouped(through.objects.filter(dossier_id__in=pks).order_by(*order).values_list("dossier_id", value))


def members_of(pks):
    rows = MemberStructure.objects.filter(dossier_id__in=pks).order_by("position", "pk")
    labels = {choices: choice_labels(choices, translation.get_language()) for choices in (MemberCategory, MemberRole)}
    return grouped(
        (pk, Member(category, role, member_line(name, siret, category, role, labels)))
        for pk, name, siret, category, role in rows.values_list("dossier_id", "name", "siret", "category", "role")
    )


def latest_runs(pks):
    """{dossier pk: Run} of each dossier's latest eligibility run (EligibilityRun.objects.latest_pk: the latest
    created, the highest primary key among equals), its results in rule order with the wording in the current
    language.

    The runs of the chunk in one plain query, the latest kept here: a correlated subquery in the dossiers' query
    made PostgreSQL overestimate its cost and compile it (JIT) for 1.5 s per chunk at 100,000 dossiers.
    """
    latest = {}
    runs = EligibilityRun.objects.filter(dossier_id__in=pks).order_by("dossier_id", "created_at", "pk")
    for dossier_pk, run_pk, created_at in runs.values_list("dossier_id", "pk", "created_at"):
        latest[dossier_pk] = (run_pk, created_at)  # the last one seen is the latest
    run_pks = [run_pk for run_pk, _created_at in latest.values()]
    language = translation.get_language()
    results = defaultdict(list)
    rows = EligibilityResult.objects.filter(run_id__in=run_pks).order_by("run_id", "rule_id")
    for run_pk, rule_id, title, translations, status, override in rows.values_list(
        "run_id", "rule_id", "title", "translations", "status", "override_status"
    ):
        # EligibilityResult.wording: the run's own translation when it wrote one in this language, else French.
        title = (translations.get(language) or {"title": title})["title"]
        results[run_pk].append(Result(rule_id, title, override or status))
    return {pk: Run(created_at, results[run_pk]) for pk, (run_pk, created_at) in latest.items()}


def decisions_of(pks):
    """{dossier pk: its latest decision transition}."""
    rows = DossierTransition.objects.filter(dossier_id__in=pks, action__in=DECISION_ACTIONS).order_by("at", "pk")
    return {pk: DecisionLine(at, comment) for pk, at, comment in rows.values_list("dossier_id", "at", "comment")}


def reviews_of(pks):
    """{dossier pk: [ReviewLine, …]} of the counted reviews, in the order they were submitted."""
    rows = Review.objects.counted().filter(dossier_id__in=pks).order_by("submitted_at", "pk")
    fields = ("assignment__reviewer__first_name", "assignment__reviewer__last_name", "assignment__reviewer__email")
    return grouped(
        # User.display_name: the full name, else the e-mail address.
        (pk, ReviewLine(f"{first} {last}".strip() or email, total, recommendation))
        for pk, first, last, email, total, recommendation in rows.values_list(
            "dossier_id", *fields, "total", "recommendation"
        )
    )


def read_rows(pks):
    """The rows of the dossiers ``pks`` (those that still exist), in that order: a fixed number of queries."""
    values = Dossier.objects.filter(pk__in=pks).values(*DOSSIER_VALUES)
    loaded = {row["pk"]: row for row in values}
    related = {name: named_relation(name, pks) for name in NAMED_RELATIONS}
    members = members_of(pks)
    runs = latest_runs(pks)
    decided = [pk for pk, row in loaded.items() if row["state"] in DossierState.decided()]
    decisions = decisions_of(decided)
    reviews = reviews_of(pks)
    url = dossier_urls()
    rows = []
    for pk in pks:
        row = loaded.get(pk)
        if row is None:
            continue
        for name, groups in related.items():
            row[name] = groups.get(pk, ())
        row["members"] = members.get(pk, ())
        row["run"] = runs.get(pk)
        row["decision"] = decisions.get(pk)
        row["reviews"] = reviews.get(pk, ())
        row["url"] = url(row["reference"])
        rows.append(row)
    return rows


def iter_chunks(pks, chunk_size=None):
    """The rows of the dossiers ``pks``, in that order, ``chunk_size`` at a time: only one chunk in memory."""
    chunk_size = chunk_size or CHUNK_SIZE
    for start in range(0, len(pks), chunk_size):
        yield read_rows(pks[start : start + chunk_size])


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
    """XlsxWriter in constant-memory mode (each row goes to a temporary file as soon as the next one starts): a bold
    frozen header, real dates and numbers, text always written as text (never read as a formula)."""

    def __init__(self, handle, columns, title=None):
        self.workbook = xlsxwriter.Workbook(
            handle,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.sheet = self.workbook.add_worksheet(str(title or _("Dossiers")))
        self.sheet.freeze_panes(1, 0)
        header = self.workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.datetime_format = self.workbook.add_format({"num_format": "DD/MM/YYYY HH:MM"})
        self.date_format = self.workbook.add_format({"num_format": "DD/MM/YYYY"})
        for index, column in enumerate(columns):
            self.sheet.set_column(index, index, column.width)
            self.sheet.write_string(0, index, clean_text(column.header), header)
        self.row = 0

    def writerow(self, values):
        self.row += 1
        row, sheet = self.row, self.sheet
        for index, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str | Promise):
                # Most cells. An empty text is no cell at all: openpyxl wrote none either.
                text = clean_text(value)
                if text:
                    sheet.write_string(row, index, text)
            elif isinstance(value, bool):
                sheet.write_boolean(row, index, value)
            elif isinstance(value, int | Decimal):
                sheet.write_number(row, index, value)
            elif isinstance(value, datetime.datetime):
                sheet.write_datetime(row, index, paris(value), self.datetime_format)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(row, index, value, self.date_format)
            elif text := clean_text(value):
                sheet.write_string(row, index, text)

    def close(self):
        self.workbook.close()

    def abort(self):
        """Close the workbook anyway when a row fails: that removes the sheet's temporary file (the partial file goes
        to the handle, which the caller throws away)."""
        with contextlib.suppress(Exception):
            self.workbook.close()


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
