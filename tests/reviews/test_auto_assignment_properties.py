"""The automatic assignment (reviews.services.assignments.propose), over random sets of reviewers and dossiers.

What it guarantees (its docstring):
- no reviewer ends above the cap, and one already at or above it gets nothing;
- no proposed pair is a conflict or an existing assignment, and none is proposed twice;
- each dossier gets exactly N minus its standing (non-conflict) assignments, or fewer only when every reviewer
  neither conflicted nor already on it has reached the cap;
- with equal current loads and no conflicts nor existing pairs, the final loads differ by at most 1;
- the same input gives the same output, and the returned loads are the current loads plus the new pairs.
"""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.services.assignments import propose


@st.composite
def situations(draw):
    dossiers = list(range(draw(st.integers(0, 12))))
    reviewer_keys = list(range(100, 100 + draw(st.integers(0, 10))))
    reviewers = {reviewer: draw(st.integers(0, 6)) for reviewer in reviewer_keys}
    pairs = (
        st.tuples(st.sampled_from(dossiers), st.sampled_from(reviewer_keys)) if dossiers and reviewer_keys else None
    )
    existing = draw(st.sets(pairs, max_size=15)) if pairs is not None else set()
    conflicts = draw(st.sets(pairs, max_size=15)) if pairs is not None else set()
    per_dossier = draw(st.integers(1, 5))
    cap = draw(st.integers(1, 8))
    return dossiers, reviewers, existing, conflicts, per_dossier, cap


def standing(existing, conflicts, dossier):
    return len({reviewer for d, reviewer in existing - conflicts if d == dossier})


@settings(max_examples=400, deadline=None)
@given(situations())
def test_propose_respects_caps_conflicts_and_needs(situation):
    dossiers, reviewers, existing, conflicts, per_dossier, cap = situation

    proposal = propose(dossiers, reviewers, existing, conflicts, per_dossier, cap)

    pairs = proposal.pairs
    new = Counter(reviewer for _dossier, reviewer in pairs)
    # Never twice, never a conflict, never an existing assignment.
    assert len(pairs) == len(set(pairs))
    assert not set(pairs) & conflicts
    assert not set(pairs) & existing
    # The cap: nobody above it through this proposal; one already at it gets nothing.
    for reviewer, load in reviewers.items():
        assert proposal.loads[reviewer] == load + new[reviewer]
        if new[reviewer]:
            assert proposal.loads[reviewer] <= cap
    # Each dossier gets what it needs, or all its possible reviewers are at the cap.
    per = Counter(dossier for dossier, _reviewer in pairs)
    for dossier in dossiers:
        needed = max(per_dossier - standing(existing, conflicts, dossier), 0)
        assert per[dossier] <= needed
        if per[dossier] < needed:
            excluded = {reviewer for d, reviewer in existing | conflicts if d == dossier}
            chosen = {reviewer for d, reviewer in pairs if d == dossier}
            free = [r for r in reviewers if r not in excluded and r not in chosen]
            assert all(proposal.loads[r] >= cap for r in free)
            assert dossier in proposal.shortfalls
        else:
            assert dossier not in proposal.shortfalls
    # Deterministic.
    assert propose(dossiers, reviewers, existing, conflicts, per_dossier, cap) == proposal


@settings(max_examples=300, deadline=None)
@given(
    dossier_count=st.integers(0, 15),
    reviewer_count=st.integers(1, 10),
    load=st.integers(0, 3),
    per_dossier=st.integers(1, 4),
    cap=st.integers(1, 10),
)
def test_propose_balances_the_load_when_nothing_constrains_it(dossier_count, reviewer_count, load, per_dossier, cap):
    reviewers = dict.fromkeys(range(reviewer_count), load)

    proposal = propose(list(range(dossier_count)), reviewers, set(), set(), per_dossier, cap)

    loads = proposal.loads.values()
    assert max(loads) - min(loads) <= 1
    expected = dossier_count * min(per_dossier, reviewer_count)
    if load < cap:
        # Everything needed is proposed unless the reviewers together reach the cap.
        assert len(proposal.pairs) == expected or all(value >= cap for value in loads)


def test_propose_takes_the_least_loaded_reviewers_first():
    proposal = propose(["A"], {"r1": 5, "r2": 0, "r3": 2}, set(), set(), per_dossier=2, cap=10)

    assert proposal.pairs == [("A", "r2"), ("A", "r3")]


def test_propose_counts_standing_assignments_but_not_declared_conflicts():
    existing = {("A", "r1"), ("A", "r2")}
    conflicts = {("A", "r2")}

    proposal = propose(["A"], {"r1": 1, "r2": 1, "r3": 0, "r4": 0}, existing, conflicts, per_dossier=2, cap=10)

    assert proposal.pairs == [("A", "r3")]


def test_propose_reports_a_dossier_short_of_reviewers_and_why():
    proposal = propose(["A"], {"r1": 0, "r2": 3}, set(), {("A", "r1")}, per_dossier=2, cap=3)

    assert proposal.pairs == []
    shortfall = proposal.shortfalls["A"]
    assert (shortfall.needed, shortfall.got, shortfall.conflicts, shortfall.at_cap) == (2, 0, 1, 1)
