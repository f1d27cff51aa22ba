"""What the reports' first screen picks: the first steps named for a reader, and the next deadlines."""

from __future__ import annotations

import dataclasses
from datetime import date

from pqscan.report.build import prepare
from pqscan.report.firstscreen import first_steps, next_deadlines
from pqscan.report.summary import summarize
from tests.report_fixtures import estate

TODAY = date(2026, 11, 25)


def _summary(plan_edit=None):  # noqa: ANN001, ANN202
    inputs = prepare(estate(), ["nist-ir-8547", "cnsa-2.0"], today=TODAY)
    plan = inputs.plan
    if plan_edit is not None:
        plan = dataclasses.replace(plan, steps=plan_edit(plan.steps))
    return summarize(inputs.inventory, inputs.assessment, plan), inputs.inventory


def test_the_first_five_steps_come_in_plan_order_with_asset_words_and_a_deadline() -> None:
    s, inv = _summary()
    steps = first_steps(s, inv)
    assert [st.order for st in steps] == [1, 2, 3, 4, 5]
    root = next(st for st in steps if "Example Root CA" in st.title)
    assert root.what == "certificate Example Root CA" and "127.0.0.1:8443" in root.where
    assert root.deadline == "now (CNSA 2.0)"
    assert all(st.deadline != "-" for st in steps)


def test_a_library_step_inherits_the_deadline_of_the_code_waiting_for_it() -> None:
    s, inv = _summary()
    upgrade = next(st for st in first_steps(s, inv) if st.title == "Upgrade cryptography")
    assert upgrade.deadline.endswith("via repo/app.py") and upgrade.deadline.startswith("now")


def test_steps_that_read_alike_are_told_apart_by_their_asset() -> None:
    def same_titles(steps):  # noqa: ANN001, ANN202
        return [dataclasses.replace(st, title="Reissue the certificate") if st.kind == "certificate" else st
                for st in steps]

    s, inv = _summary(same_titles)
    titles = [st.title for st in first_steps(s, inv, limit=None) if st.title.startswith("Reissue the certificate")]
    assert len(titles) >= 2 and len(set(titles)) == len(titles)


def test_the_mosca_arithmetic_is_kept_apart_from_the_plain_reason() -> None:
    s, inv = _summary()
    for st in first_steps(s, inv, limit=None):
        assert not st.why.startswith("Mosca")
        assert all(a.startswith("Mosca") for a in st.arithmetic)
    assert any(st.arithmetic for st in first_steps(s, inv, limit=None))


def test_next_deadline_per_profile_counts_what_is_due_then_and_later() -> None:
    s, _ = _summary()
    by_profile = {d.profile: d for d in next_deadlines(s, TODAY)}
    assert set(by_profile) == {"NIST IR 8547", "CNSA 2.0"}
    due = [(d, n) for d, p, n in s.deadlines if p == "NIST IR 8547" and d >= TODAY]
    first = min(d for d, _ in due)
    assert by_profile["NIST IR 8547"].date == first
    assert by_profile["NIST IR 8547"].findings + by_profile["NIST IR 8547"].later == sum(n for _, n in due)
