"""The classroom's service functions on a tiny logistics course (no browser)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from labs.logistics import LAB
from labs.logistics.baseline import dispatcher
from labs.logistics.instance import load_instance
from labs.logistics.reference import solve
from labs.logistics.submission import write_plan
from workbench.classroom import (
    AttemptRefused,
    class_code,
    default_public_metrics,
    leaderboard,
    pseudonym,
    settings_of,
    submit,
    visible_report,
)
from workbench.classroom.assignments import student_case
from workbench.classroom.attempts import attempts_today
from workbench.classroom.course import gradebook

from .conftest import STUDENTS


def plan_file(student, tmp_path, method="baseline"):
    inst = load_instance(student_case(LAB, student))
    plan = dispatcher(inst) if method == "baseline" else solve(inst, seed=0, max_iterations=300)
    return write_plan(plan, tmp_path / f"{student}-{method}.json")


def test_default_public_metrics_take_half_of_the_rubric():
    graded = [m for m in LAB.metrics if m.weight > 0]
    chosen = default_public_metrics(LAB)
    assert chosen == tuple(m.name for m in graded[:len(chosen)]) and chosen[0] == "route_duration"
    weight = {m.name: m.weight for m in graded}
    total = sum(weight.values())
    assert sum(weight[n] for n in chosen) >= total / 2 > sum(weight[n] for n in chosen[:-1])


def test_upload_is_graded_against_the_students_own_case(course, tmp_path):
    settings = settings_of("logistics")
    own = submit(LAB, settings, "s01", plan_file("s01", tmp_path))
    assert own.report.valid and own.report.case_id == student_case(LAB, "s01").case_id
    # s02's plan visits s02's customers: on s01's case it is not the same plan at all
    other = submit(LAB, settings, "s01", plan_file("s02", tmp_path))
    assert other.report.case_id == own.report.case_id
    assert other.report.metrics != own.report.metrics or not other.report.valid
    assert own.report.submission == "s01-baseline.json"  # no server path stored
    kept = sorted((course / "attempts" / "logistics" / "s01").iterdir())
    assert len(kept) == 2 and kept[0].name.endswith("-s01-baseline.json")


def test_daily_limit_counts_per_utc_day(course, tmp_path):
    settings = settings_of("logistics")
    path = plan_file("s02", tmp_path)
    today = datetime.now(UTC)
    for _ in range(settings.daily_limit):
        submit(LAB, settings, "s02", path, now=today)
    with pytest.raises(AttemptRefused, match="all 3 attempts of today"):
        submit(LAB, settings, "s02", path, now=today)
    assert attempts_today("logistics", "s02", today) == 3
    submit(LAB, settings, "s02", path, now=today + timedelta(days=1))


def test_closed_assignment_and_wrong_file_are_refused(course, tmp_path):
    settings = settings_of("logistics")
    with pytest.raises(AttemptRefused, match="closed"):
        submit(LAB, settings, "s01", plan_file("s01", tmp_path),
               now=settings.due + timedelta(seconds=1))
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    with pytest.raises(AttemptRefused, match="notes.txt"):
        submit(LAB, settings, "s01", notes)


def test_private_criteria_stay_hidden_until_the_due_date(course, tmp_path):
    settings = settings_of("logistics")
    report = submit(LAB, settings, "s01", plan_file("s01", tmp_path, "reference")).report
    before = visible_report(report, settings)
    assert [c.name for c in before.criteria if not c.hidden] == ["route_duration"]
    public = next(c for c in report.criteria if c.name == "route_duration")
    assert before.max_score == public.max_points < report.max_score
    assert before.score == pytest.approx(public.points)
    assert before.reference_metrics == {} and before.metrics == {}
    after = visible_report(report, settings, now=settings.due + timedelta(hours=1))
    assert after == report and after.max_score == 100


def test_leaderboard_ranks_pseudonyms_public_then_private(course, tmp_path):
    settings = settings_of("logistics")
    submit(LAB, settings, "s01", plan_file("s01", tmp_path))
    submit(LAB, settings, "s01", plan_file("s01", tmp_path, "reference"))  # latest valid: counts
    # s02 hands in the dispatcher's plan last: on a case where it ties with the optimised plan
    # on the public metrics, the tie goes to the earlier attempt (s01's) all the same
    submit(LAB, settings, "s02", plan_file("s02", tmp_path))
    public = leaderboard("logistics", settings, private=False)
    assert [r["student"] for r in public] == ["s01", "s02"]
    assert [r["rank"] for r in public] == [1, 2]
    assert public[0]["public_score"] >= public[1]["public_score"]
    assert public[0]["pseudonym"] == pseudonym("s01") and "s01" not in public[0]["pseudonym"]
    private = leaderboard("logistics", settings, private=True)
    assert private[0]["score"] >= private[1]["score"]
    # the counting attempt (latest valid) is the student's grade in the course gradebook
    stored = gradebook().get("logistics", student_case(LAB, "s01").case_id, "s01")
    assert stored is not None and stored.report.score == public[0]["score"]


def test_class_code_and_pseudonyms_are_stable_and_distinct(course):
    code = class_code()
    assert code == class_code() and len(code) == 6 and code.isalpha()
    names = {pseudonym(s) for s in STUDENTS}
    assert len(names) == len(STUDENTS)


def test_settings_reject_nonsense():
    from workbench.classroom import Settings

    with pytest.raises(ValueError, match="at least one attempt"):
        Settings("logistics", datetime.now(UTC), 0, ("route_duration",))
    with pytest.raises(ValueError, match="time zone"):
        replace(Settings("logistics", datetime.now(UTC), 1, ()), due=datetime(2030, 1, 1))


# ---- attempts taken before grading (acceptance 2: the limit holds exactly) -------------------

def test_a_file_the_lab_cannot_read_uses_no_attempt(course, tmp_path):
    settings = settings_of("logistics")
    junk = tmp_path / "plan.json"
    junk.write_text('{"not": "a plan"}', encoding="utf-8")
    with pytest.raises(AttemptRefused, match="did not use an attempt"):
        submit(LAB, settings, "s01", junk)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    with pytest.raises(AttemptRefused, match="did not use an attempt"):
        submit(LAB, settings, "s01", notes)
    assert attempts_today("logistics", "s01") == 0


def test_a_failed_grading_gives_the_attempt_back(course, tmp_path, monkeypatch):
    from workbench.classroom import attempts

    settings = settings_of("logistics")
    path = plan_file("s01", tmp_path)
    seen = []

    def broken(*args, **kwargs):
        seen.append(attempts_today("logistics", "s01"))  # taken before grading starts
        raise RuntimeError("the grader broke")

    with monkeypatch.context() as patch:
        patch.setattr(attempts, "grade", broken)
        with pytest.raises(RuntimeError, match="the grader broke"):
            submit(LAB, settings, "s01", path)
    assert seen == [1] and attempts_today("logistics", "s01") == 0
    stages = []
    submit(LAB, settings, "s01", path, progress=stages.append)
    assert stages == ["reading", "grading"] and attempts_today("logistics", "s01") == 1


def test_the_daily_limit_holds_exactly_when_uploads_arrive_at_once(course):
    """Sixteen uploads of one student at the same moment, limit 3: exactly 3 take an
    attempt (the slot numbers' unique constraint, not a count checked before writing), on
    SQLite and PostgreSQL (the course fixture runs both)."""
    import threading

    from workbench.classroom import attempts

    settings = settings_of("logistics")
    assert settings.daily_limit == 3
    now = datetime.now(UTC)
    barrier = threading.Barrier(16)
    taken, refused = [], []

    def upload() -> None:
        barrier.wait()
        try:
            taken.append(attempts.reserve("logistics", settings, "s01", now))
        except AttemptRefused as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=upload) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(taken) == 3 and len(refused) == 13, (taken, refused)
    assert all("all 3 attempts" in r for r in refused)
    assert attempts_today("logistics", "s01", now) == 3
    attempts.give_back(taken[0])
    assert attempts_today("logistics", "s01", now) == 2
