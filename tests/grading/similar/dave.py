"""Dave: numpy all the way."""

import json
from pathlib import Path

import numpy as np
import pandas as pd


def read_numbers(public_dir):
    data = np.genfromtxt(str(Path(public_dir) / "numbers.csv"), delimiter=",", names=True,
                         dtype=int)
    return pd.DataFrame({name: data[name] for name in data.dtype.names})


def clean(numbers):
    values = numbers["value"].to_numpy()
    return numbers[values > -999].copy()


def total(clean_numbers):
    return float(np.add.reduce(clean_numbers["value"].to_numpy(dtype=float)))


def solve(public_dir, out_dir):
    target = Path(out_dir, "plan.json")
    target.write_text(json.dumps(dict(value=total(clean(read_numbers(public_dir))))))
