"""Batch grading: student keys, a crash mid-batch, and resuming from the gradebook."""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench.grading.batch as batch
import workbench.store as store
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


def test_crash_mid_batch_keeps_grades_and_resume_continues(lab, case, files, tmp_path,
                                                             monkeypatch):
    path = tmp_path / "gb.sqlite"
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


def test_resume_regrades_a_changed_file(lab, case, files, tmp_path):
    with Gradebook(tmp_path / "gb.sqlite") as book:
        grade_batch(lab, case, files[:1], gradebook=book, progress=False)
        lab.write_submission(lab.baseline(case), files[0])  # ann resubmits
        [(_, report)] = grade_batch(lab, case, files[:1], gradebook=book, resume=True,
                                    progress=False)
        assert report.score == pytest.approx(0.0)
        assert book.get(lab.slug, case.case_id, "ann").report.score == pytest.approx(0.0)


def test_generic_upsert_path(lab, case, files, tmp_path, monkeypatch):
    """Databases without ON CONFLICT support go through select-then-update."""
    monkeypatch.setattr(store, "_UPSERT", {})
    with Gradebook(tmp_path / "gb.sqlite") as book:
        grade_batch(lab, case, files[:1], gradebook=book, progress=False)
        grade_batch(lab, case, files[:1], gradebook=book, progress=False)
        assert len(book.all()) == 1
