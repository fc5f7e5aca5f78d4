"""The accounting lab's demo story (:mod:`workbench.app.story`): the six ledger formats the
bot reads, the race of the bot against the clerk, the anomaly ranking as the claims measure
it, the key figures and the claims.

Every figure comes from the case: the formats are read off the inbox files
(:func:`labs.accounting.inbox.describe`), the times are the graded reports' Meta sheets (the
clerk model's keying, setup and review; the bot's measured run plus a person's setup and
review), the ranking metrics are the evaluated references at the auditor's review budget.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import html

from labs.accounting import plots
from labs.accounting.inbox import describe, raw_preview
from labs.accounting.kit.contract import TIME_KEYS
from labs.accounting.kit.reference import Reference
from workbench.app.story import (
    CONTROL_COLOUR,
    EXPERIMENTAL_COLOUR,
    FIGURES_STEP,
    Step,
    Story,
    big,
    claims_step,
    control_label,
    experimental_label,
)
from workbench.i18n import N_, current_language, t, verbatim
from workbench.lab import Case

MAX_COLUMNS = 9  # columns named on a format card
# keying, setup and review: each class's shade, darkest first
SHADES = {
    "control": (CONTROL_COLOUR, "#b3b3b3", "#d6d6d6"),
    "experimental": (EXPERIMENTAL_COLOUR, "#6fa2e3", "#b3cdf0"),
}
PARTS = {  # what each time of the Meta sheet is, for each class
    "control": {
        "keying_seconds": N_("keying"),
        "setup_seconds": N_("setup"),
        "review_seconds": N_("review"),
    },
    "experimental": {
        "keying_seconds": N_("bot run"),
        "setup_seconds": N_("setup"),
        "review_seconds": N_("review of exceptions"),
    },
}
RANKING = ("anomaly_ap", "precision_at_k", "recall_at_k")


# ---- the six formats ------------------------------------------------------------------------


def header_of(path: Path, facts: dict[str, str]) -> list[str]:
    """The column names of an export as they stand in the file (its own language)."""
    preview = raw_preview(path)
    row = int(facts.get("header row", "1")) - 1
    if facts.get("format") == "CSV":
        line = str(preview.iloc[row, 0]) if len(preview) > row else ""
        return next(csv.reader([line], delimiter=facts.get("separator", ",")), [])
    if len(preview) <= row:
        return []
    return [str(v) for v in preview.iloc[row] if str(v).strip()]


def kind_text(facts: dict[str, str]) -> str:
    if facts.get("format") == "Excel":
        return t(
            "Excel, sheet {sheet}, header on row {row}, {merged} merged cells",
            sheet=verbatim(facts.get("data sheet", "")),
            row=facts.get("header row", "1"),
            merged=facts.get("merged cells", "0"),
        )
    return t(
        "CSV, {encoding}, separator {sep}, decimal mark {dec}",
        encoding=verbatim(facts.get("encoding", "")),
        sep=facts.get("separator", ","),
        dec=facts.get("decimal mark", "."),
    )


def format_card(case: Case, region: Any) -> dbc.Col:
    path = case.public / "inbox" / Path(region.file).name
    facts = describe(path)
    columns = header_of(path, facts)[:MAX_COLUMNS]
    name = region.name_zh if current_language() == "zh" else region.name
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H4(
                        [
                            verbatim(f"{region.region} · {name}"),
                            " ",
                            dbc.Badge(verbatim(region.currency), color="dark", class_name="ms-1"),
                        ]
                    ),
                    html.Div(verbatim(region.file), className="font-monospace small text-muted"),
                    html.Div(kind_text(facts), className="my-1"),
                    html.Div(
                        verbatim(" | ".join(columns)),
                        className="font-monospace small",
                        title=t("Column names as they stand in the file"),
                    ),
                ]
            ),
            class_name="h-100",
        ),
        class_name="demo-format",
    )


def formats_step(s: Story) -> list[Any]:
    """One card per regional export: kind, encoding or sheet, columns, currency."""
    regions = Reference.load(s.case.public).regions
    return [
        dbc.Row(
            [format_card(s.case, r) for r in regions.itertuples()],
            class_name="row-cols-3 g-3",
            id="demo-formats",
        )
    ]


# ---- the race -------------------------------------------------------------------------------


def race(s: Story) -> dict[str, dict[str, float]]:
    """Seconds per part of the work, per class, as the graded reports record them."""
    refs = s.references()
    return {
        who: {key: float(solution.meta[key]) for key in TIME_KEYS}
        for who, solution in (
            ("control", refs.baseline_solution),
            ("experimental", refs.reference_solution),
        )
    }


def race_figure(times: dict[str, dict[str, float]]) -> go.Figure:
    """The race as stacked bars in minutes: each class's keying (the bot's own run), setup
    and review."""
    names = {"control": control_label(), "experimental": experimental_label()}
    fig = go.Figure()
    for who in ("experimental", "control"):
        for shade, key in zip(SHADES[who], TIME_KEYS, strict=True):
            minutes = times[who][key] / 60
            fig.add_bar(
                y=[names[who]],
                x=[minutes],
                orientation="h",
                marker_color=shade,
                name=t(PARTS[who][key]),  # not the class's name: each part keeps its shade
                showlegend=False,
                text=f"{t(PARTS[who][key])} {duration(times[who][key])}",
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                hovertemplate=f"{names[who]}: %{{text}}<extra></extra>",
            )
    bot = times["experimental"]
    fig.add_annotation(  # the bot's bar is too short to hold its parts' names: beside it
        x=sum(bot.values()) / 60,
        y=names["experimental"],
        xanchor="left",
        showarrow=False,
        xshift=12,
        text=" + ".join(
            f"{t(PARTS['experimental'][key])} {duration(bot[key])}" for key in TIME_KEYS
        ),
    )
    fig.update_layout(
        barmode="stack",
        xaxis_title=t("minutes"),
        title=t("Consolidating the six regional ledgers, end to end"),
        uniformtext_minsize=16,
        uniformtext_mode="hide",
    )
    return fig


def duration(seconds: float) -> str:
    return t("{s:.1f} s", s=seconds) if seconds < 90 else t("{m:.0f} min", m=seconds / 60)


def race_step(s: Story) -> list[Any]:
    times = race(s)
    refs = s.references()
    speedup = refs.baseline_metrics["processing_time"] / refs.reference_metrics["processing_time"]
    keying = (refs.baseline_metrics["keying_time"], refs.reference_metrics["keying_time"])
    cards = dbc.Row(
        [
            dbc.Col(
                html.Div(
                    [
                        html.Div(
                            t("×{x:.1f} faster end to end", x=speedup),
                            className="demo-delta",
                            style={"color": EXPERIMENTAL_COLOUR},
                            id="demo-speedup",
                        ),
                        html.Div(
                            t(
                                "{control} {a} vs {experimental} {b}, setup and review included",
                                control=control_label(),
                                a=duration(refs.baseline_metrics["processing_time"]),
                                experimental=experimental_label(),
                                b=duration(refs.reference_metrics["processing_time"]),
                            ),
                            className="demo-ci",
                        ),
                    ]
                ),
                md=6,
            ),
            dbc.Col(
                html.Div(
                    [
                        html.Div(
                            f"{duration(keying[0])} → {duration(keying[1])}",
                            className="demo-delta",
                            style={"color": EXPERIMENTAL_COLOUR},
                            id="demo-keying",
                        ),
                        html.Div(
                            t(
                                "The clerk's keying against the bot's own run (measured "
                                "on this machine)"
                            ),
                            className="demo-ci",
                        ),
                    ]
                ),
                md=6,
            ),
        ],
        class_name="mb-2",
    )
    return [cards, big(race_figure(times), 460)]


# ---- the ranking ----------------------------------------------------------------------------


def ranking_step(s: Story) -> list[Any]:
    """The ranking as the claims judge it: average precision over all entries, and what an
    auditor meets in the k entries of the review budget."""
    refs = s.references()
    labels = {m.name: t(m.label) for m in s.lab.metrics}
    metrics = {
        who: {labels[n]: values[n] for n in RANKING}
        for who, values in (
            (control_label(), refs.baseline_metrics),
            (experimental_label(), refs.reference_metrics),
        )
    }
    bars = plots.metric_bars(
        metrics, tuple(labels[n] for n in RANKING), t("Ranking quality: the higher the better")
    )
    bars.update_traces(texttemplate="%{y:.2f}", textposition="outside")
    k, anomalies = int(refs.reference_metrics["k"]), int(refs.reference_metrics["anomalies"])
    false = [
        html.Div(
            [
                html.H3(who, style={"color": colour}),
                html.Div(
                    f"{values['false_positives']:.3g}",
                    className="demo-delta",
                    style={"color": colour},
                ),
            ],
            className="mb-3",
        )
        for who, colour, values in (
            (control_label(), CONTROL_COLOUR, refs.baseline_metrics),
            (experimental_label(), EXPERIMENTAL_COLOUR, refs.reference_metrics),
        )
    ]
    return [
        dbc.Row(
            [
                dbc.Col(big(bars, 560), md=8),
                dbc.Col(
                    [
                        html.H3(
                            t(
                                "False positives among the {k} entries an auditor reviews "
                                "(2 %); {n} anomalies hidden in the case",
                                k=k,
                                n=anomalies,
                            )
                        ),
                        *false,
                    ],
                    md=4,
                    id="demo-false-positives",
                ),
            ]
        )
    ]


def case_facts(case: Case) -> str:
    from labs.accounting.evaluate import entry_ids

    regions = len(Reference.load(case.public).regions)
    return t("{n} journal entries from {r} regions", n=f"{len(entry_ids(case)):,}", r=regions)


def demo_steps(_case: Case) -> list[Step]:
    return [
        Step(
            N_("The case: six ledgers, six formats"),
            N_("Every subsidiary exports its ledger its own way: the bot reads them all."),
            formats_step,
        ),
        Step(
            N_("The race: clerk against bot"),
            N_(
                "The same consolidation keyed by a clerk and run by the bot, with the person's "
                "setup and review on both sides."
            ),
            race_step,
        ),
        Step(
            N_("Which entries should the auditor look at?"),
            N_(
                "Both classes rank every journal entry by risk; the auditor reviews the first "
                "2 %. Average precision and the false positives met in those entries are what "
                "the claims judge."
            ),
            ranking_step,
        ),
        FIGURES_STEP,
        claims_step(case_facts),
    ]
