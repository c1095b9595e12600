"""The project's URLs and two that fail, for the browser audit of the error pages: a request the server refuses as
invalid (SuspiciousOperation: Django answers through ``handler400``, the French 400.html) and a view that raises
(``handler500``: 500.html, rendered without a request context). Both go through the live server like any page."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from ptce_ami.urls import handler400
from ptce_ami.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "urlpatterns"]


def refused(request):
    raise SuspiciousOperation("browser audit of the 400 page")


def broken(request):
    raise RuntimeError("browser audit of the 500 page")


urlpatterns = [
    path("essai-erreur-400/", refused),
    path("essai-erreur-500/", broken),
    *project_urlpatterns,
]
