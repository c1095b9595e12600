"""Members' official data: what the State's company directory says of each member's SIRET (ptce_ami.core.companies),
stored on the member (``official_data``, ``official_checked_at``) for the eligibility rules and the staff.

It is read in the eligibility run that follows a submission (a queued task, never the porteur's request), before the
rules run. ``official_data`` holds ``{"status": "found", …CompanyInfo.as_dict()}``, ``{"status": "not_found"}`` (the
directory leaves out non-diffusible companies) or ``{"status": "unavailable"}`` (the directory did not answer: a note,
no data). Bounded: one HTTP client for the dossier, the lookup's timeout (COMPANY_LOOKUP_TIMEOUT) and cache, and
after a first failure the remaining members are marked unavailable without waiting again. A run asked for later
(by staff) reads only the members not yet read. When the lookup is switched off (COMPANY_LOOKUP_URL empty) nothing
is stored and the rules work on the declared data.
"""

from django.utils import timezone

from applications.models import MemberStructure
from ptce_ami.core import companies
from ptce_ami.core.companies import LookupStatus
from ptce_ami.core.siret import compact

FOUND, NOT_FOUND, UNAVAILABLE = LookupStatus.FOUND.value, LookupStatus.NOT_FOUND.value, LookupStatus.UNAVAILABLE.value
READ = (FOUND, NOT_FOUND)


def as_official_data(member, result):
    """The stored data, with the SIRET it is about (the rules ignore it once the porteur changes the SIRET)."""
    if result.found:
        return {"status": FOUND, **result.company.as_dict()}
    return {"status": str(result.status), "siret": compact(member.siret)}


def members_to_read(dossier, *, missing_only):
    members = [member for member in dossier.members.all() if compact(member.siret)]
    if missing_only:
        members = [member for member in members if member.official_data.get("status") not in READ]
    return members


def record(dossier, *, missing_only=False, client=None, now=None):
    """Look up the members of ``dossier`` with a SIRET and store what the directory said; returns how many members
    were stored (0 when the lookup is switched off). ``missing_only``: only those not read yet (or unavailable)."""
    if not companies.is_enabled():
        return 0
    members = members_to_read(dossier, missing_only=missing_only)
    if not members:
        return 0
    now = now or timezone.now()
    if client is None:
        with companies.build_http_client() as own_client:
            looked_up = look_up(members, own_client)
    else:
        looked_up = look_up(members, client)
    if looked_up is None:
        return 0
    for member, data in zip(members, looked_up, strict=True):
        member.official_data, member.official_checked_at = data, now
    MemberStructure.objects.bulk_update(members, ["official_data", "official_checked_at"])
    return len(members)


def look_up(members, client):
    """The official data of each member, in order; None when the lookup is switched off."""
    found, down = [], False
    for member in members:
        if down:
            found.append({"status": UNAVAILABLE, "siret": compact(member.siret)})
            continue
        result = companies.lookup_siret(member.siret, client=client)
        if result.status == LookupStatus.DISABLED:
            return None
        down = result.status == LookupStatus.UNAVAILABLE
        found.append(as_official_data(member, result))
    return found
