"""Instructor-issued passphrases: ``workbench user add --generate`` and ``workbench user
passphrases LAB`` for a whole roster (a CSV readable by its owner only)."""

from __future__ import annotations

import csv
import re

from click.testing import CliRunner

from workbench.classroom import class_code
from workbench.classroom.auth import check_student
from workbench.classroom.cli import user

from .conftest import PASSPHRASE, STUDENTS

PHRASE = re.compile(r"passphrase of (\S+): (\S+)")


def test_user_add_generates_a_passphrase(course):
    result = CliRunner().invoke(user, ["add", "s01", "--role", "student", "--generate",
                                       "--course", str(course)])
    assert result.exit_code == 0, result.output
    name, phrase = PHRASE.search(result.output).groups()
    assert name == "s01" and len(phrase) == 14
    assert check_student(class_code(), "s01", phrase)
    assert not check_student(class_code(), "s01", "")  # no longer enough without it


def test_passphrases_for_the_whole_roster(course, tmp_path):
    out = tmp_path / "handout.csv"
    result = CliRunner().invoke(user, ["passphrases", "logistics", "--course", str(course),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o077 == 0, "the hand-out list is readable by its owner only"
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    issued = {r["student_id"]: r["passphrase"] for r in rows}
    assert set(issued) == set(STUDENTS) - {"s03"}  # s03 keeps the one they have
    for student, phrase in issued.items():
        assert check_student(class_code(), student, phrase)
    assert check_student(class_code(), "s03", PASSPHRASE)
    again = CliRunner().invoke(user, ["passphrases", "logistics", "--course", str(course),
                                      "--out", str(out), "--replace"])
    assert again.exit_code == 0 and len(list(csv.DictReader(out.open()))) == len(STUDENTS)
    assert not check_student(class_code(), "s03", PASSPHRASE)


def test_passphrases_need_a_roster(course, tmp_path):
    result = CliRunner().invoke(user, ["passphrases", "welding", "--course", str(course),
                                       "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "no roster of lab 'welding'" in result.output
