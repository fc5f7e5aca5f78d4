"""Demo mode: each lab told as a short story a teacher steps through in front of the class,
full screen, in large type, driven by the keyboard (``assets/demo-keys.js``).

``/demo/<lab>?seed=N&size=tiny|class&step=K``; keys: → / Space next, ← previous, F full screen.
Each step is rendered by a background callback, so the reference is solved live with progress
and its figures appear once reproduced; stories come from :mod:`workbench.app.story`.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from workbench.app.story import Step, Story, cache_root, demo_case, steps_of, story_key
from workbench.i18n import N_, t
from workbench.registry import labs

__all__ = ["Step", "Story", "layout", "register"]


# ---- the page -------------------------------------------------------------------------------


def chooser(query: str = "") -> html.Div:
    """The lab index: one large card per lab, readable on a projector."""
    cards = [
        dbc.Col(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H3(t(lab.title), className="card-title"),
                        html.Ul([html.Li(t(c.claimed)) for c in lab.claims], className="lead"),
                        dbc.Button(
                            t("Present this lab"),
                            href=f"/demo/{slug}{query}",
                            color="primary",
                            size="lg",
                            id=f"demo-choose-{slug}",
                        ),
                    ]
                ),
                class_name="h-100 demo-choice",
            ),
            md=4,
        )
        for slug, lab in labs().items()
    ]
    return html.Div(
        [html.H1(t("Choose a lab to present")), dbc.Row(cards, class_name="g-4")],
        id="demo-page",
        className="demo-page",
    )


def layout(
    lab: str | None = None,
    seed: str | None = None,
    size: str | None = None,
    step: str | None = None,
    **_: object,
) -> html.Div:
    key = story_key(lab, seed, size)
    if key is None:
        given = story_key(next(iter(labs()), None), seed, size)
        query = (
            f"?seed={given['seed']}&size={given['size']}"
            if given and given["seed"] is not None
            else ""
        )
        return (
            chooser(query)
            if lab in (None, "none")
            else html.Div(dbc.Alert(t("Unknown lab {lab}.", lab=str(lab))), id="demo-page")
        )
    try:
        first = max(int(step or 1), 1)
    except ValueError:
        first = 1
    return html.Div(
        [
            dcc.Store(id="demo-story", data=key),
            dcc.Store(id="demo-step", data=first),
            dcc.Location(id="demo-url", refresh=False),
            html.Div(
                [
                    dbc.Button("←", id="demo-prev", color="secondary", title=t("Previous")),
                    html.Span(id="demo-counter", className="mx-3"),
                    dbc.Button("→", id="demo-next", color="primary", title=t("Next")),
                    dbc.Button(
                        t("Full screen"),
                        id="demo-fullscreen",
                        color="outline-secondary",
                        class_name="ms-auto",
                    ),
                ],
                className="d-flex align-items-center mb-3",
            ),
            html.H1(id="demo-title"),
            html.P(id="demo-text", className="lead"),
            dbc.Progress(
                id="demo-progress", value=0, striped=True, animated=True, class_name="mb-3"
            ),
            html.Div(id="demo-body"),
            html.Small(
                t("Keys: → or Space next, ← previous, F full screen"),
                className="text-muted demo-keys",
            ),
        ],
        id="demo-page",
        className="demo-page",
        tabIndex="0",
    )


@callback(
    Output("demo-step", "data"),
    Output("demo-url", "search"),
    Input("demo-prev", "n_clicks"),
    Input("demo-next", "n_clicks"),
    State("demo-step", "data"),
    State("demo-story", "data"),
    prevent_initial_call=True,
)
def move(_prev, _next, step, key):
    key = _checked(key)
    if key is None:
        raise PreventUpdate
    lab = labs()[key["lab"]]
    count = len(steps_of(lab, demo_case(lab, key["seed"], key["size"])))
    step = int(step or 1) + (1 if ctx.triggered_id == "demo-next" else -1)
    step = min(max(step, 1), count)
    query = f"?step={step}" + (
        f"&seed={key['seed']}&size={key['size']}" if key["seed"] is not None else ""
    )
    return step, query


def _checked(key: object) -> dict[str, Any] | None:
    """The story in the page's store, checked again: the browser may have changed it."""
    if not isinstance(key, dict):
        return None
    return story_key(key.get("lab"), key.get("seed"), key.get("size"))


@callback(
    Output("demo-title", "children"),
    Output("demo-text", "children"),
    Output("demo-counter", "children"),
    Output("demo-body", "children"),
    Input("demo-step", "data"),
    State("demo-story", "data"),
    background=True,
    progress=[Output("demo-progress", "value"), Output("demo-progress", "label")],
    running=[
        (Output("demo-progress", "style"), {}, {"visibility": "hidden"}),
        (Output("demo-body", "style"), {"opacity": 0.3}, {}),
    ],
)
def show(set_progress, step, key):
    key = _checked(key)
    if key is None:
        raise PreventUpdate
    lab = labs()[key["lab"]]
    set_progress((10, t("Solving the control and experimental methods…")))
    story = Story(
        lab,
        demo_case(lab, key["seed"], key["size"]),
        cache_root() / "refs",
        progress=lambda percent, label: set_progress((percent, label)),
    )
    steps = steps_of(lab, story.case)
    k = min(max(int(step or 1), 1), len(steps))
    body = steps[k - 1].show(story)
    set_progress((100, ""))
    return (
        t(steps[k - 1].title),
        t(steps[k - 1].text),
        t("Step {k} of {n}", k=k, n=len(steps)),
        body,
    )


def register() -> None:
    dash.register_page(
        __name__,
        path="/demo",
        path_template="/demo/<lab>",
        name=N_("Demo"),
        title="Demo",
        layout=layout,
        order=95,
    )
