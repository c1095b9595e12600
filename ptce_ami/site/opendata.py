"""The open data of the laureates (DESIGN §9 and §11): the PTCE whose selection the committee published, phase 1
("PTCE émergent") and phase 2, as a public page and a CSV file with a documented schema (``COLUMNS``, the one home
of the file's columns, read by the CSV writer and the schema page).

What it holds: public facts about a pôle and the decision about it; never personal data. Neither the people of the
dossier (owner, co-editors, representative, contact: names, e-mails, phones) nor its member structures (a member can
be an individual entrepreneur, whose name and SIRET identify a person), nor the lead structure's name (for the same
reason, and because the porteurs' consent covers the pôle's name and territory only), nor free texts (a summary may
name people). The members are published as a count per art. 9 category only. A dossier whose porteur did not
accept publication (the "Engagements" step: "le nom du pôle, son territoire et sa présentation synthétique") is left
out of the list, the map and the file.

What the public pages count (``call_figures``, the call page): only published editions; the dossiers filed in a
phase once it has closed (never while it is open: drafts are private, and a running count is not an announcement);
the laureates and amounts of published decisions (counts name nobody, so they include the laureates left out of the
list); the laureates of the calls before the platform, by year (``history_figures``, from public sources; not for a
year whose edition on the platform has published laureates).

A laureate is a dossier in the state "Lauréat" with a published, current decision "Lauréat" (a provisional decision
never appears; a reopened one is revoked). The amount is the published decision's (phase 2).
"""

import csv
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Sum
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from applications.enums import LAUREATE_BADGES, DossierState, LaureateCall, MemberCategory, PhaseKind
from applications.models import Dossier, LaureateRecord, MemberStructure
from ptce_ami.core.money import euros
from ptce_ami.core.spreadsheets import formula_safe
from reviews.enums import DecisionOutcome
from reviews.models import Decision
from territories.models import Commune

CSV_FILENAME = "laureats-ptce.csv"
LICENCE = _("Licence Ouverte / Open Licence version 2.0 (Etalab)")
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
# Several values in one cell (départements, communes, EPCI) are separated by this character.
SEPARATOR = "|"
# The territory's summary names this many communes at most, then says how many more there are.
SUMMARY_COMMUNES = 10
CHUNK_SIZE = 500
CENTS = Decimal("0.01")
PHASE_NUMBERS = {PhaseKind.PHASE1: 1, PhaseKind.PHASE2: 2}
PHASE_KINDS = {number: kind for kind, number in PHASE_NUMBERS.items()}
# The members of a pôle are published as a count per art. 9 category, never by name (see the module's note).
CATEGORY_COLUMNS = {
    MemberCategory.ESS_ENTERPRISE: "nombre_entreprises_ess",
    MemberCategory.ENTERPRISE: "nombre_entreprises_hors_ess",
    MemberCategory.COLLECTIVITE: "nombre_collectivites",
    MemberCategory.RESEARCH: "nombre_centres_recherche",
    MemberCategory.HIGHER_EDUCATION: "nombre_enseignement_superieur",
    MemberCategory.TRAINING: "nombre_organismes_formation",
    MemberCategory.OTHER: "nombre_autres_acteurs",
}
CATEGORY_COUNTS = {
    MemberCategory.ESS_ENTERPRISE: ngettext_lazy(
        "%(count)d entreprise de l'ESS", "%(count)d entreprises de l'ESS", "count"
    ),
    MemberCategory.ENTERPRISE: ngettext_lazy(
        "%(count)d entreprise hors ESS", "%(count)d entreprises hors ESS", "count"
    ),
    MemberCategory.COLLECTIVITE: ngettext_lazy(
        "%(count)d collectivité ou groupement", "%(count)d collectivités ou groupements", "count"
    ),
    MemberCategory.RESEARCH: ngettext_lazy("%(count)d centre de recherche", "%(count)d centres de recherche", "count"),
    MemberCategory.HIGHER_EDUCATION: ngettext_lazy(
        "%(count)d établissement d'enseignement supérieur",
        "%(count)d établissements d'enseignement supérieur",
        "count",
    ),
    MemberCategory.TRAINING: ngettext_lazy(
        "%(count)d organisme de formation", "%(count)d organismes de formation", "count"
    ),
    MemberCategory.OTHER: ngettext_lazy("%(count)d autre acteur", "%(count)d autres acteurs", "count"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Table Schema type: string, integer, number, date
    title: str
    description: str
    example: str


COLUMNS = [
    Column("reference", "string", _("Référence"), _("Référence publique du dossier lauréat."), "PTCE-2023-P2-0042"),
    Column(
        "nom", "string", _("Nom du pôle"), _("Le nom du pôle, tel que son dossier le donne."), "Pôle Coop des Rives"
    ),
    Column("phase", "integer", _("Phase"), _("1 : PTCE émergent (sans aide financière) ; 2 : financement."), "2"),
    Column(
        "label", "string", _("Sélection"), _("« PTCE émergent » (phase 1) ou « Lauréat phase 2 »."), "Lauréat phase 2"
    ),
    Column("annee", "integer", _("Année"), _("Année de l'édition de l'appel."), "2023"),
    Column("edition", "string", _("Édition"), _("Nom de l'édition de l'appel."), "AMI PTCE 2023"),
    Column("code_region", "string", _("Code de la région"), _("Code INSEE de la région principale du pôle."), "84"),
    Column("region", "string", _("Région"), _("Nom de la région principale du pôle."), "Auvergne-Rhône-Alpes"),
    Column(
        "codes_departements",
        "string",
        _("Codes des départements"),
        _("Codes INSEE des départements du territoire (communes, EPCI et départements déclarés), séparés par « | »."),
        "42|69",
    ),
    Column(
        "departements", "string", _("Départements"), _("Noms de ces départements, séparés par « | »."), "Loire|Rhône"
    ),
    Column(
        "territoire",
        "string",
        _("Territoire"),
        _("Résumé du territoire déclaré : EPCI, communes (les dix premières), départements."),
        "EPCI : Métropole de Lyon ; communes : Lyon, Villeurbanne",
    ),
    Column(
        "codes_communes",
        "string",
        _("Codes des communes"),
        _("Codes INSEE des communes déclarées (hors communes membres des EPCI), séparés par « | »."),
        "69123|69266",
    ),
    Column(
        "sirens_epci",
        "string",
        _("SIREN des EPCI"),
        _("SIREN des EPCI déclarés (des établissements publics), séparés par « | »."),
        "200046977",
    ),
    *(
        Column(
            name,
            "integer",
            format_lazy(_("Membres : {category}"), category=category.label),
            _("Nombre de structures membres du pôle dans cette catégorie de l'article 9 de la loi ESS."),
            "2",
        )
        for category, name in CATEGORY_COLUMNS.items()
    ),
    Column(
        "montant_accorde",
        "number",
        _("Montant accordé (€)"),
        _("Phase 2 : le montant de l'aide décidée par le comité, en euros, point décimal ; vide en phase 1."),
        "100000.00",
    ),
    Column(
        "date_decision",
        "date",
        _("Date de la décision"),
        _("Date de publication de la décision du comité (AAAA-MM-JJ, heure de Paris)."),
        "2023-10-17",
    ),
]


@dataclass(frozen=True)
class Laureate:
    """One line of the open data: the values of COLUMNS, by name, and what the page shows."""

    values: dict
    departements_display: str
    amount_display: str
    categories_display: str = ""
    decision_date: object = None

    @property
    def reference(self):
        return self.values["reference"]


def published_laureates():
    """The published, current laureate decisions whose dossier is a laureate (a reopened one is revoked)."""
    return Decision.objects.published().filter(outcome=DecisionOutcome.LAUREATE, dossier__state=DossierState.LAUREATE)


def open_laureates():
    """The published laureates of the open data: those whose porteur agreed to publication."""
    return published_laureates().filter(dossier__consent_publication=True)


def laureate_decisions():
    """The published laureate decisions whose dossier is a laureate and agreed to publication, newest edition
    first, with what the lines read (prefetched: a constant number of queries per page or chunk)."""
    dossier = "dossier__"
    return (
        open_laureates()
        .select_related(f"{dossier}region", f"{dossier}phase__edition")
        .prefetch_related(
            f"{dossier}departements",
            Prefetch(f"{dossier}communes", queryset=Commune.objects.select_related("departement").order_by("name")),
            f"{dossier}epcis",
        )
        .order_by("-dossier__phase__edition__year", "dossier__phase__kind", "dossier__name", "pk")
    )


def lines(decisions):
    """[Laureate] of ``decisions`` (loaded by laureate_decisions), with two more queries: the EPCI's départements
    (none when there is no EPCI) and the members' categories."""
    decisions = list(decisions)
    epci_departements = departements_of_epcis(
        {epci.pk for decision in decisions for epci in decision.dossier.epcis.all()}
    )
    categories = member_categories([decision.dossier_id for decision in decisions])
    return [line(decision, epci_departements, categories.get(decision.dossier_id, {})) for decision in decisions]


def member_categories(dossier_ids):
    """{dossier id: {art. 9 category: number of members}} (one query; none without dossiers)."""
    found = defaultdict(dict)
    if not dossier_ids:
        return found
    rows = (
        MemberStructure.objects.filter(dossier__in=dossier_ids)
        .order_by()
        .values_list("dossier_id", "category")
        .annotate(count=Count("pk"))
    )
    for dossier_id, category, count in rows:
        found[dossier_id][category] = count
    return found


def categories_summary(counts):
    """ "3 entreprises de l'ESS, 1 collectivité ou groupement", in the order of art. 9."""
    return ", ".join(
        CATEGORY_COUNTS[category] % {"count": counts[category]} for category in MemberCategory if counts.get(category)
    )


def iter_lines(decisions=None):
    """Every Laureate, chunk by chunk (for the CSV): a constant number of queries per chunk."""
    chunk = []
    for decision in (decisions if decisions is not None else laureate_decisions()).iterator(chunk_size=CHUNK_SIZE):
        chunk.append(decision)
        if len(chunk) == CHUNK_SIZE:
            yield from lines(chunk)
            chunk = []
    yield from lines(chunk)


def departements_of_epcis(epci_ids):
    """{EPCI SIREN: {département}} from the EPCI's member communes (one query; none when there is no EPCI)."""
    found = defaultdict(set)
    if not epci_ids:
        return found
    communes = Commune.objects.filter(epci__in=epci_ids).select_related("departement").only("epci", "departement")
    for commune in communes:
        found[commune.epci_id].add(commune.departement)
    return found


def line(decision, epci_departements, categories):
    dossier = decision.dossier
    communes, epcis, declared = (
        list(dossier.communes.all()),
        list(dossier.epcis.all()),
        list(dossier.departements.all()),
    )
    departements = {departement.pk: departement for departement in declared}
    departements.update({commune.departement.pk: commune.departement for commune in communes})
    for epci in epcis:
        departements.update({departement.pk: departement for departement in epci_departements.get(epci.pk, ())})
    departements = [departements[code] for code in sorted(departements)]
    region = dossier.region
    decided_on = timezone.localdate(decision.published_at)
    values = {
        "reference": dossier.reference,
        "nom": dossier.name,
        "phase": PHASE_NUMBERS[dossier.phase.kind],
        "label": str(LAUREATE_BADGES[dossier.phase.kind]),
        "annee": dossier.phase.edition.year,
        "edition": dossier.phase.edition.name,
        "code_region": region.code if region else "",
        "region": region.name if region else "",
        "codes_departements": SEPARATOR.join(departement.code for departement in departements),
        "departements": SEPARATOR.join(departement.name for departement in departements),
        "territoire": territory_summary(epcis, communes, declared),
        "codes_communes": SEPARATOR.join(commune.code for commune in communes),
        "sirens_epci": SEPARATOR.join(epci.siren for epci in epcis),
        **{name: categories.get(category, 0) for category, name in CATEGORY_COLUMNS.items()},
        "montant_accorde": format(decision.amount, "f") if amount_shown(decision) else "",
        "date_decision": decided_on.isoformat(),
    }
    names = ", ".join(departement.name for departement in departements)
    amount = euros(decision.amount) if amount_shown(decision) else ""
    return Laureate(values, names, amount, categories_summary(categories), decided_on)


def amount_shown(decision):
    return decision.amount is not None and decision.dossier.phase.kind == PhaseKind.PHASE2


def territory_summary(epcis, communes, departements):
    """ "EPCI : Métropole de Lyon ; communes : Lyon, Villeurbanne ; départements : Loire" (ten communes at most)."""
    parts = []
    if epcis:
        parts.append(_("EPCI : %(names)s") % {"names": ", ".join(epci.name for epci in epcis)})
    if communes:
        names = ", ".join(commune.name for commune in communes[:SUMMARY_COMMUNES])
        more = len(communes) - SUMMARY_COMMUNES
        if more > 0:
            names += ngettext(" et %(count)d autre", " et %(count)d autres", more) % {"count": more}
        parts.append(_("communes : %(names)s") % {"names": names})
    if departements:
        parts.append(_("départements : %(names)s") % {"names": ", ".join(d.name for d in departements)})
    return " ; ".join(parts)


# The list's filters, the map, the figures of the call ----------------------------------------------------------


def filtered(decisions, *, region=None, year=None, phase=None):
    """``decisions`` of one region (INSEE code), one edition's year, one phase (1 or 2); None: all."""
    if region:
        decisions = decisions.filter(dossier__region_id=region)
    if year:
        decisions = decisions.filter(dossier__phase__edition__year=year)
    if phase:
        decisions = decisions.filter(dossier__phase__kind=PHASE_KINDS[phase])
    return decisions


def laureates_per_region(decisions):
    """{region INSEE code (None: no region): number of laureates} of ``decisions``. One query."""
    rows = decisions.order_by().values_list("dossier__region_id").annotate(count=Count("pk"))
    return dict(rows)


def laureate_years():
    """The years of the editions that have a laureate in the open data, and of the calls before the platform (the
    imported history), newest first. Two queries."""
    years = open_laureates().order_by().values_list("dossier__phase__edition__year", flat=True).distinct()
    return sorted({*years, *history_laureates().values_list("year", flat=True).distinct()}, reverse=True)


# The calls before the platform -----------------------------------------------------------------------------------

# A phase of the list's filter, for the history: phase 1 is the label « PTCE émergent », phase 2 the funded calls.
HISTORY_KINDS = {1: LaureateCall.PHASE1, 2: LaureateCall.FUNDED}


def history_laureates(*, region=None, year=None, phase=None):
    """The laureates of the calls before the platform (the imported history, from public sources), as the public
    may read them: name, call, year, region; never the history's contact or note. Without the years whose edition on
    the platform has published laureates: the platform's list holds them then (see history_figures). Newest first."""
    platform_years = published_laureates().order_by().values("dossier__phase__edition__year")
    records = LaureateRecord.objects.exclude(year__in=platform_years)
    if region:
        records = records.filter(region_id=region)
    if year:
        records = records.filter(year=year)
    if phase:
        records = records.filter(kind=HISTORY_KINDS[phase])
    return records.select_related("region").only("name", "call", "year", "kind", "region_name", "region__name")


def history_per_region(records):
    """{region INSEE code (None: no region): number of laureates} of the history's ``records``. One query."""
    return dict(records.order_by().values_list("region_id").annotate(count=Count("pk")))


@dataclass(frozen=True)
class PhaseFigures:
    """What the call page says of a phase. ``filed`` is None until the phase has closed: the count of a phase still
    open is not published (it moves, and a draft is private to its authors). ``laureates`` and ``committed`` count
    the published decisions only: a provisional decision never shows, a reopened one is revoked."""

    phase: object
    filed: int | None
    laureates: int
    committed: Decimal | None  # phase 2; None in phase 1 (no money)

    @property
    def decided(self):
        return self.laureates > 0


@dataclass(frozen=True)
class EditionFigures:
    edition: object
    phases: list

    @property
    def filed(self):
        counts = [figures.filed for figures in self.phases if figures.filed is not None]
        return sum(counts) if counts else None

    @property
    def laureates(self):
        return sum(figures.laureates for figures in self.phases)

    @property
    def committed(self):
        amounts = [figures.committed for figures in self.phases if figures.committed is not None]
        return sum(amounts, Decimal(0)) if amounts else None


def call_figures(editions, now=None):
    """[EditionFigures] of ``editions`` (published, their phases prefetched), in their order: dossiers filed in each
    closed phase, laureates and amounts of the published decisions (every laureate, whether or not its porteur
    agreed to the publication of its name: a count names nobody). Two queries."""
    now = now or timezone.now()
    editions = list(editions)
    phase_ids = [phase.pk for edition in editions for phase in edition.phases.all()]
    filed = dict(
        Dossier.objects.filter(phase__in=phase_ids, phase__closes_at__lt=now, submitted_at__isnull=False)
        .order_by()
        .values_list("phase_id")
        .annotate(count=Count("pk"))
    )
    selected = {
        row["dossier__phase_id"]: row
        for row in published_laureates()
        .filter(dossier__phase__in=phase_ids)
        .order_by()
        .values("dossier__phase_id")
        .annotate(count=Count("pk"), committed=Sum("amount"))
    }
    return [
        EditionFigures(edition, [phase_figures(phase, now, filed, selected) for phase in edition.phases.all()])
        for edition in editions
    ]


def phase_figures(phase, now, filed, selected):
    row = selected.get(phase.pk, {})
    committed = None
    if phase.kind == PhaseKind.PHASE2:
        committed = Decimal(row.get("committed") or 0).quantize(CENTS)
    closed = phase.closes_at < now
    return PhaseFigures(phase, filed.get(phase.pk, 0) if closed else None, row.get("count", 0), committed)


def history_figures(edition_figures):
    """[{year, call, laureates}] of the laureates of the calls before the platform (the imported history, from
    public sources), oldest first; but for the years whose edition on the platform has published laureates: the
    platform's figures are then the ones to read, and the history's would count the same pôles twice. One query."""
    platform_years = {figures.edition.year for figures in edition_figures if figures.laureates}
    rows = LaureateRecord.objects.exclude(year__in=platform_years).order_by()
    rows = rows.values("year", "call").annotate(laureates=Count("pk"))
    return sorted(rows, key=lambda row: (row["year"], row["call"]))


def laureates_per_year(edition_figures, history):
    """[(year, laureates)]: the history's (see history_figures) and the platform's published laureates, oldest year
    first."""
    years = defaultdict(int)
    for row in history:
        years[row["year"]] += row["laureates"]
    for figures in edition_figures:
        if figures.laureates:
            years[figures.edition.year] += figures.laureates
    return sorted(years.items())


# The CSV ---------------------------------------------------------------------------------------------------------


class Echo:
    """A file-like object whose write returns what it is given: csv.writer writes one line, the stream sends it."""

    def write(self, value):
        return value


def safe_cell(value):
    """A text that a spreadsheet would run as a formula starts with an apostrophe (documented on the schema page)."""
    return formula_safe(value)


def csv_lines(laureates=None):
    """The CSV, line by line: UTF-8, comma-separated, a header of the columns' names (the schema page's). Written in
    French whatever the request's language: the lines are made while the response streams, after the request."""
    writer = csv.writer(Echo())
    with translation.override(settings.LANGUAGE_CODE):
        yield writer.writerow([column.name for column in COLUMNS])
        for laureate in laureates if laureates is not None else iter_lines():
            yield writer.writerow([safe_cell(laureate.values[column.name]) for column in COLUMNS])
