"""Forms of the selection committee: a proposal on a dossier, a session's record, a reopening, and the filters of the
committee view (django-filter)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from applications.enums import PhaseKind, TerritoryType
from applications.models import Dossier
from ptce_ami.core.forms import BaseForm
from ptce_ami.core.text import SEARCH_MAX_LENGTH, accent_insensitive_pattern
from reviews.enums import DecisionOutcome
from reviews.forms.instruction import plain_helper
from reviews.models import Decision, Opinion
from reviews.services.scoring import OVERSEAS_REGION_CODES
from territories.models import Region

MOTIVATION_MAX_LENGTH = 6000


class ProposalForm(BaseForm):
    outcome = forms.ChoiceField(
        label=_("Proposition"),
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez « Lauréat » ou « Non retenu ».")},
    )
    amount = forms.DecimalField(
        label=_("Montant de l'aide (€)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Phase 2, pour un lauréat : l'aide accordée sur la durée de la convention."),
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        max_length=MOTIVATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Reprise dans la lettre adressée au porteur."),
        error_messages={"required": _("La décision doit être motivée.")},
    )

    def __init__(self, *args, phase, **kwargs):
        super().__init__(*args, **kwargs)
        if phase.kind != PhaseKind.PHASE2:
            del self.fields["amount"]
        self.helper = plain_helper("propose", _("Enregistrer la proposition"))


class SessionForm(BaseForm):
    held_on = forms.DateField(
        label=_("Date du comité"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Indiquez la date du comité."), "invalid": _("Cette date n'existe pas.")},
    )
    members_present = forms.CharField(
        label=_("Membres présents"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Un membre par ligne : nom, fonction, institution."),
        error_messages={"required": _("Indiquez les membres présents.")},
    )
    notes = forms.CharField(
        label=_("Relevé des échanges"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = plain_helper("save", _("Enregistrer le comité"))


class ReopenForm(BaseForm):
    motivation = forms.CharField(
        label=_("Motif de la réouverture"),
        max_length=MOTIVATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Communiqué au porteur par courriel."),
        error_messages={"required": _("La réouverture doit être motivée.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = plain_helper("reopen", _("Rouvrir la décision"))


class ProposalStatus:
    NONE = "none"
    LAUREATE = DecisionOutcome.LAUREATE.value
    NOT_RETAINED = DecisionOutcome.NOT_RETAINED.value
    choices = [
        (NONE, _("Sans proposition")),
        (LAUREATE, _("Lauréat")),
        (NOT_RETAINED, _("Non retenu")),
    ]


class Priority:
    RURAL = "rural"
    QPV = "qpv"
    OVERSEAS = "overseas"
    choices = [
        (RURAL, _("Territoire rural")),
        (QPV, _("Quartier prioritaire de la ville")),
        (OVERSEAS, _("Outre-mer")),
    ]


class CommitteeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Recherche"),
        method="filter_text",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Nom du pôle ou référence."),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Région"), queryset=Region.objects.all(), empty_label=_("Toutes")
    )
    proposal = django_filters.ChoiceFilter(
        label=_("Proposition"), choices=ProposalStatus.choices, method="filter_proposal", empty_label=_("Toutes")
    )
    opinion = django_filters.ChoiceFilter(
        label=_("Avis régional"),
        field_name="regional_opinion__opinion",
        choices=Opinion.choices,
        empty_label=_("Tous"),
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priorité"), choices=Priority.choices, method="filter_priority", empty_label=_("Toutes")
    )

    class Meta:
        model = Dossier
        fields = []
        form = BaseForm

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__iregex=accent_insensitive_pattern(value)) | Q(reference__icontains=value))

    def filter_proposal(self, queryset, name, value):
        if not value:
            return queryset
        decisions = Decision.objects.current().filter(dossier=OuterRef("pk"))
        if value == ProposalStatus.NONE:
            return queryset.exclude(Exists(decisions))
        return queryset.filter(Exists(decisions.filter(outcome=value)))

    def filter_priority(self, queryset, name, value):
        if value == Priority.RURAL:
            return queryset.filter(territory_type=TerritoryType.RURAL)
        if value == Priority.QPV:
            return queryset.filter(includes_qpv=True)
        if value == Priority.OVERSEAS:
            return queryset.filter(region_id__in=OVERSEAS_REGION_CODES)
        return queryset
