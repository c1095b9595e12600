"""The second factor (issue 13 part 4): TOTP enrolment with recovery codes, the verification step after the password,
the policy by role, the admin, throttling and the audit log. The policy is switched on here only
(ptce_ami/test_settings.py turns it off for the rest of the suite, which logs staff in with force_login)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from ptce_ami.accounts import two_factor
from ptce_ami.core.models import AuditAction, AuditEntry, AuditOutcome
from tests.accounts.factories import PASSWORD, UserFactory, another_code, code_for, enrolled

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
ENROL = reverse("accounts:two_factor_enrol")
VERIFY = reverse("accounts:two_factor_verify")
CODES = reverse("accounts:two_factor_recovery_codes")
WRONG_CODE = "Code incorrect ou déjà utilisé."
LOCKED = "Vérification temporairement bloquée"


@pytest.fixture(autouse=True)
def _policy_on(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["instructeur", "administrateur"]
    settings.TWO_FACTOR_ADMIN_REQUIRED = True
    settings.TWO_FACTOR_FAILURE_LIMIT = 5
    settings.TWO_FACTOR_COOLOFF = datetime.timedelta(minutes=15)


def log_in(client, user, next_url=None):
    data = {"username": user.email, "password": PASSWORD}
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def actions(user):
    """The second-factor rows about ``user`` (login rows, which name the account too, left aside)."""
    rows = AuditEntry.objects.filter(object_id=str(user.pk)).exclude(action=AuditAction.LOGIN).order_by("id")
    return list(rows.values_list("action", "outcome"))


# Enrolment ------------------------------------------------------------------------------------------------------


def test_enrolment_with_a_real_code_shows_ten_recovery_codes_once(client):
    user = UserFactory()
    client.force_login(user)

    page = client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    content = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in content and "<script" not in content.split("<main", 1)[1].split("</main>")[0]
    assert two_factor.secret_for_humans(device) in content
    assert page["Cache-Control"] == "private, no-store"
    assert client.get(ENROL).context["secret"] == two_factor.secret_for_humans(device)  # a reload keeps the secret

    response = client.post(ENROL, {"code": code_for(device), "next": "/espace/"})

    assert response.status_code == 302
    assert response["Location"] == f"{CODES}?next=%2Fespace%2F"
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(response["Location"])
    codes = codes_page.context["codes"]
    assert len(codes) == 10 == StaticToken.objects.filter(device__user=user).count()
    assert all(code in codes_page.content.decode() for code in codes)
    download = client.get(reverse("accounts:two_factor_recovery_codes_download"))
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    assert all(code in download.content.decode() for code in codes)
    not_ticked = client.post(CODES, {"next": "/espace/"})
    assert "Cochez cette case une fois vos codes de secours conservés." in not_ticked.content.decode()
    assert client.post(CODES, {"saved": "on", "next": "/espace/"})["Location"] == "/espace/"
    assert client.get(CODES)["Location"] == reverse("accounts:profile")  # shown once
    assert client.get(reverse("accounts:two_factor_recovery_codes_download")).status_code == 404
    assert (AuditAction.TWO_FACTOR_ENABLED, AuditOutcome.OK) in actions(user)


def test_a_wrong_code_at_enrolment_is_refused_in_french_next_to_the_field(client):
    user = UserFactory()
    client.force_login(user)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)

    wrong = client.post(ENROL, {"code": another_code(code_for(device))})
    malformed = client.post(ENROL, {"code": "12a"})

    assert wrong.status_code == 200
    assert WRONG_CODE in wrong.context["form"].errors["code"][0]
    assert malformed.context["form"].errors["code"] == ["Saisissez les 6 chiffres affichés par votre application."]
    assert 'id="id_code"' in wrong.content.decode() and WRONG_CODE in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_enrolment_ends_the_accounts_other_sessions(client):
    user = UserFactory()
    other = Client()
    other.force_login(user)
    client.force_login(user)
    client.get(ENROL)

    client.post(ENROL, {"code": code_for(TOTPDevice.objects.get(user=user))})

    assert client.get(reverse("accounts:profile")).status_code == 200
    assert other.get(reverse("accounts:profile")).status_code == 302


# Verification after the password ----------------------------------------------------------------------------------


def test_an_instructeur_logs_in_with_password_then_code_and_reaches_the_page_asked_for(client):
    user = UserFactory(instructeur=True)
    device, _codes = enrolled(user)

    response = log_in(client, user, next_url="/instruction/")

    assert response["Location"] == f"{VERIFY}?next=%2Finstruction%2F"
    assert client.get("/instruction/")["Location"] == f"{VERIFY}?next=%2Finstruction%2F"  # not verified yet
    verify_page = client.get(response["Location"])
    assert verify_page.status_code == 200
    assert "il vous en reste 10" in verify_page.content.decode()
    verified = client.post(VERIFY, {"code": code_for(device), "next": "/instruction/"})
    assert verified["Location"] == "/instruction/"
    assert client.get("/instruction/").status_code == 200
    assert [action for action, _ in actions(user)] == [AuditAction.TWO_FACTOR_VERIFIED]


def test_a_porteur_who_enrolled_is_asked_for_the_code_too(client):
    user = UserFactory()
    enrolled(user)

    response = log_in(client, user)

    assert response["Location"] == f"{VERIFY}?next=%2Fespace%2F"
    assert client.get(reverse("site:dashboard"))["Location"].startswith(VERIFY)


def test_the_verification_step_refuses_an_open_redirect(client):
    user = UserFactory(instructeur=True)
    device, _codes = enrolled(user)
    log_in(client, user)

    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/phish"})

    assert response["Location"] == reverse("site:dashboard")


@pytest.mark.parametrize("next_url", ["12", "accueil"])
def test_a_next_that_is_not_a_path_sends_to_the_dashboard_not_a_server_error(client, next_url):
    user = UserFactory(instructeur=True)
    device, _codes = enrolled(user)
    log_in(client, user)

    response = client.post(VERIFY, {"code": code_for(device), "next": next_url})

    assert response["Location"] == reverse("site:dashboard")


def test_the_login_page_refuses_an_open_redirect_before_the_second_factor(client):
    user = UserFactory(instructeur=True)
    enrolled(user)

    response = log_in(client, user, next_url="https://evil.example/")

    assert response["Location"] == f"{VERIFY}?next=%2Fespace%2F"


def test_a_wrong_code_at_verification_is_refused_next_to_the_field_and_audited(client):
    user = UserFactory(instructeur=True)
    device, _codes = enrolled(user)
    log_in(client, user)

    response = client.post(VERIFY, {"code": another_code(code_for(device))})

    assert response.status_code == 200
    assert WRONG_CODE in response.context["form"].errors["code"][0]
    assert actions(user) == [(AuditAction.TWO_FACTOR_FAILED, AuditOutcome.FAILURE)]
    assert client.get("/instruction/").status_code == 302


def test_a_recovery_code_works_once_and_the_page_says_how_many_remain(client):
    user = UserFactory(instructeur=True)
    _device, codes = enrolled(user)
    log_in(client, user)

    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)

    assert response.status_code == 200
    assert "Code de secours accepté. Il vous en reste 9." in response.content.decode()
    assert StaticToken.objects.filter(device__user=user).count() == 9
    client.post(reverse("accounts:logout"))
    log_in(client, user)
    again = client.post(VERIFY, {"code": codes[0]})
    assert WRONG_CODE in again.context["form"].errors["code"][0]
    assert "il vous en reste 9" in again.content.decode()
    assert [action for action, _ in actions(user)] == [
        AuditAction.RECOVERY_CODE_USED,
        AuditAction.TWO_FACTOR_VERIFIED,
        AuditAction.TWO_FACTOR_FAILED,
    ]


def test_wrong_codes_in_a_row_lock_the_verification_with_a_429_until_the_cool_off(client):
    user = UserFactory(instructeur=True)
    device, _codes = enrolled(user)
    with freeze_time(START) as frozen:
        log_in(client, user)
        for _ in range(4):
            frozen.tick(60)  # past django-otp's growing delay between attempts
            assert client.post(VERIFY, {"code": another_code(code_for(device))}).status_code == 200
        frozen.tick(60)
        locked = client.post(VERIFY, {"code": another_code(code_for(device))})
        frozen.tick(60)
        right_code_while_locked = client.post(VERIFY, {"code": code_for(device)})
        frozen.tick(15 * 60)
        after_cool_off = client.post(VERIFY, {"code": code_for(device), "next": "/instruction/"})

    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    assert right_code_while_locked.status_code == 429
    assert after_cool_off["Location"] == "/instruction/"
    assert [action for action, _ in actions(user)] == [AuditAction.TWO_FACTOR_FAILED] * 5 + [
        AuditAction.TWO_FACTOR_LOCKOUT,
        AuditAction.TWO_FACTOR_VERIFIED,
    ]


def test_a_second_try_too_soon_is_asked_to_wait(client):
    user = UserFactory(instructeur=True)
    device, _codes = enrolled(user)
    with freeze_time(START):
        log_in(client, user)
        client.post(VERIFY, {"code": another_code(code_for(device))})
        client.post(VERIFY, {"code": another_code(code_for(device))})
        response = client.post(VERIFY, {"code": code_for(device)})

    assert "patientez" in response.context["form"].errors["code"][0]


# Policy by role ---------------------------------------------------------------------------------------------------


def test_an_instructeur_without_a_second_factor_is_sent_to_enrolment_from_every_page(client):
    client.force_login(UserFactory(instructeur=True))

    response = client.get("/instruction/?page=2")

    assert response["Location"] == f"{ENROL}?next=%2Finstruction%2F%3Fpage%3D2"
    assert client.get(reverse("accounts:profile"))["Location"].startswith(ENROL)
    assert client.get(ENROL).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("site:legal_notice")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_session_that_owes_its_second_factor_is_shown_no_link_that_would_send_it_back(client):
    """The enrolment and verification pages offer no navigation and no account link: each would redirect to them."""
    instructeur = UserFactory(instructeur=True)
    client.force_login(instructeur)

    page = client.get(ENROL).content.decode()

    assert 'class="fr-nav__link"' not in page
    assert reverse("accounts:profile") not in page
    assert reverse("accounts:logout") in page  # the way out stays
    device, _codes = enrolled(instructeur)
    log_in(client, instructeur)
    assert 'class="fr-nav__link"' not in client.get(VERIFY).content.decode()
    client.post(VERIFY, {"code": code_for(device)})
    verified = client.get(reverse("accounts:profile")).content.decode()
    assert 'class="fr-nav__link"' in verified and reverse("reviews:dossier_list") in verified


def test_the_second_factor_is_optional_for_a_porteur(client):
    client.force_login(UserFactory())

    assert client.get(reverse("site:dashboard")).status_code == 200
    assert "Non activée" in client.get(reverse("accounts:profile")).content.decode()


def test_the_required_roles_come_from_the_setting(client, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["porteur"]
    client.force_login(UserFactory())

    assert client.get(reverse("site:dashboard"))["Location"].startswith(ENROL)


def test_another_login_method_that_proved_a_second_factor_satisfies_the_policy(client):
    client.force_login(UserFactory(instructeur=True))
    session = client.session
    session[two_factor.SECOND_FACTOR_SESSION_KEY] = "proconnect"
    session.save()

    assert client.get("/instruction/").status_code == 200


def test_an_unknown_role_in_the_setting_fails_the_system_check(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["instructeur", "chef"]

    errors = two_factor.check_required_roles()

    assert [error.id for error in errors] == ["accounts.E001"]


# Admin ----------------------------------------------------------------------------------------------------------


def test_the_admin_refuses_a_session_without_second_factor_and_sends_it_to_verification(client, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    user = UserFactory(administrateur=True)
    device, _codes = enrolled(user)
    client.force_login(user)

    response = client.get(reverse("admin:index"))
    login = client.get(reverse("admin:login") + "?next=/admin/")

    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert login["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_sends_a_staff_member_without_second_factor_to_enrolment(client, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    client.force_login(UserFactory(instructeur=True))

    login = client.get(reverse("admin:login") + "?next=/admin/applications/edition/")

    assert login["Location"] == f"{ENROL}?next=%2Fadmin%2Fapplications%2Fedition%2F"


def test_the_admin_login_is_the_platforms_login(client):
    response = client.get(reverse("admin:login") + "?next=/admin/")

    assert response["Location"] == f"{reverse('accounts:login')}?next=/admin/"


def test_the_admin_login_refuses_an_open_redirect(client):
    response = client.get(reverse("admin:login") + "?next=https://evil.example/")

    assert response["Location"] == f"{reverse('accounts:login')}?next=/admin/"


def test_the_admin_login_sends_a_next_that_is_not_a_path_to_the_index(client):
    user = UserFactory(administrateur=True)
    device, _codes = enrolled(user)
    log_in(client, user)
    client.post(VERIFY, {"code": code_for(device)})

    response = client.get(reverse("admin:login") + "?next=12")

    assert response["Location"] == reverse("admin:index")


def test_a_porteur_is_refused_the_admin_even_with_a_second_factor(client):
    user = UserFactory()
    device, _codes = enrolled(user)
    log_in(client, user)
    client.post(VERIFY, {"code": code_for(device)})

    assert client.get(reverse("admin:login")).status_code == 403


# Regenerating, disabling ------------------------------------------------------------------------------------------


def test_regenerating_recovery_codes_replaces_the_old_ones(client):
    user = UserFactory(instructeur=True)
    device, old_codes = enrolled(user)
    log_in(client, user)
    client.post(VERIFY, {"code": code_for(device)})

    response = client.post(reverse("accounts:two_factor_regenerate_recovery_codes"))

    new_codes = client.get(response["Location"]).context["codes"]
    assert len(new_codes) == 10
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(new_codes)
    assert not set(old_codes) & set(new_codes)
    assert (AuditAction.RECOVERY_CODES_REGENERATED, AuditOutcome.OK) in actions(user)


def test_disabling_is_refused_for_a_role_that_requires_the_second_factor(client):
    user = UserFactory(instructeur=True)
    device, _codes = enrolled(user)
    log_in(client, user)
    client.post(VERIFY, {"code": code_for(device)})

    page = client.get(reverse("accounts:two_factor_disable"))
    response = client.post(reverse("accounts:two_factor_disable"), {"code": "abcdefgg"})

    assert page.status_code == 403
    assert response.status_code == 403
    assert "obligatoire pour votre rôle" in response.content.decode()
    assert TOTPDevice.objects.filter(user=user).exists()
    assert "Désactiver</a>" not in client.get(reverse("accounts:profile")).content.decode()


def test_a_porteur_disables_the_second_factor_with_a_current_code(client):
    user = UserFactory()
    device, codes = enrolled(user)
    log_in(client, user)
    client.post(VERIFY, {"code": codes[0]})
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Activée" in profile and "Il vous reste 9 codes de secours." in profile

    wrong = client.post(reverse("accounts:two_factor_disable"), {"code": codes[0]})  # already used
    response = client.post(reverse("accounts:two_factor_disable"), {"code": code_for(device)})

    assert WRONG_CODE in wrong.context["form"].errors["code"][0]
    assert response["Location"] == reverse("accounts:profile")
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert (AuditAction.TWO_FACTOR_DISABLED, AuditOutcome.OK) in actions(user)
    client.post(reverse("accounts:logout"))
    assert log_in(client, user)["Location"] == reverse("site:dashboard")  # no second step any more


def test_an_administrateur_removes_the_devices_of_someone_who_lost_them_in_the_admin(client):
    admin_user = UserFactory(administrateur=True)
    admin_device, _codes = enrolled(admin_user)
    lost = UserFactory(instructeur=True)
    lost_device, _codes = enrolled(lost)
    log_in(client, admin_user)
    client.post(VERIFY, {"code": code_for(admin_device)})

    changelist = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    response = client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[lost_device.pk]), {"post": "yes"}, follow=True
    )

    assert changelist.status_code == 200
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=lost).exists()
    assert AuditEntry.objects.filter(action=AuditAction.ADMIN_CHANGE, actor=admin_user).exists()
