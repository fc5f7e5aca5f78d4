"""An HTML feedback page per submission: score, criteria, problems, metrics and the lab's
figures. Each page is one self-contained file (plotly.js inlined): sent alone through an LMS
or opened offline from any folder, its figures show."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from plotly.offline import get_plotlyjs

from workbench.grading.report import GradeReport
from workbench.i18n import (
    metric_value,
    points,
    reset_language,
    t,
    translate_message,
    use_language,
)
from workbench.lab import Case, Lab

STYLE = """body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;
padding:.3rem .6rem;text-align:left}.score{font-size:2rem}.bad{color:#b00020}"""


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figures_html(lab: Lab, case: Case, solutions: Mapping[str, Any], inline: bool) -> str:
    try:
        figures = lab.figures(case, solutions)
    except Exception as exc:  # a half-valid solution must not cost the student their page
        return f"<p class='bad'>{escape(t('The figures could not be drawn: {error}', error=exc))}</p>"
    parts = []
    for i, fig in enumerate(figures):
        # plotly.js once per page: inlined, or a relative link to the folder's copy
        js: bool | str = (True if inline else "directory") if i == 0 else False
        parts.append(fig.to_html(full_html=False, include_plotlyjs=js))
    return "\n".join(parts)


def feedback_html(lab: Lab, case: Case, report: GradeReport, solutions: Mapping[str, Any],
                  *, inline: bool = True, lang: str = "en") -> str:
    """The page as a string. ``solutions`` maps "you"/"baseline"/"reference" to solutions
    (leave "you" out when the submission could not be read)."""
    from workbench.grading.grade import BONUS_CAP

    token = use_language(lang)
    try:
        criteria = _table([t("Criterion"), t("Points"), t("Out of"), t("Explanation")],
                          [[translate_message(c.label), points(c.points, c.max_points), f"{c.max_points:g}",
                            translate_message(c.message)]
                           for c in report.criteria])
        titles = {m.name: f"{t(m.title)} ({t(m.unit)})" if m.unit else t(m.title)
                  for m in lab.metrics}
        names = list(titles) + sorted(set(report.metrics) - set(titles))
        by_name = {m.name: m for m in lab.metrics}
        metrics = _table([t("Metric"), t("You"), t("Control class"), t("Experimental class")],
                         [[titles.get(n, n), *(metric_value(by_name.get(n), values.get(n))
                                               for values in (report.metrics,
                                                              report.baseline_metrics,
                                                              report.reference_metrics))]
                          for n in names])
        problems = ("<ul>" + "".join(f"<li>{escape(translate_message(p))}</li>"
                                     for p in report.problems) + "</ul>"
                    if report.problems else f"<p>{escape(t('No problems found.'))}</p>")
        invalid = ("" if report.valid else
                   f"<p class='bad'>{escape(t(report.verdict))}</p>")
        bonus = t("Beating the reference earns up to {bonus} bonus per criterion.",
                  bonus=f"{BONUS_CAP:.0%}")
        figures = _figures_html(lab, case, solutions, inline)
        title = f"{t('Feedback')}: {t(lab.title)} — {Path(report.submission).name}"
        return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
                f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
                f"<h1>{escape(title)}</h1>"
                f"<p class='score'>{escape(t('Score'))}: "
                f"{escape(points(report.score, report.max_score))}</p>{invalid}"
                f"<p>{escape(bonus)}</p>{criteria}"
                f"<h2>{escape(t('Problems'))}</h2>{problems}"
                f"<h2>{escape(t('Metrics'))}</h2>{metrics}"
                f"<h2>{escape(t('Figures'))}</h2>{figures}</body></html>")
    finally:
        reset_language(token)


def write_feedback(lab: Lab, case: Case, report: GradeReport, solutions: Mapping[str, Any],
                   path: str | Path, *, inline: bool = True, lang: str = "en") -> Path:
    """Write the page to ``path``: one self-contained file. With ``inline=False`` the page
    links ``plotly.min.js``, written once next to it (smaller pages that stay together)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(feedback_html(lab, case, report, solutions, inline=inline, lang=lang),
                    encoding="utf-8")
    bundle = path.parent / "plotly.min.js"
    if not inline and not bundle.is_file():
        bundle.write_text(get_plotlyjs(), encoding="utf-8")
    return path
