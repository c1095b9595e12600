"""ProConnect for agents (issue 13 part 4), end to end against a real OpenID Connect provider on 127.0.0.1.

The Django test client starts the login, the provider's page is answered over HTTP (as the agent would), and the
code is exchanged by the backend with the provider for real: token endpoint, ID token and userinfo JWT verified
against the provider's JWKS.
"""

import socket
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.urls import reverse

from ptce_ami.accounts import proconnect
from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.models import User
from ptce_ami.core.models import AuditAction, AuditEntry
from tests.accounts.factories import PASSWORD, UserFactory, code_for, enrolled
from tests.accounts.proconnect_provider import CLIENT_ID, CLIENT_SECRET, running_provider

pytestmark = pytest.mark.django_db

PROCONNECT_URLS = ["proconnect_login", "proconnect_callback", "proconnect_logout", "proconnect_logout_done"]


@pytest.fixture
def provider(settings, monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the provider is served over plain HTTP on 127.0.0.1
    with running_provider() as running:
        settings.PROCONNECT_ISSUER = running.url
        settings.PROCONNECT_CLIENT_ID = CLIENT_ID
        settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
        yield running


def start_login(client):
    """Click the button: the site sends the browser to the provider's authorization endpoint."""
    response = client.get(reverse("accounts:proconnect_login"))
    assert response.status_code == 302
    return response["Location"]


def authorize_on_provider(authorize_url, email):
    """The agent's page on the provider: it is shown, then the agent identifies as ``email``."""
    page = httpx.get(authorize_url)
    assert page.status_code == 200
    answer = httpx.post(authorize_url, data={"sub": email})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def log_in_with_proconnect(client, email):
    callback = authorize_on_provider(start_login(client), email)
    assert urlsplit(callback).path == reverse("accounts:proconnect_callback")
    return client.get(callback)


def page_messages(client, response):
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_an_existing_agent_logs_in_and_the_login_is_audited(client, provider):
    agent = UserFactory(instructeur=True, email="marie.agent@finances.gouv.fr")
    # ProConnect gives the address with another case: the account is found all the same.
    provider.set_user("Marie.Agent@finances.gouv.fr", given_name="Marie", usual_name="Agent", siret="11000201100044")

    response = log_in_with_proconnect(client, "Marie.Agent@finances.gouv.fr")

    assert response.status_code == 302
    assert response["Location"] == reverse("site:dashboard")
    assert client.session[SESSION_KEY] == str(agent.pk)
    assert client.session[proconnect.SESSION_ID_TOKEN].count(".") == 2  # the ID token, kept for the logout
    assert "second_factor_by" not in client.session
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert (entry.actor_id, entry.details) == (agent.pk, {"method": "proconnect"})
    assert client.get(reverse("site:dashboard")).status_code == 200


def test_a_next_that_is_not_a_path_lands_on_the_dashboard_not_a_server_error(client, provider):
    agent = UserFactory(instructeur=True, email="next.agent@finances.gouv.fr")
    provider.set_user(agent.email)
    authorize_url = client.get(reverse("accounts:proconnect_login") + "?next=12")["Location"]

    response = client.get(authorize_on_provider(authorize_url, agent.email))

    assert response.status_code == 302
    assert response["Location"] == reverse("site:dashboard")


def test_the_userinfo_is_read_from_the_signed_jwt(provider):
    """The provider under test answers userinfo as ProConnect does: a JWT, not JSON."""
    UserFactory(evaluateur=True, email="eva@example.fr")
    provider.set_user("eva@example.fr")
    discovery = httpx.get(f"{provider.url}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == provider.url and discovery["end_session_endpoint"]


def test_a_second_factor_at_proconnect_is_marked_in_the_session(client, provider):
    UserFactory(administrateur=True, email="admin@dgtresor.gouv.fr")
    provider.set_user("admin@dgtresor.gouv.fr", amr=["pwd", "mfa"])

    log_in_with_proconnect(client, "admin@dgtresor.gouv.fr")

    assert client.session["second_factor_by"] == "proconnect"


@pytest.fixture
def second_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["instructeur", "administrateur"]
    settings.TWO_FACTOR_ADMIN_REQUIRED = True


def test_a_proconnect_login_with_mfa_passes_the_second_factor_step(client, provider, second_factor_required):
    """ProConnect's own multi-factor authentication counts as the second factor (accounts.two_factor contract)."""
    agent = UserFactory(instructeur=True, email="agent.mfa@finances.gouv.fr")
    enrolled(agent)
    provider.set_user(agent.email, amr=["pwd", "mfa"])

    log_in_with_proconnect(client, agent.email)

    assert client.get(reverse("reviews:dossier_list")).status_code == 200


def test_a_proconnect_login_without_mfa_still_asks_for_the_code(client, provider, second_factor_required):
    agent = UserFactory(instructeur=True, email="agent.pwd@finances.gouv.fr")
    device, _codes = enrolled(agent)
    provider.set_user(agent.email, amr=["pwd"])

    log_in_with_proconnect(client, agent.email)
    response = client.get(reverse("reviews:dossier_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    client.post(response["Location"], {"code": code_for(device)})
    assert client.get(reverse("reviews:dossier_list")).status_code == 200


def test_a_proconnect_login_without_mfa_nor_device_is_sent_to_enrolment(client, provider, second_factor_required):
    agent = UserFactory(administrateur=True, email="admin.new@dgtresor.gouv.fr")
    provider.set_user(agent.email)

    log_in_with_proconnect(client, agent.email)
    response = client.get(reverse("reviews:dossier_list"))

    assert response["Location"].startswith(reverse("accounts:two_factor_enrol"))


def test_mark_second_factor_contract():
    for claims, marked in [
        ({"amr": ["mfa"]}, True),
        ({"amr": "mfa"}, True),
        ({"acr": "eidas2"}, True),
        ({"acr": "eidas3", "amr": ["pwd"]}, True),
        ({"acr": "eidas1", "amr": ["pwd"]}, False),
        ({}, False),
    ]:
        session = {}
        proconnect.mark_second_factor(session, claims)
        assert (session.get("second_factor_by") == "proconnect") is marked, claims


def test_logout_ends_the_proconnect_session_then_comes_back(client, provider):
    UserFactory(partenaire=True, email="cress@example.fr")
    provider.set_user("cress@example.fr")
    log_in_with_proconnect(client, "cress@example.fr")
    id_token = client.session[proconnect.SESSION_ID_TOKEN]

    response = client.post(reverse("accounts:logout"))

    assert response["Location"] == reverse("accounts:proconnect_logout")
    assert SESSION_KEY not in client.session  # logged out here first
    page = client.get(response["Location"])
    assert page.status_code == 200
    end_session_url = page.context["end_session_url"]
    assert f'content="0; url={end_session_url}"'.replace("&", "&amp;") in page.content.decode()
    query = parse_qs(urlsplit(end_session_url).query)
    assert end_session_url.startswith(f"{provider.url}/oauth2/end_session?")
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver" + reverse("accounts:proconnect_logout_done")]

    # The provider's end-session page, confirmed: it sends the browser back with the state.
    form = httpx.get(end_session_url)
    assert form.status_code == 200
    back = httpx.post(f"{provider.url}/oauth2/end_session/confirm", data={"redirect_uri": _redirect_uri(form.text)})
    assert back.status_code == 302
    done = client.get(back.headers["location"])

    assert done["Location"] == reverse("site:home")
    assert "Vous êtes déconnecté de la plateforme et de ProConnect." in client.get(done["Location"]).content.decode()
    assert client.get(reverse("site:dashboard")).status_code == 302


def _redirect_uri(html):
    marker = 'name="redirect_uri" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)].replace("&amp;", "&")


def test_a_password_login_logs_out_as_before(client, provider):
    user = UserFactory(instructeur=True)
    client.login(username=user.email, password=PASSWORD)

    response = client.post(reverse("accounts:logout"))

    assert response["Location"] == reverse("site:home")


def test_an_unknown_address_is_refused_and_no_account_is_created(client, provider):
    provider.set_user("inconnu@interieur.gouv.fr")
    users = User.objects.count()

    response = log_in_with_proconnect(client, "inconnu@interieur.gouv.fr")

    assert response["Location"] == reverse("accounts:login")
    page = page_messages(client, response)
    assert "Aucun compte de la plateforme n&#x27;est associé à l&#x27;adresse inconnu@interieur.gouv.fr" in page
    assert "demandez à l&#x27;équipe de l&#x27;AMI PTCE de vous inviter" in page
    assert User.objects.count() == users
    assert SESSION_KEY not in client.session
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (entry.actor_label, entry.outcome, entry.details) == (
        "inconnu@interieur.gouv.fr",
        "denied",
        {"method": "proconnect", "reason": "unknown"},
    )


def test_an_inactive_account_is_refused(client, provider):
    UserFactory(instructeur=True, email="parti@example.fr", is_active=False)
    provider.set_user("parti@example.fr")

    response = log_in_with_proconnect(client, "parti@example.fr")

    assert "Aucun compte" in page_messages(client, response)
    assert SESSION_KEY not in client.session


def test_a_porteur_is_refused(client, provider):
    UserFactory(porteur=True, email="porteur@association.fr")
    provider.set_user("porteur@association.fr")

    response = log_in_with_proconnect(client, "porteur@association.fr")

    page = page_messages(client, response)
    assert "ProConnect est réservé aux agents, aux évaluateurs et aux partenaires" in page
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("role", [Role.EVALUATEUR, Role.PARTENAIRE])
def test_no_role_nor_admin_right_is_ever_given(client, provider, role):
    user = UserFactory(role=role, email="expert@example.fr")
    # Whatever the provider claims, nothing of the account changes.
    provider.set_user("expert@example.fr", role="administrateur", is_staff=True, groups=["admin"], usual_name="X")

    log_in_with_proconnect(client, "expert@example.fr")

    assert client.session[SESSION_KEY] == str(user.pk)
    user.refresh_from_db()
    assert (user.role, user.is_staff, user.is_superuser, user.last_name) == (role, False, False, user.last_name)
    assert not user.groups.exists() and not user.user_permissions.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGE).exists()
    assert client.get("/admin/").status_code == 302  # still no way into the Django admin


def test_a_state_that_was_not_issued_here_is_refused(client, provider):
    UserFactory(instructeur=True, email="agent@example.fr")
    provider.set_user("agent@example.fr")
    callback = authorize_on_provider(start_login(client), "agent@example.fr")
    query = parse_qs(urlsplit(callback).query)

    response = client.get(reverse("accounts:proconnect_callback"), {"code": query["code"][0], "state": "x" * 32})

    assert "La connexion avec ProConnect a expiré" in page_messages(client, response)
    assert SESSION_KEY not in client.session


def test_a_callback_replayed_is_refused(client, provider):
    UserFactory(instructeur=True, email="agent@example.fr")
    provider.set_user("agent@example.fr")
    callback = authorize_on_provider(start_login(client), "agent@example.fr")
    client.get(callback)
    client.logout()

    response = client.get(callback)

    assert "La connexion avec ProConnect a expiré" in page_messages(client, response)
    assert SESSION_KEY not in client.session


def test_a_nonce_mismatch_is_refused(client, provider):
    UserFactory(instructeur=True, email="agent@example.fr")
    provider.set_user("agent@example.fr")
    authorize_url = start_login(client)
    session = client.session
    state = next(iter(session["oidc_states"]))
    session["oidc_states"][state]["nonce"] = "n" * 32  # not the nonce the provider puts in the ID token
    session.save()

    response = client.get(authorize_on_provider(authorize_url, "agent@example.fr"))

    assert "ProConnect n&#x27;a pas pu confirmer votre identité" in page_messages(client, response)
    assert SESSION_KEY not in client.session
    assert AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED).details["reason"] == "invalid_token"


def test_the_agent_denying_on_the_provider_comes_back_with_a_message(client, provider):
    authorize_url = start_login(client)
    answer = httpx.post(authorize_url, data={"action": "deny"})

    response = client.get(answer.headers["location"])

    assert "La connexion avec ProConnect n&#x27;a pas abouti" in page_messages(client, response)


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_provider_down_gives_a_french_message_never_a_server_error(client, settings):
    settings.PROCONNECT_ISSUER = f"http://127.0.0.1:{closed_port()}"
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    settings.PROCONNECT_TIMEOUT = 1

    login_page = client.get(reverse("accounts:login"))
    response = client.get(reverse("accounts:proconnect_login"))

    assert login_page.status_code == 200 and "S’identifier avec" in login_page.content.decode()
    assert response["Location"] == reverse("accounts:login")
    assert "ProConnect ne répond pas pour le moment" in page_messages(client, response)


def test_provider_gone_after_the_authorization_is_a_french_message(client, provider, settings):
    UserFactory(instructeur=True, email="agent@example.fr")
    provider.set_user("agent@example.fr")
    callback = authorize_on_provider(start_login(client), "agent@example.fr")
    provider.server.shutdown()  # the token endpoint no longer answers

    response = client.get(callback)

    assert "ProConnect ne répond pas pour le moment" in page_messages(client, response)
    assert SESSION_KEY not in client.session


def test_the_login_page_offers_proconnect_when_configured(client, provider):
    page = client.get(reverse("accounts:login") + "?next=/instruction/").content.decode()

    assert "S’identifier avec" in page and '<span class="fr-connect__brand">ProConnect</span>' in page
    assert reverse("accounts:proconnect_login") + "?next=/instruction/" in page
    assert "Qu’est-ce que ProConnect ?" in page


def test_off_when_unset_no_button_and_404(client, settings):
    settings.PROCONNECT_ISSUER = ""
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET

    assert "ProConnect" not in client.get(reverse("accounts:login")).content.decode()
    for name in PROCONNECT_URLS:
        assert client.get(reverse(f"accounts:{name}")).status_code == 404, name


def test_the_backend_never_answers_a_password_login(provider):
    user = UserFactory(instructeur=True)

    assert proconnect.ProConnectBackend().authenticate(None, username=user.email, password=PASSWORD) is None


def test_a_proconnect_login_goes_through_with_the_login_lockout_on(client, provider, settings):
    """In production django-axes is on (the tests switch it off): its login receiver must accept a ProConnect login."""
    settings.AXES_ENABLED = True
    agent = UserFactory(evaluateur=True, email="eva@example.fr")
    provider.set_user("eva@example.fr")

    response = log_in_with_proconnect(client, "eva@example.fr")

    assert response["Location"] == reverse("site:dashboard")
    assert client.session[SESSION_KEY] == str(agent.pk)


def test_logging_out_everywhere_ends_the_proconnect_session_too(client, provider):
    agent = UserFactory(instructeur=True, email="agent@example.fr")
    provider.set_user("agent@example.fr")
    log_in_with_proconnect(client, "agent@example.fr")
    token_before = agent.session_token

    response = client.post(reverse("accounts:log_out_everywhere"))

    assert response["Location"] == reverse("accounts:proconnect_logout")
    agent.refresh_from_db()
    assert agent.session_token != token_before and SESSION_KEY not in client.session
    page = client.get(response["Location"])
    assert page.context["end_session_url"].startswith(f"{provider.url}/oauth2/end_session?")
    assert "Vous êtes déconnecté sur tous vos appareils." in page.content.decode()


def test_logout_when_proconnect_no_longer_answers_still_logs_out_here(client, provider):
    UserFactory(instructeur=True, email="agent@example.fr")
    provider.set_user("agent@example.fr")
    log_in_with_proconnect(client, "agent@example.fr")
    provider.server.shutdown()
    cache.clear()  # the provider's configuration must be fetched again

    response = client.post(reverse("accounts:logout"))

    assert response["Location"] == reverse("site:home")
    assert SESSION_KEY not in client.session
    assert "ProConnect ne répond pas : fermez votre navigateur" in client.get(response["Location"]).content.decode()


def test_an_answer_without_email_is_refused(client, provider):
    UserFactory(instructeur=True, email="agent@example.fr")
    provider.set_user("agent@example.fr", email="")

    response = log_in_with_proconnect(client, "agent@example.fr")

    assert "ProConnect n&#x27;a pas transmis votre adresse électronique" in page_messages(client, response)
    assert SESSION_KEY not in client.session


def test_a_disabled_account_loses_its_proconnect_session(client, provider):
    agent = UserFactory(instructeur=True, email="agent@example.fr")
    provider.set_user("agent@example.fr")
    log_in_with_proconnect(client, "agent@example.fr")
    assert client.get(reverse("site:dashboard")).status_code == 200

    agent.is_active = False
    agent.save()

    assert client.get(reverse("site:dashboard")).status_code == 302
