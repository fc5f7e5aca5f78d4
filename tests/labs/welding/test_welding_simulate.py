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


def _fault(case):
    import json

    return json.loads((case.private / "batch.json").read_text())["fault"]


def test_interlock_holds_the_sagging_boards_and_costs_line_time(tiny_case, truth_chunks):
    fault = _fault(tiny_case)
    lock = Action("interlock", "z7_pv", fault["line"], low=236)
    out = run_batch(5, "tiny", [lock])
    assert 0 < out.held_fraction < 0.2
    assert out.throughput_loss > 0
    assert out.expected_defect_rate < run_batch(5, "tiny").expected_defect_rate
    chunk = next(c for c in truth_chunks if c.line == fault["line"]
                 and c.day > fault["onset_day"])
    r = realise(chunk, [lock])
    assert np.array_equal(r["held"], r["readings"]["z7_pv"] < 236)


def test_repair_of_the_right_heater_removes_the_fault_and_costs_downtime(tiny_case):
    fault = _fault(tiny_case)
    healthy = run_batch(5, "tiny", faults=False)
    repair = run_batch(5, "tiny", [Action("repair", "z7", fault["line"])])
    assert abs(repair.expected_defect_rate - healthy.expected_defect_rate) < 1e-12
    assert repair.throughput_loss > 0 and repair.cost_per_good_board > healthy.cost_per_good_board
    other = next(line for line in ("L1", "L2", "L3") if line != fault["line"])
    wrong = run_batch(5, "tiny", [Action("repair", "z7", other)])
    asis = run_batch(5, "tiny")
    assert wrong.expected_defect_rate == asis.expected_defect_rate
    assert wrong.cost_per_good_board > asis.cost_per_good_board


def test_reverting_the_paste_lot_changes_nothing_but_the_bill(tiny_case):
    fault = _fault(tiny_case)
    asis = run_batch(5, "tiny")
    revert = run_batch(5, "tiny", [Action("revert", "paste_lot", fault["line"])])
    assert abs(revert.expected_defect_rate - asis.expected_defect_rate) < 1e-4
    assert revert.cost_per_good_board > asis.cost_per_good_board


def test_a_failed_heater_cannot_be_turned_up(tiny_case, truth_chunks):
    fault = _fault(tiny_case)
    chunk = next(c for c in truth_chunks if c.line == fault["line"]
                 and c.day > fault["onset_day"])
    up = realise(chunk, [Action("setpoint", "z7_sp", fault["line"], value=265)])
    asis = realise(chunk)
    assert np.allclose(up["readings"]["z7_pv"], asis["readings"]["z7_pv"])
    healthy = next(c for c in truth_chunks if c.line != fault["line"])
    raised = realise(healthy, [Action("setpoint", "z7_sp", value=255)])["readings"]["z7_pv"]
    assert raised.mean() - realise(healthy)["readings"]["z7_pv"].mean() > 4.5


def test_scope_and_setpoint(tiny_case):
    fault = _fault(tiny_case)
    slow = Action("setpoint", "conv_cm_min", fault["line"], value=72)
    nominal_elsewhere = Action("setpoint", "conv_cm_min", "L1" if fault["line"] != "L1"
                               else "L2", value=75)
    asis = run_batch(5, "tiny").expected_defect_rate
    assert run_batch(5, "tiny", [slow]).expected_defect_rate < asis
    # Every line runs at 75 cm/min already: the same set point changes nothing.
    assert abs(run_batch(5, "tiny", [nominal_elsewhere]).expected_defect_rate - asis) < 1e-12


def test_common_random_numbers_same_result_twice():
    a = run_batch(11, "tiny", [Action("interlock", "paste_pct", low=80, high=120)])
    b = run_batch(11, "tiny", [Action("interlock", "paste_pct", low=80, high=120)])
    assert a == b
