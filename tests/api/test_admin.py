"""Tokens and the call log in the admin: read-only, for instructeurs; the token's hash is never shown."""

import pytest

from ptce_ami.accounts.models import ApiCall, ApiToken
from tests.accounts.factories import UserFactory
from tests.api.conftest import secret_for


@pytest.mark.parametrize("model", ["apitoken", "apicall"])
def test_instructeurs_read_tokens_and_calls_without_changing_them(client, call, instructeur, model):
    call(secret_for(instructeur), "regions")
    client.force_login(UserFactory(instructeur=True))
    row = (ApiToken if model == "apitoken" else ApiCall).objects.get()

    assert client.get(f"/admin/accounts/{model}/").status_code == 200
    detail = client.get(f"/admin/accounts/{model}/{row.pk}/change/")
    assert detail.status_code == 200
    assert ApiToken.objects.get().digest not in detail.content.decode()
    assert client.get(f"/admin/accounts/{model}/add/").status_code == 403
    assert client.post(f"/admin/accounts/{model}/{row.pk}/delete/", {"post": "yes"}).status_code == 403


def test_partners_do_not_reach_them(client, partner):
    client.force_login(partner)

    assert client.get("/admin/accounts/apicall/").status_code == 302
