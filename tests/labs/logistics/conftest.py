"""Tiny named instances for the logistics tests."""

from __future__ import annotations

import pandas as pd
import pytest

from labs.logistics.instance import Instance


def make_instance(**fleet) -> Instance:
    """ok_three: depot at (0, 0), speed 1 km/min, customers 5, 4 and 3 km apart on a chain.

    Route 1→2→3 from time 0 arrives at 5 (waits 15 for ready 20), 26, 32 (waits 8 for 40)
    and returns at 47: 18 minutes of travel, 6 of service.
    """
    customers = pd.DataFrame({"id": [1, 2, 3], "x": [3.0, 3.0, 6.0], "y": [4.0, 0.0, 0.0],
                              "demand": [1, 2, 1], "ready": [20.0, 0.0, 40.0],
                              "due": [fleet.pop("due1", 30.0), 100.0, 45.0],
                              "service": [2.0, 3.0, 1.0]})
    params = {"depot_x": 0.0, "depot_y": 0.0, "vehicles": 2, "capacity": 4, "shift_start": 0.0,
              "shift_end": 100.0, "speed_km_per_min": 1.0, "name": "ok_three"} | fleet
    return Instance(customers=customers, **params)


@pytest.fixture
def ok_three() -> Instance:
    return make_instance()


@pytest.fixture
def make():
    """Factory for variants of ok_three (fleet fields or ``due1`` overridden)."""
    return make_instance
