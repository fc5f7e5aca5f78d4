"""The welding lab's demo story (:mod:`workbench.app.story`): the line, what the control
class's SPC finds, the model's root cause next to it, the fix, the claims.

Every figure comes from the case: the control class's analysis of the line's own records
(:func:`labs.welding.story.control`), the experimental class's model trained on the logs its
bot collected (:func:`labs.welding.story.train`, kept per case next to the references) and
the graded references (defect rates as the batch ran and after each class's fix).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from labs.welding import plots, story
from labs.welding.i18n import SHIFT_LABELS, VARIABLE_LABELS
from labs.welding.simulate import Action
from workbench.app.story import (
    CASE_STEP,
    CONTROL_COLOUR,
    EXPERIMENTAL_COLOUR,
    Step,
    Story,
    big,
    claims_step,
    control_label,
    experimental_label,
)
from workbench.i18n import N_, t, verbatim
from workbench.lab import Case

TOP_FEATURES = 8  # bars of the importance chart: readable from the back of the room
BOARD_LABELS = {
    "thickness_mm": N_("Board thickness (mm)"),
    "component_class": N_("Component class"),
}


def label(name: str) -> str:
    """A variable's human label (translated), the raw name as it is in the logs."""
    return t({**VARIABLE_LABELS, **BOARD_LABELS}.get(name, name))


def findings(s: Story) -> dict:
    """The experimental class's model on this case: the bot collects the logs, the model is
    trained and explained once per case, and kept."""

    def make(folder: Path) -> None:
        story.run_bot(s.case, folder, lambda _msg, _frac: None)
        story.train(folder)

    found = story.load_findings(s.computed("model", make))
    if found is None:
        raise FileNotFoundError(f"{s.case.root}: the model's findings were not written")
    return found


def importance_chart(found: dict) -> Any:
    """The model's ranking of the readings (permutation importance), human labels on the
    axis, raw names on hover; the cause in the experimental class's blue."""
    top = pd.DataFrame(found["importance"]).head(TOP_FEATURES)
    cause = found["diagnosis"]["variable"]
    fig = plots.importance_figure(
        top.assign(feature=[label(f) for f in top["feature"]]),
        t("Experimental class: what the model ranks as the cause"),
    )
    bars = top.sort_values("importance")  # the order importance_figure draws them in
    fig.update_traces(
        customdata=bars["feature"],
        hovertemplate="%{y} (%{customdata}): %{x:.3f}<extra></extra>",
        marker_color=[EXPERIMENTAL_COLOUR if f == cause else "#a9c4ea" for f in bars["feature"]],
    )
    fig.update_layout(
        xaxis_title=t("drop in PR-AUC when the reading is shuffled"),
        title_font_color=EXPERIMENTAL_COLOUR,
    )
    return big(fig, 560)


def variable_view(name: str) -> html.Span:
    """A variable as people read it, the raw name small beside it (and as a tooltip)."""
    if name == "none":
        return html.Span(label(name), className="fw-bold")
    return html.Span(
        [
            html.Span(label(name), title=verbatim(name), className="fw-bold"),
            " ",
            html.Small(verbatim(name), className="text-muted font-monospace"),
        ]
    )


def action_text(action: Action) -> str:
    """One action of a fix, as a sentence."""
    where = t("line {line}", line=action.line) if action.line != "all" else t("every line")
    if action.shift != "all":
        shift = t(SHIFT_LABELS.get(action.shift, action.shift)).lower()
        where = t("{where}, {shift}", where=where, shift=shift)
    if action.kind == "repair":  # the variable is a zone (z1..z7)
        zone = verbatim(action.variable.upper())
        return t("Repair the heater of {zone} on {where}", zone=zone, where=where)
    what = label(action.variable)
    if action.kind == "setpoint":
        return t("Set {what} to {value:g} on {where}", what=what, value=action.value, where=where)
    if action.kind == "revert":
        return t("Go back to the previous paste lot on {where}", where=where)
    bounds = " – ".join("…" if b is None else f"{b:g}" for b in (action.low, action.high))
    return t(
        "Hold boards with {what} outside {bounds} on {where}", what=what, bounds=bounds, where=where
    )


def fix_text(actions: tuple[Action, ...]) -> str:
    return "; ".join(action_text(a) for a in actions) or t("No action")


def finding_card(title: str, colour: str, rows: list[tuple[str, Any]], card_id: str) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(title, style={"color": colour}),
                html.Table(
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Th(k, className="pe-3 align-top fw-normal text-muted"),
                                    html.Td(v),
                                ]
                            )
                            for k, v in rows
                        ]
                    ),
                    className="w-100",
                ),
            ]
        ),
        id=card_id,
        class_name="mb-3",
        style={"borderLeft": f"8px solid {colour}"},
    )


def where_text(line: str, shift: str) -> str:
    return t("Line {line}, {shift}", line=line, shift=t(SHIFT_LABELS.get(shift, shift)).lower())


def shift_text(onset: str) -> str:
    """ "2024-03-04 N" as "2024-03-04, night shift"."""
    if not onset:
        return t("none")
    day, _, shift = onset.partition(" ")
    return t("{day}, {shift}", day=verbatim(day), shift=t(SHIFT_LABELS.get(shift, shift)).lower())


def control_spc_step(s: Story) -> list[Any]:
    """The control class's charts: the p-chart says where and when, the Pareto what failed."""
    result = story.control(str(s.case.root))
    pareto = plots.pareto_figure(result.pareto, t("Pareto of defect codes"))
    pareto.update_layout(
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"}
    )
    return [
        dbc.Row(
            [
                dbc.Col(
                    big(plots.pchart_figure(result.pchart, t("p-chart of AOI defects per shift"))),
                    md=7,
                ),
                dbc.Col(big(pareto), md=5),
            ]
        )
    ]


def root_cause_step(s: Story) -> list[Any]:
    """What each class names as the cause: the control class's SPC next to the model."""
    refs = s.references()
    found = findings(s)
    control, model = refs.baseline_solution.diagnosis, refs.reference_solution.diagnosis
    onset = story.control(str(s.case.root)).onset.get(control["line"], "")
    spc = finding_card(
        control_label(),
        CONTROL_COLOUR,
        [
            (t("Where"), where_text(control["line"], control["shift"])),
            (t("First alarm (CUSUM)"), shift_text(onset)),
            (t("What it blames"), variable_view(control["variable"])),
        ],
        "demo-control-cause",
    )
    ml = finding_card(
        experimental_label(),
        EXPERIMENTAL_COLOUR,
        [
            (t("Where"), where_text(model["line"], model["shift"])),
            (t("Root cause"), variable_view(model["variable"])),
            (t("Moves with it"), variable_view(model["confounder"])),
            (t("Model PR-AUC"), f"{found['validation']['pr_auc']:.2f}"),
        ],
        "demo-model-cause",
    )
    return [
        dbc.Row(
            [dbc.Col(importance_chart(found), md=7), dbc.Col([spc, ml], md=5)],
            class_name="align-items-start",
        )
    ]


def rate_card(
    title: str, colour: str, before: float, after: float, actions: tuple[Action, ...], card_id: str
) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(title, style={"color": colour}),
                html.Div(
                    f"{before:.2%} → {after:.2%}", className="demo-delta", style={"color": colour}
                ),
                html.Div(fix_text(actions), className="demo-ci"),
            ]
        ),
        id=card_id,
        class_name="mb-3",
        style={"borderLeft": f"8px solid {colour}"},
    )


def fix_step(s: Story) -> list[Any]:
    """The batch re-run with each class's fix: expected defect rate before and after."""
    refs = s.references()
    before = refs.reference_metrics["asis_defect_rate"]
    control, experimental = (
        refs.baseline_metrics["expected_defect_rate"],
        refs.reference_metrics["expected_defect_rate"],
    )
    fig = plots.rates_figure(
        {
            t("As it ran (before the fix)"): before,
            t("{who}: after its fix", who=control_label()): control,
            t("{who}: after its fix", who=experimental_label()): experimental,
        },
        t("Expected defect rate of the batch, re-run with each fix"),
    )
    fig.update_yaxes(range=[0, 1.25 * max(before, control, experimental)])
    return [
        dbc.Row(
            [
                dbc.Col(big(fig, 560), md=7),
                dbc.Col(
                    [
                        rate_card(
                            control_label(),
                            CONTROL_COLOUR,
                            before,
                            control,
                            refs.baseline_solution.actions,
                            "demo-control-fix",
                        ),
                        rate_card(
                            experimental_label(),
                            EXPERIMENTAL_COLOUR,
                            before,
                            experimental,
                            refs.reference_solution.actions,
                            "demo-experimental-fix",
                        ),
                    ],
                    md=5,
                ),
            ]
        )
    ]


def rate_text(_claim: Any, value: float) -> str:
    """Every welding claim is a defect rate: shown as a percentage."""
    return f"{value:.2%}"


def case_facts(case: Case) -> str:
    boards = int(story.control(str(case.root)).shifts["boards"].sum())
    return t(
        "{boards} inspected boards from {lines} lines over {days} days",
        boards=f"{boards:,}",
        lines=len(case.info.get("lines", ())),
        days=case.info.get("days", "?"),
    )


def demo_steps(_case: Case) -> list[Step]:
    return [
        CASE_STEP,
        Step(
            N_("The control class: SPC on the line's own records"),
            N_(
                "The p-chart shows where and when defects rose; the Pareto shows which defects. "
                "Neither says what in the process caused them."
            ),
            control_spc_step,
        ),
        Step(
            N_("The root cause: what each class finds"),
            N_(
                "The experimental class's bot collected the machine logs and a model ranked "
                "every reading; the control class has only its SPC."
            ),
            root_cause_step,
        ),
        Step(
            N_("The fix: defect rate before and after"),
            N_("The same batch re-run with each class's fix applied."),
            fix_step,
        ),
        claims_step(case_facts, rate_text),
    ]
