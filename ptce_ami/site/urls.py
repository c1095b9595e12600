from django.urls import path

from ptce_ami.site import account, dashboards, views
from ptce_ami.site.public import views as public

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    # The person's rights, beside the account's page (compte/mon-compte/, accounts floor).
    path("compte/mon-compte/mes-donnees.zip", account.download_data, name="personal_data_download"),
    path("compte/mon-compte/supprimer/", account.delete_account, name="account_delete"),
    path("espace/", views.dashboard, name="dashboard"),
    path("tableau-de-bord/national/", dashboards.national_dashboard, name="national_dashboard"),
    path(
        "tableau-de-bord/national/donnees/<slug:figure>.csv",
        dashboards.national_dashboard_csv,
        name="national_dashboard_csv",
    ),
    path("tableau-de-bord/regions/<str:code>/", dashboards.region_dashboard, name="region_dashboard"),
    path(
        "tableau-de-bord/regions/<str:code>/donnees/<slug:figure>.csv",
        dashboards.region_dashboard_csv,
        name="region_dashboard_csv",
    ),
    path("appel/", public.call, name="call"),
    path("laureats/", public.laureates, name="laureates"),
    path("laureats/laureats-ptce.csv", public.laureates_csv, name="laureates_csv"),
    path("laureats/schema/", public.laureates_schema, name="laureates_schema"),
    path("appel/chiffres.csv", public.call_figures_csv, name="call_figures_csv"),
    path("laureats/par-region.csv", public.laureates_regions_csv, name="laureates_regions_csv"),
    path("laureats/<str:reference>/", public.laureate, name="laureate"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("accessibilite/schema-pluriannuel/", views.accessibility_plan, name="accessibility_plan"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.personal_data, name="personal_data"),
    path("cookies/", views.cookies, name="cookies"),
    path("plan-du-site/", views.page, {"template": "site/pages/sitemap.html"}, name="sitemap"),
]
