"""What every fuzzed answer must satisfy: no 5xx, French messages only, and nothing saved by an answer that refuses."""

import re

from django.apps import apps

# Rows an answer that refuses may still write: the session, the lockout counters and the audit log (a failed login
# is recorded on purpose).
WRITTEN_EVEN_ON_REFUSAL = {"sessions.Session", "core.AuditEntry", "accounts.ApiCall"}
WRITTEN_EVEN_ON_REFUSAL_APPS = {"axes"}
# Tables no form writes, left out of the snapshot to keep it cheap.
READ_ONLY_APPS = {"contenttypes", "auth", "territories", "django_celery_beat", "dsfr", "admin"}

# Django's and its contrib apps' English messages: none may reach a page (LocaleMiddleware + French catalogues).
ENGLISH_MESSAGES = [
    "This field is required",
    "Enter a valid",
    "Ensure this value",
    "Ensure that there are no more than",
    "Select a valid choice",
    "is not one of the available choices",
    "The submitted file is empty",
    "No file was submitted",
    "Upload a valid image",
    "Null characters are not allowed",
    "Please submit at most",
    "Please submit at least",
    "ManagementForm data is missing",
    "Enter a list of values",
    "Enter a whole number",
    "Enter a number",
    "Enter a valid date",
    "The two password fields",
    "Please enter a correct",
    "This password is too",
    "already exists",
    "Please correct the",
    "Forbidden",
    "CSRF verification failed",
    "Bad Request",
    "Not Found",
    "Server Error",
    "Method Not Allowed",
]
_ENGLISH = re.compile("|".join(re.escape(message) for message in ENGLISH_MESSAGES))

FIELD_ERROR_MARKUP = ("fr-message--error", "fr-error-text", "fr-input-group--error", "fr-fieldset--error")
ALERT_MARKUP = ("fr-alert--error", "fr-alert--warning", "fr-alert--info", "fr-alert--success", "fr-callout")


def snapshot_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.label not in WRITTEN_EVEN_ON_REFUSAL
        and model._meta.app_label not in WRITTEN_EVEN_ON_REFUSAL_APPS | READ_ONLY_APPS
        and not model._meta.proxy
    ]


# Columns a login writes (each example logs in again).
LOGIN_COLUMNS = {"accounts.User": {"last_login", "session_token"}}


def _columns(model):
    skipped = LOGIN_COLUMNS.get(model._meta.label, set())
    return [f.attname for f in model._meta.concrete_fields if f.name not in skipped]


def snapshot():
    """Every row of every table a form may write, as tuples (cheap on the small world of the fuzz)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list(*_columns(model)))
        for model in snapshot_models()
    }


def differences(before, after):
    changed = []
    for label, rows in before.items():
        if rows != after[label]:
            added = len(after[label]) - len(rows)
            if added:
                changed.append(f"{label} ({added:+d} rows)")
                continue
            columns = _columns(apps.get_model(label))
            differing = {
                columns[index]
                for old, new in zip(rows, after[label], strict=True)
                for index, (a, b) in enumerate(zip(old, new, strict=True))
                if a != b
            }
            changed.append(f"{label} (columns {sorted(differing)} changed)")
    return changed


def body_text(response):
    if "html" not in response.get("Content-Type", "") or getattr(response, "streaming", False):
        return ""
    return response.content.decode(errors="replace")


def english_leaks(text):
    """The English default messages found in a page, outside what the user typed (echoed in value attributes and
    textareas, which cannot contain these sentences: the payloads never do)."""
    return sorted(set(_ENGLISH.findall(text)))


def shows_field_error(text):
    return any(marker in text for marker in FIELD_ERROR_MARKUP)


def shows_message(text):
    return shows_field_error(text) or any(marker in text for marker in ALERT_MARKUP)
