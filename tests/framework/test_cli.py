"""The ``workbench`` command on the fake lab (through the registry seam), and one real run."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import main


@pytest.fixture
def run(fake_registered):
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args])


@pytest.fixture
def case_dir(run, tmp_path):
    result = run("data", "generate", "fake", "--seed", 4, "--size", "tiny", "--out",
                 tmp_path / "case")
    assert result.exit_code == 0, result.output
    return tmp_path / "case"


def test_every_verb_has_help(run):
    for verb in ([], ["serve"], ["labs"], ["solve"], ["grade"], ["check"], ["reproduce"],
                 ["assign"], ["data"], ["data", "generate"], ["data", "refresh"],
                 ["data", "verify"]):
        result = run(*verb, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output, verb


def test_labs_lists_claims(run):
    result = run("labs", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [{"lab": "fake", "title": "Fake lab", "claims": [
        {"name": "error_drop", "claimed": "−50 %", "description": "Hints cut the error"}]}]
    assert "error_drop: −50 %" in run("labs").stdout


def test_generate_refuses_a_non_empty_folder(run, case_dir):
    result = run("data", "generate", "fake", "--seed", 4, "--out", case_dir)
    assert result.exit_code == 2 and "is not empty" in result.output
    assert "Traceback" not in result.output


def test_solve_then_grade_a_batch_with_a_bad_file(run, case_dir, tmp_path):
    for method in ("baseline", "reference", "zeros"):
        result = run("solve", "fake", "--method", method, "--case", case_dir,
                     "--out", tmp_path / "subs" / f"{method}.json")
        assert result.exit_code == 0, result.output
    (tmp_path / "subs" / "broken.json").write_text("{not json", encoding="utf-8")
    subs = sorted((tmp_path / "subs").glob("*.json"))
    result = run("grade", "fake", "--case", case_dir, *subs, "--json")
    assert result.exit_code == 0, result.output
    assert "Not stored" in result.stderr
    reports = {Path(r["submission"]).stem: r for r in json.loads(result.stdout)}
    assert reports["reference"]["score"] == pytest.approx(100.0)
    assert reports["baseline"]["score"] == pytest.approx(0.0)
    assert reports["broken"]["valid"] is False and reports["broken"]["score"] == 0.0
    assert "not a JSON file" in reports["broken"]["problems"][0]
    assert {"submission", "valid", "score", "max_score", "metrics", "problems"} <= set(
        reports["zeros"])


def test_grade_stores_exports_writes_feedback_and_resumes(run, case_dir, tmp_path):
    sub = tmp_path / "alice.json"
    assert run("solve", "fake", "--method", "reference", "--case", case_dir,
               "--out", sub).exit_code == 0
    db, out, fb = tmp_path / "gb.sqlite", tmp_path / "canvas.csv", tmp_path / "fb"
    args = ["grade", "fake", "--case", case_dir, sub, "--db", db, "--export", "canvas",
            "--out", out, "--feedback", fb, "--assignment", "Picks"]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "alice: 100.00 / 100 (valid)" in result.stdout
    with out.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0][-1] == "Picks" and rows[2][0] == "alice" and rows[2][-1] == "100.00"
    assert re.search(r"100(\.0+)? / 100", (fb / "alice.html").read_text(encoding="utf-8"))
    again = run(*args, "--resume", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)[0]["score"] == pytest.approx(100)


@pytest.mark.parametrize(("args", "message"), [
    (["grade", "nolab", "--case", "x", "a.json"], "unknown lab 'nolab'"),
    (["grade", "fake", "--case", "missing-case", "a.json"], "not a case folder"),
    (["solve", "fake", "--method", "magic", "--case", "{case}", "--out", "x.json"],
     "method 'magic' not understood"),
    (["grade", "fake", "--case", "{case}", "a.json", "--export", "csv"], "--export needs --out"),
    (["grade", "fake", "--case", "{case}", "a.json", "--resume"], "--resume needs --db"),
    (["grade", "fake", "--case", "{case}", "a.json", "--export", "gradescope",
      "--out", "r.json"], "'gradescope' is not one of"),
    (["grade", "fake", "--case", "{case}", "x/a.json", "y/a.json", "z/x/a.json"],
     "same student"),
    (["grade", "fake", "a.json"], "give either --case DIR"),
    (["grade", "fake", "--case", "{case}", "--course", "{case}", "a.json"], "give either"),
    (["grade", "fake", "--case", "{case}", "a.json", "--workers", "2"],
     "--workers works with --course only"),
    (["grade", "fake", "--case", "{case}", "a.json", "--regrade"], "--regrade works with"),
    (["grade", "fake", "--course", "{case}", "a.json"], "give one folder of submissions"),
    (["grade", "fake", "--course", "{case}", "{case}"], "no assignment of lab 'fake'"),
    (["grade", "fake", "--course", "{case}", "{case}", "--workers", "1", "--dask", "tcp://x:1"],
     "give --workers or --dask, not both"),
    (["assign", "fake", "--roster", "{case}/public/hints.json", "--out", "c"],
     "no student_id column"),
])
def test_bad_input_is_one_sentence_and_exit_2(run, case_dir, args, message):
    result = run(*[a.replace("{case}", str(case_dir)) for a in args])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_check_with_and_without_the_answer_key(run, case_dir, tmp_path):
    sub = tmp_path / "mine.json"
    run("solve", "fake", "--method", "reference", "--case", case_dir, "--out", sub)
    full = run("check", "fake", sub, "--case", case_dir, "--json")
    assert full.exit_code == 0 and json.loads(full.stdout)["score"] == pytest.approx(100.0)
    student = tmp_path / "student"
    shutil.copytree(case_dir / "public", student / "public")  # what a student is handed
    public = run("check", "fake", sub, "--case", student, "--json")
    data = json.loads(public.stdout)
    assert public.exit_code == 0 and data["valid"] and data["metrics"] == {}
    assert "answer key" in data["note"] and "score" not in data
    (tmp_path / "short.json").write_text('{"picks": [1]}', encoding="utf-8")
    bad = run("check", "fake", tmp_path / "short.json", "--case", student / "public")
    assert bad.exit_code == 1 and "1 picks given, 5 expected" in bad.stdout


@pytest.mark.parametrize("method", ["reference", "zeros"])
def test_solve_on_a_public_only_case_refuses_with_a_sentence(run, case_dir, tmp_path, method):
    shutil.copytree(case_dir / "public", tmp_path / "student" / "public")
    out = tmp_path / "plan.json"
    result = run("solve", "fake", "--method", method, "--case", tmp_path / "student",
                 "--out", out)
    assert result.exit_code == 2 and "needs the instructor's copy of the case" in result.output
    assert "Traceback" not in result.output and not out.exists()
    baseline = run("solve", "fake", "--method", "baseline", "--case", tmp_path / "student",
                   "--out", out)
    assert baseline.exit_code == 0, baseline.output  # the control method stays open


def test_a_solved_file_carries_its_case_and_another_case_says_so(run, case_dir, tmp_path):
    plan = tmp_path / "plan.json"
    assert run("solve", "fake", "--method", "baseline", "--case", case_dir,
               "--out", plan).exit_code == 0
    own = json.loads((case_dir / "public" / "case.json").read_text())["case_id"]
    assert json.loads(plan.read_text())["case_id"] == own
    other = tmp_path / "other"
    assert run("data", "generate", "fake", "--seed", 99, "--size", "tiny",
               "--out", other).exit_code == 0
    shutil.rmtree(other / "private")
    result = run("check", "fake", plan, "--case", other, "--json")
    assert result.exit_code == 1
    (sentence,) = json.loads(result.stdout)["problems"]
    assert sentence.startswith(f"This file is for case {own}; you checked it against case ")


def test_grade_needs_the_private_key(run, case_dir, tmp_path):
    shutil.copytree(case_dir / "public", tmp_path / "student" / "public")
    result = run("grade", "fake", "--case", tmp_path / "student", "a.json")
    assert result.exit_code == 2 and "no private/ folder" in result.output


def test_reproduce_json(run):
    result = run("reproduce", "fake", "--seeds", 2, "--size", "tiny", "--json")
    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.stdout)["labs"]
    assert entry["lab"] == "fake" and len(entry["claims"][0]["values"]) == 2
    text = run("reproduce", "fake", "--seeds", 2, "--size", "tiny")
    assert "error_drop: claimed −50 %" in text.stdout and "holds" in text.stdout


def test_data_verify_reports_drift(run, monkeypatch, tmp_path):
    import workbench.datasets as datasets

    root = tmp_path / "datasets"
    root.mkdir()
    monkeypatch.setattr(datasets, "datasets_dir", lambda: root)
    assert run("data", "verify").exit_code == 2  # empty manifest: nothing to verify
    assert run("data", "refresh", "fake").exit_code == 0
    assert (root / "fake" / "public" / "hints.json").is_file()
    assert run("data", "verify").exit_code == 0
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["labs"]["fake"]["sha256"]["public/hints.json"] = "0" * 64
    (root / "manifest.json").write_text(json.dumps(manifest))
    result = run("data", "verify", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["fake"] == {"ok": False, "differ": ["public/hints.json"]}


def test_console_script_runs():
    script = Path(sys.executable).with_name("workbench")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "grade" in done.stdout and "reproduce" in done.stdout


def test_unusable_gradebook_url_is_bad_input(run, case_dir):
    result = run("grade", "fake", "--case", case_dir, "a.json", "--db", "nosuchdb://x/y")
    assert result.exit_code == 2 and "--db nosuchdb://x/y: the gradebook cannot be opened" \
        in result.output


def test_serve_uses_waitress_unless_debug(run, monkeypatch, tmp_path):
    import waitress

    import workbench.app

    class FakeApp:
        server = object()

        def run(self, **kwargs):
            calls.append(("dash", kwargs))

    calls: list = []
    monkeypatch.setattr(workbench.app, "create_app", lambda: FakeApp())
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append(("waitress", kw)))
    assert run("serve", "--port", 8123, "--threads", 12).exit_code == 0
    assert run("serve", "--debug").exit_code == 0
    assert calls == [("waitress", {"host": "127.0.0.1", "port": 8123, "threads": 12}),
                     ("dash", {"host": "127.0.0.1", "port": 8050, "debug": True})]
    monkeypatch.setenv("WORKBENCH_COURSE", "")  # restored (unset) after the test
    assert run("serve", "--course", tmp_path).exit_code == 0
    assert os.environ["WORKBENCH_COURSE"] == str(tmp_path.resolve())


def test_assign_then_grade_a_course_resume_and_export(run, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,sis_login_id\ns1,Ann Lee,ann\ns2,Ben Ng,ben\n"
                      "s3,Cy Li,cy\n", encoding="utf-8")
    course = tmp_path / "course"
    made = run("assign", "fake", "--roster", roster, "--out", course, "--size", "tiny",
               "--hidden", 1, "--json")
    assert made.exit_code == 0, made.output
    data = json.loads(made.stdout)
    assert set(data["students"]) == {"s1", "s2", "s3"} and len(data["hidden"]) == 1
    assert (course / "release" / "fake" / "s1.zip").is_file()
    subs = tmp_path / "subs"
    solved = run("solve", "fake", "--method", "reference", "--case",
                 course / "instructor" / "fake" / "cases" / "s1", "--out", subs / "s1.json")
    assert solved.exit_code == 0, solved.output
    (subs / "s2.json").write_text("{not json", encoding="utf-8")
    (subs / "stranger.json").write_text("{}", encoding="utf-8")
    # one worker: grading runs in this process, where the fake lab is registered
    args = ["grade", "fake", "--course", course, subs, "--workers", 1, "--export", "canvas",
            "--out", tmp_path / "canvas.csv"]
    first = run(*args)
    assert first.exit_code == 0, first.output
    assert "s1: 100.00 / 100 (valid)" in first.stdout and "s2: 0.00 / 100 (NOT VALID)" \
        in first.stdout
    assert "No submission from: s3" in first.stderr
    assert "2 graded (2 now" in first.stderr and "not on the roster (stranger.json)" \
        in first.stderr
    with (tmp_path / "canvas.csv").open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[2][0] == "Ann Lee" and rows[2][3] == "ann" and rows[2][-1] == "100.00"
    again = run("grade", "fake", "--course", course, subs, "--workers", 1, "--json")
    assert again.exit_code == 0 and "2 graded (0 now" in again.stderr
    assert [r["student"] for r in json.loads(again.stdout)] == ["s1", "s2"]
    regraded = run("grade", "fake", "--course", course, subs, "--workers", 1, "--regrade")
    assert "2 graded (2 now" in regraded.stderr


def test_grade_case_runs_code_in_the_sandbox(run, case_dir, tmp_path):
    code = tmp_path / "subs" / "ann.py"
    code.parent.mkdir()
    code.write_text("import json\ndef pick(public_dir, out_dir):\n"
                    "    hints = json.loads((public_dir / 'hints.json').read_text())['hints']\n"
                    "    (out_dir / 'picks.json').write_text(json.dumps({'picks': hints}))\n")
    (tmp_path / "subs" / "bob.txt").write_text("hello")
    result = run("grade", "fake", "--case", case_dir, code, tmp_path / "subs" / "bob.txt",
                 "--time-limit", 10, "--json")
    assert result.exit_code == 0, result.output
    ann, bob = json.loads(result.stdout)
    assert ann["valid"] and ann["score"] == pytest.approx(100.0)
    assert not bob["valid"] and "is not a submission" in bob["problems"][0]


def test_classroom_commands_load_lazily_and_fail_clearly(run, monkeypatch):
    from workbench.cli.common import LazyGroup

    assert {"user", "demo"} <= set(main.list_commands(None))  # listed without importing
    monkeypatch.setattr(LazyGroup, "lazy", {"user": "no_such_module_xyz:user"})
    result = run("user", "--help")
    assert result.exit_code == 0 and "not available" in result.output
    result = run("user")
    assert result.exit_code == 1 and "`workbench user` is not available" in result.output
    assert run("labs", "--json").exit_code == 0  # the rest still works


def test_grade_writes_feedback_in_chinese(run, case_dir, tmp_path):
    sub = tmp_path / "alice.json"
    assert run("solve", "fake", "--method", "reference", "--case", case_dir,
               "--out", sub).exit_code == 0
    fb = tmp_path / "fb"
    result = run("grade", "fake", "--case", case_dir, sub, "--feedback", fb, "--lang", "zh")
    assert result.exit_code == 0, result.output
    page = (fb / "alice.html").read_text(encoding="utf-8")
    assert "<html lang='zh'>" in page and "得分" in page
