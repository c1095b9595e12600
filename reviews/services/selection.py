"""The instruction list's filters (django-filter): what staff narrow the submitted dossiers down to.

``filtered_dossiers(user, query_string)`` is the one entry point shared by the list and the exports, so that an
export holds exactly the list's selection. Every filter is an ``Exists`` (or a plain column test): the selection
never has duplicate rows, and counting it stays one query.
"""

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from applications.enums import BudgetCategory, DossierState, MemberCategory, PhaseKind, RuleStatus
from applications.models import (
    BudgetLine,
    Dossier,
    Edition,
    EligibilityResult,
    EligibilityRun,
    Label,
    MemberStructure,
    Sector,
)
from applications.services import statistics
from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.models import User
from ptce_ami.core.forms import BaseForm
from ptce_ami.core.text import SEARCH_MAX_LENGTH, accent_insensitive_pattern
from reviews.models import Assignment, AssignmentStatus, Follow
from territories.models import Commune, Departement, Region


class EligibilityOutcome:
    PASS = "pass"
    WARNING = "warning"
    FAIL = "fail"
    NONE = "none"

    choices = [
        (PASS, _("Toutes les règles respectées")),
        (WARNING, _("Des points à vérifier, aucune règle non respectée")),
        (FAIL, _("Au moins une règle non respectée")),
        (NONE, _("Pas encore vérifié")),
    ]


def member_count():
    """The number of member structures of the row's dossier (a subquery: the selection keeps one row each)."""
    members = MemberStructure.objects.filter(dossier=OuterRef("pk")).order_by().values("dossier")
    return Coalesce(Subquery(members.annotate(total=Count("pk")).values("total")), 0, output_field=IntegerField())


def requested_grant():
    """The aid the row's dossier requests under this call (its budget's AMI lines), None without a budget."""
    lines = BudgetLine.objects.filter(dossier=OuterRef("pk"), category=BudgetCategory.AMI_GRANT).order_by()
    return Subquery(lines.values("dossier").annotate(total=Sum("amount")).values("total"))


# Sortable columns: the value of ?o= → the field (or the expression) it orders by (the reference breaks ties).
SORTS = {
    "reference": "reference",
    "name": "name",
    "region": "region__name",
    "state": "state",
    "edition": "phase__edition__year",
    "phase": "phase__kind",
    "submitted_at": "submitted_at",
    "updated_at": "updated_at",
    "score": "score__value",
    "member_count": member_count,
    "requested_grant": requested_grant,
}
DEFAULT_SORT = "-submitted_at"


def latest_run_subquery():
    return EligibilityRun.objects.latest_pk(OuterRef("pk"))


def effective_results(status):
    """Results of the latest run whose effective status (the override, else the rule's) is ``status``."""
    effective = Case(When(override_status="", then=F("status")), default=F("override_status"))
    return EligibilityResult.objects.annotate(effective=effective).filter(
        run=OuterRef("latest_run_id"), effective=status
    )


def territory_departement_condition(departement):
    """The dossier's territory (communes, EPCI, départements) or one of its members lies in ``departement``."""
    communes_of_epcis = Commune.objects.filter(departement=departement).values("epci")
    return (
        Q(Exists(Dossier.communes.through.objects.filter(dossier=OuterRef("pk"), commune__departement=departement)))
        | Q(Exists(Dossier.departements.through.objects.filter(dossier=OuterRef("pk"), departement=departement)))
        | Q(Exists(Dossier.epcis.through.objects.filter(dossier=OuterRef("pk"), epci__in=communes_of_epcis)))
        | Q(Exists(MemberStructure.objects.filter(dossier=OuterRef("pk"), commune__departement=departement)))
    )


class DossierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Recherche"),
        method="filter_text",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Nom du pôle, référence, nom ou SIRET d'une structure membre."),
    )
    edition = django_filters.ModelChoiceFilter(
        label=_("Édition"), field_name="phase__edition", queryset=Edition.objects.all(), empty_label=_("Toutes")
    )
    phase = django_filters.ChoiceFilter(
        label=_("Phase"), field_name="phase__kind", choices=PhaseKind.choices, empty_label=_("Toutes")
    )
    state = django_filters.MultipleChoiceFilter(
        label=_("État"),
        choices=[(state.value, state.label) for state in DossierState if state != DossierState.DRAFT],
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Région"), queryset=Region.objects.all(), empty_label=_("Toutes")
    )
    departement = django_filters.ModelChoiceFilter(
        label=_("Département"),
        queryset=Departement.objects.all(),
        method="filter_departement",
        empty_label=_("Tous"),
        help_text=_("Du territoire du pôle ou d'une structure membre."),
    )
    category = django_filters.MultipleChoiceFilter(
        label=_("Catégories de membres"),
        choices=MemberCategory.choices,
        method="filter_category",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Dossiers comptant au moins un membre des catégories cochées."),
    )
    sector = django_filters.ModelChoiceFilter(
        label=_("Secteur"), queryset=Sector.objects.all(), method="filter_sector", empty_label=_("Tous")
    )
    eligibility = django_filters.ChoiceFilter(
        label=_("Éligibilité (dernière vérification)"),
        choices=EligibilityOutcome.choices,
        method="filter_eligibility",
        empty_label=_("Toutes"),
    )
    score_min = django_filters.NumberFilter(
        label=_("Note minimale (sur 100)"), field_name="score__value", lookup_expr="gte", min_value=0, max_value=100
    )
    score_max = django_filters.NumberFilter(
        label=_("Note maximale (sur 100)"), field_name="score__value", lookup_expr="lte", min_value=0, max_value=100
    )
    reviewer = django_filters.ModelChoiceFilter(
        label=_("Évaluateur affecté"),
        queryset=User.objects.filter(role=Role.EVALUATEUR).order_by("last_name", "first_name"),
        method="filter_reviewer",
        empty_label=_("Tous"),
    )
    label = django_filters.ModelChoiceFilter(
        label=_("Étiquette"), queryset=Label.objects.all(), method="filter_label", empty_label=_("Toutes")
    )
    followed = django_filters.BooleanFilter(
        label=_("Seulement les dossiers que je suis"), method="filter_followed", widget=forms.CheckboxInput
    )

    class Meta:
        model = Dossier
        fields = []
        form = BaseForm  # cleaned input, French numbers ("12,5") like every form

    def __init__(self, data=None, *args, user=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        if user is not None and user.role == Role.PARTENAIRE:
            regions = user.regions.all()
            self.filters["region"].queryset = regions
            self.filters["departement"].queryset = Departement.objects.filter(region__in=regions)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        compact = value.replace(" ", "")
        pattern = accent_insensitive_pattern(value)
        members = MemberStructure.objects.filter(dossier=OuterRef("pk")).filter(
            Q(name__iregex=pattern) | Q(siret__contains=compact) if compact.isdigit() else Q(name__iregex=pattern)
        )
        return queryset.filter(Q(name__iregex=pattern) | Q(reference__icontains=value) | Q(Exists(members)))

    def filter_departement(self, queryset, name, value):
        return queryset.filter(territory_departement_condition(value)) if value else queryset

    def filter_category(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(MemberStructure.objects.filter(dossier=OuterRef("pk"), category__in=value)))

    def filter_sector(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Dossier.sectors.through.objects.filter(dossier=OuterRef("pk"), sector=value)))

    def filter_eligibility(self, queryset, name, value):
        if not value:
            return queryset
        queryset = queryset.annotate(latest_run_id=latest_run_subquery())
        if value == EligibilityOutcome.NONE:
            return queryset.filter(latest_run_id__isnull=True)
        fails, warnings = Exists(effective_results(RuleStatus.FAIL)), Exists(effective_results(RuleStatus.WARNING))
        queryset = queryset.filter(latest_run_id__isnull=False)
        if value == EligibilityOutcome.FAIL:
            return queryset.filter(fails)
        if value == EligibilityOutcome.WARNING:
            return queryset.filter(warnings).exclude(fails)
        return queryset.exclude(fails).exclude(warnings)

    def filter_reviewer(self, queryset, name, value):
        if not value:
            return queryset
        assignments = Assignment.objects.filter(dossier=OuterRef("pk"), reviewer=value).exclude(
            status=AssignmentStatus.CONFLICT
        )
        return queryset.filter(Exists(assignments))

    def filter_label(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Label.dossiers.through.objects.filter(dossier=OuterRef("pk"), label=value)))

    def filter_followed(self, queryset, name, value):
        if not value or self.user is None:
            return queryset
        return queryset.filter(followed_by(self.user))


def followed_by(user):
    """The row's dossier is one ``user`` follows (the unique index on (user, dossier) answers it)."""
    return Exists(Follow.objects.filter(user=user, dossier=OuterRef("pk")))


def followed_count(user, queryset):
    """How many dossiers of ``queryset`` ``user`` follows: read from their follows (a few), never counted over the
    selection."""
    return Follow.objects.filter(user=user, dossier__in=queryset.order_by().values("pk")).count()


def staff_queryset(user):
    """The submitted dossiers ``user`` may see (partners: their regions only, by the scoped queryset)."""
    return Dossier.objects.visible_to(user).filter(submitted_at__isnull=False)


def as_query_dict(query):
    if isinstance(query, QueryDict):
        return query
    return QueryDict(query or "")


def sort_key(query):
    value = as_query_dict(query).get("o", "")
    return value if value.lstrip("-") in SORTS else DEFAULT_SORT


# Sorts on the dossier's own columns, never null among filed dossiers: in either direction, the reference breaks
# ties in the same direction, so that one index (Dossier.Meta.indexes) serves both, walked forwards or backwards,
# and the page query stops after its rows instead of sorting the whole selection.
INDEXED_SORTS = {"reference", "name", "state", "submitted_at", "updated_at"}


class ScoreOrderedIds:
    """The ids of ``selection`` in the order of their dossiers' scores (nulls last), then of their references, as a
    Paginator's object list: the scored dossiers read along the score's index, then the others along the reference's,
    so that a page stops after its rows instead of sorting the whole selection (issue 15). The number of scored
    dossiers, which tells where the second part starts, is cached until a state or a score changes."""

    def __init__(self, selection, *, descending):
        selection = selection.order_by()
        value = F("score__value").desc() if descending else F("score__value").asc()
        scored = Q(score__value__isnull=False)
        self.scored = selection.filter(scored).order_by(value, "reference").values_list("pk", flat=True)
        self.others = selection.exclude(pk__in=self.scored.order_by().values("pk"))
        self.others = self.others.order_by("reference").values_list("pk", flat=True)
        self.selection = selection

    @cached_property
    def scored_count(self):
        queryset = self.scored.order_by()
        return statistics.cached_for_query("scored", queryset, queryset.count)

    def count(self):
        return self.selection.count()

    def __getitem__(self, window):
        start, stop = window.start or 0, window.stop
        boundary = self.scored_count
        ids = list(self.scored[start : min(stop, boundary)]) if start < boundary else []
        if stop > boundary:
            ids += list(self.others[max(start - boundary, 0) : stop - boundary])
        return ids


def ordered_ids(selection, sort):
    """The ids of ``selection`` in the order of ``sort``, for a Paginator: read from an index for the dossier's own
    columns and the score, sorted by the database for the others (a join or a subquery)."""
    if sort.lstrip("-") == "score":
        return ScoreOrderedIds(selection, descending=sort.startswith("-"))
    return selection.order_by(*ordering(sort)).values_list("pk", flat=True)


def ordering(sort):
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key in INDEXED_SORTS:
        fields = [SORTS[key]] if key == "reference" else [SORTS[key], "reference"]
        return [F(field).desc() if descending else F(field).asc() for field in fields]
    field = SORTS[key]
    value = field() if callable(field) else F(field)
    expression = value.desc(nulls_last=True) if descending else value.asc(nulls_last=True)
    return [expression, "reference"]


def build_filter(user, query):
    return DossierFilter(as_query_dict(query), queryset=staff_queryset(user), user=user)


def filtered_dossiers(user, query_string):
    """The dossiers ``user`` may see that match the list's filters (and its sort) in ``query_string``.

    Invalid filter values are ignored (the list shows them next to their field), never an error.
    """
    filterset = build_filter(user, query_string)
    return apply(filterset).order_by(*ordering(sort_key(query_string)))


def apply(filterset, exclude=()):
    """The filterset's queryset, filtered by its valid fields only (but those in ``exclude``)."""
    filterset.form.is_valid()
    queryset = filterset.queryset
    for name, value in filterset.form.cleaned_data.items():
        if name not in exclude:
            queryset = filterset.filters[name].filter(queryset, value)
    return queryset


def paginator_of(object_list, per_page, count=None):
    """A Paginator over ``object_list``; told ``count`` when the caller knows it (a list's tab counts, cached), it does
    not count the selection again."""
    paginator = Paginator(object_list, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is never computed
    return paginator
