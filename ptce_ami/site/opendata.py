"""The open data of the laureates (DESIGN §9 and §11): the PTCE whose selection the committee published, phase 1
("PTCE émergent") and phase 2, as a public page and a CSV file with a documented schema (``COLUMNS``, the one home
of the file's columns, read by the CSV writer and the schema page).

What it holds: public facts about a pôle and the decision about it; never personal data. Neither the people of the
dossier (owner, co-editors, representative, contact: names, e-mails, phones) nor its member structures (a member can
be an individual entrepreneur, whose name and SIRET identify a person), nor the lead structure's name (for the same
reason, and because the porteurs' consent covers the pôle's name and territory only), nor free texts (a summary may
name people). A dossier whose porteur did not accept publication (the "Engagements" step: "le nom du pôle, son
territoire et sa présentation synthétique") is left out.

A laureate is a dossier in the state "Lauréat" with a published, current decision "Lauréat" (a provisional decision
never appears; a reopened one is revoked). The amount is the published decision's (phase 2).
"""

import csv
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from applications.enums import LAUREATE_BADGES, DossierState, PhaseKind
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
PHASE_NUMBERS = {PhaseKind.PHASE1: 1, PhaseKind.PHASE2: 2}


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


def laureate_decisions():
    """The published laureate decisions whose dossier is a laureate and agreed to publication, newest edition
    first, with what the lines read (prefetched: a constant number of queries per page or chunk)."""
    dossier = "dossier__"
    return (
        Decision.objects.published()
        .filter(
            outcome=DecisionOutcome.LAUREATE,
            dossier__state=DossierState.LAUREATE,
            dossier__consent_publication=True,
        )
        .select_related(f"{dossier}region", f"{dossier}phase__edition")
        .prefetch_related(
            f"{dossier}departements",
            Prefetch(f"{dossier}communes", queryset=Commune.objects.select_related("departement").order_by("name")),
            f"{dossier}epcis",
        )
        .order_by("-dossier__phase__edition__year", "dossier__phase__kind", "dossier__name", "pk")
    )


def lines(decisions):
    """[Laureate] of ``decisions`` (loaded by laureate_decisions), with one more query for the EPCI's départements."""
    decisions = list(decisions)
    epci_departements = departements_of_epcis(
        {epci.pk for decision in decisions for epci in decision.dossier.epcis.all()}
    )
    return [line(decision, epci_departements) for decision in decisions]


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


def line(decision, epci_departements):
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
        "montant_accorde": format(decision.amount, "f") if amount_shown(decision) else "",
        "date_decision": timezone.localdate(decision.published_at).isoformat(),
    }
    names = ", ".join(departement.name for departement in departements)
    return Laureate(values, names, euros(decision.amount) if amount_shown(decision) else "")


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
