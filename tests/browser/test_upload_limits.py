"""A file too large in Chromium: refused in the browser with the French message next to the field, before anything is
sent (static/js/upload-limits.js); the server's own refusals, next to the field for a file just over the limit and
the French 413 page for a body far above it (core.middleware)."""

import pytest

from applications.models import Attachment
from tests.accounts.factories import PASSWORD
from tests.applications.factories import PDF_BYTES, DossierFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MAX = 4096


@pytest.fixture
def dossier(settings):
    settings.ATTACHMENT_MAX_SIZE = MAX
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 8192
    return DossierFactory()


def pdf_of(size):
    return PDF_BYTES[:-6] + b"%" * (size - len(PDF_BYTES)) + PDF_BYTES[-6:]


def choose(page, size):
    page.get_by_label("Type de pièce").select_option(value="statuts")
    page.locator("input[type=file]").set_input_files(
        {"name": "statuts.pdf", "mimeType": "application/pdf", "buffer": pdf_of(size)}
    )


def field_messages(page):
    return page.locator(".fr-upload-group .fr-message--error").all_inner_texts()


def test_a_file_too_large_is_refused_in_the_browser_next_to_the_field(page, dossier):
    log_in(page, dossier.owner.email, PASSWORD)
    page.goto(f"/dossiers/{dossier.reference}/pieces/")
    assert page.get_by_text("Taille maximale : 4 Ko.").count() == 1
    requests = []
    page.on("request", lambda request: requests.append(request.method) if request.method == "POST" else None)

    choose(page, 50_000)

    expected = (
        "Ce fichier dépasse la taille maximale de 4 Ko : choisissez un fichier plus petit "
        "(par exemple un PDF compressé)."
    )
    assert field_messages(page) == [expected]
    assert "fr-upload-group--error" in page.locator(".fr-upload-group").get_attribute("class")
    assert "id_file-limit" in page.locator("input[type=file]").get_attribute("aria-describedby")
    page.get_by_role("button", name="Ajouter la pièce").click()
    assert requests == []  # nothing sent
    assert_accessible(page)
    screenshot(page, "edge-upload-too-large-in-browser")

    # A file within the limit clears the message and goes through.
    choose(page, MAX)
    assert field_messages(page) == []
    page.get_by_role("button", name="Ajouter la pièce").click()
    page.get_by_text("Pièce ajoutée : statuts.pdf.").wait_for()
    assert Attachment.objects.get().size == MAX


def test_without_the_browser_check_the_server_refuses_next_to_the_field_or_with_its_413_page(page, dossier):
    log_in(page, dossier.owner.email, PASSWORD)
    page.goto(f"/dossiers/{dossier.reference}/pieces/")
    drop_check = "document.querySelector('input[type=file]').removeAttribute('data-max-size')"

    # Just over the limit: the body is read, the form answers next to the field.
    page.evaluate(drop_check)
    choose(page, MAX + 100)
    page.get_by_role("button", name="Ajouter la pièce").click()
    page.wait_for_load_state()
    assert field_messages(page) == ["Ce fichier dépasse la taille maximale de 4 Ko (il fait 4,1 Ko)."]
    screenshot(page, "edge-upload-just-over-server-form-error")

    # Far above: refused from its size with the French page.
    page.evaluate(drop_check)
    choose(page, 50_000)
    page.get_by_role("button", name="Ajouter la pièce").click()
    page.get_by_role("heading", name="Envoi trop volumineux").wait_for()
    assert page.get_by_text("la taille maximale est de 4 Ko par fichier", exact=False).count() == 1
    assert_accessible(page)
    screenshot(page, "edge-413-page")
    assert not Attachment.objects.exists()
