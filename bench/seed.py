"""Seeds the bench database (issue 15) with a national dataset: N submitted dossiers over every region, over the
phase-1 and phase-2 phases of four editions, in every filed state, with 3–8 members each, attachments (metadata
only: no file is written), sectors and territory, eligibility runs, assignments to a pool of reviewers (one of them,
the bench reviewer, with about N/6 assignments), submitted reviews with their scores, dossier scores, regional
opinions, committee decisions, grants and their payments; and the accounts the runner logs in as.

Everything is written with bulk_create in batches (no signals, no per-row save). The database is separate from the
tests' and the demo's (``ptce_bench`` unless BENCH_DATABASE says otherwise); it is dropped and created again, and
its size is recorded as the database's comment, so that ``bench/run.py`` seeds again only when N changes.

Usage (needs PostgreSQL on 127.0.0.1:5432, user postgres, trust):
    .venv/bin/python bench/seed.py [--dossiers 20000]       # or --large for 100,000
    .venv/bin/python bench/seed.py --drop                   # removes the database (about 820 MB at 100,000)
"""

import argparse
import datetime
import itertools
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = os.environ.get("BENCH_DATABASE", "ptce_bench")
PASSWORD = "banc-d-essai-2026!"  # the password of every account of the bench database (never a real one)
ACCOUNTS = {
    "instructeur": "instructeur@bench.example.fr",
    "evaluateur": "evaluateur@bench.example.fr",
    "partenaire": "partenaire@bench.example.fr",
    "porteur": "porteur@bench.example.fr",
}
PARTNER_REGION = "84"  # Auvergne-Rhône-Alpes, the largest share of the bench's dossiers
YEARS = (2023, 2024, 2025, 2026)
BATCH = 5000
MARK = "ptce-bench dossiers="


def environment(folder):
    """The environment of the bench's Django processes (seeding, measuring, gunicorn)."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "0",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": "",
        # Shared by the 2 gunicorn workers, as in production (docs/deployment.md, Redis).
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/11"),
        "EMAIL_URL": f"filemail:///{Path(folder) / 'emails'}",
        "MEDIA_ROOT": str(Path(folder) / "media"),
        "STATIC_ROOT": str(Path(folder) / "static"),
        "LOG_LEVEL": "WARNING",
        "COMPANY_LOOKUP_URL": "",
        # The second factor is what the staff accounts would enter; the bench measures pages, not TOTP.
        "TWO_FACTOR_REQUIRED_ROLES": "",
        "API_RATE_LIMIT": "100000/min",
        "AXES_FAILURE_LIMIT": "1000",
    }


def psql(sql, database="postgres"):
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def seeded_size():
    """N of the bench database's last complete seeding, or None."""
    comment = psql(
        f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{DATABASE}'"
    )  # fmt: skip
    return int(comment[len(MARK) :]) if comment.startswith(MARK) else None


def create_database():
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DATABASE], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)


def setup_django(folder):
    sys.path.insert(0, str(ROOT))
    os.environ.update(environment(folder))
    import django

    django.setup()


def seed(count, rng):
    """The whole dataset; returns the counts of rows written per model."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from applications.enums import AttachmentKind, DossierState, MemberCategory, MemberRole, PhaseKind
    from applications.models import (
        Attachment,
        Dossier,
        DossierTransition,
        Edition,
        EligibilityResult,
        EligibilityRun,
        MemberStructure,
        Phase,
        Sector,
    )
    from ptce_ami.accounts.enums import Role
    from ptce_ami.accounts.models import User
    from reviews.models import (
        Assignment,
        Decision,
        DossierScore,
        Grant,
        Grid,
        Payment,
        RegionalOpinion,
        Review,
        ReviewerDeclaration,
        Score,
    )
    from territories.models import Commune, Region

    now = timezone.now()
    rows = {}
    password = make_password(PASSWORD)

    def bulk(model, objects, keep=True):
        """Inserts ``objects`` in batches; returns them (with their pks), or only their number if not ``keep``: then
        ``objects`` may be a generator, never held whole in memory."""
        if keep:
            created = model.objects.bulk_create(objects, batch_size=BATCH)
            rows[model.__name__] = rows.get(model.__name__, 0) + len(created)
            return created
        iterator, written = iter(objects), 0
        while chunk := list(itertools.islice(iterator, BATCH)):
            model.objects.bulk_create(chunk, batch_size=BATCH)
            written += len(chunk)
        rows[model.__name__] = rows.get(model.__name__, 0) + written
        return written

    # Editions and phases: four editions, a phase 1 and a phase 2 each, all closed (the dossiers are filed).
    phases = []
    for year in YEARS:
        edition, _ = Edition.objects.get_or_create(
            year=year, defaults={"name": f"AMI PTCE {year}", "published": True, "envelope": 5_000_000}
        )
        opens = datetime.datetime(year, 1, 15, tzinfo=datetime.UTC)
        for kind, weeks in ((PhaseKind.PHASE1, 0), (PhaseKind.PHASE2, 20)):
            phase = Phase.objects.create(
                edition=edition,
                kind=kind,
                wave=1,
                opens_at=opens + datetime.timedelta(weeks=weeks),
                closes_at=min(opens + datetime.timedelta(weeks=weeks + 10), now - datetime.timedelta(days=1)),
                envelope=Decimal(10_000_000),
                min_grant=Decimal(30_000) if kind == PhaseKind.PHASE2 else None,
                max_grant=Decimal(80_000) if kind == PhaseKind.PHASE2 else None,
                required_attachment_kinds=[AttachmentKind.STATUTES.value, AttachmentKind.SWORN_STATEMENT.value],
            )
            phases.append(phase)
    grids = {phase.pk: Grid.objects.for_phase(phase) for phase in phases}
    criteria = {pk: list(grid.criteria.all()) for pk, grid in grids.items()}

    # Accounts: the four the runner logs in as, the staff, a partner per region, 60 reviewers, the porteurs.
    regions = list(Region.objects.order_by("code"))
    communes = {}
    for pk, region_id, departement_id in Commune.objects.filter(kind="commune-actuelle").values_list(
        "pk", "departement__region_id", "departement_id"
    ):
        communes.setdefault(region_id, []).append((pk, departement_id))
    regions = [region for region in regions if region.code in communes]
    sectors = list(Sector.objects.values_list("pk", flat=True))

    def user(email, role, **fields):
        return User(email=email, role=role, password=password, email_confirmed_at=now, **fields)

    staff = bulk(
        User,
        [user(ACCOUNTS["instructeur"], Role.INSTRUCTEUR, first_name="Inès", last_name="Instructrice")]
        + [user(f"instructeur{i}@bench.example.fr", Role.INSTRUCTEUR) for i in range(1, 10)],
    )
    reviewers = bulk(
        User,
        [user(ACCOUNTS["evaluateur"], Role.EVALUATEUR, first_name="Élise", last_name="Évaluatrice")]
        + [user(f"evaluateur{i}@bench.example.fr", Role.EVALUATEUR) for i in range(1, 60)],
    )
    partners = bulk(
        User,
        [user(ACCOUNTS["partenaire"], Role.PARTENAIRE, first_name="Paul", last_name="Partenaire")]
        + [user(f"partenaire-{r.code}@bench.example.fr", Role.PARTENAIRE) for r in regions if r.code != "84"],
    )
    region_partner = {}
    through = User.regions.through
    links = []
    for partner in partners:
        code = PARTNER_REGION if partner.email == ACCOUNTS["partenaire"] else partner.email.split("@")[0].split("-")[1]
        region_partner[code] = partner
        links.append(through(user_id=partner.pk, region_id=code))
    bulk(through, links)
    porteurs = bulk(
        User,
        [user(ACCOUNTS["porteur"], Role.PORTEUR, first_name="Paule", last_name="Porteuse")]
        + [user(f"porteur{i:06d}@bench.example.fr", Role.PORTEUR) for i in range(1, (count + 1) // 2)],
    )
    bulk(
        ReviewerDeclaration,
        [ReviewerDeclaration(reviewer=r, edition_id=p.edition_id) for r in reviewers for p in phases[::2]],
    )

    # Dossiers: regions weighted as the population (the largest first), states by phase and edition.
    weights = [max(1, 30 - index) for index in range(len(regions))]
    weights[[r.code for r in regions].index(PARTNER_REGION)] = 40
    current = [p for p in phases if p.edition.year == YEARS[-1]]
    past_states = [
        (DossierState.LAUREATE, 20),
        (DossierState.NOT_RETAINED, 55),
        (DossierState.INELIGIBLE, 15),
        (DossierState.WITHDRAWN, 10),
    ]
    current_states = [
        (DossierState.SUBMITTED, 25),
        (DossierState.CORRECTIONS_REQUESTED, 5),
        (DossierState.IN_REVIEW, 35),
        (DossierState.ELIGIBLE, 25),
        (DossierState.INELIGIBLE, 5),
        (DossierState.WITHDRAWN, 5),
    ]
    stages = ["emergence", "developpement", "consolidation"]
    sequence = {}
    plans = []
    for number in range(count):
        phase = current[number % 2] if number % 5 < 2 else rng.choice(phases)
        table = current_states if phase in current else past_states
        state = rng.choices([s for s, _ in table], [w for _, w in table])[0]
        region = rng.choices(regions, weights)[0]
        sequence[phase.pk] = sequence.get(phase.pk, 0) + 1
        plans.append((phase, state, region))
    # The bench porteur's two dossiers: one filed in the current phase 1, one eligible in the current phase 2.
    plans[0] = (current[0], DossierState.SUBMITTED, plans[0][2])
    plans[1] = (current[1], DossierState.ELIGIBLE, plans[1][2])
    numbers = {}
    dossiers = []
    text = "Une coopération entre acteurs de l'ESS, entreprises et collectivités du territoire. " * 6
    for index, (phase, state, region) in enumerate(plans):
        numbers[phase.pk] = numbers.get(phase.pk, 0) + 1
        kind = "P1" if phase.kind == PhaseKind.PHASE1 else "P2"
        submitted = phase.closes_at - datetime.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1440))
        commune, departement = rng.choice(communes[region.code])
        dossiers.append(
            Dossier(
                reference=f"PTCE-{phase.edition.year}-{kind}-{numbers[phase.pk]:05d}",
                phase=phase,
                state=state,
                owner=porteurs[index // 2],
                name=f"Pôle territorial de coopération n° {index + 1} — {region.name}",
                summary=text[:1400],
                stage=rng.choice(stages),
                representative_name="Camille Martin",
                representative_title="Présidente",
                contact_name="Camille Martin",
                contact_email=f"contact{index}@example.fr",
                region=region,
                territory_type=rng.choice(["urbain", "rural", "mixte"]),
                territory_description=text,
                shared_strategy=text,
                governance=text,
                collectivites_link=text,
                innovation=text,
                economic_model=text,
                expected_impact=text,
                jobs_expected=rng.randint(1, 60),
                bouquet_needs=["dla", "tsf"],
                charter_adherence=True,
                certify_accurate=True,
                consent_publication=True,
                created_at=submitted - datetime.timedelta(days=20),
                submitted_at=submitted,
            )
        )
        dossiers[-1].plan = (commune, departement)
    with transaction.atomic():
        bulk(Dossier, dossiers)
    print(f"  {len(dossiers)} dossiers", flush=True)

    for name, values in (
        ("communes", lambda d: [d.plan[0]]),
        ("departements", lambda d: [d.plan[1]]),
        ("sectors", lambda d: rng.sample(sectors, k=min(len(sectors), 1 + d.pk % 2))),
    ):
        m2m = getattr(Dossier, name)
        column = m2m.field.m2m_reverse_name()
        bulk(m2m.through, [m2m.through(dossier_id=d.pk, **{column: v}) for d in dossiers for v in values(d)])

    categories = list(MemberCategory.values)

    def members():
        for d in dossiers:
            for position in range(rng.randint(3, 8)):
                commune = rng.choice(communes[d.region_id])[0]
                yield MemberStructure(
                    dossier_id=d.pk,
                    name=f"Structure {position + 1} du pôle {d.pk}",
                    siret=f"{d.pk:09d}{position:05d}",
                    category=categories[0] if position == 0 else rng.choice(categories),
                    role=MemberRole.LEAD if position == 0 else MemberRole.MEMBER,
                    commune_id=commune,
                    contribution="Met à disposition un local et deux salariés.",
                    position=position,
                )

    print(f"  {bulk(MemberStructure, members(), keep=False)} members", flush=True)
    attachments = []
    for d in dossiers:
        for kind in (AttachmentKind.STATUTES, AttachmentKind.SWORN_STATEMENT):
            attachments.append(
                Attachment(
                    dossier_id=d.pk,
                    kind=kind,
                    file=f"dossiers/{d.reference}/{d.pk:08x}{kind}.pdf",
                    original_name=f"{kind}.pdf",
                    extension=".pdf",
                    content_type="application/pdf",
                    size=180_000 + d.pk % 1000,
                    sha256=f"{d.pk:064x}",
                    uploaded_by_id=d.owner_id,
                    uploaded_at=d.submitted_at,
                )
            )
    bulk(Attachment, attachments)
    bulk(
        DossierTransition,
        [
            DossierTransition(
                dossier_id=d.pk,
                action="submit",
                from_state="draft",
                to_state="submitted",
                by_id=d.owner_id,
                at=d.submitted_at,
            )
            for d in dossiers
        ],  # fmt: skip
    )
    runs = bulk(
        EligibilityRun,
        [EligibilityRun(dossier_id=d.pk, key=f"bench-{d.pk}", trigger="submission", created_at=d.submitted_at)
         for d in dossiers],
    )  # fmt: skip
    bulk(
        EligibilityResult,
        (
            EligibilityResult(run=run, rule_id=rule, title=title, status=status, explanation="…", legal_basis="…")
            for run in runs
            for rule, title, status in (
                ("1", "Dossier complet", "pass"),
                ("2", "Trois personnes morales", "pass"),
                ("6", "Territoire", "warning"),
            )
        ),
        keep=False,
    )
    print("  attachments, transitions, eligibility runs", flush=True)

    # Instruction: two reviewers for every dossier past submission; the bench reviewer takes one in six.
    reviewed = [d for d in dossiers if d.state not in (DossierState.SUBMITTED, DossierState.CORRECTIONS_REQUESTED)]
    assignments, pending = [], []
    main = reviewers[0]
    for d in reviewed:
        first = main if d.pk % 6 == 0 else reviewers[1 + d.pk % 59]
        second = reviewers[1 + (d.pk * 7 + 3) % 59]
        if second.pk == first.pk:
            second = reviewers[1 + (d.pk + 1) % 59]
        for reviewer in (first, second):
            open_ = d.phase in current and d.state == DossierState.IN_REVIEW and d.pk % 3 == 0
            assignments.append(
                Assignment(
                    dossier_id=d.pk,
                    reviewer=reviewer,
                    assigned_by=staff[d.pk % len(staff)],
                    status="in_progress" if open_ else "submitted",
                    due_at=now + datetime.timedelta(days=14) if open_ else d.submitted_at + datetime.timedelta(30),
                    assigned_at=d.submitted_at + datetime.timedelta(days=3),
                    no_conflict_confirmed_at=d.submitted_at + datetime.timedelta(days=4),
                )
            )
    assignments = bulk(Assignment, assignments)
    by_pk = {d.pk: d for d in dossiers}
    reviews, totals = [], {}
    for a in assignments:
        if a.status != "submitted":
            pending.append(a)
            continue
        d = by_pk[a.dossier_id]
        levels = [rng.randint(1, 4) for _ in criteria[d.phase_id]]
        total = Decimal(sum(c.weight * v for c, v in zip(criteria[d.phase_id], levels, strict=True))) / 4
        total = total.quantize(Decimal("0.01"))
        review = Review(
            assignment=a, dossier_id=d.pk, grid=grids[d.phase_id], status="submitted",
            recommendation=rng.choice(["favourable", "reserved", "unfavourable"]),
            comment="Un projet solide, un territoire engagé.", total=total,
            submitted_at=d.submitted_at + datetime.timedelta(days=20),
        )  # fmt: skip
        review.levels = levels
        reviews.append(review)
        totals.setdefault(d.pk, []).append(total)
    reviews = bulk(Review, reviews)
    bulk(
        Score,
        (
            Score(review=r, criterion=c, value=v, comment="")
            for r in reviews
            for c, v in zip(criteria[by_pk[r.dossier_id].phase_id], r.levels, strict=True)
        ),
        keep=False,
    )
    bulk(
        DossierScore,
        [
            DossierScore(
                dossier_id=pk,
                value=sum(t) / len(t),
                spread=max(t) - min(t),
                review_count=len(t),
                discordant=max(t) - min(t) > 25,
            )
            for pk, t in totals.items()
        ],  # fmt: skip
    )
    print(f"  {len(assignments)} assignments ({len(pending)} in progress), {len(reviews)} reviews", flush=True)

    # Regional opinions on every eligible or decided dossier, by the region's partner, ranked within the region.
    opined = [
        d
        for d in dossiers
        if d.state in (DossierState.ELIGIBLE, DossierState.LAUREATE, DossierState.NOT_RETAINED)
        and d.region_id in region_partner
    ]
    ranks = {}
    opinions = []
    for d in opined:
        key = (d.phase_id, d.region_id)
        ranks[key] = ranks.get(key, 0) + 1
        opinions.append(
            RegionalOpinion(
                dossier_id=d.pk, region_id=d.region_id, opinion=rng.choice(["favourable", "reserved", "unfavourable"]),
                text="Le pôle est bien connu de la CRESS et de la région.", rank=ranks[key],
                author=region_partner[d.region_id], updated_at=d.submitted_at + datetime.timedelta(days=25),
            )
        )  # fmt: skip
    bulk(RegionalOpinion, opinions)

    # Decisions: published for decided dossiers, provisional for one eligible dossier in ten; grants for laureates.
    decisions = []
    for d in dossiers:
        phase2 = d.phase.kind == PhaseKind.PHASE2
        amount = Decimal(40_000 + (d.pk % 5) * 10_000) if phase2 else None
        published = d.phase.closes_at + datetime.timedelta(days=60)
        if d.state in (DossierState.LAUREATE, DossierState.NOT_RETAINED):
            outcome = "laureate" if d.state == DossierState.LAUREATE else "not_retained"
            decisions.append(
                Decision(
                    dossier_id=d.pk, outcome=outcome, amount=amount if outcome == "laureate" else None,
                    motivation="Une coopération solide et un territoire engagé.", decided_by=staff[0],
                    published_at=published, published_by=staff[0],
                )
            )  # fmt: skip
        elif d.state == DossierState.ELIGIBLE and d.pk % 10 == 0:
            decisions.append(
                Decision(
                    dossier_id=d.pk, outcome="laureate", amount=amount, decided_by=staff[0],
                    motivation="Proposé par le comité.",
                )
            )  # fmt: skip
    decisions = bulk(Decision, decisions)
    grants = bulk(
        Grant,
        [
            Grant(dossier_id=x.dossier_id, decision=x, amount=x.amount)
            for x in decisions
            if x.published_at and x.outcome == "laureate" and x.amount
        ],
    )
    bulk(
        Payment,
        [
            Payment(
                grant=g, position=p, label=f"Tranche {p}", percent=pc, amount=g.amount * pc / 100, condition=c,
                status="paid" if p == 1 else "scheduled", paid_on=g.created_at.date() if p == 1 else None,
                recorded_by=staff[0] if p == 1 else None,
            )
            for g in grants
            for p, pc, c in ((1, 60, "signature"), (2, 30, "interim_report"), (3, 10, "final_report"))
        ],
    )  # fmt: skip
    print(f"  {len(opinions)} regional opinions, {len(decisions)} decisions, {len(grants)} grants", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--large", action="store_true", help="100,000 dossiers")
    parser.add_argument("--if-needed", action="store_true", help="do nothing if already seeded at this size")
    parser.add_argument("--folder", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--drop", action="store_true", help="drop the bench database and stop")
    arguments = parser.parse_args()
    if arguments.drop:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=True)
        print(f"{DATABASE} dropped")
        return
    count = 100_000 if arguments.large else arguments.dossiers
    if arguments.if_needed and seeded_size() == count:
        print(f"{DATABASE} already holds {count} dossiers: not seeded again")
        return
    start = time.perf_counter()
    create_database()
    setup_django(arguments.folder)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_territories", verbosity=0)
    prepared = time.perf_counter()
    print(f"{DATABASE}: migrated and territories loaded in {prepared - start:.0f} s; seeding {count} dossiers…")
    rows = seed(count, random.Random(15))
    psql(f"COMMENT ON DATABASE {DATABASE} IS '{MARK}{count}'")
    elapsed = time.perf_counter() - prepared
    print(
        f"seeded {count} dossiers ({sum(rows.values())} rows: "
        + ", ".join(f"{n} {model}" for model, n in sorted(rows.items(), key=lambda item: -item[1]))
        + f") in {elapsed:.0f} s ({time.perf_counter() - start:.0f} s with the migrations)"
    )


if __name__ == "__main__":
    main()
