"""Forms that exercise every widget and layout object of the DSFR template pack."""

from crispy_forms.bootstrap import FormActions, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row, Submit
from django import forms

SECTORS = [("culture", "Culture"), ("digital", "Numérique"), ("food", "Alimentation")]
LEGAL_FORMS = [("association", "Association"), ("scic", "SCIC"), ("gie", "GIE")]
REGIONS = [("", "Sélectionner une région"), ("84", "Auvergne-Rhône-Alpes"), ("11", "Île-de-France")]


class ApplicationForm(forms.Form):
    name = forms.CharField(
        label="Nom du pôle",
        max_length=100,
        help_text="Tel qu’il figure dans les statuts.",
        widget=forms.TextInput(attrs={"autocomplete": "organization", "data-counter": "100"}),
    )
    email = forms.EmailField(label="Adresse électronique", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    members_count = forms.IntegerField(
        label="Nombre de membres", min_value=3, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    budget = forms.DecimalField(label="Budget annuel", required=False, max_digits=10, decimal_places=2)
    founded_on = forms.DateField(label="Date de création", widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(
        label="Présentation", help_text="1 000 caractères au plus.", widget=forms.Textarea(attrs={"rows": 4})
    )
    region = forms.ChoiceField(label="Région", choices=REGIONS)
    sectors = forms.MultipleChoiceField(
        label="Secteurs d’activité",
        choices=SECTORS,
        widget=forms.CheckboxSelectMultiple,
        help_text="Plusieurs réponses possibles.",
    )
    legal_form = forms.ChoiceField(label="Forme juridique", choices=LEGAL_FORMS, widget=forms.RadioSelect)
    siret = forms.CharField(
        label="SIRET", required=False, widget=forms.TextInput(attrs={"aria-describedby": "siret-where"})
    )
    statutes = forms.FileField(label="Statuts", required=False, help_text="Format PDF, 10 Mo au plus.")
    reference = forms.CharField(label="Référence", required=False, disabled=True, initial="AMI-2026-001")
    accepts_terms = forms.BooleanField(label="J’accepte que mes données soient traitées.")
    campaign = forms.CharField(widget=forms.HiddenInput, required=False, initial="2026")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                "Le pôle",
                "name",
                "email",
                Row(
                    Column("members_count", css_class="fr-col-md-6"),
                    Column("budget", css_class="fr-col-md-6"),
                ),
                "founded_on",
                "summary",
                "campaign",
            ),
            Fieldset("Son activité", "region", "sectors", InlineRadios("legal_form")),
            HTML('<p id="siret-where">Le SIRET figure sur l’avis de situation INSEE.</p>'),
            "siret",
            "statutes",
            "reference",
            "accepts_terms",
            FormActions(
                Submit("submit", "Déposer le dossier"),
                Submit("save_draft", "Enregistrer le brouillon", css_class="fr-btn--secondary"),
            ),
        )

    def clean_siret(self):
        siret = self.cleaned_data["siret"]
        if siret and len(siret) != 14:
            raise forms.ValidationError("Un SIRET compte 14 chiffres.")
        return siret

    def clean(self):
        raise forms.ValidationError("Le dossier ne peut pas être déposé en l’état.")


# Valid: name, budget, sectors, statutes, campaign. In error: everything else, and the form itself.
INVALID_DATA = {
    "name": "Pôle Sud",
    "email": "pas-une-adresse",
    "members_count": "2",
    "budget": "1200.50",
    "founded_on": "",
    "summary": "",
    "region": "",
    "sectors": ["culture", "food"],
    "legal_form": "",
    "siret": "123",
    "campaign": "2026",
}
FIELDS_IN_ERROR = {"email", "members_count", "founded_on", "summary", "region", "legal_form", "siret", "accepts_terms"}
NON_FIELD_ERROR = "Le dossier ne peut pas être déposé en l’état."


class MemberForm(forms.Form):
    name = forms.CharField(label="Nom", help_text="Nom de la structure membre.")
    role = forms.ChoiceField(label="Rôle", required=False, choices=[("", "—"), ("founder", "Fondateur")])

    def clean(self):
        if self.cleaned_data.get("name") == "Doublon":
            raise forms.ValidationError("Cette structure figure déjà dans la liste.")


MemberFormSet = forms.formset_factory(MemberForm, extra=1, can_delete=True)
