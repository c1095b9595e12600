import hashlib
import io
import tracemalloc
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.enums import AttachmentKind
from applications.forms.attachments import AttachmentForm
from applications.models import Attachment, Dossier, DossierInvitation
from applications.services.attachments import (
    TOO_LARGE,
    AttachmentRefused,
    add_attachment,
    clean_name,
    remove_attachment,
)
from applications.services.dossiers import DossierNotEditable
from ptce_ami.core import files
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import PDF_BYTES, AttachmentFactory, DossierFactory, MemberFactory
from tests.applications.fixtures import files as samples

ACCEPTED = "PDF, ODT, DOCX, XLSX, ODS, PNG ou JPEG"
NOT_ACCEPTED = f"Ce fichier n'est pas d'un type accepté ({ACCEPTED})."

# Detection -----------------------------------------------------------------------------------------------------

DETECTION_TABLE = [
    # sample, expected type, reason of a refusal
    (samples.pdf, files.PDF, ""),
    (samples.png, files.PNG, ""),
    (samples.jpeg, files.JPEG, ""),
    (samples.docx, files.DOCX, ""),
    (samples.xlsx, files.XLSX, ""),
    (samples.openpyxl_xlsx, files.XLSX, ""),
    (samples.odt, files.ODT, ""),
    (samples.ods, files.ODS, ""),
    (samples.windows_executable, None, files.Refusal.UNKNOWN),
    (samples.elf_executable, None, files.Refusal.UNKNOWN),
    (samples.html, None, files.Refusal.UNKNOWN),
    (samples.plain_zip, None, files.Refusal.UNKNOWN),
    (samples.pptx, None, files.Refusal.UNKNOWN),
    (samples.odp, None, files.Refusal.UNKNOWN),
    (samples.legacy_doc, None, files.Refusal.UNKNOWN),
    (samples.odt_with_mimetype_bomb, None, files.Refusal.UNKNOWN),
    (samples.empty, None, files.Refusal.EMPTY),
    (samples.encrypted_pdf, None, files.Refusal.ENCRYPTED),
    (samples.encrypted_odt, None, files.Refusal.ENCRYPTED),
    (samples.encrypted_ooxml, None, files.Refusal.ENCRYPTED),
    (samples.zip_with_encrypted_entries, None, files.Refusal.ENCRYPTED),
    (samples.docm, None, files.Refusal.MACROS),
    (samples.truncated_pdf, None, files.Refusal.DAMAGED),
    (samples.truncated_png, None, files.Refusal.DAMAGED),
    (samples.truncated_docx, None, files.Refusal.DAMAGED),
]


@pytest.mark.parametrize(
    ("sample", "expected", "refusal"), DETECTION_TABLE, ids=[row[0].__name__ for row in DETECTION_TABLE]
)
def test_inspect_tells_the_type_from_the_content(sample, expected, refusal):
    content = sample()

    inspection = files.inspect(io.BytesIO(content))

    assert (inspection.file_type, inspection.refusal) == (expected, refusal)
    assert inspection.size == len(content)
    assert inspection.sha256 == hashlib.sha256(content).hexdigest()


def test_inspect_reads_in_chunks_and_rewinds():
    content = samples.pdf() + b"%" + b"x" * (3 * files.CHUNK_SIZE) + b"\n%%EOF\n"
    stream = io.BytesIO(content)
    stream.seek(100)

    inspection = files.inspect(stream)

    assert (inspection.file_type, inspection.sha256) == (files.PDF, hashlib.sha256(content).hexdigest())
    assert stream.tell() == 0


def test_inspect_finds_the_encryption_marker_across_two_chunks():
    head = b"%PDF-1.7\n" + b" " * (files.CHUNK_SIZE - len(b"%PDF-1.7\n") - 3)
    content = head + b"<< /Encrypt 5 0 R >>\n%%EOF\n"  # "/En" ends the first chunk, "crypt" starts the next

    assert files.inspect(io.BytesIO(content)).refusal == files.Refusal.ENCRYPTED


def test_inspect_never_inflates_a_zip_bomb():
    content = samples.odt_with_mimetype_bomb()
    tracemalloc.start()

    files.inspect(io.BytesIO(content))

    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2 * 1024 * 1024


def test_inspect_refuses_an_archive_with_too_many_entries(monkeypatch):
    monkeypatch.setattr(files, "MAX_ZIP_ENTRIES", 2)

    assert files.inspect(io.BytesIO(samples.docx())).refusal == files.Refusal.UNKNOWN


def test_inspect_refuses_an_archive_announcing_a_huge_content(monkeypatch):
    monkeypatch.setattr(files, "MAX_ZIP_UNCOMPRESSED", 100)

    assert files.inspect(io.BytesIO(samples.docx())).refusal == files.Refusal.UNKNOWN


def test_detect_returns_the_type_or_none():
    assert files.detect(io.BytesIO(samples.odt())) == files.ODT
    assert files.detect(io.BytesIO(samples.windows_executable())) is None


@pytest.mark.parametrize(
    ("size", "round_up", "expected"),
    [
        (1, False, "1 octet"),
        (820, False, "820 octets"),
        (1024, False, "1 Ko"),
        (14_950, False, "14,6 Ko"),
        (10 * 1024 * 1024, False, "10 Mo"),
        (13_002_342, True, "12,4 Mo"),
        (10 * 1024 * 1024 + 1, True, "10,1 Mo"),
    ],
)
def test_format_size_in_french(size, round_up, expected):
    assert files.format_size(size, round_up=round_up) == expected


# Form ----------------------------------------------------------------------------------------------------------


def stored_content(attachment):
    with default_storage.open(attachment.file.name) as stored:
        return stored.read()


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def bound_form(dossier, name, content, kind=AttachmentKind.STATUTES, **data):
    return AttachmentForm({"kind": kind, **data}, {"file": upload(name, content)}, dossier=dossier)


@pytest.mark.parametrize(
    ("name", "sample", "message"),
    [
        (
            "statuts.pdf",
            samples.windows_executable,
            f"{NOT_ACCEPTED} Son contenu ne correspond pas à son extension « .pdf ».",
        ),
        (
            "photo.png",
            samples.elf_executable,
            f"{NOT_ACCEPTED} Son contenu ne correspond pas à son extension « .png ».",
        ),
        ("page.PDF", samples.html, f"{NOT_ACCEPTED} Son contenu ne correspond pas à son extension « .pdf »."),
        ("archive.zip", samples.plain_zip, NOT_ACCEPTED),
        ("programme.exe", samples.windows_executable, NOT_ACCEPTED),
        ("statuts.pdf", samples.empty, "Le fichier est vide."),
        (
            "statuts.pdf",
            samples.encrypted_pdf,
            "Ce fichier est protégé par un mot de passe : enregistrez-en une version sans protection, puis "
            "déposez-la.",
        ),
        (
            "budget.xlsx",
            samples.docm,
            "Ce document contient des macros : enregistrez-le au format DOCX ou XLSX, sans macros.",
        ),
        (
            "statuts.pdf",
            samples.truncated_pdf,
            "Ce fichier est endommagé ou incomplet : il ne peut pas être ouvert. Enregistrez-le à nouveau, puis "
            "déposez-le.",
        ),
    ],
)
@pytest.mark.django_db
def test_form_refuses_a_file_with_a_french_message_on_the_field(name, sample, message):
    form = bound_form(DossierFactory(), name, sample())

    assert not form.is_valid()
    assert form.errors == {"file": [message]}


@pytest.mark.django_db
def test_form_refuses_a_file_over_the_default_limit():
    form = bound_form(DossierFactory(), "rapport.pdf", b"%PDF-" + b"0" * (13_002_342 - 5))

    assert not form.is_valid()
    assert form.errors == {"file": ["Ce fichier dépasse la taille maximale de 10 Mo (il fait 12,4 Mo)."]}


@pytest.mark.django_db
def test_form_reads_the_limit_from_settings_at_call_time(settings):
    settings.ATTACHMENT_MAX_SIZE = 1024
    form = bound_form(DossierFactory(), "statuts.pdf", samples.pdf() + b"%" * 1024)

    assert not form.is_valid()
    assert form.errors == {"file": ["Ce fichier dépasse la taille maximale de 1 Ko (il fait 1,5 Ko)."]}
    assert form.fields["file"].help_text == f"Formats acceptés : {ACCEPTED}. Taille maximale : 1 Ko."


@pytest.mark.django_db
def test_form_requires_a_kind_and_a_file():
    form = AttachmentForm({}, {}, dossier=DossierFactory())

    assert not form.is_valid()
    assert form.errors == {"kind": ["Ce champ est obligatoire."], "file": ["Choisissez le fichier à déposer."]}


@pytest.mark.django_db
def test_form_accepts_a_valid_file_and_keeps_its_inspection():
    form = bound_form(DossierFactory(), "statuts.pdf", samples.pdf())

    assert form.is_valid(), form.errors
    assert form.inspection.file_type == files.PDF


@pytest.mark.django_db
def test_form_lists_the_required_kinds_first_marked_obligatoire():
    dossier = DossierFactory(phase__required_attachment_kinds=["rib", "statuts"])

    choices = AttachmentForm(dossier=dossier).fields["kind"].choices

    assert choices[:3] == [
        ("", "Sélectionner un type de pièce"),
        ("rib", "Relevé d'identité bancaire (obligatoire)"),
        ("statuts", "Statuts de la structure porteuse (obligatoire)"),
    ]
    assert [value for value, _label in choices[3:]] == [
        kind for kind in AttachmentKind.values if kind not in ("rib", "statuts")
    ]


@pytest.mark.django_db
def test_form_offers_only_the_dossiers_members_for_a_commitment_letter():
    dossier = DossierFactory()
    member = MemberFactory(dossier=dossier)
    stranger = MemberFactory()

    letter = bound_form(dossier, "lettre.pdf", samples.pdf(), kind=AttachmentKind.COMMITMENT_LETTER, member=member.pk)
    foreign = bound_form(
        dossier, "lettre.pdf", samples.pdf(), kind=AttachmentKind.COMMITMENT_LETTER, member=stranger.pk
    )
    statutes = bound_form(dossier, "statuts.pdf", samples.pdf(), member=member.pk)

    assert letter.is_valid(), letter.errors
    assert letter.cleaned_data["member"] == member
    assert list(foreign.errors) == ["member"]
    assert statutes.errors == {
        "member": ["Choisissez une structure seulement pour une lettre d'engagement, ou changez le type de pièce."]
    }


@pytest.mark.django_db
def test_form_renders_the_dsfr_upload_group_with_its_error():
    form = bound_form(DossierFactory(), "statuts.pdf", samples.windows_executable())
    form.is_valid()

    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))

    assert 'class="fr-upload-group fr-upload-group--error"' in html
    assert 'id="id_file-messages"' in html
    assert "Son contenu ne correspond pas à son extension « .pdf »." in html
    assert "<form" not in html


# Service -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_attachment_stores_the_file_and_what_it_is():
    dossier = DossierFactory()
    content = samples.docx()

    attachment = add_attachment(
        dossier, kind=AttachmentKind.STATUTES, uploaded_file=upload("Statuts 2026.docx", content), by=dossier.owner
    )

    attachment.refresh_from_db()
    assert (attachment.original_name, attachment.extension, attachment.content_type) == (
        "Statuts 2026.docx",
        ".docx",
        files.DOCX.content_type,
    )
    assert (attachment.size, attachment.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert (attachment.uploaded_by, attachment.removed_at) == (dossier.owner, None)
    assert attachment.file.name.startswith(f"dossiers/{dossier.reference}/")
    assert attachment.file.name.endswith(".docx")
    assert "Statuts" not in attachment.file.name
    assert stored_content(attachment) == content


@pytest.mark.django_db
def test_add_attachment_touches_the_dossier():
    dossier = DossierFactory()
    coeditor = UserFactory()

    add_attachment(dossier, kind=AttachmentKind.RIB, uploaded_file=upload("rib.png", samples.png()), by=coeditor)

    assert Dossier.objects.get(pk=dossier.pk).last_edited_by == coeditor


@pytest.mark.django_db
def test_add_attachment_never_overwrites_a_file():
    dossier = DossierFactory()
    first = add_attachment(
        dossier, kind="statuts", uploaded_file=upload("statuts.pdf", samples.pdf("v1")), by=dossier.owner
    )
    second = add_attachment(
        dossier, kind="statuts", uploaded_file=upload("statuts.pdf", samples.pdf("v2")), by=dossier.owner
    )

    assert first.file.name != second.file.name
    assert stored_content(first) == samples.pdf("v1")
    assert stored_content(second) == samples.pdf("v2")
    assert list(dossier.attachments.current()) == [first, second]


@pytest.mark.django_db
def test_add_attachment_refuses_a_file_of_no_accepted_type_and_stores_nothing():
    dossier = DossierFactory()

    with pytest.raises(AttachmentRefused) as refused:
        add_attachment(
            dossier,
            kind="statuts",
            uploaded_file=upload("statuts.pdf", samples.windows_executable()),
            by=dossier.owner,
        )

    assert refused.value.refusal == files.Refusal.UNKNOWN
    assert Attachment.objects.count() == 0
    assert not default_storage.exists(f"dossiers/{dossier.reference}")


@pytest.mark.django_db
def test_add_attachment_refuses_a_file_over_the_limit(settings):
    settings.ATTACHMENT_MAX_SIZE = 100
    dossier = DossierFactory()

    with pytest.raises(AttachmentRefused) as refused:
        add_attachment(dossier, kind="statuts", uploaded_file=upload("statuts.pdf", samples.pdf()), by=dossier.owner)

    assert refused.value.refusal == TOO_LARGE


@pytest.mark.django_db
def test_add_attachment_refuses_a_dossier_that_is_not_editable():
    dossier = DossierFactory(submitted=True)

    with pytest.raises(DossierNotEditable):
        add_attachment(dossier, kind="statuts", uploaded_file=upload("statuts.pdf", samples.pdf()), by=dossier.owner)

    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_add_attachment_links_a_commitment_letter_to_a_member_of_the_dossier():
    dossier = DossierFactory()
    member = MemberFactory(dossier=dossier)

    attachment = add_attachment(
        dossier,
        kind=AttachmentKind.COMMITMENT_LETTER,
        uploaded_file=upload("engagement.pdf", samples.pdf()),
        by=dossier.owner,
        member=member,
    )

    assert attachment.member == member


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [AttachmentKind.COMMITMENT_LETTER, AttachmentKind.STATUTES])
def test_add_attachment_refuses_a_member_of_another_dossier_or_another_kind(kind):
    dossier = DossierFactory()
    member = MemberFactory(dossier=dossier if kind == AttachmentKind.STATUTES else DossierFactory())

    with pytest.raises(ValueError):
        add_attachment(
            dossier, kind=kind, uploaded_file=upload("lettre.pdf", samples.pdf()), by=dossier.owner, member=member
        )

    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_add_attachment_deletes_the_stored_file_when_the_row_cannot_be_saved(monkeypatch):
    dossier = DossierFactory()
    stored = []
    original_save = Attachment.file.field.storage.save

    def record_save(name, content, max_length=None):
        stored.append(original_save(name, content, max_length=max_length))
        return stored[-1]

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(Attachment.file.field.storage, "save", record_save)
    monkeypatch.setattr(Attachment, "save", failing_save)

    with pytest.raises(RuntimeError):
        add_attachment(dossier, kind="statuts", uploaded_file=upload("statuts.pdf", samples.pdf()), by=dossier.owner)

    assert len(stored) == 1
    assert not default_storage.exists(stored[0])


@pytest.mark.parametrize(
    ("name", "file_type", "expected"),
    [
        ("Statuts 2026.pdf", files.PDF, "Statuts 2026.pdf"),
        ("STATUTS.PDF", files.PDF, "STATUTS.PDF"),
        ("photo.jpeg", files.JPEG, "photo.jpeg"),
        ("statuts.docx", files.PDF, "statuts.pdf"),  # an accepted extension that lies is replaced
        ("statuts", files.PDF, "statuts.pdf"),
        ("statuts.v2", files.PDF, "statuts.v2.pdf"),
        ("C:\\Users\\camille\\Bureau\\rib.png", files.PNG, "rib.png"),
        ("../../etc/passwd.pdf", files.PDF, "passwd.pdf"),
        ("fact\u202eurefdp.exe.pdf", files.PDF, "facturefdp.exe.pdf"),
        ("  bilan\t2025 .odt", files.ODT, "bilan 2025.odt"),
        ("...", files.PDF, "piece-jointe.pdf"),
        ("a" * 300 + ".xlsx", files.XLSX, "a" * 250 + ".xlsx"),
    ],
)
def test_clean_name(name, file_type, expected):
    assert clean_name(name, file_type) == expected


@pytest.mark.django_db
def test_remove_attachment_is_soft():
    attachment = AttachmentFactory()
    dossier = attachment.dossier
    user = UserFactory()

    remove_attachment(attachment, by=user)

    attachment.refresh_from_db()
    assert attachment.removed_at is not None
    assert default_storage.exists(attachment.file.name)
    assert list(dossier.attachments.current()) == []
    assert Dossier.objects.get(pk=dossier.pk).last_edited_by == user


@pytest.mark.django_db
def test_remove_attachment_refuses_a_dossier_that_is_not_editable():
    attachment = AttachmentFactory(dossier=DossierFactory(submitted=True))

    with pytest.raises(DossierNotEditable):
        remove_attachment(attachment, by=attachment.dossier.owner)

    attachment.refresh_from_db()
    assert attachment.removed_at is None


# Views ---------------------------------------------------------------------------------------------------------


def page_url(dossier):
    return reverse("applications:attachments", kwargs={"reference": dossier.reference})


def delete_url(attachment):
    kwargs = {"reference": attachment.dossier.reference, "attachment_id": attachment.pk}
    return reverse("applications:attachment_delete", kwargs=kwargs)


def download_url(attachment):
    kwargs = {"reference": attachment.dossier.reference, "attachment_id": attachment.pk}
    return reverse("applications:attachment_download", kwargs=kwargs)


def download(client, attachment):
    """GET the file and read it all: the test client closes a streamed response (and its file) at the end."""
    response = client.get(download_url(attachment))
    response.content_bytes = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def logged_in(client, user):
    client.force_login(user)
    return client


def submitted_dossier_with_attachment():
    region = RegionFactory()
    attachment = AttachmentFactory(dossier=DossierFactory(submitted=True, region=region))
    return attachment, region


@pytest.mark.django_db
def test_page_lists_required_kinds_and_files(client):
    dossier = DossierFactory(phase__required_attachment_kinds=["statuts", "rib"])
    attachment = AttachmentFactory(dossier=dossier, kind="statuts", original_name="Statuts signés.pdf")
    AttachmentFactory(dossier=dossier, kind="rib", removed_at=timezone.now())

    response = logged_in(client, dossier.owner).get(page_url(dossier))

    assert response.status_code == 200
    html = response.content.decode()
    statutes_row = html.split('id="kind-statuts"')[1].split("</tr>")[0]
    rib_row = html.split('id="kind-rib"')[1].split("</tr>")[0]
    assert "Fournie" in statutes_row
    assert "Statuts signés.pdf" in statutes_row
    assert "Manquante" in rib_row
    assert 'href="?kind=rib#id_kind"' in rib_row
    assert download_url(attachment) in html
    assert delete_url(attachment) in html
    assert f'title="{attachment.sha256}"' in html
    assert f"PDF – {len(PDF_BYTES)} octets" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="file"' in html


@pytest.mark.django_db
def test_page_preselects_the_kind_asked_for(client):
    dossier = DossierFactory()

    response = logged_in(client, dossier.owner).get(page_url(dossier) + "?kind=rib")

    assert response.context["form"]["kind"].value() == "rib"


@pytest.mark.django_db
def test_upload_adds_the_attachment_and_redirects(client):
    dossier = DossierFactory()
    client = logged_in(client, dossier.owner)

    response = client.post(page_url(dossier), {"kind": "statuts", "file": upload("statuts.pdf", samples.pdf())})

    assert response.status_code == 302
    assert response.url == page_url(dossier)
    attachment = Attachment.objects.get()
    assert (attachment.dossier, attachment.kind, attachment.uploaded_by) == (dossier, "statuts", dossier.owner)
    assert "Pièce ajoutée : statuts.pdf." in client.get(response.url).content.decode()


@pytest.mark.django_db
def test_upload_of_a_large_file_goes_through_a_temporary_file(client):
    # Over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 Mo), Django streams the upload to disk: inspected and stored from there.
    dossier = DossierFactory()
    content = samples.pdf() + b"%" + b"0" * (3 * 1024 * 1024) + b"\n%%EOF\n"

    response = logged_in(client, dossier.owner).post(
        page_url(dossier), {"kind": "budget", "file": upload("budget.pdf", content)}
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.size, attachment.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert stored_content(attachment) == content


@pytest.mark.django_db
def test_upload_of_a_disguised_executable_shows_the_error_next_to_the_field(client):
    dossier = DossierFactory()

    response = logged_in(client, dossier.owner).post(
        page_url(dossier), {"kind": "statuts", "file": upload("statuts.pdf", samples.windows_executable())}
    )

    assert response.status_code == 200
    html = response.content.decode()
    messages = unescape(html.split('id="id_file-messages"')[1].split("</div>")[0])
    assert f"{NOT_ACCEPTED} Son contenu ne correspond pas à son extension « .pdf »." in messages
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_upload_racing_a_submission_sends_back_to_the_dossier(client, monkeypatch):
    # Submitted between the permission check and the locked write: the service refuses, nothing is stored.
    dossier = DossierFactory()

    def submitted_meanwhile(*args, **kwargs):
        raise DossierNotEditable

    monkeypatch.setattr("applications.views.attachments.add_attachment", submitted_meanwhile)
    client = logged_in(client, dossier.owner)

    response = client.post(page_url(dossier), {"kind": "statuts", "file": upload("statuts.pdf", samples.pdf())})

    assert (response.status_code, response.url) == (302, dossier.get_absolute_url())
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_upload_refused_by_the_service_shows_the_error_next_to_the_field(client, monkeypatch):
    dossier = DossierFactory()

    def refused(*args, **kwargs):
        raise AttachmentRefused(files.Refusal.DAMAGED)

    monkeypatch.setattr("applications.views.attachments.add_attachment", refused)

    response = logged_in(client, dossier.owner).post(
        page_url(dossier), {"kind": "statuts", "file": upload("statuts.pdf", samples.pdf())}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Ce fichier est endommagé ou incomplet : il ne peut pas être ouvert. Enregistrez-le à nouveau, puis "
        "déposez-le."
    ]


@pytest.mark.django_db
def test_coeditor_can_upload(client):
    dossier = DossierFactory()
    coeditor = UserFactory()
    DossierInvitation.objects.create(dossier=dossier, email=coeditor.email, invited_by=dossier.owner)

    response = logged_in(client, coeditor).post(
        page_url(dossier), {"kind": "rib", "file": upload("rib.png", samples.png())}
    )

    assert response.status_code == 302
    assert Attachment.objects.get().uploaded_by == coeditor


@pytest.mark.django_db
def test_submitted_dossier_refuses_upload_but_lets_its_owner_download(client):
    attachment, _region = submitted_dossier_with_attachment()
    dossier = attachment.dossier
    client = logged_in(client, dossier.owner)

    page = client.get(page_url(dossier))
    confirmation = client.get(delete_url(attachment))
    writes = [
        client.post(page_url(dossier), {"kind": "rib", "file": upload("rib.png", samples.png())}),
        client.post(delete_url(attachment)),
    ]
    downloaded = download(client, attachment)

    # Like the other steps, the editing pages send the porteur back to the dossier's page, which lists its files.
    assert (page.status_code, page.url) == (302, dossier.get_absolute_url())
    assert (confirmation.status_code, confirmation.url) == (302, dossier.get_absolute_url())
    assert [response.status_code for response in writes] == [403, 403]
    assert (downloaded.status_code, downloaded.content_bytes) == (200, PDF_BYTES)
    attachment.refresh_from_db()
    assert attachment.removed_at is None
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_download_serves_the_file_privately(client):
    dossier = DossierFactory()
    attachment = add_attachment(
        dossier, kind="statuts", uploaded_file=upload("Statuts signés.pdf", samples.pdf()), by=dossier.owner
    )

    response = download(logged_in(client, dossier.owner), attachment)

    assert response.status_code == 200
    assert response.content_bytes == samples.pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Statuts%20sign%C3%A9s.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_removed_attachment_is_downloaded_by_staff_only(client):
    attachment, _region = submitted_dossier_with_attachment()
    Attachment.objects.filter(pk=attachment.pk).update(removed_at=timezone.now())

    porteur = download(logged_in(client, attachment.dossier.owner), attachment)
    staff = download(logged_in(client, UserFactory(instructeur=True)), attachment)

    assert porteur.status_code == 404
    assert staff.status_code == 200


@pytest.mark.django_db
def test_download_of_a_file_missing_from_the_storage_is_a_404(client):
    attachment = AttachmentFactory()
    default_storage.delete(attachment.file.name)

    response = download(logged_in(client, attachment.dossier.owner), attachment)

    assert response.status_code == 404


@pytest.mark.django_db
def test_delete_asks_for_confirmation_then_removes_softly(client):
    attachment = AttachmentFactory(original_name="rib.pdf")
    client = logged_in(client, attachment.dossier.owner)

    confirmation = client.get(delete_url(attachment))
    response = client.post(delete_url(attachment))

    assert confirmation.status_code == 200
    assert "Retirer la pièce « rib.pdf » ?" in confirmation.content.decode()
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_at is not None
    assert "Pièce retirée : rib.pdf." in client.get(response.url).content.decode()
    assert client.post(delete_url(attachment)).status_code == 404


@pytest.mark.django_db
def test_attachment_of_another_dossier_is_a_404(client):
    dossier = DossierFactory()
    other = AttachmentFactory()
    client = logged_in(client, dossier.owner)
    kwargs = {"reference": dossier.reference, "attachment_id": other.pk}

    assert client.get(reverse("applications:attachment_download", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("applications:attachment_delete", kwargs=kwargs)).status_code == 404


def every_request(attachment):
    return [
        ("get", page_url(attachment.dossier)),
        ("post", page_url(attachment.dossier)),
        ("get", delete_url(attachment)),
        ("post", delete_url(attachment)),
        ("get", download_url(attachment)),
    ]


@pytest.mark.django_db
def test_another_porteur_gets_404_everywhere(client):
    attachment = AttachmentFactory()
    client = logged_in(client, UserFactory())

    for method, url in every_request(attachment):
        assert getattr(client, method)(url).status_code == 404, (method, url)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["instructeur", "partenaire"])
def test_read_only_role_downloads_but_gets_403_on_the_editing_pages(client, role):
    attachment, region = submitted_dossier_with_attachment()
    client = logged_in(client, UserFactory(**{role: True}, regions=[region]))

    downloaded = download(client, attachment)
    responses = [
        client.get(page_url(attachment.dossier)),
        client.post(page_url(attachment.dossier), {"kind": "rib", "file": upload("rib.png", samples.png())}),
        client.get(delete_url(attachment)),
        client.post(delete_url(attachment)),
    ]

    assert downloaded.status_code == 200
    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    attachment.refresh_from_db()
    assert attachment.removed_at is None
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_partner_of_another_region_gets_404(client):
    attachment, _region = submitted_dossier_with_attachment()
    other_region = RegionFactory(code="93", name="Provence-Alpes-Côte d'Azur")
    client = logged_in(client, UserFactory(partenaire=True, regions=[other_region]))

    for method, url in every_request(attachment):
        assert getattr(client, method)(url).status_code == 404, (method, url)


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login_page(client):
    attachment = AttachmentFactory()
    login = reverse("accounts:login")

    for method, url in every_request(attachment):
        response = getattr(client, method)(url)
        assert (response.status_code, response.url.split("?")[0]) == (302, login), (method, url)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_page_query_count_does_not_grow_with_attachments(client, django_assert_num_queries, count):
    # Measured with one attachment rather than written down: the guided form's layout owns most of the queries.
    dossier = DossierFactory(phase__required_attachment_kinds=["statuts", "lettre_engagement"])
    client = logged_in(client, dossier.owner)
    AttachmentFactory(dossier=dossier, kind="statuts")
    with CaptureQueriesContext(connection) as baseline:
        client.get(page_url(dossier))
    for _index in range(count - 1):
        member = MemberFactory(dossier=dossier)
        AttachmentFactory(dossier=dossier, kind="lettre_engagement", member=member, uploaded_by=UserFactory())

    with django_assert_num_queries(len(baseline)):
        response = client.get(page_url(dossier))

    assert response.status_code == 200
    assert len(response.context["rows"]) == count


def test_inspect_leaves_a_django_file_readable_from_its_start():
    # add_attachment inspects, then stores the same file object.
    content = ContentFile(samples.pdf(), name="statuts.pdf")

    assert files.inspect(content).file_type == files.PDF
    assert content.read() == samples.pdf()
