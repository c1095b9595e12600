"""No page of the role × URL matrix keeps the bare default <title> (the service's name alone): each names its page
(issue 14, "Keyboard and assistive use"). Every pattern is asked as the first role the matrix lets in on GET."""

import html
import re

import pytest
from django.db import transaction

from ptce_ami.site.context_processors import SERVICE_NAME
from tests.security import harness
from tests.security.matrix import MATRIX
from tests.security.urls_filled import KWARGS
from tests.security.world import ROLES

pytestmark = pytest.mark.django_db

SITE = [pattern for pattern in harness.patterns() if not pattern.is_admin]


def first_role_let_in(pattern):
    get_row = MATRIX[pattern.key][0]
    return next((role for role in ROLES if get_row[role] == harness.OK), None)


def test_no_html_page_of_the_matrix_has_the_bare_default_title(world):
    titles, bare = {}, []
    for pattern in SITE:
        role = first_role_let_in(pattern)
        if role is None:
            continue
        path = harness.fill(pattern.route, KWARGS.get(pattern.key, lambda w: {})(world))
        client = harness.role_client(world.sessions[role])
        with transaction.atomic():
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)  # read to its end, so that its file is closed
            transaction.set_rollback(True)
        if response.streaming or "text/html" not in response.get("Content-Type", ""):
            continue
        match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
        if match is None:
            continue  # a fragment (htmx, a chart's SVG), not a page
        title = html.unescape(" ".join(match.group(1).split()))
        titles[path] = title
        if title in ("", SERVICE_NAME):
            bare.append(f"{role} {path}: {title!r}")
    assert len(titles) > 50, f"only {len(titles)} pages were read"
    assert not bare, "pages whose <title> does not name them:\n" + "\n".join(bare)
