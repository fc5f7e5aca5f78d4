"""Batch grading: student keys, a crash mid-batch, and resuming from the gradebook."""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench.grading.batch as batch
from workbench.grading.batch import grade_batch, student_keys
from workbench.store import Gradebook


@pytest.mark.parametrize(("paths", "keys"), [
    (["a/alice.json", "b/bob.json"], ["alice", "bob"]),
    (["alice/solution.json", "bob/solution.json"], ["alice", "bob"]),
    (["alice/solution.json", "x/carol.json"], ["solution", "carol"]),
])
def test_student_keys(paths, keys):
    assert student_keys([Path(p) for p in paths]) == keys


def test_student_keys_refuse_a_clash():
    with pytest.raises(ValueError, match="same student 'a'"):
        student_keys([Path("a/s.json"), Path("b/a/s.json")])


@pytest.fixture
def files(lab, case, tmp_path):
    """Three submissions: the reference, the baseline and a changed reference."""
    ref = lab.reference(case)
    (tmp_path / "subs").mkdir()
    paths = [lab.write_submission(ref, tmp_path / "subs" / "ann.json"),
             lab.write_submission(lab.baseline(case), tmp_path / "subs" / "ben.json"),
             lab.write_submission({"picks": [0.0] * 5}, tmp_path / "subs" / "cy.json")]
    return paths


def test_crash_mid_batch_keeps_grades_and_resume_continues(lab, case, files, db_url,
                                                             monkeypatch):
    path = db_url
    calls: list[str] = []
    real = batch.grade_file

    def flaky(lab_, case_, p, *, refs=None):
        calls.append(Path(p).stem)
        if len(calls) == 2 and not hasattr(flaky, "done"):
            flaky.done = True
            raise KeyboardInterrupt  # the machine stops mid-batch
        return real(lab_, case_, p, refs=refs)

    monkeypatch.setattr(batch, "grade_file", flaky)
    with Gradebook(path) as book, pytest.raises(KeyboardInterrupt):
        grade_batch(lab, case, files, gradebook=book, progress=False)
    with Gradebook(path) as book:
        assert [g.student for g in book.all()] == ["ann"]
        calls.clear()
        graded = grade_batch(lab, case, files, gradebook=book, resume=True, progress=False)
    assert calls == ["ben", "cy"]  # ann was not graded again
    assert [(s, round(r.score)) for s, r in graded] == [("ann", 100), ("ben", 0), ("cy", 0)]


def test_resume_regrades_a_changed_file(lab, case, files, db_url):
    with Gradebook(db_url) as book:
        grade_batch(lab, case, files[:1], gradebook=book, progress=False)
        lab.write_submission(lab.baseline(case), files[0])  # ann resubmits
        [(_, report)] = grade_batch(lab, case, files[:1], gradebook=book, resume=True,
                                    progress=False)
        assert report.score == pytest.approx(0.0)
        assert book.get(lab.slug, case.case_id, "ann").report.score == pytest.approx(0.0)


def test_grading_the_same_file_again_stores_one_attempt(lab, case, files, db_url):
    with Gradebook(db_url) as book:
        grade_batch(lab, case, files[:1], gradebook=book, progress=False)
        grade_batch(lab, case, files[:1], gradebook=book, progress=False)
        assert len(book.all()) == 1 and len(book.attempts(lab.slug, "ann")) == 1


# --- a course: per-student cases, resume by digest and grader, code on hidden cases --------

from workbench.assign import Course, assign  # noqa: E402
from workbench.grading.batch import (  # noqa: E402
    find_submissions,
    grade_course,
    submission_digest,
)
from workbench.grading.pool import run_all  # noqa: E402
from workbench.grading.sandbox import Limits  # noqa: E402

FAST = Limits(wall_s=10, cpu_s=5, memory_bytes=2**30, processes=32)
ROSTER = {"s1": {"name": "Ann"}, "s2": {"name": "Ben"}, "s3": {"name": "Cy"}}
SOLVE = '''
import json
def pick(public_dir, out_dir):
    hints = json.loads((public_dir / "hints.json").read_text())["hints"]
    (out_dir / "picks.json").write_text(json.dumps({"picks": hints}))
'''


def test_find_submissions_names_files_folders_and_strangers(tmp_path):
    subs = tmp_path / "subs"
    (subs / "s2").mkdir(parents=True)
    (subs / "s3").mkdir()
    (subs / "__MACOSX").mkdir()
    (subs / "s1.json").write_text("{}")
    (subs / "s2" / "plan.json").write_text("{}")  # an LMS folder holding one upload
    (subs / "s3" / "submission.py").write_text("")
    (subs / "s3" / "helper.py").write_text("")
    (subs / ".DS_Store").write_text("")
    (subs / "zoe.json").write_text("{}")
    found, unknown = find_submissions(subs, ROSTER)
    assert found == {"s1": subs / "s1.json", "s2": subs / "s2" / "plan.json", "s3": subs / "s3"}
    assert unknown == ["zoe.json"]
    (subs / "s1.zip").write_bytes(b"")
    with pytest.raises(ValueError, match="two submissions for student 's1'"):
        find_submissions(subs, ROSTER)


def test_folder_digest_follows_names_and_contents(tmp_path):
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "a.py").write_text("x = 1")
    first = submission_digest(tmp_path / "code")
    (tmp_path / "code" / "a.py").write_text("x = 2")
    second = submission_digest(tmp_path / "code")
    (tmp_path / "code" / "a.py").rename(tmp_path / "code" / "b.py")
    assert len({first, second, submission_digest(tmp_path / "code")}) == 3


@pytest.fixture
def course(lab, tmp_path):
    assign(lab, ROSTER, tmp_path / "course", size="tiny", progress=False)
    return Course(tmp_path / "course")


def _own_case(lab, course, student):
    from workbench.lab import Case

    return Case.load(course.case_dir(lab.slug, student))


def test_grade_course_resumes_regrades_and_lists_the_missing(lab, course, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    lab.write_submission(lab.reference(_own_case(lab, course, "s1")), subs / "s1.json")
    lab.write_submission(lab.baseline(_own_case(lab, course, "s2")), subs / "s2.json")
    first = grade_course(lab, course.root, subs, progress=False)
    assert sorted(first.new) == ["s1", "s2"] and first.missing == ["s3"]
    assert [(s, round(r.score)) for s, r in first.graded] == [("s1", 100), ("s2", 0)]
    again = grade_course(lab, course.root, subs, progress=False)
    assert again.new == [] and again.resumed == ["s1", "s2"] and again.graded == first.graded
    lab.write_submission(lab.reference(_own_case(lab, course, "s2")), subs / "s2.json")
    changed = grade_course(lab, course.root, subs, progress=False)
    assert changed.new == ["s2"] and dict(changed.graded)["s2"].score == pytest.approx(100)
    assert sorted(grade_course(lab, course.root, subs, regrade=True, progress=False).new) \
        == ["s1", "s2"]
    other_grader = grade_course(lab, course.root, subs, limits=FAST, progress=False)
    assert sorted(other_grader.new) == ["s1", "s2"]  # new limits: a different grader
    from workbench.store import Gradebook

    with Gradebook(course.gradebook_path) as book:
        assert len(book.all(lab.slug)) == 2 and set(book.roster(lab.slug)) == set(ROSTER)


def test_code_is_graded_on_its_own_case_and_on_hidden_cases(lab, course, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s1.py").write_text(SOLVE)
    picks = lab.reference(_own_case(lab, course, "s2"))["picks"]
    (subs / "s2.py").write_text(  # a hard-coded answer: right on its own case only
        "import json\ndef pick(public_dir, out_dir):\n"
        f"    (out_dir / 'picks.json').write_text(json.dumps({{'picks': {picks}}}))\n")
    (subs / "s3.py").write_text("import no_such_module\n")
    result = grade_course(lab, course.root, subs, limits=FAST, feedback_dir=tmp_path / "fb",
                          progress=False)
    reports = dict(result.graded)
    assert reports["s1"].score == pytest.approx(100) and reports["s1"].valid
    own = [c for c in reports["s2"].criteria if not c.hidden]
    hidden = [c for c in reports["s2"].criteria if c.hidden]
    assert sum(c.max_points for c in own) == pytest.approx(50)
    assert sum(c.max_points for c in hidden) == pytest.approx(50)
    assert sum(c.points for c in own) == pytest.approx(50)
    # On the fake lab a fixed list of picks still beats the crude baseline a little by chance;
    # the logistics scale test shows a hard-coded plan earning exactly 0 on hidden cases.
    assert sum(c.points for c in hidden) < 25
    assert not reports["s3"].valid and reports["s3"].score == 0
    assert any("no_such_module" in p for p in reports["s3"].problems)
    assert "Fresh cases" in (tmp_path / "fb" / "s1.html").read_text(encoding="utf-8")


def test_run_all_reports_errors_in_process_and_on_a_pool():
    import math

    def outcomes(**kw):
        return sorted((t, r, type(e).__name__ if e else None)
                      for t, r, e in run_all(math.sqrt, [4.0, -1.0], **kw))

    expected = [(-1.0, None, "ValueError"), (4.0, 2.0, None)]
    assert outcomes() == expected
    assert outcomes(workers=2) == expected


def test_references_are_cached_on_disk_per_grader(lab, case, tmp_path, monkeypatch):
    import importlib

    from workbench.grading import refcache

    grade_module = importlib.import_module("workbench.grading.grade")  # not the function

    first = refcache.cached_references(lab, case, tmp_path / "refs", grader="g1")
    assert (tmp_path / "refs" / case.case_id / "refs.json").is_file()
    monkeypatch.setattr(refcache, "_MEMO", {})  # as in another worker process
    monkeypatch.setattr(grade_module, "_REFERENCES", {})
    solved: list[str] = []
    monkeypatch.setattr(type(lab), "reference",
                        lambda self, c: solved.append(c.case_id) or {"picks": [0.0] * 5})
    again = refcache.cached_references(lab, case, tmp_path / "refs", grader="g1")
    assert solved == [] and again.reference_metrics == first.reference_metrics
    assert again.reference_solution == first.reference_solution
    refcache.cached_references(lab, case, tmp_path / "refs", grader="g2")
    assert solved == [case.case_id]  # another grader: solved again


def test_a_gradebook_from_before_fingerprints_gains_the_column(lab, case, tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE grades (id INTEGER PRIMARY KEY, lab VARCHAR(64), case_id "
                     "VARCHAR(64), student VARCHAR(200), submission VARCHAR(1000), digest "
                     "VARCHAR(64), score FLOAT, max_score FLOAT, valid BOOLEAN, report JSON, "
                     "updated DATETIME, CONSTRAINT uq_grade UNIQUE (lab, case_id, student))")
    conn.close()
    with Gradebook(path) as book:
        grade_batch(lab, case, [], gradebook=book, progress=False)
        paths = [lab.write_submission(lab.reference(case), tmp_path / "ann.json")]
        grade_batch(lab, case, paths, gradebook=book, progress=False)
        assert book.get(lab.slug, case.case_id, "ann").grader  # stored with a fingerprint


def test_a_cluster_losing_every_worker_stops_and_the_batch_resumes(lab, course, tmp_path,
                                                                   monkeypatch):
    """NoWorkers after the first student: that grade is stored, the error reaches the caller,
    and the same call afterwards grades only the rest."""
    from workbench.grading import pool

    subs = tmp_path / "subs"
    subs.mkdir()
    for student in ROSTER:
        lab.write_submission(lab.baseline(_own_case(lab, course, student)),
                             subs / f"{student}.json")
    real = batch.run_all

    def dying(fn, tasks, **kwargs):
        for k, outcome in enumerate(real(fn, tasks, workers=1)):
            if k == 1:
                raise pool.NoWorkers("no Dask worker left")
            yield outcome

    monkeypatch.setattr(batch, "run_all", dying)
    with pytest.raises(pool.NoWorkers):
        grade_course(lab, course.root, subs, progress=False)
    monkeypatch.setattr(batch, "run_all", real)
    again = grade_course(lab, course.root, subs, progress=False)
    assert len(again.resumed) == 1 and len(again.new) == 2
    with Gradebook(course.gradebook_path) as book:
        assert {s: len(book.attempts(lab.slug, s)) for s in ROSTER} == dict.fromkeys(ROSTER, 1)


def test_feedback_is_written_for_students_graded_before(lab, course, tmp_path):
    # a first batch without pages, then the pages asked for: every graded student gets one,
    # and no one is graded (or recorded) again
    subs = tmp_path / "subs"
    subs.mkdir()
    lab.write_submission(lab.reference(_own_case(lab, course, "s1")), subs / "s1.json")
    lab.write_submission(lab.baseline(_own_case(lab, course, "s2")), subs / "s2.json")
    first = grade_course(lab, course.root, subs, progress=False)
    pages = tmp_path / "pages"
    again = grade_course(lab, course.root, subs, feedback_dir=pages, progress=False)
    assert again.new == [] and sorted(again.resumed) == ["s1", "s2"]
    assert again.graded == first.graded
    assert sorted(p.name for p in pages.glob("*.html")) == ["s1.html", "s2.html"]
    assert "100" in (pages / "s1.html").read_text(encoding="utf-8")
    from workbench.store import Gradebook

    with Gradebook(course.gradebook_path) as book:
        assert len(book.attempts(lab.slug, "s1")) == 1


def test_resumed_batch_writes_the_feedback_asked_for(lab, case, files, tmp_path):
    with Gradebook(tmp_path / "book.sqlite") as book:
        grade_batch(lab, case, files, gradebook=book, progress=False)
        grade_batch(lab, case, files, gradebook=book, resume=True, progress=False,
                    feedback_dir=tmp_path / "pages")
        assert len(book.all()) == 3
    assert sorted(p.stem for p in (tmp_path / "pages").glob("*.html")) == ["ann", "ben", "cy"]
