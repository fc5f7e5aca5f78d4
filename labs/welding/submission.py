"""The submission file: one JSON document with predictions, a diagnosis and fix actions.

    {
      "format": "welding-submission/1",
      "predictions": {"L1-240311-0000": 0.012, ...},      # every serial of holdout.csv
      "diagnosis": {"line": "L3", "variable": "o2_ppm", "shift": "D",
                    "confounder": "none"},                  # an example of the shape only
      "actions": [
        {"type": "interlock", "variable": "o2_ppm", "line": "all", "shift": "all",
         "min": null, "max": 1500},
        {"type": "setpoint", "variable": "conv_cm_min", "line": "L1", "shift": "N",
         "value": 74},
        {"type": "repair", "variable": "z3", "line": "L1"},
        {"type": "revert", "variable": "paste_lot", "line": "L3"}
      ]
    }

Interlocks hold boards whose logged reading is outside [min, max]; setpoints change what the
line runs at; a repair replaces the heater elements of one zone of one line's oven (the line
stops for a few hours); a revert puts a line back on the previous paste lot. Variables: see
``READINGS``, ``SETPOINTS``, ``REPAIRABLE`` and ``REVERTIBLE`` in ``labs.welding.simulate``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labs.welding import physics as ph
from labs.welding.simulate import (
    READINGS,
    REPAIRABLE,
    REVERTIBLE,
    SCOPE_LINES,
    SCOPE_SHIFTS,
    SETPOINTS,
    Action,
)
from workbench.grading.bounded import bounded_reader
from workbench.i18n import N_
from workbench.lab import Problem, SubmissionError

FORMAT = "welding-submission/1"
DIAGNOSIS_FIELDS = ("line", "variable", "shift", "confounder")
SETPOINT_RANGE = {"conv_cm_min": (50.0, 100.0)} | {
    f"{z}_sp": (sp - 25.0, sp + 25.0) for z, sp in zip(ph.ZONES, ph.ZONE_SP, strict=True)}
MAX_ACTIONS = 20


@dataclass(frozen=True)
class Submission:
    """A student's answer: P(defect) per held-out board, a diagnosis, and fix actions."""

    predictions: dict[str, float]
    diagnosis: dict[str, str]
    actions: tuple[Action, ...] = field(default_factory=tuple)


def to_json(sub: Submission) -> dict[str, Any]:
    actions = []
    for a in sub.actions:
        d: dict[str, Any] = {"type": a.kind, "variable": a.variable, "line": a.line,
                             "shift": a.shift}
        if a.kind == "interlock":
            d |= {"min": a.low, "max": a.high}
        elif a.kind == "setpoint":
            d |= {"value": a.value}
        actions.append(d)
    return {"format": FORMAT, "predictions": {k: round(float(v), 6)
                                              for k, v in sub.predictions.items()},
            "diagnosis": dict(sub.diagnosis), "actions": actions}


def write_submission(sub: Submission, path: Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(to_json(sub), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


@bounded_reader()  # untrusted JSON: size and depth checked, parsed in a limited worker
def read_submission(path: Path) -> Submission:
    """Read and check the structure of a submission file; raise SubmissionError otherwise."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise SubmissionError(Problem(N_("file not found: {path}"), "{file}",
                                      params={"path": str(path), "file": name}))
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise SubmissionError(
            Problem(N_("not UTF-8 text; save the file as UTF-8 JSON"), name)) from None
    except json.JSONDecodeError as exc:
        raise SubmissionError(Problem(
            N_("not valid JSON at line {line}, column {column}: {error}"), "{file}",
            params={"line": exc.lineno, "column": exc.colno, "error": exc.msg, "file": name})
        ) from None
    if not isinstance(data, dict):
        raise SubmissionError(Problem(
            N_("the top level must be a JSON object with 'predictions', 'diagnosis' and "
               "'actions', not a {kind}"), "{file}",
            params={"kind": type(data).__name__, "file": name}))
    problems: list[Problem] = []
    if data.get("format", FORMAT) != FORMAT:
        problems.append(Problem(N_("format {found!r} not understood; use {format!r}"),
                                "{file}: format",
                                params={"found": data.get("format"), "format": FORMAT,
                                        "file": name}))
    predictions = _predictions(data, name, problems)
    diagnosis = _diagnosis(data, name, problems)
    actions = _actions(data, name, problems)
    if problems:
        raise SubmissionError(problems)
    return Submission(predictions, diagnosis, tuple(actions))


def _predictions(data: dict, name: str, problems: list[Problem]) -> dict[str, float]:
    raw = data.get("predictions")
    if not isinstance(raw, dict):
        problems.append(Problem(N_("'predictions' must be an object mapping serial to "
                                   "probability"), f"{name}: predictions"))
        return {}
    out, bad = {}, []
    for serial, value in raw.items():
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or not (math.isfinite(value) and 0.0 <= value <= 1.0):
            bad.append(serial)
        else:
            out[serial] = float(value)
    if bad:
        problems.append(Problem(
            N_("{n} predictions are not probabilities between 0 and 1 (first: {first})"),
            "{file}: predictions",
            params={"n": len(bad), "first": ", ".join(map(str, bad[:3])), "file": name}))
    return out


def _diagnosis(data: dict, name: str, problems: list[Problem]) -> dict[str, str]:
    raw = data.get("diagnosis")
    if not isinstance(raw, dict):
        problems.append(Problem(N_("'diagnosis' must be an object with {fields}"),
                                "{file}: diagnosis",
                                params={"fields": ", ".join(DIAGNOSIS_FIELDS), "file": name}))
        return {}
    out = {}
    for key in DIAGNOSIS_FIELDS:
        if not isinstance(raw.get(key), str):
            problems.append(Problem(N_("'{key}' missing or not text"), "{file}: diagnosis.{key}",
                                    params={"key": key, "file": name}))
        else:
            out[key] = raw[key]
    return out


def _actions(data: dict, name: str, problems: list[Problem]) -> list[Action]:
    raw = data.get("actions", [])
    if not isinstance(raw, list) or len(raw) > MAX_ACTIONS:
        problems.append(Problem(N_("'actions' must be a list of at most {n} actions"),
                                "{file}: actions", params={"n": MAX_ACTIONS, "file": name}))
        return []
    out = []
    for i, item in enumerate(raw):
        where = f"{name}: actions[{i}]"
        try:
            out.append(parse_action(item))
        except ValueError as exc:
            problems.append(Problem(str(exc), where))
    return out


def _number(item: dict, key: str, required: bool) -> float | None:
    value = item.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError((N_("'{key}' must be a number") if required
                          else N_("'{key}' must be a number or null")).format(key=key))
    return float(value)


def parse_action(item: Any) -> Action:
    """One action from its JSON form; ValueError names what is wrong."""
    if not isinstance(item, dict):
        raise ValueError(N_("an action must be an object with 'type' and 'variable'"))
    kind, var = item.get("type"), item.get("variable")
    line, shift = item.get("line", "all"), item.get("shift", "all")
    if line not in SCOPE_LINES:
        raise ValueError(N_("line {line!r} not understood; use one of {allowed}").format(
            line=line, allowed=", ".join(SCOPE_LINES)))
    if shift not in SCOPE_SHIFTS:
        raise ValueError(N_("shift {shift!r} not understood; use one of {allowed}").format(
            shift=shift, allowed=", ".join(SCOPE_SHIFTS)))
    if kind == "interlock":
        if var not in READINGS:
            raise ValueError(N_("interlock variable {variable!r} not understood; use one of "
                                "{allowed}").format(variable=var, allowed=", ".join(READINGS)))
        low, high = _number(item, "min", False), _number(item, "max", False)
        if low is None and high is None:
            raise ValueError(N_("an interlock needs 'min', 'max' or both"))
        if low is not None and high is not None and low > high:
            raise ValueError(N_("min {low:g} is above max {high:g}").format(low=low, high=high))
        return Action("interlock", var, line, shift, low=low, high=high)
    if kind == "setpoint":
        if var not in SETPOINTS:
            raise ValueError(N_("setpoint variable {variable!r} not understood; use one of "
                                "{allowed}").format(variable=var, allowed=", ".join(SETPOINTS)))
        value = _number(item, "value", True)
        lo, hi = SETPOINT_RANGE[var]
        if not lo <= value <= hi:
            raise ValueError(N_("{variable} = {value:g} is outside what the oven can run "
                                "({low:g}–{high:g})").format(variable=var, value=value, low=lo,
                                                             high=hi))
        return Action("setpoint", var, line, shift, value=value)
    if kind == "repair":
        if var not in REPAIRABLE:
            raise ValueError(N_("repair variable {variable!r} not understood; name a zone: "
                                "{allowed}").format(variable=var, allowed=", ".join(REPAIRABLE)))
        return Action("repair", var, line, "all")
    if kind == "revert":
        if var not in REVERTIBLE:
            raise ValueError(N_("revert variable {variable!r} not understood; use {allowed}")
                             .format(variable=var, allowed=", ".join(REVERTIBLE)))
        return Action("revert", var, line, "all")
    raise ValueError(N_("action type {kind!r} not understood; use 'interlock', 'setpoint', "
                        "'repair' or 'revert'").format(kind=kind))
