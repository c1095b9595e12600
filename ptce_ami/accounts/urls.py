from django.contrib.auth import views as auth_views
from django.urls import path

from ptce_ami.accounts import proconnect_views, two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("inscription/", views.signup, name="signup"),
    path("inscription/envoyee/", views.signup_done, name="signup_done"),
    path("confirmation/renvoyer/", views.resend_confirmation, name="resend_confirmation"),
    path("confirmation/<str:token>/", views.confirm_email, name="confirm_email"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", proconnect_views.LogoutView.as_view(), name="logout"),
    # ProConnect (agents): 404 while it is not configured.
    path("proconnect/connexion/", proconnect_views.ProConnectLoginView.as_view(), name="proconnect_login"),
    path("proconnect/retour/", proconnect_views.proconnect_callback, name="proconnect_callback"),
    path("proconnect/deconnexion/", proconnect_views.proconnect_logout, name="proconnect_logout"),
    path("proconnect/deconnexion/retour/", proconnect_views.proconnect_logout_done, name="proconnect_logout_done"),
    path("mot-de-passe/oubli/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("mot-de-passe/changer/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mon-compte/", views.profile, name="profile"),
    path("langue/", views.set_language, name="language"),
    path("session/prolonger/", views.session_keepalive, name="session_keepalive"),
    path("session/duree-restante/", views.session_status, name="session_status"),
    path("mon-compte/deconnexion-partout/", views.log_out_everywhere, name="log_out_everywhere"),
    path("double-authentification/activer/", two_factor_views.enrol, name="two_factor_enrol"),
    path("double-authentification/verification/", two_factor_views.verify, name="two_factor_verify"),
    path(
        "double-authentification/codes-de-secours/", two_factor_views.recovery_codes, name="two_factor_recovery_codes"
    ),
    path(
        f"double-authentification/codes-de-secours/{two_factor_views.RECOVERY_CODES_FILENAME}",
        two_factor_views.recovery_codes_download,
        name="two_factor_recovery_codes_download",
    ),
    path(
        "double-authentification/codes-de-secours/regenerer/",
        two_factor_views.regenerate_recovery_codes,
        name="two_factor_regenerate_recovery_codes",
    ),
    path("double-authentification/desactiver/", two_factor_views.disable, name="two_factor_disable"),
    path("api/", views.api_tokens, name="api_tokens"),
    path("api/<int:token_id>/revoquer/", views.revoke_api_token, name="revoke_api_token"),
]
