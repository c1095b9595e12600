from django.urls import path

from ptce_ami.site import views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("espace/", views.dashboard, name="dashboard"),
    path("appel/", views.call, name="call"),
    path("laureats/", views.laureates, name="laureates"),
    path("laureats/laureats-ptce.csv", views.laureates_csv, name="laureates_csv"),
    path("laureats/schema/", views.laureates_schema, name="laureates_schema"),
    path("accessibilite/", views.page, {"template": "site/pages/accessibility.html"}, name="accessibility"),
    path("mentions-legales/", views.page, {"template": "site/pages/legal_notice.html"}, name="legal_notice"),
    path("donnees-personnelles/", views.page, {"template": "site/pages/personal_data.html"}, name="personal_data"),
    path("plan-du-site/", views.page, {"template": "site/pages/sitemap.html"}, name="sitemap"),
]
