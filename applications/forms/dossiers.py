"""Forms of the porteur's guided dossier. Every field is optional at save time (a draft keeps what is typed);
what is required for submission is checked by applications.services.completeness and shown on the summary page.
"""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from applications.enums import ActionLever, BouquetNeed, MemberCategory, MemberRole
from applications.models import Dossier, MemberStructure, Sector
from applications.services.completeness import MEMBER_REQUIRED_FIELDS, REQUIRED_FIELDS
from applications.services.steps import LEAD_FIELDS, form_fields
from ptce_ami.core.forms import BaseForm, BaseModelForm
from ptce_ami.core.siret import SiretField
from territories.forms import CommuneField, TerritoryField

TEXTAREA = forms.Textarea(attrs={"rows": 8})


class StepHelper(FormHelper):
    """Crispy helper of a step: no <form> tag (the page writes it), no buttons (the page adds them)."""

    def __init__(self, *fields):
        super().__init__()
        self.form_tag = False
        self.disable_csrf = True
        self.layout = Layout(*fields)


class FingerprintMixin(BaseForm):
    """The fingerprint of what the form was loaded from: the save is refused if someone changed it since."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)


def mark_required_later(fields, names):
    """Fields a draft may leave empty but that must be filled to submit: not "(facultatif)" on the page."""
    for name in names:
        if name in fields:
            fields[name].required = False
            fields[name].required_later = True


class StepForm(FingerprintMixin, forms.ModelForm):
    step = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        mark_required_later(self.fields, REQUIRED_FIELDS.get(self.step, ()))

    def valid_data(self):
        """What can be saved now: every field that validated (the others keep their error next to them)."""
        return {name: value for name, value in self.cleaned_data.items() if name in self._meta.fields}


class PoleForm(StepForm):
    step = "pole"
    website = forms.URLField(
        label=_("Site internet"),
        required=False,
        assume_scheme="https",
        help_text=_("Facultatif. Format attendu : https://www.exemple.fr"),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Secteurs et filières"),
        queryset=Sector.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Cochez les filières dans lesquelles le pôle agit."),
    )

    class Meta:
        model = Dossier
        fields = form_fields("pole")
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "stage": forms.RadioSelect,
        }
        help_texts = {
            "name": _("Le nom sous lequel le pôle est connu sur son territoire."),
            "summary": _(
                "En quelques phrases : qui coopère, sur quel territoire, pour quoi faire (1 500 caractères)."
            ),
            "started_on": _("Date à laquelle la coopération a commencé, même de manière informelle."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [choice for choice in self.fields["stage"].choices if choice[0]]
        self.helper = StepHelper(
            Fieldset(_("Identité du pôle"), "name", "summary", "started_on", "website"),
            Fieldset(_("Activité"), InlineRadios("stage"), "sectors"),
            "fingerprint",
        )


class LeadForm(BaseModelForm):
    """The lead structure (a MemberStructure with the lead role), edited with the porteur step."""

    siret = SiretField(label=_("SIRET de la structure porteuse"), required=False)
    commune = CommuneField(label=_("Commune du siège"), required=False)

    class Meta:
        model = MemberStructure
        fields = LEAD_FIELDS
        labels = {"name": _("Nom de la structure porteuse")}
        widgets = {"category": forms.RadioSelect, "ess_legal_form": forms.RadioSelect}
        help_texts = {
            "category": _("La structure porteuse doit être une personne morale de droit privé."),
            "ess_legal_form": _("Pour une entreprise de l'ESS uniquement."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="lead", **kwargs)
        for field in self.fields.values():
            field.required = False
        mark_required_later(self.fields, MEMBER_REQUIRED_FIELDS)
        self.fields["category"].choices = MemberCategory.choices
        self.fields["ess_legal_form"].choices = [
            choice for choice in self.fields["ess_legal_form"].choices if choice[0]
        ]
        self.helper = StepHelper(
            Fieldset(
                _("La structure porteuse"), "name", "siret", "commune", "category", "ess_legal_form", "esus_approved"
            ),
        )

    def valid_data(self):
        return {name: value for name, value in self.cleaned_data.items() if name in self._meta.fields}


class PorteurForm(StepForm):
    step = "porteur"

    class Meta:
        model = Dossier
        fields = form_fields("porteur")
        widgets = {
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "animation_fte": forms.NumberInput(attrs={"step": "0.1", "min": "0"}),
        }
        help_texts = {
            "representative_title": _("Par exemple : président, directrice, gérant."),
            "contact_email": _("Format attendu : nom@domaine.fr"),
            "animation_fte": _("En équivalents temps plein, par exemple 0,5."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = StepHelper(
            Fieldset(_("Représentant légal"), "representative_name", "representative_title"),
            Fieldset(_("Personne à contacter"), "contact_name", "contact_email", "contact_phone"),
            Fieldset(_("Animation du pôle"), "animation_fte"),
            "fingerprint",
        )


class TerritoryForm(StepForm):
    step = "territoire"
    territory = TerritoryField(label=_("Territoire du pôle"), required=False)

    class Meta:
        model = Dossier
        fields = form_fields("territoire")
        widgets = {"territory_type": forms.RadioSelect, "territory_description": TEXTAREA}
        help_texts = {
            "territory_description": _("Ses caractéristiques, ses besoins, et pourquoi le pôle s'y ancre."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["territory"] = [
                *self.instance.communes.select_related("departement", "parent"),
                *self.instance.epcis.all(),
                *self.instance.departements.all(),
            ]
        self.fields["territory_type"].choices = [c for c in self.fields["territory_type"].choices if c[0]]
        self.helper = StepHelper(
            Fieldset(_("Où agit le pôle ?"), "territory", InlineRadios("territory_type"), "includes_qpv"),
            Field("territory_description"),
            "fingerprint",
        )

    def valid_data(self):
        data = super().valid_data()
        if "territory" in self.cleaned_data:
            data["territory"] = self.cleaned_data["territory"]
        return data


class CooperationForm(StepForm):
    step = "cooperation"

    class Meta:
        model = Dossier
        fields = form_fields("cooperation")
        widgets = dict.fromkeys(fields, TEXTAREA)
        help_texts = {
            "shared_strategy": _(
                "Les besoins du territoire, les objectifs communs, ce qui est mutualisé, les "
                "projets menés ensemble et ceux à venir."
            ),
            "governance": _(
                "Comment les décisions sont prises, les instances, la structure juridique du pôle ou "
                "le rôle de la structure porteuse, l'existence d'une charte ou d'une convention."
            ),
            "collectivites_link": _(
                "Comment les collectivités participent (membre, financeur, co-pilote) et la "
                "cohérence avec les stratégies territoriales (SRDEII, PAT, contrat de ville…)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = StepHelper(*self._meta.fields, "fingerprint")


class ProjetForm(StepForm):
    step = "projet"

    class Meta:
        model = Dossier
        fields = form_fields("projet")
        widgets = {**dict.fromkeys(["innovation", "economic_model", "expected_impact"], TEXTAREA)}
        help_texts = {
            "innovation": _("L'innovation sociale ou technologique, les partenariats avec la recherche."),
            "economic_model": _(
                "Les ressources actuelles (publiques, privées, recettes propres), le coût de "
                "l'animation, la viabilité au-delà d'un soutien de l'État."
            ),
            "expected_impact": _("Emplois non délocalisables, impact social et environnemental, indicateurs suivis."),
            "jobs_expected": _("Nombre d'emplois créés ou consolidés attendus dans les trois ans."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = StepHelper(*self._meta.fields, "fingerprint")


class BesoinsForm(StepForm):
    step = "besoins"
    bouquet_needs = forms.MultipleChoiceField(
        label=_("Vos besoins dans le bouquet de services"),
        choices=BouquetNeed.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les lauréats de la phase 1 accèdent à ces accompagnements."),
    )

    class Meta:
        model = Dossier
        fields = form_fields("besoins")
        widgets = {"needs_comment": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = StepHelper("bouquet_needs", "needs_comment", "fingerprint")


class EngagementsForm(StepForm):
    step = "engagements"

    class Meta:
        model = Dossier
        fields = form_fields("engagements")
        labels = {
            "charter_adherence": _(
                "Les membres du pôle adhèrent à la charte des pôles territoriaux de coopération économique."
            ),
            "certify_accurate": _(
                "Je certifie sur l'honneur l'exactitude des informations de ce dossier et que la "
                "structure porteuse est à jour de ses obligations fiscales et sociales."
            ),
            "consent_publication": _(
                "J'accepte que le nom du pôle, son territoire et sa présentation synthétique "
                "soient publiés si le pôle est sélectionné."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = StepHelper(
            Fieldset(_("Engagements"), "charter_adherence", "certify_accurate", "consent_publication"),
            "fingerprint",
        )


class PlanForm(StepForm):
    step = "plan"
    action_levers = forms.MultipleChoiceField(
        label=_("Leviers du plan d'action"),
        choices=ActionLever.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("L'aide finance d'abord l'animation du pôle ; cochez les leviers sur lesquels porte le plan."),
    )

    class Meta:
        model = Dossier
        fields = form_fields("plan")
        widgets = {"action_plan": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "action_plan": _(
                "Les actions prévues sur les deux années, en commençant par l'animation du pôle : objectifs, "
                "calendrier, structures impliquées, résultats attendus."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = StepHelper("action_levers", "action_plan", "fingerprint")


class MoyensForm(StepForm):
    step = "moyens"

    class Meta:
        model = Dossier
        fields = form_fields("moyens")
        widgets = {"staffing": TEXTAREA, "staffing_fte": forms.NumberInput(attrs={"step": "0.1", "min": "0"})}
        help_texts = {
            "staffing": _("Qui anime et coordonne le pôle, avec quelles compétences, recrutements prévus."),
            "staffing_fte": _("En équivalents temps plein, par exemple 1,5."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = StepHelper("staffing", "staffing_fte", "fingerprint")


class ApresForm(StepForm):
    step = "apres"

    class Meta:
        model = Dossier
        fields = form_fields("apres")
        widgets = {"post_grant_plan": TEXTAREA}
        help_texts = {
            "post_grant_plan": _(
                "Comment le pôle finance son animation à partir de la troisième année : ressources propres, "
                "cotisations, collectivités, autres financeurs."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = StepHelper("post_grant_plan", "fingerprint")


class IndicateursForm(StepForm):
    step = "indicateurs"

    class Meta:
        model = Dossier
        fields = form_fields("indicateurs")
        widgets = {"indicators": TEXTAREA}
        help_texts = {
            "indicators": _(
                "Les indicateurs suivis (emplois, structures coopérant, projets, impact social et environnemental), "
                "leur valeur de départ, la cible à deux ans, et comment l'évaluation est menée."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = StepHelper("indicators", "fingerprint")


STEP_FORMS = {
    "pole": PoleForm,
    "porteur": PorteurForm,
    "territoire": TerritoryForm,
    "cooperation": CooperationForm,
    "projet": ProjetForm,
    "besoins": BesoinsForm,
    "engagements": EngagementsForm,
    "plan": PlanForm,
    "moyens": MoyensForm,
    "apres": ApresForm,
    "indicateurs": IndicateursForm,
}


class MemberForm(FingerprintMixin, forms.ModelForm):
    siret = SiretField(
        label=_("SIRET"), required=False, help_text=_("14 chiffres. Facultatif seulement pour une personne physique.")
    )
    commune = CommuneField(label=_("Commune"), required=False)

    class Meta:
        model = MemberStructure
        fields = ["siret", "name", "category", "ess_legal_form", "esus_approved", "commune", "role", "contribution"]
        widgets = {
            "category": forms.RadioSelect,
            "ess_legal_form": forms.RadioSelect,
            "role": forms.RadioSelect,
            "contribution": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "ess_legal_form": _("Pour une entreprise de l'ESS : sa forme juridique (art. 1 de la loi ESS)."),
            "contribution": _("Ce que la structure apporte au pôle et ce qu'elle en attend."),
        }

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        self.fields["name"].required = True
        self.fields["category"].required = True
        mark_required_later(self.fields, ("siret", "commune"))
        self.fields["category"].choices = MemberCategory.choices
        self.fields["ess_legal_form"].choices = [c for c in self.fields["ess_legal_form"].choices if c[0]]
        self.fields["role"].choices = [c for c in MemberRole.choices if c[0] != MemberRole.LEAD]
        self.helper = StepHelper(
            Fieldset(_("Identification"), "siret", "name", "commune"),
            Fieldset(_("Nature de la structure"), "category", "ess_legal_form", "esus_approved"),
            Fieldset(_("Place dans le pôle"), InlineRadios("role"), "contribution"),
            "fingerprint",
        )

    def clean_siret(self):
        siret = self.cleaned_data["siret"]
        duplicates = self.dossier.members.filter(siret=siret).exclude(pk=self.instance.pk)
        if siret and duplicates.exists():
            raise forms.ValidationError(
                _("Cette structure figure déjà parmi les membres du pôle (%(name)s).") % {"name": duplicates[0].name},
                code="duplicate",
            )
        return siret

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("category") != MemberCategory.ESS_ENTERPRISE:
            cleaned["ess_legal_form"] = ""
        return cleaned


class InvitationForm(BaseForm):
    email = forms.EmailField(
        label=_("Adresse électronique de la personne à inviter"),
        help_text=_(
            "Format attendu : nom@domaine.fr. Elle pourra compléter le dossier ; seul vous pourrez le déposer."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("invite", _("Inviter")))


class WithdrawForm(BaseForm):
    comment = forms.CharField(
        label=_("Motif du retrait"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Facultatif. Il sera conservé dans l'historique du dossier."),
    )
    confirm = forms.BooleanField(
        label=_("Je confirme le retrait de ce dossier : il ne sera plus candidat à cette phase."),
        error_messages={"required": _("Cochez la case pour confirmer le retrait.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("withdraw", _("Retirer le dossier"), css_class="fr-btn--secondary"))
