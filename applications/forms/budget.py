"""The phase-2 budget step (a table of lines for the charges, another for the resources) and the grant step.

What a line must hold is said by ``applications.services.budget`` (the one home of the budget's rules): these forms
put each of its messages at the field of the row it concerns, in French.
"""

from types import SimpleNamespace

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.enums import BudgetCategory, BudgetSide, FundingStatus
from applications.services import budget
from ptce_ami.core.forms import BaseForm
from ptce_ami.core.money import euros

YEAR_CHOICES = [(1, "1"), (2, "2")]  # under the column "Année"
AMOUNT = {"max_digits": 12, "decimal_places": 2, "min_value": 0}
CATEGORIES = {
    BudgetSide.CHARGES: [(c.value, c.label) for c in BudgetCategory.charges()],
    # The aid requested under this call has its own step: the budget's table holds the other resources.
    BudgetSide.RESOURCES: [(c.value, c.label) for c in BudgetCategory.resources() if c != BudgetCategory.AMI_GRANT],
}
LINE_FIELDS = ("year", "category", "label", "funder", "status", "amount")


class BudgetLineForm(BaseForm):
    year = forms.TypedChoiceField(label=_("Année"), choices=YEAR_CHOICES, coerce=int, initial=1)
    category = forms.ChoiceField(
        label=_("Catégorie"), error_messages={"required": _("Choisissez la catégorie de cette ligne.")}
    )
    label = forms.CharField(label=_("Intitulé"), max_length=200, required=False)
    funder = forms.CharField(
        label=_("Financeur"), max_length=200, required=False, help_text=_("Pour un cofinancement.")
    )
    status = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[("", "—"), *FundingStatus.choices],
        help_text=_("Acquis ou sollicité."),
    )
    amount = forms.DecimalField(
        label=_("Montant (€)"),
        error_messages={"required": _("Indiquez le montant de cette ligne, en euros.")},
        **AMOUNT,
    )

    def __init__(self, *args, side, **kwargs):
        super().__init__(*args, **kwargs)
        self.side = side
        self.fields["category"].choices = [("", "—"), *CATEGORIES[side]]
        if side == BudgetSide.CHARGES:
            del self.fields["funder"], self.fields["status"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        line = SimpleNamespace(side=self.side, **{name: cleaned.get(name) or "" for name in LINE_FIELDS})
        for name, message in budget.line_problems(line).items():
            self.add_error(name, message)
        return cleaned

    def line(self):
        """The line as BudgetLine fields."""
        values = {name: self.cleaned_data.get(name, "") or "" for name in LINE_FIELDS}
        return {**values, "year": self.cleaned_data["year"], "amount": self.cleaned_data["amount"], "side": self.side}


class BaseBudgetFormSet(forms.BaseFormSet):
    def lines(self):
        """The filled lines, deleted ones left out (call once the formset is valid)."""
        return [
            form.line()
            for form in self.forms
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form))
        ]


BudgetFormSet = forms.formset_factory(BudgetLineForm, formset=BaseBudgetFormSet, extra=1, can_delete=True)


def budget_formset(side, data=None, initial=None, extra_rows=0):
    """The table of ``side`` (prefix "charges" or "resources"); ``extra_rows`` more empty rows (add a line)."""
    formset = BudgetFormSet(data, prefix=str(side), initial=initial, form_kwargs={"side": side})
    if extra_rows:
        formset.extra += extra_rows
        if formset.is_bound:
            data = data.copy()
            # total_form_count() reads a tampered TOTAL_FORMS ("abc", two values) as 0, where int() raised.
            data[f"{side}-TOTAL_FORMS"] = str(formset.total_form_count() + extra_rows)
            formset = BudgetFormSet(data, prefix=str(side), initial=initial, form_kwargs={"side": side})
    formset.helper = FormHelper()
    formset.helper.template = "dsfr/table_inline_formset.html"
    formset.helper.form_tag = False
    formset.helper.disable_csrf = True
    formset.helper.table_caption = (
        gettext("Charges prévisionnelles") if side == BudgetSide.CHARGES else gettext("Ressources prévisionnelles")
    )
    return formset


def line_initial(line):
    values = {name: getattr(line, name) for name in LINE_FIELDS}
    if line.amount == line.amount.to_integral_value():
        values["amount"] = int(line.amount)  # "60000", not "60000,00"
    return values


class GrantForm(BaseForm):
    """The aid requested under this call, per year (both years together within the phase's bounds)."""

    year1 = forms.DecimalField(label=_("Aide demandée pour l'année 1 (€)"), required=False, **AMOUNT)
    year2 = forms.DecimalField(label=_("Aide demandée pour l'année 2 (€)"), required=False, **AMOUNT)

    def __init__(self, *args, phase, **kwargs):
        super().__init__(*args, **kwargs)
        self.phase = phase
        self.fields["year1"].help_text = bounds_text(phase)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Fieldset(gettext("Aide demandée au titre de l'AMI PTCE"), "year1", "year2"))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        total = (cleaned.get("year1") or 0) + (cleaned.get("year2") or 0)
        if not total:
            self.add_error("year1", gettext("Indiquez le montant de l'aide demandée."))
        for message in budget.grant_problems(total, min_grant=self.phase.min_grant, max_grant=self.phase.max_grant):
            self.add_error("year1", message)
        return cleaned

    def amounts(self):
        return {1: self.cleaned_data.get("year1"), 2: self.cleaned_data.get("year2")}


def bounds_text(phase):
    if phase.min_grant is not None and phase.max_grant is not None:
        return gettext("Sur les deux années : entre %(min)s et %(max)s.") % {
            "min": euros(phase.min_grant),
            "max": euros(phase.max_grant),
        }
    if phase.max_grant is not None:
        return gettext("Sur les deux années : au plus %(max)s.") % {"max": euros(phase.max_grant)}
    return gettext("Montant en euros, par exemple 40 000.")
