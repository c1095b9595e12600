"""The chooser of the dashboards: an edition and, optionally, one of its phases (a GET form)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ptce_ami.core.forms import BaseForm
from ptce_ami.site.figures import phase_label


class ScopeForm(BaseForm):
    """``editions`` and ``phases`` are lists read once by the view (the form queries nothing); unbound (the page's
    URL without a choice), the latest published edition (or the latest one) and all its phases."""

    edition = forms.TypedChoiceField(label=_("Édition"), coerce=int, empty_value=None)
    phase = forms.TypedChoiceField(label=_("Phase"), coerce=int, required=False, empty_value=None)

    def __init__(self, data=None, *, editions=(), phases=()):
        super().__init__(data)
        self.editions = {edition.pk: edition for edition in editions}
        self.phases = {phase.pk: phase for phase in phases}
        self.fields["edition"].choices = [(edition.pk, edition.name) for edition in editions]
        self.fields["phase"].choices = [("", _("Toutes les phases"))] + [
            (edition.name, [(phase.pk, phase_label(phase)) for phase in phases if phase.edition_id == edition.pk])
            for edition in editions
        ]
        default = next((edition for edition in editions if edition.published), editions[0] if editions else None)
        self.default_edition = default
        if default is not None:
            self.fields["edition"].initial = default.pk

    def clean(self):
        cleaned = super().clean()
        edition, phase = cleaned.get("edition"), cleaned.get("phase")
        if phase is not None and edition is not None and self.phases[phase].edition_id != edition:
            self.add_error("phase", _("Cette phase n'appartient pas à l'édition choisie : choisissez-en une autre."))
        return cleaned

    def chosen(self):
        """(edition, phase) to show: the valid choices, the defaults for the others (an invalid field is left out of
        ``cleaned_data`` and shows its error)."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        edition = self.editions.get(data.get("edition")) or self.default_edition
        phase = self.phases.get(data.get("phase"))
        if phase is not None and (edition is None or phase.edition_id != edition.pk):  # the edition was invalid
            phase = None
        return edition, phase


class AccountDeletionForm(BaseForm):
    """The password, asked again before the account is deleted."""

    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."), code="password_incorrect")
        return password
