"""The world of the security suites, built once per module (and per xdist worker) inside a transaction that is rolled
back when the module ends, and one logged-in session per role."""

import logging
from unittest import mock

import pytest
from django.db import transaction
from django.test import override_settings

from tests.security.world import ROLES, SECOND_FACTOR_ROLES, build_world, signed_in

FAKE_PDF = b"%PDF-1.7\n% security suites\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media_root():
    """The world's files live in the module's media directory (see ``world``), not in one per test."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("security-media")
    with (
        django_db_blocker.unblock(),
        # The second factor as in production (the test settings switch it off): required for staff and the admin.
        override_settings(
            MEDIA_ROOT=media, TWO_FACTOR_REQUIRED_ROLES=sorted(SECOND_FACTOR_ROLES), TWO_FACTOR_ADMIN_REQUIRED=True
        ),
        # WeasyPrint takes ~0.2 s a page: the suites check who reaches a PDF, not what it reads.
        mock.patch("applications.services.notices.html_to_pdf", return_value=FAKE_PDF),
        mock.patch("reviews.services.committee.html_to_pdf", return_value=FAKE_PDF),
        transaction.atomic(),
    ):
        w = build_world()
        w.sessions = {"anonymous": None}
        for role in ROLES[1:]:
            w.sessions[role] = signed_in(w.users[role]).session.session_key
        # Thousands of expected 403, 404 and 405 would each log a warning: only server errors are logged.
        request_logger = logging.getLogger("django.request")
        level = request_logger.level
        request_logger.setLevel(logging.ERROR)
        yield w
        request_logger.setLevel(level)
        transaction.set_rollback(True)
