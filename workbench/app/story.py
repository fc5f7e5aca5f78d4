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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from workbench.app.components import claims_frame, metrics_frame
from workbench.datasets import default_case
from workbench.grading.grade import References
from workbench.grading.refcache import cached_references
from workbench.i18n import t
from workbench.lab import Case, Lab
from workbench.registry import labs

DEMO_SIZES = ("tiny", "class")
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class Story:
    """What a step may use: the lab, its case and the (cached, solved once) references."""

    lab: Lab
    case: Case
    cache: Path

    def references(self) -> References:
        return cached_references(self.lab, self.case, self.cache)


@dataclass(frozen=True)
class Step:
    """One screen: a title and a sentence (English, translated when shown), and what it shows.
    ``show`` may compute (solve, train): it runs in the background with progress."""

    title: str
    text: str
    show: Callable[[Story], list[Any]]


def big(fig: Any) -> dcc.Graph:
    """A figure readable from the back of the room."""
    fig.update_layout(font_size=18, title_font_size=22)
    return dcc.Graph(figure=fig, config={"displayModeBar": False}, className="demo-figure")


def pairs(figures: list[Any]) -> list[Any]:
    """Figures two by two, control on the left and experimental on the right."""
    return [dbc.Row([dbc.Col(big(fig), md=6) for fig in figures[i:i + 2]])
            for i in range(0, len(figures), 2)]


def _case_step(story: Story) -> list[Any]:
    info = {k: v for k, v in story.case.info.items() if k not in ("lab", "case_id")}
    rows = [html.Tr([html.Th(str(k)), html.Td(str(v))]) for k, v in sorted(info.items())]
    return [html.P(t(story.lab.summary), className="lead"),
            dbc.Table(html.Tbody(rows), size="sm", class_name="w-auto")]


def _control_step(story: Story) -> list[Any]:
    refs = story.references()
    figures = story.lab.figures(story.case, {t("Control class"): refs.baseline_solution})
    return [html.Div(big(fig)) for fig in figures[:2]]


def _side_by_side_step(story: Story) -> list[Any]:
    refs = story.references()
    figures = story.lab.figures(story.case, {t("Control class"): refs.baseline_solution,
                                             t("Experimental class"): refs.reference_solution})
    return pairs(figures[:4])


def _figures_step(story: Story) -> list[Any]:
    refs = story.references()
    table = metrics_frame(story.lab.metrics, {t("Control class"): refs.baseline_metrics,
                                              t("Experimental class"): refs.reference_metrics})
    return [dbc.Table.from_dataframe(table, size="sm", striped=True, id="demo-metrics")]


def _claims_step(story: Story) -> list[Any]:
    refs = story.references()
    against = {t("Experimental vs control"): refs.baseline_metrics}
    against.update({t("Experimental vs {baseline}", baseline=t(name.replace("_", " "))): m
                    for name, m in refs.sensitivity_metrics.items()})
    frame = claims_frame(story.lab.claims, refs.reference_metrics, against)
    return [dbc.Table.from_dataframe(frame, bordered=True, id="demo-claims")]


def generic_story(lab: Lab) -> list[Step]:
    """The story any lab can tell through the protocol alone."""
    return [
        Step("The case", "This is what the class works on. Same seed, same case: the story "
             "replays identically.", _case_step),
        Step("The control class: the traditional method",
             "How practitioners do it today, and what it achieves on this case.", _control_step),
        Step("The experimental class, side by side",
             "The same case solved by the experimental method, next to the control.",
             _side_by_side_step),
        Step("Key figures", "Every metric of both methods on this case.", _figures_step),
        Step("The case study's claims, reproduced",
             "What the case study claimed, and what this case measures. Against other "
             "baselines the effect differs: it depends on the control.", _claims_step),
    ]


def steps_of(lab: Lab, case: Case) -> list[Step]:
    own = getattr(lab, "demo_steps", None)
    return list(own(case)) if callable(own) else generic_story(lab)


def demo_case(lab: Lab, seed: int | None, size: str) -> Case:
    """The lab's default case, or the case of ``seed`` generated once into a cache folder."""
    if seed is None:
        return default_case(lab)
    folder = cache_root() / f"{lab.slug}-{seed}-{size}"
    if not (folder / "public" / "case.json").is_file():
        tmp = folder.with_name(f"{folder.name}.{uuid.uuid4().hex}")
        lab.make_case(seed, size, out=tmp)
        try:
            tmp.rename(folder)
        except OSError:  # another viewer generated it meanwhile: same seed, same files
            shutil.rmtree(tmp, ignore_errors=True)
    return Case.load(folder, lab.slug)


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
    return {"lab": lab, "seed": number, "size": size if size in DEMO_SIZES else "class"}
