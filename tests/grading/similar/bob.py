"""My solution (Bob)."""

import csv
import json
from pathlib import Path

import pandas as pd

SENTINEL = -999


def read_numbers(folder):
    collected = []
    with open(Path(folder) / "numbers.csv", newline="") as f:
        for line in csv.DictReader(f):
            collected.append({"id": int(line["id"]), "value": int(line["value"])})
    df = pd.DataFrame(collected, columns=["id", "value"])
    return df


def is_real(x):
    # real unless it is the sentinel
    if x is None:
        return False
    return x != SENTINEL


def clean(df):
    mask = [is_real(item) for item in df["value"].tolist()]
    out = df.loc[mask].reset_index(drop=True)
    print("kept", len(out), "of", len(df))
    return out


def total(df):
    acc = 0
    for item in df["value"]:
        acc = acc + int(item)
    return acc


def solve(folder, target):
    df = read_numbers(folder)
    cleaned = clean(df)
    result = total(cleaned)
    with open(Path(target) / "plan.json", "w") as fh:
        json.dump({"value": result}, fh)
