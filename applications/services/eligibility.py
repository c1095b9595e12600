"""Eligibility runs: the rules evaluated on a dossier, stored one row per rule per run (DESIGN §6)."""

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications import eligibility
from applications.enums import RuleStatus
from applications.models import EligibilityResult, EligibilityRun, EligibilityTrigger
from applications.services import official_data
from applications.workflow import MotivationRequired
from ptce_ami.core import audit
from ptce_ami.core.queue import enqueue


def new_key():
    return uuid.uuid4().hex


def request_run(dossier, *, trigger, by=None, version=None):
    """Queue a run after commit (recorded: the sweep of queued tasks sends it again if the broker was down); the key
    is chosen now, so that a duplicated delivery adds nothing."""
    key = f"submission:{version.pk}" if version is not None else new_key()
    enqueue(
        "applications.run_eligibility",
        dossier_id=dossier.pk,
        key=key,
        trigger=trigger,
        by_id=by.pk if by else None,
        version_id=version.pk if version else None,
    )
    return key


def run(dossier, *, key, trigger=EligibilityTrigger.ON_DEMAND, by=None, version=None):
    """Read the members' official data (services.official_data: network, in the task, never in a request), evaluate
    every rule and store the results; returns the run (the existing one if ``key`` was done)."""
    existing = EligibilityRun.objects.filter(key=key).first()
    if existing is not None:
        return existing
    # The company directory first (what it says of each member), so that rules R01, R03–R05 compare with it: all
    # members at submission, those not read yet on a later run.
    official_data.record(dossier, missing_only=trigger != EligibilityTrigger.SUBMISSION)
    # The record is French; each other language of the interface keeps its own wording of the same results.
    others = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    languages = [settings.LANGUAGE_CODE, *others]
    by_language = eligibility.evaluate(dossier, languages=languages)
    results = by_language.pop(settings.LANGUAGE_CODE)
    try:
        with transaction.atomic():
            eligibility_run = EligibilityRun.objects.create(
                dossier=dossier, key=key, trigger=trigger, requested_by=by, version=version
            )
            EligibilityResult.objects.bulk_create(result_rows(eligibility_run, results, by_language))
    except IntegrityError:
        return EligibilityRun.objects.get(key=key)  # another delivery of the same task was faster
    return eligibility_run


def wording(result):
    return {
        "title": str(result.title),
        "explanation": str(result.explanation),
        "legal_basis": str(result.legal_basis),
        "details": [str(detail) for detail in result.details],
    }


def result_rows(eligibility_run, results, by_language=None):
    """The rows of ``results`` (French), each with its wording in the other languages (``by_language``)."""
    by_language = by_language or {}
    return [
        EligibilityResult(
            run=eligibility_run,
            rule_id=result.rule_id,
            status=str(result.status),
            **wording(result),
            translations={language: wording(others[index]) for language, others in by_language.items()},
        )
        for index, result in enumerate(results)
    ]


def latest_run(dossier):
    return EligibilityRun.objects.latest_of(dossier)


def override_result(result, *, status, motivation, by):
    """Staff confirm or override one rule's result (DESIGN §6: the rules never decide alone).

    ``motivation`` is required (MotivationRequired otherwise) and kept with who and when; the rule's own
    status stays as the engine computed it, the effective status becomes ``status``.
    """
    if status not in RuleStatus.values:
        raise ValueError(f"unknown rule status {status!r}")
    if not (motivation or "").strip():
        raise MotivationRequired("override_eligibility")
    result.override_status = status
    result.override_motivation = motivation.strip()
    result.overridden_by = by
    result.overridden_at = timezone.now()
    result.save(update_fields=["override_status", "override_motivation", "overridden_by", "overridden_at"])
    audit.record(audit.AuditAction.ELIGIBILITY_OVERRIDE, actor=by, obj=result, details={"status": status})
    return result
