"""Re-simulation with common random numbers: the exact expected defect rate of a fix."""

from __future__ import annotations

import numpy as np
import pandas as pd

from labs.welding.simulate import Action, realise, run_batch


def test_no_action_is_the_batch_as_it_ran(tiny_case, truth_chunks):
    asis = run_batch(5, "tiny")
    p = np.concatenate([realise(c)["p"] for c in truth_chunks])
    assert abs(asis.expected_defect_rate - p.mean()) < 1e-12
    assert asis.held_fraction == 0 and asis.throughput_loss == 0


def test_hidden_probabilities_match_the_labels(tiny_case):
    answers = pd.read_csv(tiny_case.private / "answers.csv")
    # Labels are Bernoulli draws of the stored probabilities: means agree within noise.
    se = np.sqrt((answers["p_true"] * (1 - answers["p_true"])).sum()) / len(answers)
    assert abs(answers["defect"].mean() - answers["p_true"].mean()) < 4 * se


def test_removing_the_faults_lowers_the_rate():
    assert run_batch(5, "tiny", faults=False).expected_defect_rate < run_batch(
        5, "tiny").expected_defect_rate


def test_interlock_holds_the_sagging_boards_and_costs_line_time(truth_chunks):
    lock = Action("interlock", "z7_pv", low=244)
    out = run_batch(5, "tiny", [lock])
    assert 0 < out.held_fraction < 0.2
    assert out.throughput_loss > 0
    assert out.expected_defect_rate < run_batch(5, "tiny").expected_defect_rate
    chunk = next(c for c in truth_chunks if c.line == "L2" and c.fault_day)
    r = realise(chunk, [lock])
    assert np.array_equal(r["held"], r["readings"]["z7_pv"] < 244)


def test_scope_and_setpoint():
    slow = Action("setpoint", "conv_cm_min", "L2", "N", value=75)
    elsewhere = Action("setpoint", "conv_cm_min", "L1", "N", value=75)
    asis = run_batch(5, "tiny").expected_defect_rate
    assert run_batch(5, "tiny", [slow]).expected_defect_rate < asis
    # Line 1 runs at 75 cm/min already: the same set point there changes nothing.
    assert abs(run_batch(5, "tiny", [elsewhere]).expected_defect_rate - asis) < 1e-12


def test_common_random_numbers_same_result_twice():
    a = run_batch(11, "tiny", [Action("interlock", "paste_pct", low=80, high=120)])
    b = run_batch(11, "tiny", [Action("interlock", "paste_pct", low=80, high=120)])
    assert a == b
