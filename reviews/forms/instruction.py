"""Forms of the instruction pages: workflow actions, eligibility overrides, annotations, labels, saved filters."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from applications.enums import RuleStatus
from applications.models import Label
from applications.workflow import MOTIVATION_REQUIRED
from ptce_ami.core.forms import BaseForm, BaseModelForm
from ptce_ami.core.text import is_id
from reviews.models import SavedFilter

MOTIVATION_MISSING = _("Indiquez la motivation : elle est conservée dans l'historique du dossier.")

# The workflow actions of the staff dossier page: action → (button, confirmation title, submit label).
ACTIONS = {
    "start_review": (_("Démarrer l'instruction"), _("Démarrer l'instruction de ce dossier ?")),
    "declare_eligible": (_("Déclarer recevable"), _("Déclarer ce dossier recevable ?")),
    "declare_ineligible": (_("Déclarer irrecevable"), _("Déclarer ce dossier irrecevable ?")),
    "reopen": (_("Rouvrir l'instruction"), _("Rouvrir l'instruction de ce dossier ?")),
}


def plain_helper(submit_name, submit_label, css_class=""):
    helper = FormHelper()
    helper.form_tag = False
    helper.add_input(Submit(submit_name, submit_label, css_class=css_class))
    return helper


class ActionForm(BaseForm):
    comment = forms.CharField(
        label=_("Motivation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=6000,
        error_messages={"required": MOTIVATION_MISSING},
    )

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        field = self.fields["comment"]
        field.required = action in MOTIVATION_REQUIRED
        field.help_text = (
            _("Obligatoire. Elle est conservée dans l'historique du dossier.")
            if field.required
            else _("Facultative. Elle est conservée dans l'historique du dossier.")
        )
        self.helper = plain_helper("confirm", ACTIONS[action][0])


class OverrideForm(BaseForm):
    status = forms.ChoiceField(label=_("Résultat retenu"), choices=RuleStatus.choices)
    motivation = forms.CharField(
        label=_("Motivation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=6000,
        error_messages={"required": MOTIVATION_MISSING},
    )

    def __init__(self, *args, result, **kwargs):
        kwargs.setdefault("initial", {"status": result.effective_status, "motivation": result.override_motivation})
        super().__init__(*args, prefix=f"regle-{result.pk}", **kwargs)
        self.result = result
        # One form per rule on the page: the button's name (hence its id) carries the result's.
        self.helper = plain_helper(
            f"override-{result.pk}", _("Enregistrer ce résultat"), "fr-btn--secondary fr-btn--sm"
        )

    def clean_motivation(self):
        motivation = self.cleaned_data["motivation"].strip()
        if not motivation:
            raise forms.ValidationError(MOTIVATION_MISSING)
        return motivation


class AnnotationForm(BaseForm):
    body = forms.CharField(
        label=_("Nouvelle annotation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Visible des seuls agents qui instruisent le dossier, jamais du porteur."),
        error_messages={"required": _("Écrivez le texte de l'annotation.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="annotation", **kwargs)
        self.helper = plain_helper("annotate", _("Ajouter l'annotation"), "fr-btn--secondary")

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Écrivez le texte de l'annotation."))
        return body


class LabelsForm(BaseForm):
    labels = forms.ModelMultipleChoiceField(
        label=_("Étiquettes du dossier"),
        queryset=Label.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    new_label = forms.CharField(
        label=_("Nouvelle étiquette"),
        max_length=60,
        required=False,
        help_text=_("Facultatif. Créée si aucune étiquette ne porte déjà ce nom."),
    )

    def __init__(self, *args, label_choices=None, **kwargs):
        super().__init__(*args, prefix="etiquettes", **kwargs)
        if label_choices is not None:
            # Already loaded by the page: no second query to render the checkboxes.
            self.fields["labels"].choices = [(label.pk, label.name) for label in label_choices]
        self.helper = plain_helper("labels", _("Enregistrer les étiquettes"), "fr-btn--secondary")


class SavedFilterForm(BaseModelForm):
    class Meta:
        model = SavedFilter
        fields = ["name", "query"]
        labels = {"name": _("Nom du filtre")}
        widgets = {"query": forms.HiddenInput}
        error_messages = {"name": {"required": _("Donnez un nom à ce filtre.")}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, prefix="filtre", **kwargs)
        self.user = user
        self.fields["query"].required = False
        self.helper = plain_helper("save_filter", _("Enregistrer ce filtre"), "fr-btn--secondary fr-btn--sm")

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if SavedFilter.objects.filter(user=self.user, name__iexact=name).exists():
            raise forms.ValidationError(
                _("Vous avez déjà un filtre nommé « %(name)s » : choisissez un autre nom ou supprimez l'ancien."),
                params={"name": name},
            )
        return name

    def clean_query(self):
        return (self.cleaned_data.get("query") or "").lstrip("?")

    def save(self, commit=True):
        self.instance.user = self.user
        return super().save(commit)


class BatchForm(BaseForm):
    ACTIONS = [("start_review", _("Démarrer l'instruction")), ("assign", _("Affecter des évaluateurs"))]

    dossier = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": _("Cochez au moins un dossier.")}
    )
    action = forms.ChoiceField(choices=ACTIONS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices are checked against the user's scope by the view, not here.
        self.fields["dossier"].valid_value = is_id
