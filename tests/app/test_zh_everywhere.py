"""Issue 12, acceptance 3: in Chinese, no untranslated user-facing string on the pages, the
grade reports and the feedback pages of the three labs (data shown verbatim is marked)."""

from __future__ import annotations

import copy
import html
import json
import re
from dataclasses import replace

import pandas as pd
import pytest

from workbench.app.components import grade_view
from workbench.app.labpage import format_check as page_format_check
from workbench.app.labpage import readable_report, step_view
from workbench.app.textcheck import untranslated, visible_texts
from workbench.grading import grade, grade_file, references
from workbench.grading.check import format_check, self_check
from workbench.grading.feedback import feedback_html
from workbench.i18n import language, missing_translations, record
from workbench.lab import SubmissionError
from workbench.registry import labs

SLUGS = sorted(labs())


@pytest.fixture(scope="module", params=SLUGS)
def graded(request, tmp_path_factory):
    """A tiny case of the lab, a valid report (the control class's solution) and an invalid
    one (an empty file of the lab's first submission kind)."""
    lab = labs()[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    case = lab.make_case(7, "tiny", out=folder / "case")
    refs = references(lab, case)
    valid = grade(lab, case, refs.baseline_solution, refs=refs, submission="mine")
    broken = folder / f"broken{lab.submission_suffixes[0]}"
    broken.write_bytes(b"{}" if broken.suffix == ".json" else b"not a submission")
    invalid = grade_file(lab, case, broken, refs=refs)
    return lab, case, refs, [valid, invalid]


def test_grade_reports_in_chinese(graded):
    lab, _, _, reports = graded
    for report in reports:
        def render(r=report):
            shown = readable_report(r)
            return [grade_view(shown, "x"), step_view(shown.steps)]
        literals, missing = untranslated(render)
        assert (literals, missing) == ([], []), (lab.slug, literals, missing)


def test_feedback_pages_in_chinese(graded):
    lab, case, refs, reports = graded
    for report in reports:
        with record() as calls:
            page = feedback_html(lab, case, report, {"baseline": refs.baseline_solution,
                                                      "reference": refs.reference_solution},
                                 lang="zh", inline=False)
        missing = missing_translations([source for source, _ in calls])
        assert missing == [], (lab.slug, missing)
        assert "得分" in page and "对照班" in page and "实验班" in page


# ---- bad files: every problem a reader or a validator finds, in Chinese ----------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


def _welding_bad(lab, case, refs, folder):
    """A file the reader refuses (format, predictions, diagnosis, actions) and a readable one
    the validator faults (predictions missing and unknown, a line and variable not understood)."""
    reader = folder / "unreadable.json"
    reader.write_text(json.dumps({
        "format": "welding-submission/0", "predictions": {"L1-0": 2},
        "diagnosis": {"line": 3}, "actions": [{"type": "interlock", "variable": "zz"},
                                              {"type": "setpoint", "variable": "conv_cm_min",
                                               "value": 500}, {"type": "melt"}]}))
    sub = refs.baseline_solution
    kept = dict(list(sub.predictions.items())[: len(sub.predictions) // 2])
    faulty = replace(sub, predictions={**kept, "NOT-A-BOARD": 0.5},
                     diagnosis={**sub.diagnosis, "line": "L9", "variable": "nothing"})
    return [reader, lab.write_submission(faulty, folder / "faulty.json")]


def _logistics_bad(lab, case, refs, folder):
    """A CSV the reader refuses row by row, a JSON it refuses, and a plan with an unknown stop,
    an unknown vehicle and customers left out."""
    rows = folder / "rows.csv"
    rows.write_text("vehicle,seq,customer\nV01,1,abc\nV01,x,3\n,2,4\nV01,1,5\nV02,1\n")
    broken = folder / "broken.json"
    broken.write_text('{"routes": [{"vehicle": "V01", "stops": [1, "two"]}, '
                      '{"vehicle": "V01", "stops": []}, {"stops": [3]}]}')
    routes = dict(refs.baseline_solution.routes)
    first = next(iter(routes))
    routes[first] = (*routes[first][1:], 999)
    routes["V99"] = routes.pop(first)
    faulty = lab.write_submission(type(refs.baseline_solution)(routes), folder / "faulty.json")
    return [rows, broken, faulty]


def _accounting_bad(lab, case, refs, folder):
    """A file that is no workbook, a workbook without the contract's sheets, and a report with
    an unknown account, a repeated and an unknown flagged entry and a negative time."""
    from openpyxl import Workbook

    from labs.accounting.submission import TIME_KEYS

    fake = folder / "not-a-workbook.xlsx"
    fake.write_bytes(b"not a workbook")
    wb = Workbook()
    wb.active.title = "Flags"
    wb.active.append(["entry"])
    sheets = folder / "sheets.xlsx"
    wb.save(sheets)
    report = copy.deepcopy(refs.baseline_solution)
    report.tables["TB_Consolidated"].loc[report.tables["TB_Consolidated"].index[0],
                                         "account"] = "9999"
    flags = report.flags
    extra = flags.iloc[[0, 0]].copy()
    extra.iloc[1, extra.columns.get_loc("entry_id")] = "XX-000001"
    report.flags = pd.concat([flags, extra], ignore_index=True)
    report.meta = {**report.meta, TIME_KEYS[0]: -1}
    return [fake, sheets, lab.write_submission(report, folder / "faulty.xlsx")]


BAD_FILES = {"welding": _welding_bad, "logistics": _logistics_bad,
             "accounting": _accounting_bad}


@pytest.fixture(scope="module", params=SLUGS)
def bad_files(request, tmp_path_factory):
    """Graded bad files of a lab: (lab, case, refs, [(path, report)])."""
    lab = labs()[request.param]
    folder = tmp_path_factory.mktemp(f"bad-{request.param}")
    case = lab.make_case(7, "tiny", out=folder / "case")
    refs = references(lab, case)
    paths = BAD_FILES[request.param](lab, case, refs, folder)
    return lab, case, refs, [(path, grade_file(lab, case, path, refs=refs)) for path in paths]


def test_problems_of_bad_files_in_chinese(bad_files):
    """Every problem of a bad file reads in Chinese on the lab and student pages and the
    feedback page; the data it quotes (file names, values) stays as it is."""
    lab, case, refs, graded = bad_files
    for path, report in graded:
        assert report.problems, (lab.slug, path.name)

        def render(r=report):
            return grade_view(readable_report(r), "x")

        assert untranslated(render) == ([], []), (lab.slug, path.name)
        with language("zh"):
            shown = readable_report(report).problems
        for english, chinese in zip(report.problems, shown, strict=True):
            assert CJK.search(chinese), (lab.slug, english, chinese)
        named = [p for p in report.problems if p.startswith(f"{path.name}: ")]
        assert all(c.startswith(f"{path.name}：") for p, c in zip(report.problems, shown,
                                                                  strict=True) if p in named)
        with record() as calls:
            page = feedback_html(lab, case, report, {"baseline": refs.baseline_solution},
                                 lang="zh", inline=False)
        assert missing_translations([source for source, _ in calls]) == [], path.name
        assert all(html.escape(c) in page for c in shown[:20]), path.name


def test_reader_problems_quote_the_data(bad_files):
    """A value from the file is quoted as it is, inside a Chinese sentence."""
    lab, _, _, graded = bad_files
    quoted = {"welding": "'zz'", "logistics": "'abc'", "accounting": "'9999'"}[lab.slug]
    with language("zh"):
        shown = [p for _, r in graded for p in readable_report(r).problems]
    assert any(quoted in p and CJK.search(p) for p in shown), shown


def test_self_check_and_format_check_in_chinese(bad_files):
    """`workbench check` prints the problems in Chinese; the lab page's check of a file for a
    case without its key lists them in Chinese too."""
    lab, case, _, graded = bad_files
    path = graded[0][0]
    result = self_check(lab, case, path, lang="zh")
    assert result["problems"]
    with language("zh"), record() as calls:
        text = format_check(result)
    assert missing_translations([s for s, _ in calls]) == []
    lines = [line for line in text.splitlines() if line.strip().startswith("问题")]
    assert len(lines) == len(result["problems"]) and all(CJK.search(line.split("：", 1)[1])
                                                         for line in lines), text

    def public_check():
        return page_format_check(lab, path)

    assert untranslated(public_check) == ([], [])
    with pytest.raises(SubmissionError) as refused:
        lab.read_submission(path)
    with language("zh"):
        shown = list(visible_texts(page_format_check(lab, path)))
        expected = [p.text() for p in refused.value.problems]
    assert expected and all(p in shown and CJK.search(p) for p in expected), shown


# ---- the leaderboard: pseudonyms said in Chinese, the same student the same name -------------

def test_leaderboard_pseudonyms_in_chinese(tmp_path, monkeypatch):
    from datetime import UTC, datetime, timedelta

    from labs.logistics import LAB
    from workbench.app.student import board, status_line
    from workbench.classroom import Settings, create_assignment, pseudonym, submit
    from workbench.classroom.assignments import student_case
    from workbench.classroom.course import ENV
    from workbench.store import DB_ENV

    monkeypatch.setenv(ENV, str(tmp_path / "course"))
    monkeypatch.delenv(DB_ENV, raising=False)
    students = ("s01", "s02")
    settings = Settings("logistics", datetime.now(UTC) + timedelta(days=7), 3,
                        ("route_duration",))
    create_assignment(LAB, {s: {"name": s} for s in students}, settings, size="tiny")
    for s in students:
        plan = LAB.baseline(student_case(LAB, s))
        submit(LAB, settings, s, LAB.write_submission(plan, tmp_path / f"{s}.json"))
    english = {s: pseudonym(s) for s in students}
    with language("zh"):
        chinese = {s: pseudonym(s) for s in students}
    for s in students:
        assert CJK.search(chinese[s]) and not re.search("[A-Za-z]{2}", chinese[s].split()[0])
        assert chinese[s].split()[-1] == english[s].split()[-1]  # the same key, the same tag
    assert len(set(chinese.values())) == len(students)

    def page():
        return [status_line("s01", settings), board("s01", settings)]

    assert untranslated(page) == ([], [])
    with language("zh"):
        shown = " ".join(visible_texts(page()))
    assert chinese["s01"] in shown and chinese["s02"] in shown, shown
    assert english["s01"] not in shown


def test_step_reports_stored_in_english_read_in_chinese(bad_files):
    """A graded report stores its steps in English; the lab page and `workbench check` show
    their titles and messages in Chinese."""
    from workbench.exercise import lab_steps

    lab, case, _, graded = bad_files
    path, report = graded[0]
    titles = [s.title_zh for s in lab_steps(lab)]
    if not titles:
        pytest.skip(f"{lab.slug} has no exercise steps")
    assert [s["title"] for s in report.steps] == [s.title for s in lab_steps(lab)]
    with language("zh"):
        shown = list(visible_texts(step_view(report.steps)))
        text = format_check({**report.to_dict(), "kind": "data"})
    assert all(title in shown for title in titles), shown
    assert all(title in text for title in titles), text
    assert not any(s.title in text for s in lab_steps(lab)), text


def test_code_that_fails_reads_in_chinese(bad_files, tmp_path):
    """Code that stops with an error: the sandbox's reason (its last message quoted as it is)
    and the steps it did not reach, in Chinese."""
    from workbench.grading.task import grade_any

    lab, case, refs, _ = bad_files
    source = tmp_path / "solution.py"
    source.write_text("raise KeyError('no such column')\n")
    report, _ = grade_any(lab, case, source, lambda c: refs)
    assert not report.valid and report.problems

    def render(r=report):
        shown = readable_report(r)
        return [grade_view(shown, "x"), step_view(shown.steps)]

    assert untranslated(render) == ([], []), report.problems
    with language("zh"):
        shown = readable_report(report).problems
    assert all(CJK.search(p) for p in shown), shown
    assert any("KeyError: 'no such column'" in p for p in shown), shown
