"""The API's behaviour: filters, keyset pagination (bounded, flat in N), the rate limit per token, the call log,
the OpenAPI schema and the documentation page."""

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from openapi_spec_validator import validate

from applications.enums import DossierState
from applications.models import Dossier
from ptce_ami.accounts.models import ApiCall, ApiToken
from ptce_ami.accounts.services import purge_api_calls
from ptce_ami.core.models import SweepRun
from ptce_ami.core.queue import task_named
from tests.api.conftest import secret_for
from tests.api.worlds import region_world
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.reviews.grants_helpers import phase2

purge_beat_migration = importlib.import_module("ptce_ami.accounts.migrations.0004_api_call_purge_beat")


def many_dossiers(count, region, phase=None, start=0):
    phase = phase or PhaseFactory()
    owner = DossierFactory(phase=phase).owner
    now = timezone.now()
    Dossier.objects.bulk_create(
        Dossier(
            phase=phase,
            owner=owner,
            reference=f"PTCE-BULK-{region.code}-{index:05d}",
            name=f"Pôle {index}",
            state=DossierState.IN_REVIEW if index % 2 else DossierState.SUBMITTED,
            submitted_at=now,
            region=region,
        )
        for index in range(start, start + count)
    )


def walk(call, secret, path, **query):
    """Every row of a list, following next_cursor; returns (rows, pages)."""
    rows, pages, cursor = [], 0, None
    while True:
        params = dict(query, **({"cursor": cursor} if cursor else {}))
        body = call(secret, path, **params).json()
        rows += body["results"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            assert body["next"] is None
            return rows, pages


def test_filters_of_the_list_apply(call, ara, idf, instructeur):
    phase = PhaseFactory()
    many_dossiers(6, ara, phase)
    many_dossiers(4, idf, phase)
    secret = secret_for(instructeur)

    in_review = call(secret, "dossiers", state="in_review", region="84").json()["results"]
    both = call(secret, "dossiers", state=["in_review", "submitted"], region="11").json()["results"]
    searched = call(secret, "dossiers", q="PTCE-BULK-11-00003").json()["results"]

    assert len(in_review) == Dossier.objects.filter(region=ara, state="in_review").count() == 3
    assert len(both) == 4
    assert [row["reference"] for row in searched] == ["PTCE-BULK-11-00003"]
    assert call(secret, "dossiers", state="nothing").status_code == 400


def test_pagination_is_bounded_and_the_cursor_walks_every_row_once(call, ara, instructeur):
    many_dossiers(130, ara)
    secret = secret_for(instructeur)

    first = call(secret, "dossiers").json()
    rows, pages = walk(call, secret, "dossiers", limit=40)

    assert len(first["results"]) == 50
    assert first["next"].startswith("http://testserver/api/v1/dossiers?") and "cursor=" in first["next"]
    assert pages == 4
    assert len(rows) == len({row["reference"] for row in rows}) == Dossier.objects.submitted().count() == 130
    assert call(secret, "dossiers", limit=101).status_code == 422
    assert call(secret, "dossiers", limit=0).status_code == 422
    assert call(secret, "dossiers", cursor="abc").status_code == 400


@pytest.mark.parametrize("cursor", ["²", "١٢", "99999999999999999999999", "-1"])
def test_a_cursor_that_is_no_key_is_a_400_not_an_error(call, instructeur, cursor):
    response = call(secret_for(instructeur), "decisions", cursor=cursor)

    assert response.status_code == 400
    assert "Curseur invalide" in response.json()["detail"]


def test_territories_are_paged_by_code(call, ara, idf, instructeur):
    secret = secret_for(instructeur)

    rows, pages = walk(call, secret, "regions", limit=1)

    assert [row["code"] for row in rows] == ["11", "84"]
    assert pages == 2


def count_queries(call, secret, path):
    with CaptureQueriesContext(connection) as queries:
        response = call(secret, path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["instructeur", "partner"])
def test_query_count_is_the_same_for_10_and_200_dossiers(call, ara, instructeur, partner, role):
    secret = secret_for(instructeur if role == "instructeur" else partner)
    phase = PhaseFactory()
    many_dossiers(10, ara, phase)
    few = count_queries(call, secret, "dossiers")
    many_dossiers(190, ara, phase, start=10)

    assert count_queries(call, secret, "dossiers") == few


@pytest.mark.parametrize("role", ["instructeur", "partner"])
def test_query_count_of_the_other_lists_does_not_grow_with_their_rows(call, ara, instructeur, partner, role):
    secret = secret_for(instructeur if role == "instructeur" else partner)
    phase = phase2()
    laureate = region_world(ara, phase)
    paths = ["reviews", "regional-opinions", "decisions", "grants", f"dossiers/{laureate.reference}"]
    few = [count_queries(call, secret, path) for path in paths]
    for _ in range(3):
        region_world(ara, phase)

    assert [count_queries(call, secret, path) for path in paths] == few
    assert len(call(secret, "reviews").json()["results"]) >= 4


def test_rate_limit_per_token_answers_429_with_retry_after(call, settings, instructeur):
    settings.API_RATE_LIMIT = "3/min"
    secret, other = secret_for(instructeur), secret_for(instructeur)

    statuses = [call(secret, "regions").status_code for _ in range(4)]
    refused = call(secret, "regions")

    assert statuses == [200, 200, 200, 429]
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("Trop de requêtes")
    assert call(other, "regions").status_code == 200  # counted per token


def test_every_call_is_logged_with_its_route_and_status(call, ara, instructeur):
    secret = secret_for(instructeur)
    token = ApiToken.objects.get()

    call(secret, "regions")
    call(secret, "dossiers/PTCE-NOWHERE")
    token.revoked_at = timezone.now()
    token.save()
    call(secret, "regions")
    call(None, "regions")  # no token: nobody to log it against

    logged = list(ApiCall.objects.order_by("pk").values_list("token", "user", "method", "route", "path", "status"))
    assert logged == [
        (token.pk, instructeur.pk, "GET", "/api/v1/regions", "/api/v1/regions", 200),
        (token.pk, instructeur.pk, "GET", "/api/v1/dossiers/<reference>", "/api/v1/dossiers/PTCE-NOWHERE", 404),
        (token.pk, instructeur.pk, "GET", "/api/v1/regions", "/api/v1/regions", 401),
    ]
    assert all(call.duration_ms >= 0 for call in ApiCall.objects.all())


def test_old_calls_are_purged(call, settings, instructeur):
    settings.API_CALL_RETENTION_DAYS = 90
    secret = secret_for(instructeur)
    call(secret, "regions")
    call(secret, "regions")
    ApiCall.objects.filter(pk=ApiCall.objects.order_by("pk").first().pk).update(
        at=timezone.now() - timezone.timedelta(days=91)
    )

    assert purge_api_calls() == 1
    assert ApiCall.objects.count() == 1


def test_the_tokens_page_lists_the_last_calls(client, call, instructeur):
    call(secret_for(instructeur), "regions")
    client.force_login(instructeur)

    response = client.get("/compte/api/")

    assert "GET /api/v1/regions" in response.content.decode()


def test_openapi_schema_validates_and_needs_no_token(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    assert set(schema["paths"]) == {
        "/api/v1/regions",
        "/api/v1/departements",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{reference}",
        "/api/v1/dossiers/{reference}/members",
        "/api/v1/reviews",
        "/api/v1/regional-opinions",
        "/api/v1/decisions",
        "/api/v1/grants",
    }
    assert schema["components"]["securitySchemes"] == {"TokenAuth": {"type": "http", "scheme": "bearer"}}
    assert all(operation.keys() == {"get"} for operation in schema["paths"].values())


def test_documentation_page_is_open_to_anyone_and_lists_every_endpoint(client, db):
    response = client.get("/api/")

    assert response.status_code == 200
    page = response.content.decode()
    for path in ("/api/v1/dossiers/{reference}/members", "/api/v1/grants", "/api/v1/regional-opinions"):
        assert path in page
    assert "tranches.percent" in page
    assert "next_cursor" in page and "Retry-After" in page


def test_the_purge_runs_every_night_from_the_beat_schedule(call, instructeur):
    secret = secret_for(instructeur)
    call(secret, "regions")
    ApiCall.objects.update(at=timezone.now() - timezone.timedelta(days=400))
    PeriodicTask.objects.filter(task="accounts.purge_api_calls").delete()

    purge_beat_migration.forwards(django_apps, None)
    entry = PeriodicTask.objects.select_related("crontab").get(task="accounts.purge_api_calls")
    result = task_named(entry.task).apply()

    assert (entry.crontab.hour, entry.crontab.minute) == ("3", "15")
    assert result.get() == 1
    assert not ApiCall.objects.exists()
    assert SweepRun.objects.get(name="accounts.purge_api_calls").processed == 1


def test_an_api_call_opens_no_session(call, instructeur):
    response = call(secret_for(instructeur), "regions")

    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"limit": "abc"}, "Saisissez un nombre entier."),
        ({"limit": "0"}, "Saisissez une valeur supérieure ou égale à 1."),
        ({"score_min": "1000"}, "Saisissez une valeur inférieure ou égale à 100"),
        ({"score_max": "beaucoup"}, "Saisissez un nombre."),
    ],
)
def test_a_refused_parameter_is_a_422_in_french(call, instructeur, query, message):
    # Found by the fuzz suite (tests/fuzz): pydantic's messages ("Input should be…") reached the API's answers.
    response = call(secret_for(instructeur), "dossiers", **query)

    assert response.status_code == 422
    body = response.content.decode()
    assert message in response.json()["detail"][0]["msg"] and "Input should" not in body
