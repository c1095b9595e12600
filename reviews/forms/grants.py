"""Forms of the grants: the porteurs' progress report, staff's actions on a grant (agreement, payment, suspension,
review of a report, follow-up committee, year-3 aid) and the filters of the staff list of grants."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from applications.enums import PhaseKind
from applications.models import Phase
from ptce_ami.core.forms import BaseForm
from ptce_ami.core.money import euros
from ptce_ami.core.validators import validate_plausible_date
from reviews.enums import GrantStatus, Year3Decision
from reviews.forms.lists import DossierRowFilter
from reviews.models import Grant

NARRATIVE_MAX_LENGTH = 12000
TEXT_MAX_LENGTH = 6000
MAX_AMOUNT = 10**9


def submit_helper(name, label):
    helper = FormHelper()
    helper.form_tag = False
    helper.add_input(Submit(name, label))
    return helper


class DateField(forms.DateField):
    """A date typed in the browser's date picker."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        kwargs.setdefault("validators", [validate_plausible_date])
        super().__init__(**kwargs)


def amount_field(label, **kwargs):
    return forms.DecimalField(
        label=label, min_value=0, max_value=MAX_AMOUNT, max_digits=12, decimal_places=2, **kwargs
    )


# The porteurs' report ----------------------------------------------------------------------------------------------


class ReportForm(BaseForm):
    """Narrative, the dossier's declared indicators with their achieved values, spending per category of charges
    against the budget. A draft keeps anything; submitting needs the narrative and every amount spent."""

    narrative = forms.CharField(
        label=_("Bilan des actions menées"),
        error_messages={"required": _("Décrivez les actions menées avant de déposer le rapport.")},
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Les actions réalisées au regard du plan d'action, les difficultés rencontrées, les suites."),
    )

    def __init__(self, *args, indicators, spending, submitting=False, **kwargs):
        self.indicator_names = {f"indicator_{index}": name for index, name in enumerate(indicators)}
        self.categories = {f"spent_{line.category}": line.category for line in spending}
        self.submitting = submitting
        # The fields of this report, declared before the base __init__ so that numbers are read the French way.
        fields = dict(self.base_fields)
        for field_name, name in self.indicator_names.items():
            fields[field_name] = forms.CharField(label=name, required=False, max_length=200)
        for line in spending:
            fields[f"spent_{line.category}"] = amount_field(
                line.label,
                error_messages={"required": _("Indiquez le montant dépensé (0 si rien n'a été dépensé).")},
                help_text=_("Prévu au budget sur les deux années : %(planned)s.") % {"planned": euros(line.planned)},
            )
        self.base_fields = fields
        super().__init__(*args, **kwargs)
        if self.is_bound and not submitting:
            # A draft keeps whatever is filled in; only submitting needs every answer.
            for name in ("narrative", *self.categories):
                self.fields[name].required = False

    def indicator_values(self):
        return {name: self.cleaned_data.get(field_name, "") for field_name, name in self.indicator_names.items()}

    def spending_values(self):
        return {category: self.cleaned_data.get(field_name) for field_name, category in self.categories.items()}

    def indicator_fields(self):
        return [self[name] for name in self.indicator_names]

    def spending_fields(self):
        return [self[name] for name in self.categories]


# Staff's actions on a grant --------------------------------------------------------------------------------------


class AgreementForm(BaseForm):
    signed_on = DateField(
        label=_("Date de signature de la convention"),
        help_text=_("La tranche versée à la signature devient due ; les échéances des rapports en découlent."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "agreement")
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("agreement", _("Enregistrer la date de signature"))


class PaymentForm(BaseForm):
    paid_on = DateField(label=_("Versée le"))

    def __init__(self, *args, payment, **kwargs):
        kwargs.setdefault("prefix", f"payment-{payment.pk}")
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].label = _("Date du versement « %(label)s »") % {"label": payment.label}
        self.helper = submit_helper("payment", _("Enregistrer le versement"))


class SuspensionForm(BaseForm):
    motivation = forms.CharField(
        label=_("Motif de la suspension"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Décret n° 2015-431, article 5 : le versement peut être suspendu si le projet ne correspond plus à ses "
            "objectifs ou à ses engagements. Le motif est communiqué au porteur."
        ),
        error_messages={"required": _("Motivez la suspension : elle est communiquée au porteur.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "suspension")
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("suspend", _("Suspendre l'aide"))


class ResumptionForm(BaseForm):
    motivation = forms.CharField(
        label=_("Message au porteur"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "resumption")
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("resume", _("Rétablir l'aide"))


class ReportReviewForm(BaseForm):
    APPROVE, CHANGES = "approve", "changes"
    outcome = forms.ChoiceField(
        label=_("Décision sur le rapport"),
        widget=forms.RadioSelect,
        choices=[(APPROVE, _("Approuver le rapport")), (CHANGES, _("Demander des compléments"))],
        error_messages={"required": _("Approuvez le rapport ou demandez des compléments.")},
    )
    notes = forms.CharField(
        label=_("Observations au porteur"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Obligatoires pour une demande de compléments : le porteur les lit avec son rapport."),
    )

    def __init__(self, *args, report, **kwargs):
        kwargs.setdefault("prefix", f"review-{report.pk}")
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("review", _("Enregistrer l'examen"))

    def clean(self):
        data = super().clean()
        if data.get("outcome") == self.CHANGES and not (data.get("notes") or "").strip():
            self.add_error("notes", _("Dites au porteur ce qu'il doit compléter ou corriger."))
        return data


class FollowUpSessionForm(BaseForm):
    held_on = DateField(label=_("Date de la réunion"))
    attendees = forms.CharField(
        label=_("Participants"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Relevé de la réunion"),
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Résumez ce que le comité de suivi a examiné et décidé.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "followup")
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("followup", _("Enregistrer la réunion"))


class Year3Form(BaseForm):
    decision = forms.ChoiceField(
        label=_("Aide complémentaire de 3e année"),
        widget=forms.RadioSelect,
        choices=[(Year3Decision.GRANTED, _("Accordée")), (Year3Decision.REFUSED, _("Refusée"))],
        error_messages={"required": _("Indiquez si l'aide de 3e année est accordée ou refusée.")},
    )
    amount = amount_field(_("Montant accordé (€)"), required=False)
    motivation = forms.CharField(
        label=_("Motivation"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Motivez la décision sur l'aide de 3e année.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "year3")
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("year3", _("Enregistrer la décision"))

    def clean(self):
        data = super().clean()
        amount = data.get("amount")
        if data.get("decision") == Year3Decision.GRANTED and not amount and "amount" not in self.errors:
            self.add_error("amount", _("Indiquez le montant de l'aide de 3e année accordée."))
        return data


# The staff list ----------------------------------------------------------------------------------------------------


class GrantFilter(DossierRowFilter):
    phase = django_filters.ModelChoiceFilter(
        label=_("Phase"),
        field_name="dossier__phase",
        queryset=Phase.objects.filter(kind=PhaseKind.PHASE2).select_related("edition"),
        empty_label=_("Toutes"),
    )
    status = django_filters.ChoiceFilter(label=_("État"), choices=GrantStatus.choices, empty_label=_("Tous"))

    class Meta:
        model = Grant
        fields = []
        form = BaseForm
