"""The plan file a student hands in: vehicle → ordered customer stops, as JSON or CSV.

JSON::

    {"routes": [{"vehicle": "V01", "stops": [3, 17, 5]}, {"vehicle": "V02", "stops": [8]}]}

CSV (one row per stop; ``seq`` orders the stops of a vehicle)::

    vehicle,seq,customer
    V01,1,3
    V01,2,17
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from labs.logistics.kit.plan import Plan
from workbench.grading.bounded import bounded_reader
from workbench.i18n import N_
from workbench.lab import Problem, SubmissionError

SUFFIXES = (".json", ".csv")
EXAMPLE = '{"routes": [{"vehicle": "V01", "stops": [3, 17]}]}'  # the shape, in problems
CSV_HEADER = ("vehicle", "seq", "customer")


def _whole_number(value: Any) -> int | None:
    """An int from 3, 3.0 or "3"; None for anything else (bool is not a number here)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise SubmissionError(Problem(N_("file {name} not found; hand in a plan file "
                                         "(.json or .csv)"), where="{path}",
                                      params={"name": path.name, "path": str(path)}))
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubmissionError(Problem(
            N_("not UTF-8 text (byte {byte}); save the plan as UTF-8 JSON or CSV"),
            where="{file}", params={"byte": exc.start, "file": path.name})) from None


def _plan_from_json(text: str, name: str) -> Plan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubmissionError(Problem(
            N_("not valid JSON ({error} at line {line}, column {column}); expected {example}"),
            where="{file}", params={"error": exc.msg, "line": exc.lineno, "column": exc.colno,
                                   "example": EXAMPLE, "file": name})) from None
    if not isinstance(data, dict) or not isinstance(data.get("routes"), list):
        raise SubmissionError(Problem(
            N_('expected an object with a "routes" list, e.g. {example}'), where="{file}",
            params={"example": EXAMPLE, "file": name}))
    routes: dict[str, tuple[int, ...]] = {}
    problems: list[Problem] = []
    for i, item in enumerate(data["routes"]):
        where = f"{name}: routes[{i}]"
        if not isinstance(item, dict) or "vehicle" not in item or "stops" not in item:
            problems.append(Problem(N_('each route needs "vehicle" and "stops"'), where=where))
            continue
        vehicle, stops = str(item["vehicle"]).strip(), item["stops"]
        if not isinstance(stops, list):
            problems.append(Problem(N_('"stops" must be a list of customer ids'), where=where))
            continue
        ids = [_whole_number(s) for s in stops]
        bad = [repr(s) for s, n in zip(stops, ids, strict=True) if n is None]
        if bad:
            problems.append(Problem(N_('"stops" holds non-integer value(s) {values}; use '
                                       "customer ids such as 17"), where="{where}",
                                    params={"values": ", ".join(bad[:3]), "where": where}))
        elif vehicle in routes:
            problems.append(Problem(N_("vehicle {vehicle} appears twice; list each vehicle "
                                       "once"), where="{where}",
                                    params={"vehicle": vehicle, "where": where}))
        else:
            routes[vehicle] = tuple(n for n in ids if n is not None)
    if problems:
        raise SubmissionError(problems)
    return Plan(routes)


def _plan_from_csv(text: str, name: str) -> Plan:
    rows = list(csv.reader(io.StringIO(text)))
    header = tuple(c.strip().lower() for c in rows[0]) if rows else ()
    if header != CSV_HEADER:
        found = ",".join(header)[:60]
        raise SubmissionError(Problem(
            N_("the first row must be the header {header} (found {found})") if found
            else N_("the first row must be the header {header} (found an empty file)"),
            where="{file}: " + N_("row {row}"),
            params={"header": ",".join(CSV_HEADER), "found": found, "file": name, "row": 1}))
    stops: dict[str, dict[int, int]] = {}
    problems: list[Problem] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        where = f"{name}: " + N_("row {row}").format(row=number)
        if len(row) != 3:
            problems.append(Problem(N_("expected 3 fields (vehicle,seq,customer), found {n}"),
                                    where="{where}", params={"n": len(row), "where": where}))
            continue
        vehicle, seq, customer = row[0].strip(), _whole_number(row[1]), _whole_number(row[2])
        if not vehicle:
            problems.append(Problem(N_("field vehicle is empty"), where=where))
        for field, value, raw in (("seq", seq, row[1]), ("customer", customer, row[2])):
            if value is None:
                problems.append(Problem(N_("field {field} = {value!r} is not a whole number"),
                                        where="{where}",
                                        params={"field": field, "value": raw, "where": where}))
        if vehicle and seq is not None and customer is not None:
            if seq in stops.setdefault(vehicle, {}):
                problems.append(Problem(N_("vehicle {vehicle} has seq {seq} twice"),
                                        where="{where}",
                                        params={"vehicle": vehicle, "seq": seq, "where": where}))
            stops[vehicle][seq] = customer
    if problems:
        raise SubmissionError(problems)
    return Plan({v: tuple(s[k] for k in sorted(s)) for v, s in stops.items()})


@bounded_reader()  # untrusted JSON/CSV: size, depth, rows checked; parsed in a limited worker
def read_plan(path: str | Path) -> Plan:
    """Read a plan file (.json or .csv); raise ``SubmissionError`` naming file, row and field."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise SubmissionError(Problem(
            N_("unknown file type {suffix}; hand in plan.json or plan.csv") if path.suffix
            else N_("a file without a type (no suffix); hand in plan.json or plan.csv"),
            where="{file}", params={"suffix": path.suffix, "file": path.name}))
    text = _read_text(path)
    if not text.strip():
        raise SubmissionError(Problem(N_("the file is empty; write your routes into it"),
                                      where=path.name))
    if path.suffix.lower() == ".json":
        return _plan_from_json(text, path.name)
    return _plan_from_csv(text, path.name)


def write_plan(plan: Plan, path: str | Path) -> Path:
    """Write a plan as JSON or CSV, chosen by the file suffix."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        data = {"routes": [{"vehicle": v, "stops": [int(s) for s in r]}
                           for v, r in plan.routes.items()]}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    elif path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(CSV_HEADER)
            for v, r in plan.routes.items():
                writer.writerows((v, i, int(s)) for i, s in enumerate(r, start=1))
    else:
        raise ValueError(f"{path}: write a plan as .json or .csv")
    return path
