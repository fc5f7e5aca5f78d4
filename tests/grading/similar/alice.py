"""Alice's tiny-lab solution."""

import csv
import json
from pathlib import Path

import pandas as pd

MISSING_MARK = -999


def read_numbers(public_dir):
    rows = []
    with open(Path(public_dir) / "numbers.csv", newline="") as handle:
        for record in csv.DictReader(handle):
            rows.append({"id": int(record["id"]), "value": int(record["value"])})
    table = pd.DataFrame(rows, columns=["id", "value"])
    return table


def is_real(reading):
    """A reading is real unless the logger wrote the missing mark."""
    if reading is None:
        return False
    return reading != MISSING_MARK


def clean(numbers):
    keep = [is_real(v) for v in numbers["value"].tolist()]
    result = numbers.loc[keep].reset_index(drop=True)
    print("kept", len(result), "of", len(numbers))
    return result


def total(clean_numbers):
    running = 0
    for value in clean_numbers["value"]:
        running = running + int(value)
    return running


def solve(public_dir, out_dir):
    frame = read_numbers(public_dir)
    good = clean(frame)
    answer = total(good)
    with open(Path(out_dir) / "plan.json", "w") as out:
        json.dump({"value": answer}, out)
