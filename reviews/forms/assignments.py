"""Forms of assignments and conflicts of interest: staff assign reviewers, reviewers declare their interests and
confirm, per dossier, that they have no conflict."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Phase
from ptce_ami.core.forms import BaseForm, BaseModelForm
from ptce_ami.core.siret import SiretField
from ptce_ami.core.text import parse_ids
from ptce_ami.core.validators import validate_plausible_date
from reviews.models import DeclaredOrganisation, ReviewerDeclaration
from reviews.services import assignments as service


def helper(submit_name, label, *, secondary=False):
    form_helper = FormHelper()
    form_helper.form_tag = False
    if submit_name:
        form_helper.add_input(Submit(submit_name, label, css_class="fr-btn--secondary" if secondary else ""))
    return form_helper


class DueDateField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("À rendre avant le"))
        kwargs.setdefault("help_text", _("L'évaluation est due à 23 h 59, heure de Paris, ce jour-là."))
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        kwargs.setdefault("validators", [validate_plausible_date])
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("La date d'échéance ne peut pas être passée."))


class DueDateMixin(BaseForm):
    due_on = DueDateField()

    @property
    def due_at(self):
        return service.due_at_end_of(self.cleaned_data.get("due_on"))


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else obj.email


class ReviewerMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return ReviewerChoiceField.label_from_instance(self, obj)


class IdListField(forms.Field):
    """Ids passed along in hidden inputs (the selection of the instruction list); anything else is dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return parse_ids(values)


class DossierChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reference} — {obj.display_name}"


class AddReviewerForm(DueDateMixin):
    """From a dossier: one reviewer and a due date."""

    reviewer = ReviewerChoiceField(
        label=_("Évaluateur à affecter"),
        queryset=service.reviewers(),
        empty_label=_("Choisir un évaluateur"),
        error_messages={"required": _("Choisissez un évaluateur.")},
    )
    field_order = ["reviewer", "due_on"]

    def __init__(self, *args, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        if exclude:
            self.fields["reviewer"].queryset = service.reviewers().exclude(pk__in=exclude)
        self.helper = helper("assign", _("Affecter"))


class AddDossiersForm(DueDateMixin):
    """From a reviewer: dossiers and a due date."""

    dossiers = DossierChoiceField(
        label=_("Dossiers à lui affecter"),
        queryset=service.assignable_dossiers().none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Dossiers déposés, en instruction ou recevables. Maintenez Ctrl (ou Cmd) pour en choisir plusieurs."
        ),
        error_messages={"required": _("Choisissez au moins un dossier.")},
    )
    field_order = ["dossiers", "due_on"]

    def __init__(self, *args, reviewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossiers"].queryset = (
            service.assignable_dossiers()
            .exclude(assignments__reviewer=reviewer)
            .select_related("phase")
            .order_by("reference")
        )
        self.helper = helper("assign", _("Affecter les dossiers choisis"))


class BatchAssignForm(DueDateMixin):
    """For a selection of dossiers: reviewers and a due date."""

    reviewers = ReviewerMultipleChoiceField(
        label=_("Évaluateurs à affecter à chacun des dossiers"),
        queryset=service.reviewers(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un évaluateur.")},
    )
    field_order = ["reviewers", "due_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("assign", _("Affecter"))


class AutoAssignForm(DueDateMixin):
    phase = forms.ModelChoiceField(
        label=_("Phase"),
        queryset=Phase.objects.select_related("edition").order_by("-edition__year", "kind", "wave"),
        empty_label=_("Choisir une phase"),
        error_messages={"required": _("Choisissez la phase.")},
    )
    per_dossier = forms.IntegerField(
        label=_("Évaluateurs par dossier"),
        min_value=1,
        max_value=10,
        initial=2,
        help_text=_("Les affectations déjà faites au dossier comptent."),
    )
    cap = forms.IntegerField(
        label=_("Plafond de dossiers par évaluateur"),
        min_value=1,
        max_value=200,
        initial=10,
        help_text=_("Affectations déjà faites dans l'édition comprises."),
    )
    dossier = IdListField(required=False)
    field_order = ["phase", "per_dossier", "cap", "due_on", "dossier"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("preview", _("Prévisualiser l'affectation"))
        self.helper.form_method = "get"


class DeclarationForm(BaseModelForm):
    class Meta:
        model = ReviewerDeclaration
        fields = ["regions", "other_interests"]
        widgets = {
            "regions": forms.CheckboxSelectMultiple,
            "other_interests": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "regions": _(
                "Les régions où vous travaillez, êtes bénévole ou élu(e). Elles n'empêchent pas l'affectation."
            ),
            "other_interests": _("Tout autre lien (familial, financier, associatif) avec des porteurs de pôles."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = self.fields["regions"].queryset.order_by("name")
        self.helper = helper(None, "")


class DeclaredOrganisationForm(BaseModelForm):
    """One row of the declaration: optional as a whole, its name and SIRET needed once it is started. The page
    says so once above the rows (templates/reviews/assignments/declaration.html), not in every row."""

    siret = SiretField(label=_("SIRET de l'organisation"))

    class Meta:
        model = DeclaredOrganisation
        fields = ["name", "siret"]
        labels = {"name": _("Nom de l'organisation")}

    @property
    def helper(self):
        """Built when rendered: the formset adds "Supprimer" (DELETE) to saved rows after __init__."""
        form_helper = helper(None, "")
        form_helper.disable_csrf = True
        form_helper.dsfr_required_notice = False
        names = [name for name in ("name", "siret", "DELETE") if name in self.fields]
        form_helper.layout = Layout(Fieldset(self.legend(), *names))
        return form_helper

    def legend(self):
        """ "Organisation 2" for the formset's second row (prefix "organisations-1")."""
        index = (self.prefix or "").rpartition("-")[2]
        if not index.isdigit():
            return _("Organisation")
        return _("Organisation %(number)s") % {"number": int(index) + 1}


class BaseOrganisationFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            siret = form.cleaned_data.get("siret")
            if siret and siret in seen:
                form.add_error("siret", _("Cette organisation est déjà déclarée plus haut."))
            seen.add(siret)


OrganisationFormSet = forms.inlineformset_factory(
    ReviewerDeclaration,
    DeclaredOrganisation,
    form=DeclaredOrganisationForm,
    formset=BaseOrganisationFormSet,
    extra=3,
    can_delete=True,
    can_delete_extra=False,
)


class ConfirmForm(BaseForm):
    NO_CONFLICT = "no_conflict"
    CONFLICT = "conflict"

    decision = forms.ChoiceField(
        label=_("Votre situation à l'égard de ce dossier"),
        choices=[
            (NO_CONFLICT, _("Je n'ai aucun conflit d'intérêts")),
            (CONFLICT, _("Je déclare un conflit")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez l'une des deux réponses.")},
    )
    reason = forms.CharField(
        label=_("Nature du conflit"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Obligatoire si vous déclarez un conflit. Visible de l'équipe d'instruction uniquement."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required_later = True  # required with "Je déclare un conflit": no "(facultatif)"
        self.helper = helper("confirm", _("Valider ma réponse"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.CONFLICT and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Indiquez la nature du conflit d'intérêts."))
        return cleaned
