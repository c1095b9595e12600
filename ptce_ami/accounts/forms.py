import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from ptce_ami.accounts.models import User
from ptce_ami.accounts.notifications import send_password_reset_email
from ptce_ami.accounts.services import API_TOKEN_LIFETIMES
from ptce_ami.core.forms import BaseForm, BaseModelForm, InputCleaningMixin


def submit_helper(label, *fields):
    helper = FormHelper()
    helper.form_tag = False
    if fields:
        helper.layout = Layout(*fields)
    helper.add_input(Submit("submit", label))
    return helper


# The password rules in one sentence: Django's own help text is a <ul>, which the hint (a <span> in the <label>) may
# not hold (invalid HTML, RGAA 8.2).
PASSWORD_HELP_TEXT = _("Au moins 12 caractères, ni trop courant, ni entièrement numérique.")


class SignupForm(BaseModelForm):
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_HELP_TEXT,
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Saisissez le même mot de passe."),
    )

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "organisation", "phone"]
        help_texts = {
            "email": _("Format attendu : nom@domaine.fr. Un lien de confirmation y sera envoyé."),
            "organisation": _("La structure qui porte ou accompagne le projet de pôle."),
            "phone": _("Format attendu : 01 22 33 44 55."),
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.helper = submit_helper(
            _("Créer mon compte"),
            Fieldset(_("Vos coordonnées"), "email", "first_name", "last_name", "organisation", "phone"),
            Fieldset(_("Votre mot de passe"), "password1", "password2"),
        )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def _get_validation_exclusions(self):
        # Whether the address already has an account is not checked here (unique field, constraint): the page must
        # not tell it. accounts.services.sign_up e-mails the owner instead. The form field validates the address.
        return {*super()._get_validation_exclusions(), "email"}

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(_("Les deux mots de passe ne sont pas identiques."), code="password_mismatch")
        return password2

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password1", error)

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class LoginForm(InputCleaningMixin, auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Format attendu : nom@domaine.fr"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("Adresse électronique ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé. Écrivez à l'équipe de l'AMI pour le réactiver."),
        "unconfirmed": _(
            "Votre adresse électronique n'est pas encore confirmée : suivez le lien reçu par courriel, "
            "ou demandez un nouveau lien ci-dessous."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Mot de passe")
        self.helper = submit_helper(_("Se connecter"))

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.email_confirmed:
            raise forms.ValidationError(self.error_messages["unconfirmed"], code="unconfirmed")


class EmailForm(BaseForm):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Format attendu : nom@domaine.fr"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(submit_label or _("Envoyer"))


class PasswordResetForm(InputCleaningMixin, auth_forms.PasswordResetForm):
    email = EmailForm.base_fields["email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Recevoir le lien de réinitialisation"))

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        # Through the outbox, like every e-mail of the platform (templates accounts/email/password_reset_*).
        send_password_reset_email(context["user"], context)


class SetPasswordForm(InputCleaningMixin, auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HELP_TEXT
        self.helper = submit_helper(_("Enregistrer le nouveau mot de passe"))


class PasswordChangeForm(InputCleaningMixin, auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HELP_TEXT
        self.helper = submit_helper(_("Changer de mot de passe"))


class ProfileForm(BaseModelForm):
    """The person's details; staff and regional partners also choose how often they are notified (DS #2172)."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "organisation", "phone", "notification_frequency"]
        widgets = {"notification_frequency": forms.RadioSelect}
        help_texts = {
            "notification_frequency": _(
                "Les dépôts de dossiers que vous suivez vous sont signalés par courriel : un message à chaque "
                "dépôt, ou un seul message récapitulatif chaque matin."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        if not (self.instance.is_instructeur or self.instance.is_partenaire):
            del self.fields["notification_frequency"]
        self.helper = submit_helper(_("Enregistrer"))


class ApiTokenForm(BaseForm):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=80,
        help_text=_("Pour le reconnaître : l'outil ou le script qui l'utilise. Par exemple : tableau de suivi CRESS."),
    )
    lifetime = forms.TypedChoiceField(
        label=_("Durée de validité"),
        coerce=int,
        choices=[
            (days, ngettext_lazy("%(days)d jour", "%(days)d jours", days) % {"days": days})
            for days in API_TOKEN_LIFETIMES
        ],
        initial=90,
        widget=forms.RadioSelect,
        help_text=_("Un an au plus. Le jeton cesse de fonctionner à cette date ; vous pouvez le révoquer avant."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Créer le jeton"))


# Second factor ---------------------------------------------------------------------------------------------------

SEPARATORS = re.compile(r"[\s\-]+")


class TotpCodeForm(BaseForm):
    """The first code of the application being enrolled."""

    code = forms.CharField(
        label=_("Code à 6 chiffres"),
        max_length=20,
        help_text=_("Le code affiché par votre application d'authentification. Format attendu : 123456."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(submit_label or _("Activer"))

    def clean_code(self):
        code = SEPARATORS.sub("", self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(_("Saisissez les 6 chiffres affichés par votre application."))
        return code


class SecondFactorForm(BaseForm):
    """A code of the TOTP application, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code de vérification"),
        max_length=40,
        help_text=_(
            "Les 6 chiffres affichés par votre application d'authentification, ou l'un de vos codes de secours "
            "(8 caractères). Format attendu : 123456."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false", "autofocus": True}
        ),
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(submit_label or _("Vérifier"))

    def clean_code(self):
        code = SEPARATORS.sub("", self.cleaned_data["code"]).lower()
        if not re.fullmatch(r"[0-9]{6}|[a-z2-7]{8}", code):
            raise forms.ValidationError(
                _("Saisissez les 6 chiffres affichés par votre application, ou un code de secours de 8 caractères.")
            )
        return code


class RecoveryCodesSavedForm(BaseForm):
    saved = forms.BooleanField(
        label=_("J'ai conservé mes codes de secours en lieu sûr."),
        error_messages={"required": _("Cochez cette case une fois vos codes de secours conservés.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Continuer"))


class LanguageForm(BaseForm):
    """The header's language switcher."""

    language = forms.ChoiceField(label=_("Langue"), choices=lambda: settings.LANGUAGES)
