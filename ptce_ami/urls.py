from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from ptce_ami.site import views as site_views
from reviews.urls import bouquet, grants

admin.site.site_header = _("AMI PTCE — administration")
admin.site.site_title = _("AMI PTCE")
admin.site.index_title = _("Configuration de l'appel et référentiels")

urlpatterns = [
    path("healthz", site_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("compte/", include("ptce_ami.accounts.urls")),
    path("territoires/", include("territories.urls")),
    path("api/", include("ptce_ami.api.urls")),
    # A dossier's bouquet de services (reviews) sits beside its pages (applications).
    path("dossiers/<str:reference>/bouquet/", include((bouquet.porteur_patterns, "bouquet"))),
    # A laureate's grant: the porteurs file their progress reports beside the dossier's pages.
    path("dossiers/<str:reference>/aide/", include((grants.porteur_patterns, "grants"))),
    path("dossiers/", include("applications.urls")),
    path("instruction/", include("reviews.urls")),
    path("", include("ptce_ami.site.urls")),
]
handler400 = "ptce_ami.site.views.bad_request"
