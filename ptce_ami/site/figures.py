"""The figures of the dashboards (issue 12): the statistics of the apps' services turned into titled tables, each drawn
as a chart (ptce_ami.core.charts) or a map, shown as a table, and downloaded as a CSV, from the same rows.

A figure's ``rows`` hold raw values (numbers, Decimals, texts); its ``units`` say how each column is written: ""
(a count), "€", "%", "days" (a duration in days, one decimal) or "text". The first column is the row's label; the
chart draws the column ``value_column`` (or ``chart_items`` when it draws something else, e.g. totals), a map draws
``map_values``. The CSV holds every column; the page's « Voir les données » the chart's two, and the whole table when
there are more. Nothing here queries the database: the views pass the figures computed (and cached) by
``applications.services.statistics`` and ``reviews.services.statistics``.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ptce_ami.core.charts import format_number
from reviews.models import Opinion

TEXT = "text"
DAYS = "days"
COUNT = ""
EUROS = "€"
PERCENT = "%"
NO_VALUE = "—"
SECONDS_PER_DAY = Decimal(86400)


@dataclass
class Figure:
    slug: str
    title: str
    chart: str  # "bars", "columns" or "stack"
    headers: list
    units: list
    rows: list
    value_column: int = 1
    note: str = ""
    chart_items: list | None = None  # what the chart draws, when not the column ``value_column`` of the rows
    chart_header: str = ""  # the header of the chart's values, when they are ``chart_items``
    full_width: bool = False
    off_map: list = field(default_factory=list)  # rows of a map's figure that no area of the map holds
    csv_url: str = ""
    map: str = ""  # "regions" or "departements": the figure is drawn on a map rather than a chart
    map_region: str = ""  # the region of a map of départements
    map_unit: tuple = ()  # (singular, plural) written after each area's number
    map_values: dict = field(default_factory=dict)  # for a map: {INSEE code: number}
    map_links: dict = field(default_factory=dict)  # for a map of regions: {INSEE code: URL}

    @property
    def items(self):
        """(label, number) pairs for the chart tags."""
        if self.chart_items is not None:
            return self.chart_items
        return [(row[0], row[self.value_column]) for row in self.rows]

    @property
    def unit(self):
        unit = self.units[self.value_column]
        return "" if unit in (DAYS, TEXT) else unit

    @property
    def label_header(self):
        return self.headers[0]

    @property
    def value_header(self):
        return self.chart_header or self.headers[self.value_column]

    @property
    def wide(self):
        """More columns than the chart's table shows (label and value): the page shows the whole table too."""
        return len(self.headers) > 2

    @property
    def chart_csv_url(self):
        """The chart links to the CSV unless the whole table under it does."""
        return "" if self.wide else self.csv_url

    @property
    def cells(self):
        """The rows as the page writes them."""
        return [[cell_text(value, unit) for value, unit in zip(row, self.units, strict=True)] for row in self.rows]

    @property
    def table(self):
        """The rows of the whole table: their cells and, on the map of regions, the URL of the region's dashboard."""
        return [
            {"url": self.map_links.get(row[1], "") if self.map_links else "", "cells": cells}
            for row, cells in zip(self.rows, self.cells, strict=True)
        ]

    @property
    def csv_rows(self):
        return [[csv_value(value, unit) for value, unit in zip(row, self.units, strict=True)] for row in self.rows]

    @property
    def empty(self):
        return not self.rows


def days(duration):
    """A timedelta in days, one decimal (None stays None)."""
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / SECONDS_PER_DAY).quantize(Decimal("0.1"), ROUND_HALF_UP)


def cell_text(value, unit):
    if unit == TEXT:
        return "" if value is None else str(value)
    if value is None:
        return NO_VALUE
    if unit == DAYS:
        return _("%(days)s j") % {"days": format_number(value)}
    return format_number(value, unit)


def csv_value(value, unit):
    if value is None:
        return ""
    return str(value) if unit == TEXT else value


def share(part, whole):
    """``part`` in percent of ``whole``, one decimal; None when ``whole`` is nothing."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def phase_label(phase, *, first_wave=True):
    """ "Phase 2 — financement, vague 1": for the chooser; without ", vague 1" when ``first_wave`` is False (the
    public pages, where most phases have one wave)."""
    if phase.wave == 1 and not first_wave:
        return phase.get_kind_display()
    return _("%(phase)s, vague %(wave)s") % {"phase": phase.get_kind_display(), "wave": phase.wave}


def short_phase_label(phase):
    """ "Phase 2, vague 1": for the charts and tables, where room is short."""
    return _("Phase %(number)s, vague %(wave)s") % {"number": phase.reference_code[1:], "wave": phase.wave}


# --- The figures of every dashboard ----------------------------------------------------------------------------------


def funnel(figures):
    data = figures["funnel"]
    steps = [
        (_("Brouillons"), data["drafts"]),
        (_("Déposés"), data["submitted"]),
        (_("En instruction"), data["in_review"]),
        (_("Recevables"), data["eligible"]),
        (_("Décidés"), data["decided"]),
    ]
    return Figure(
        "entonnoir",
        _("Entonnoir des dossiers"),
        "bars",
        [_("Étape"), _("Dossiers")],
        [TEXT, COUNT],
        [list(step) for step in steps],
        note=_(
            "Chaque étape compte les dossiers qui l'ont atteinte : un dossier décidé compte aussi parmi les déposés, "
            "en instruction et recevables. Les brouillons ne sont pas encore déposés."
        ),
    )


FILED_UNIT = (gettext_lazy("dossier déposé"), gettext_lazy("dossiers déposés"))


def departements(figures, region_departements, region_code):
    """Filed dossiers by their lead member's département, every département of the region listed (0 when none); a
    lead outside the region, or without a commune, is counted in a row of its own that the map does not show."""
    counts = {row["code"]: row for row in figures["departements"]}
    rows, values = [], {}
    for code, name in region_departements:
        row = counts.pop(code, None)
        values[code] = row["count"] if row else 0
        rows.append([f"{name} ({code})", values[code]])
    off_map = []
    for code, row in counts.items():
        label = f"{row['name']} ({code})" if code else _("Commune de la structure porteuse non renseignée")
        off_map.append([label, row["count"]])
    return Figure(
        "departements",
        _("Dossiers déposés par département"),
        "bars",
        [_("Département"), _("Dossiers")],
        [TEXT, COUNT],
        rows + off_map,
        note=_("Le département d'un dossier est celui de la commune de sa structure porteuse."),
        map="departements",
        map_region=region_code,
        map_unit=FILED_UNIT,
        map_values=values,
        off_map=[(label, format_number(count)) for label, count in off_map],
    )


def member_categories(figures):
    rows = [[row["label"], row["count"]] for row in figures["members"]["categories"]]
    return Figure(
        "categories-membres",
        _("Membres par catégorie (art. 9 de la loi ESS)"),
        "stack",
        [_("Catégorie"), _("Membres")],
        [TEXT, COUNT],
        rows,
    )


def legal_forms(figures):
    rows = [
        [row["label"] or _("Hors ESS ou forme non renseignée"), row["count"]]
        for row in figures["members"]["legal_forms"]
    ]
    return Figure(
        "formes-juridiques",
        _("Membres par forme juridique de l'ESS"),
        "stack",
        [_("Forme juridique"), _("Membres")],
        [TEXT, COUNT],
        rows,
    )


def sectors(figures):
    return Figure(
        "secteurs",
        _("Dossiers déposés par secteur"),
        "bars",
        [_("Secteur"), _("Dossiers")],
        [TEXT, COUNT],
        [[row["label"], row["count"]] for row in figures["sectors"]],
        note=_("Un dossier peut relever de plusieurs secteurs."),
    )


def submissions_per_day(figures):
    per_day = figures["submissions_per_day"]
    rows = [[date_format(row["day"], "SHORT_DATE_FORMAT"), row["count"]] for row in per_day]
    # Under the columns, "09/11/26": a label of ten characters would run into the next one.
    chart_items = [(row["day"].strftime("%d/%m/%y"), row["count"]) for row in per_day]
    return Figure(
        "depots-par-jour",
        _("Dépôts par jour jusqu'à la date limite"),
        "columns",
        [_("Jour"), _("Dépôts")],
        [TEXT, COUNT],
        rows,
        chart_items=chart_items,
    )


def review_progress(figures):
    data = figures["reviews"]
    rows = [
        [_("Affectées"), data["assigned"]],
        [_("Rendues"), data["submitted"]],
        [_("En attente"), data["pending"]],
        [_("En retard"), data["overdue"]],
        [_("Conflits d'intérêts déclarés"), data["conflicts"]],
    ]
    return Figure(
        "evaluations",
        _("Avancement des évaluations"),
        "bars",
        [_("Évaluations"), _("Nombre")],
        [TEXT, COUNT],
        rows,
        note=_("En retard : en attente après le jour prévu pour le rendu."),
    )


def regional_opinions(figures):
    data = figures["opinions"]
    rows = [[str(opinion.label), data["by_opinion"].get(opinion.value, 0)] for opinion in Opinion]
    rows.append([_("En attente"), data["pending"]])
    return Figure(
        "avis-regionaux",
        _("Avis régionaux donnés et en attente"),
        "stack",
        [_("Avis"), _("Dossiers")],
        [TEXT, COUNT],
        rows,
        note=_("Sur les dossiers recevables ou décidés, ceux sur lesquels la région donne son avis."),
    )


def laureates(figures, phases):
    data = figures["laureates"]
    labels = {phase.pk: short_phase_label(phase) for phase in phases}
    rows = [
        [labels.get(row["phase"], str(row["phase"])), row["laureates"], row["committed"]] for row in data["by_phase"]
    ]
    return Figure(
        "laureats",
        _("Lauréats et montants engagés"),
        "bars",
        [_("Phase"), _("Lauréats"), _("Montants engagés")],
        [TEXT, COUNT, EUROS],
        rows,
        value_column=2,
        note=_("Décisions publiées du comité de sélection.")
        + " "
        + _("Total : %(laureates)s lauréats, %(amount)s engagés.")
        % {"laureates": format_number(data["laureates"]), "amount": format_number(data["committed"], EUROS)},
    )


def grants(figures):
    rows = [
        [row["name"], row["grants"], row["granted"], row["tranches_paid"], row["paid"], row["to_pay"]]
        for row in figures["grants"]
    ]
    return Figure(
        "aides",
        _("Aides conventionnées et tranches versées"),
        "bars",
        [
            _("Région"),
            _("Aides"),
            _("Montant accordé"),
            _("Tranches versées"),
            _("Montant versé"),
            _("Reste à verser"),
        ],
        [TEXT, COUNT, EUROS, COUNT, EUROS, EUROS],
        rows,
        value_column=2,
        chart_header=_("Montant"),
        chart_items=[
            (_("Montant accordé"), sum(row[2] for row in rows)),
            (_("Montant versé"), sum(row[4] for row in rows)),
            (_("Reste à verser"), sum(row[5] for row in rows)),
        ]
        if rows
        else [],
    )


def processing_times(figures):
    data = figures["processing_times"]
    stages = [  # label, short label for the chart, figures
        (_("Dépôt → recevabilité"), _("Recevabilité"), data["eligibility"]),
        (_("Dépôt → décision"), _("Décision"), data["decision"]),
    ]
    rows = [[label, stage["count"], days(stage["median"]), days(stage["p90"])] for label, _short, stage in stages]
    chart_items = []
    for (_label, short, stage), row in zip(stages, rows, strict=True):
        if stage["count"]:
            chart_items.append((_("%(stage)s : médiane") % {"stage": short}, row[2]))
            chart_items.append((_("%(stage)s : 90ᵉ centile") % {"stage": short}, row[3]))
    return Figure(
        "delais",
        _("Délais de traitement"),
        "bars",
        [_("Étape"), _("Dossiers"), _("Médiane (jours)"), _("90ᵉ centile (jours)")],
        [TEXT, COUNT, DAYS, DAYS],
        rows,
        value_column=2,
        chart_items=chart_items,
        chart_header=_("Jours"),
        note=_(
            "Du premier dépôt à la déclaration de recevabilité (ou d'irrecevabilité) et à la décision du comité. "
            "90ᵉ centile : 9 dossiers sur 10 ont été traités en moins de temps."
        ),
    )


def history(figures):
    rows = [
        [
            str(row["year"]),
            row["applications"],
            row["laureates"],
            row["imported_laureates"],
            row["committed"],
        ]
        for row in figures["history"]
    ]
    return Figure(
        "historique",
        _("Historique par édition"),
        "columns",
        [
            _("Année"),
            _("Candidatures déposées"),
            _("Lauréats (plateforme)"),
            _("Lauréats importés"),
            _("Montants engagés"),
        ],
        [TEXT, COUNT, COUNT, COUNT, EUROS],
        rows,
        value_column=4,
        note=_(
            "Les lauréats des éditions antérieures à la plateforme viennent de l'historique importé, qui ne "
            "renseigne pas les montants : ils sont comptés, sans montant."
        ),
    )


# --- National only ---------------------------------------------------------------------------------------------------


def regions(review_figures, region_url):
    rows = [
        [
            row["name"],
            row["region"],
            row["filed"],
            row["eligible"],
            row["laureates"],
            row["committed"],
            row["opinions_pending"],
        ]
        for row in review_figures["regions"]
    ]
    return Figure(
        "regions",
        _("Comparaison des régions"),
        "bars",
        [
            _("Région"),
            _("Code"),
            _("Dossiers déposés"),
            _("Recevables ou décidés"),
            _("Lauréats"),
            _("Montants engagés"),
            _("Avis régionaux en attente"),
        ],
        [TEXT, TEXT, COUNT, COUNT, COUNT, EUROS, COUNT],
        rows,
        value_column=2,
        full_width=True,
        map="regions",
        map_unit=FILED_UNIT,
        map_values={row[1]: row[2] for row in rows},
        map_links={row[1]: region_url(row[1]) for row in rows},
    )


def envelopes(review_figures, phases):
    """Committed vs available per phase with an envelope (phases without one grant no money)."""
    committed = {row["phase"]: row["committed"] for row in review_figures["laureates"]["by_phase"]}
    rows, chart_items = [], []
    for phase in phases:
        if phase.envelope is None:
            continue
        label, spent = short_phase_label(phase), committed.get(phase.pk, Decimal("0"))
        rows.append([label, phase.envelope, spent, phase.envelope - spent, share(spent, phase.envelope)])
        chart_items += [
            (_("%(phase)s : enveloppe") % {"phase": label}, phase.envelope),
            (_("%(phase)s : engagé") % {"phase": label}, spent),
        ]
    return Figure(
        "enveloppes",
        _("Enveloppe par phase : engagé et disponible"),
        "bars",
        [_("Phase"), _("Enveloppe"), _("Engagé"), _("Disponible"), _("Part engagée")],
        [TEXT, EUROS, EUROS, EUROS, PERCENT],
        rows,
        value_column=1,
        chart_items=chart_items,
        chart_header=_("Montant"),
        note=_("Les phases sans enveloppe (la phase 1 n'attribue pas d'aide financière) n'y figurent pas."),
    )


@dataclass
class Section:
    title: str
    figures: list


def regional(figures, review_figures, *, phases, region_code, region_departements):
    """The sections of a region's dashboard, in their order on the page."""
    merged = {**figures, **review_figures}
    return [
        Section(
            _("Les dépôts"),
            [funnel(merged), departements(merged, region_departements, region_code), submissions_per_day(merged)],
        ),
        Section(_("Les pôles"), [member_categories(merged), legal_forms(merged), sectors(merged)]),
        Section(_("L'instruction"), [review_progress(merged), regional_opinions(merged), processing_times(merged)]),
        Section(_("La sélection et les aides"), [laureates(merged, phases), grants(merged)]),
        Section(_("Les éditions"), [history(merged)]),
    ]


def national(figures, review_figures, *, phases, region_url):
    """The sections of the national dashboard: the regions side by side, then the regional figures for the whole
    country."""
    merged = {**figures, **review_figures}
    return [
        Section(_("Les régions"), [regions(merged, region_url)]),
        Section(_("Les dépôts"), [funnel(merged), submissions_per_day(merged)]),
        Section(_("Les pôles"), [member_categories(merged), legal_forms(merged), sectors(merged)]),
        Section(_("L'instruction"), [review_progress(merged), regional_opinions(merged), processing_times(merged)]),
        Section(
            _("La sélection et les aides"), [envelopes(merged, phases), laureates(merged, phases), grants(merged)]
        ),
        Section(_("Les éditions"), [history(merged)]),
    ]


def every_figure(sections):
    return [figure for section in sections for figure in section.figures]


def by_slug(sections, slug):
    return next((figure for figure in every_figure(sections) if figure.slug == slug), None)
