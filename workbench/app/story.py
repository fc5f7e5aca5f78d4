"""Stories for demo mode: each lab told as a short list of steps a teacher walks through.

A story is a list of :class:`Step` s. A lab may tell its own through an optional
``demo_steps(case) -> list[Step]``; any other lab gets :func:`generic_story`, built from the
protocol alone: the case, the control class's method, the experimental class's method beside
it, the key figures and the case study's claims. The demo page (:mod:`workbench.app.demo`)
renders steps in a background callback, so the reference is solved live (with progress); the
results are cached on disk per case, so a replay with the same seed is instant and identical.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from workbench.app.components import effect_text, metrics_frame
from workbench.datasets import default_case
from workbench.grading.grade import References
from workbench.grading.refcache import cached_references
from workbench.i18n import N_, t
from workbench.lab import Case, Lab
from workbench.registry import labs

DEMO_SIZES = ("tiny", "class")
CLAIM_SIZE = "class"  # the size `workbench reproduce` measures the claims on: the demo's default
MAX_SEED = 2**31 - 1
DONE_FILE = ".done"
SIZE_LABELS = {
    "tiny": N_("a tiny case"),
    "class": N_("a class-size case"),
    "large": N_("a large case"),
}


@dataclass(frozen=True)
class Story:
    """What a step may use: the lab, its case and the (cached, solved once) references;
    ``progress(percent, label)`` tells the viewer how far a long step is."""

    lab: Lab
    case: Case
    cache: Path
    progress: Callable[[int, str], None] = field(default=lambda _percent, _label: None)

    def references(self, case: Case | None = None) -> References:
        """The references of the story's case (or another case of the lab), cached on disk
        and recomputed when the grading or lab code changed."""
        return cached_references(
            self.lab, case or self.case, self.cache, grader=_fingerprint(self.lab.slug)
        )

    def computed(self, name: str, make: Callable[[Path], None]) -> Path:
        """A folder of further results of the story's case (e.g. a trained model's findings):
        ``make(folder)`` fills it the first time; kept next to the references and made again
        when the lab's code changes. Two viewers at once each make it; the first one stays."""
        folder = self.cache / f"{self.case.case_id}-{name}-{_fingerprint(self.lab.slug)}"
        if not (folder / DONE_FILE).is_file():
            tmp = folder.with_name(f"{folder.name}.{uuid.uuid4().hex}")
            tmp.mkdir(parents=True)
            try:
                make(tmp)
                (tmp / DONE_FILE).touch()
                tmp.rename(folder)
            except OSError:
                if not (folder / DONE_FILE).is_file():
                    raise
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        return folder


@dataclass(frozen=True)
class Step:
    """One screen: a title and a sentence (English, translated when shown), and what it shows.
    ``show`` may compute (solve, train): it runs in the background with progress."""

    title: str
    text: str
    show: Callable[[Story], list[Any]]


CONTROL_COLOUR = "#8c8c8c"  # the control class, grey in every lab and every figure
EXPERIMENTAL_COLOUR = "#1f6fd1"  # the experimental class, blue
NEUTRAL_COLOUR = "#3b3b3b"  # anything else (the batch as it ran, a reference line)
FIGURE_HEIGHT = 600  # px: one row of figures under the title fits a 1920×1080 projector
CI_CASES = 5  # cases of the same size behind each headline's interval


@cache
def _fingerprint(slug: str) -> str:
    from workbench.grading.batch import grader_fingerprint

    return grader_fingerprint(labs()[slug])


def control_label() -> str:
    return t("Control class")


def experimental_label() -> str:
    return t("Experimental class")


def colour_of(name: str) -> str | None:
    """The class colour of a name that mentions the control or the experimental class."""
    return (
        CONTROL_COLOUR
        if control_label() in name
        else EXPERIMENTAL_COLOUR
        if experimental_label() in name
        else None
    )


def colour_code(fig: Any) -> Any:
    """Traces (and titles) named after the control class grey, after the experimental class
    blue; the bars of a single-trace bar chart by their category names."""
    title = str(fig.layout.title.text or "")
    for label, colour in (
        (control_label(), CONTROL_COLOUR),
        (experimental_label(), EXPERIMENTAL_COLOUR),
    ):
        if label in title:
            fig.update_layout(title_font_color=colour)
    for trace in fig.data:
        name = str(getattr(trace, "name", "") or "")
        colour = colour_of(name)
        if colour is None and trace.type == "bar" and len(fig.data) == 1:
            categories = trace.y if trace.orientation == "h" else trace.x
            colours = [colour_of(str(c)) for c in (() if categories is None else categories)]
            if any(colours):
                trace.marker.color = [c or NEUTRAL_COLOUR for c in colours]
            continue
        if colour is None:
            continue
        for prop in ("marker", "line"):
            if prop in trace:
                try:
                    trace[prop]["color"] = colour
                except (ValueError, TypeError):  # a colour scale, not one colour
                    pass
    return fig


def big(fig: Any, height: int = FIGURE_HEIGHT) -> Any:
    """A figure readable from the back of the room, in the fixed colour code, of a height
    that keeps the step on one screen."""
    if not hasattr(fig, "update_layout"):  # a table or another component: shown as it is
        return fig
    colour_code(fig)
    fig.update_layout(
        font_size=18, title_font_size=22, height=height, margin=dict(l=60, r=20, t=70, b=50)
    )
    return dcc.Graph(
        figure=fig,
        config={"displayModeBar": False},
        className="demo-figure",
        style={"height": f"{height}px"},
    )


def row(figures: list[Any]) -> list[Any]:
    """At most two figures side by side, control first."""
    return [dbc.Row([dbc.Col(big(fig), md=12 // max(1, len(figures[:2]))) for fig in figures[:2]])]


def case_step(story: Story) -> list[Any]:
    from workbench.app.labpage import PAGES

    page = PAGES.get(story.lab.slug)
    picture = page.picture(story.case) if page and page.picture else None
    return (
        [big(picture, 700)]
        if picture is not None
        else [html.P(t(story.lab.summary), className="lead")]
    )


def solutions(story: Story, *which: str) -> dict[str, Any]:
    refs = story.references()
    both = {control_label(): refs.baseline_solution, experimental_label(): refs.reference_solution}
    return {
        k: v
        for k, v in both.items()
        if k in [control_label() if w == "control" else experimental_label() for w in which]
    }


def control_step(story: Story) -> list[Any]:
    return row(story.lab.figures(story.case, solutions(story, "control")))


def side_by_side_step(story: Story) -> list[Any]:
    return row(story.lab.figures(story.case, solutions(story, "control", "experimental")))


def claim_interval(story: Story, claim: Any) -> tuple[float, float] | None:
    """A 95 % interval of a claim's effect over ``CI_CASES`` cases of the demo's size (seeds
    1..N, solved once and cached): how much the effect moves from one case to the next."""
    import numpy as np
    from scipy import stats

    size = story.case.size if story.case.size in DEMO_SIZES else CLAIM_SIZE
    values = []
    for seed in range(1, CI_CASES + 1):
        story.progress(
            10 + 80 * (seed - 1) // CI_CASES,
            t("Solving case {k} of {n} for the intervals…", k=seed, n=CI_CASES),
        )
        refs = story.references(demo_case(story.lab, seed, size))
        values.append(claim.measure(refs.baseline_metrics, refs.reference_metrics))
    values = np.array([v for v in values if np.isfinite(v)])
    if len(values) < 3:
        return None
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return float(values.mean() - half), float(values.mean() + half)


Formatter = Callable[[Any, float], str]  # (claim, value) -> the value as people read it


def headline(story: Story, claim: Any, fmt: Formatter = effect_text) -> dbc.Col:
    refs = story.references()
    value = claim.measure(refs.baseline_metrics, refs.reference_metrics)
    holds = bool(claim.holds(value))
    interval = claim_interval(story, claim)
    ci = (
        t(
            "95 % interval over {n} cases: {low} to {high}; on average it {verdict}",
            n=CI_CASES,
            low=fmt(claim, interval[0]),
            high=fmt(claim, interval[1]),
            verdict=t("holds") if claim.holds(sum(interval) / 2) else t("does not hold"),
        )
        if interval
        else ""
    )
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(t(claim.description), className="demo-claim"),
                    html.Div(
                        fmt(claim, value),
                        className="demo-delta",
                        style={"color": EXPERIMENTAL_COLOUR},
                    ),  # the experimental class's effect
                    html.Div(ci, className="demo-ci"),
                    dbc.Badge(
                        t("holds on this case") if holds else t("does not hold on this case"),
                        color="success" if holds else "secondary",
                        class_name="demo-verdict",
                    ),
                    html.Div(t("Claimed: {claim}", claim=t(claim.claimed)), className="demo-ci"),
                ]
            )
        ),
        class_name="mb-3",
    )


def headline_cards(story: Story, fmt: Formatter = effect_text) -> list[Any]:
    claims = list(story.lab.claims)[:4]
    return [
        dbc.Row(
            [headline(story, c, fmt) for c in claims], class_name="row-cols-2 g-3", id="demo-claims"
        )
    ]


def case_note(story: Story, facts: Callable[[Case], str] | None = None) -> html.Div:
    """Which case the figures come from (its size, and what that means: ``facts``, e.g. "100
    customers, 12 vans"), and a warning when it is not the size the claims are measured on."""
    size = t(SIZE_LABELS.get(story.case.size, story.case.size))
    what = (
        t("Measured on {case}: {facts}.", case=size, facts=facts(story.case))
        if facts
        else (t("Measured on {case}.", case=size))
    )
    parts = [html.Span(what, className="fw-bold")]
    if story.case.size != CLAIM_SIZE:
        parts += [
            " ",
            html.Span(
                t(
                    "The claims are measured on class-size cases; a case of "
                    "another size can show a different effect."
                ),
                className="text-danger",
            ),
        ]
    return html.Div(parts, id="demo-case-size", className="mb-2", style={"fontSize": "1.3rem"})


def claims_step(facts: Callable[[Case], str] | None = None, fmt: Formatter = effect_text) -> Step:
    """The payoff: one card per claim, with the case (and its size) the figures come from;
    ``fmt`` writes a claim's value as people read it (default: :func:`effect_text`)."""
    return Step(
        N_("The case study's claims, reproduced"),
        N_("What the case study claimed, and what this case measures."),
        lambda story: [case_note(story, facts), *headline_cards(story, fmt)],
    )


def figures_step(story: Story) -> list[Any]:
    refs = story.references()
    table = metrics_frame(
        story.lab.metrics,
        {control_label(): refs.baseline_metrics, experimental_label(): refs.reference_metrics},
    )
    return [
        dbc.Table.from_dataframe(
            table, size="sm", striped=True, id="demo-metrics", class_name="demo-table"
        )
    ]


CASE_STEP = Step(
    N_("The case"),
    N_("This is what the class works on. Same seed, same case: the story replays identically."),
    case_step,
)
FIGURES_STEP = Step(
    N_("Key figures"), N_("Every metric of both methods on this case."), figures_step
)


def generic_story(lab: Lab, facts: Callable[[Case], str] | None = None) -> list[Step]:
    """The story any lab can tell through the protocol alone (and its page's picture);
    ``facts`` says how big a case is, on the claims (see :func:`case_note`)."""
    return [
        CASE_STEP,
        Step(
            N_("The control class: the traditional method"),
            N_("How practitioners do it today, and what it achieves on this case."),
            control_step,
        ),
        Step(
            N_("The experimental class, side by side"),
            N_("The same case solved by the experimental method, next to the control."),
            side_by_side_step,
        ),
        FIGURES_STEP,
        claims_step(facts),
    ]


def steps_of(lab: Lab, case: Case) -> list[Step]:
    own = getattr(lab, "demo_steps", None)
    return list(own(case)) if callable(own) else generic_story(lab)


def demo_case(lab: Lab, seed: int | None, size: str) -> Case:
    """The lab's default case, or the case of ``seed`` generated once into a cache folder (one
    per version of the lab's code: a case generated by older code is not the seed's case)."""
    if seed is None:
        return default_case(lab)
    folder = cache_root() / f"{lab.slug}-{seed}-{size}-{_fingerprint(lab.slug)}"
    if not (folder / "public" / "case.json").is_file():
        tmp = folder.with_name(f"{folder.name}.{uuid.uuid4().hex}")
        lab.make_case(seed, size, out=tmp)
        try:
            tmp.rename(folder)
        except OSError:  # another viewer generated it meanwhile: same seed, same files
            shutil.rmtree(tmp, ignore_errors=True)
    return Case.load(folder, lab.slug)


def prepare(lab: Lab, seed: int | None, size: str,
            say: Callable[[str], None] = lambda _line: None) -> float:
    """Show every step of ``lab``'s story once, off screen: the methods are solved, the model
    trained and the interval cases solved into the demo's cache, so in class each step appears
    at once. ``say`` gets one line per step; returns the seconds it took."""
    import time

    start = time.perf_counter()
    story = Story(lab, demo_case(lab, seed, size), cache_root() / "refs")
    steps = steps_of(lab, story.case)
    for k, step in enumerate(steps, start=1):
        begun = time.perf_counter()
        step.show(story)
        say(t("{lab}: step {k} of {n} ready ({title}, {seconds:.0f} s)", lab=lab.slug, k=k,
              n=len(steps), title=t(step.title), seconds=time.perf_counter() - begun))
    return time.perf_counter() - start


def cache_root() -> Path:
    return Path(tempfile.gettempdir()) / "lab-workbench-demo"


def story_key(lab: str | None, seed: object, size: object) -> dict[str, Any] | None:
    """The story a URL asks for, checked: a registered lab, a seed in range, a demo size."""
    if lab not in labs():
        return None
    try:
        number = int(seed) if seed not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = None
    number = number if number is None or 0 <= number <= MAX_SEED else None
    return {"lab": lab, "seed": number, "size": size if size in DEMO_SIZES else CLAIM_SIZE}
