"""A page of the site's layout with a TerritoryField alone, for the browser test of the combobox."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from territories.forms import TerritoryField

PAGE = """{% extends "base.html" %}{% load crispy_forms_tags %}
{% block extra_css %}{{ form.media.css }}{% endblock extra_css %}
{% block content %}
  <h1>Territoire</h1>
  <form method="get" novalidate>{% crispy form %}</form>
  <p id="cleaned">{% if form.is_bound and form.is_valid %}{{ form.cleaned_data.territory.ids|join:" " }}{% endif %}</p>
{% endblock content %}
{% block extra_js %}{{ form.media.js }}{% endblock extra_js %}"""


class TerritoryForm(forms.Form):
    territory = TerritoryField(label="Territoire du pôle")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", "Envoyer"))


def territory_page(request):
    form = TerritoryForm(data=request.GET or None)
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({"form": form}, request))


urlpatterns = [
    path("essai-territoire/", territory_page),
    path("", include("ptce_ami.urls")),
]
