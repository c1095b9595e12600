"""A person's right of access (RGPD art. 15 and 20): everything the platform holds about them, as a zip of a JSON
document and the files of their dossiers, streamed as it is written (ptce_ami.core.zips).

The dossiers are those they own or co-edit (Dossier.objects.editable_by); of each: every field, the members, the
budget, the messages, the decisions once published (a provisional one is not theirs to see), the grant with its
payments, and the list of attachments, whose files follow in ``pieces/``. Staff notes (annotations) are not
personal data of the porteur and are left out.
"""

import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from applications.models import Dossier
from ptce_ami.core.zips import ZipEntry, entry_name, readable, stem_of
from reviews.models import Decision

ACCOUNT_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "organisation",
    "phone",
    "role",
    "date_joined",
    "last_login",
    "email_confirmed_at",
)
JSON_NAME = "mes-donnees.json"


def fields_of(obj, exclude=()):
    """Every concrete field of ``obj`` by name (foreign keys: their id), as JSON values; files are in the zip, their
    storage names are not data about anyone."""
    return {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.attname not in exclude and not isinstance(field, models.FileField)
    }


def dossier_data(dossier):
    data = fields_of(dossier)
    data["phase"] = str(dossier.phase)
    data["region"] = str(dossier.region) if dossier.region_id else None
    data["sectors"] = [str(sector) for sector in dossier.sectors.all()]
    data["communes"] = [str(commune) for commune in dossier.communes.all()]
    data["members"] = [fields_of(member) for member in dossier.members.order_by("position", "pk")]
    data["budget"] = [fields_of(line) for line in dossier.budget_lines.order_by("pk")]
    data["invitations"] = [invitation.email for invitation in dossier.invitations.order_by("pk")]
    data["messages"] = [
        {
            "created_at": message.created_at,
            "from_staff": message.from_staff,
            "author": message.author.display_name if message.author_id and not message.from_staff else None,
            "body": message.body,
            "attachments": [attachment.original_name for attachment in message.attachments.all()],
        }
        for message in dossier.messages.select_related("author").prefetch_related("attachments").order_by("pk")
    ]
    data["decisions"] = [
        fields_of(decision, exclude=("decided_by_id", "published_by_id", "revoked_by_id", "session_id"))
        for decision in Decision.objects.published().filter(dossier=dossier).order_by("pk")
    ]
    grant = dossier.grant if hasattr(dossier, "grant") else None
    data["grant"] = None
    if grant is not None:
        data["grant"] = {
            **fields_of(grant),
            "payments": [fields_of(payment, exclude=("recorded_by_id",)) for payment in grant.payments.order_by("pk")],
        }
    data["attachments"] = [
        fields_of(attachment, exclude=("uploaded_by_id",)) for attachment in dossier.attachments.order_by("pk")
    ]
    return data


def dossiers_of(user):
    return Dossier.objects.editable_by(user).select_related("phase__edition", "region").order_by("pk")


def document(user):
    """The JSON document: the account, and the dossiers."""
    return {
        "generated_at": timezone.now(),
        "account": {name: getattr(user, name) for name in ACCOUNT_FIELDS},
        "dossiers": [dossier_data(dossier) for dossier in dossiers_of(user)],
    }


class _InMemory:
    """A file-like for stream_zip: ``open`` gives the bytes."""

    def __init__(self, content):
        self.content = content

    def open(self, mode="rb"):
        return io.BytesIO(self.content)


def zip_entries(user):
    """The zip's entries: the JSON first, then each dossier's current and past attachments and message files."""
    now = timezone.now()
    content = json.dumps(document(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
    yield ZipEntry(JSON_NAME, _InMemory(content), now)
    used = {JSON_NAME}
    for dossier in dossiers_of(user):
        folder = f"pieces/{readable(dossier.reference)}"
        for attachment in dossier.attachments.order_by("pk"):
            name = entry_name(folder, [stem_of(attachment.original_name)], attachment.extension, used)
            yield ZipEntry(name, attachment.file, attachment.uploaded_at)
        for message in dossier.messages.prefetch_related("attachments").order_by("pk"):
            for attachment in message.attachments.all():
                name = entry_name(
                    f"{folder}/messages", [stem_of(attachment.original_name)], attachment.extension, used
                )
                yield ZipEntry(name, attachment.file, message.created_at)
