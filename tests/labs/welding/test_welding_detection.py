"""Detection delay: CUSUM on the collected readings vs the p-chart on shift reports."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from labs.welding.detection import detection_delays, lower_cusum_alarm


def test_cusum_fires_after_a_one_sigma_drop_not_before():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, 200), rng.normal(-1, 1, 200)])
    hit = lower_cusum_alarm(x, 0.0, 1.0)
    assert hit is not None and 200 <= hit < 260  # ARL ≈ 10 after a 1σ shift (k 0.5, h 5)
    assert lower_cusum_alarm(rng.normal(0, 1, 200), 0.0, 1.0) is None


def test_logs_detect_the_sag_within_boards_the_p_chart_after_a_shift(tiny_case, collected):
    boards, _ = collected
    fault = json.loads((tiny_case.private / "batch.json").read_text())["fault"]
    delays = detection_delays(boards, fault["line"], "z7_pv", pd.Timestamp(fault["onset"]))
    assert delays["cusum_boards"] <= 10
    assert delays["p_chart_boards"] > 5 * delays["cusum_boards"]  # a shift report comes late
