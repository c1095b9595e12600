"""Forms of the bouquet de services: a porteur's request, staff's follow-up of a request, and the filters of the
staff list of requests."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.enums import BouquetNeed
from ptce_ami.core.forms import BaseForm
from reviews.enums import RequestStatus
from reviews.forms.lists import DossierRowFilter
from reviews.models import BouquetRequest, Compagnon

NOTE_MAX_LENGTH = 2000


def submit_helper(name, label):
    helper = FormHelper()
    helper.form_tag = False
    helper.add_input(Submit(name, label))
    return helper


class ServiceRequestForm(BaseForm):
    """The services a PTCE émergent has not requested yet; the need it declared in its dossier is said beside."""

    service = forms.ChoiceField(
        label=_("Service demandé"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez le service que vous demandez."),
            "invalid_choice": _("Ce service est déjà demandé ou n'existe pas : choisissez un service de la liste."),
        },
    )
    note = forms.CharField(
        label=_("Précisions"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Ce que vous attendez de ce service, les thèmes qui vous intéressent, vos disponibilités : "
            "l'équipe s'en sert pour organiser l'accompagnement."
        ),
    )

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [
            (offer.service.value, choice_label(offer)) for offer in offers if offer.request is None
        ]
        self.helper = submit_helper("request", _("Demander ce service"))


def choice_label(offer):
    if offer.declared:
        return _("%(service)s (besoin indiqué dans votre dossier)") % {"service": offer.service.label}
    return offer.service.label


class FollowUpForm(BaseForm):
    """Staff's follow-up of a request: its status, its compagnon (the transfert de savoir-faire only), notes."""

    status = forms.ChoiceField(label=_("Suivi"), choices=RequestStatus.choices, widget=forms.RadioSelect)
    compagnon = forms.ModelChoiceField(
        label=_("PTCE compagnon"),
        queryset=Compagnon.objects.none(),
        required=False,
        empty_label=_("Aucun compagnon désigné"),
        help_text=_(
            "Les compagnons disponibles de la liste tenue dans l'administration. Les porteurs sont prévenus par "
            "courriel du compagnon désigné."
        ),
    )
    staff_notes = forms.CharField(
        label=_("Notes de suivi"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Internes à l'équipe : les porteurs ne les voient pas."),
    )

    def __init__(self, *args, bouquet_request, **kwargs):
        request = bouquet_request
        kwargs.setdefault(
            "initial",
            {"status": request.status, "compagnon": request.compagnon_id, "staff_notes": request.staff_notes},
        )
        super().__init__(*args, **kwargs)
        if request.takes_compagnon:
            # The compagnon designated stays selectable even once staff mark it unavailable.
            available = Q(active=True) | Q(pk=request.compagnon_id) if request.compagnon_id else Q(active=True)
            self.fields["compagnon"].queryset = Compagnon.objects.filter(available)
        else:
            del self.fields["compagnon"]
        self.helper = submit_helper("follow_up", _("Enregistrer le suivi"))


class BouquetRequestFilter(DossierRowFilter):
    status = django_filters.ChoiceFilter(label=_("Suivi"), choices=RequestStatus.choices, empty_label=_("Tous"))
    service = django_filters.ChoiceFilter(label=_("Service"), choices=BouquetNeed.choices, empty_label=_("Tous"))

    class Meta:
        model = BouquetRequest
        fields = []
        form = BaseForm
