"""The lab page, built once for every lab: header with the handout one click away, the case
the page shows (built-in, the student's course case or a case zip; downloadable), the numbered
steps of the exercise, the lab's own panels, and the upload-and-grade panel with the step
report, a sentence when the file is for another case, and the feedback figures.

A lab's ``page.py`` only describes its panels::

    PAGE = LabPage(LAB, panels=(Panel("alarm", N_("The alarm"), alarm_panel), ...),
                   accept=".json", upload_hint=N_("A submission.json file"))
    register = PAGE.register

Panels get the :class:`~workbench.lab.Case` the page shows. Their callbacks read it with
``PAGE.case_of(token)`` from ``State(PAGE.case_store, "data")``: the browser holds only a
choice (``""``, ``"course"`` or a scratch token), the server resolves it every time.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from workbench.app import uploads
from workbench.app.components import (
    claims_frame,
    error_view,
    grade_view,
    metrics_frame,
    upload_and_grade,
    upload_box,
)
from workbench.datasets import default_case
from workbench.exercise import lab_steps, status_text
from workbench.grading import references
from workbench.grading.report import GradeReport
from workbench.i18n import (
    N_,
    current_language,
    date_text,
    number,
    stored_text,
    t,
    translate_message,
    verbatim,
)
from workbench.lab import CASE_FILE, Case, Lab, SubmissionError

PAGES: dict[str, LabPage] = {}  # registered lab pages by slug (demo mode asks for pictures)
COURSE = "course"  # the case choice that means "the signed-in student's course case"


@dataclass(frozen=True)
class Panel:
    """One numbered section of a lab page: ``body(case)`` returns its components."""

    id: str
    title: str  # English source text, marked with N_()
    body: Callable[[Case], Any]
    intro: str = ""  # one sentence under the title (English source text)


@dataclass
class LabPage:
    """A lab's page: its panels plus what the framework needs to build the rest."""

    lab: Lab
    panels: Sequence[Panel]
    accept: str  # file kinds the upload box takes, e.g. ".json,.csv"
    upload_hint: str  # what to upload (English source text, marked with N_())
    name: str = ""  # navigation name (English source text); the slug capitalised by default
    key_figures: bool = True  # add the metrics-and-claims panel (cases with an answer key)
    stores: Sequence[str] = ()  # ids of the lab's own session stores (scratch tokens)
    default: Callable[[], Case] | None = None  # the built-in case; default_case(lab) if None
    picture: Callable[[Case], Any] | None = None  # the case as one picture (demo mode)
    _registered: bool = field(default=False, repr=False)

    @property
    def slug(self) -> str:
        return self.lab.slug

    @property
    def case_store(self) -> str:
        return f"{self.slug}-case"

    # ---- the case the page shows --------------------------------------------------------------

    def case_of(self, choice: object) -> Case:
        """The case behind a choice: the student's course case, an uploaded case, else the
        built-in one (an unknown or stale choice falls back to it)."""
        if choice == COURSE:
            own = course_case(self.lab)
            if own is not None:  # its public half only: graded attempts go through the
                return public_copy(own)  # student page, with its attempt limits
        folder = uploads.folder_of(choice)
        if folder is not None and (folder / "case" / "public" / CASE_FILE).is_file():
            try:
                return Case.load(folder / "case", self.slug)
            except (ValueError, KeyError, OSError):
                pass
        return self.builtin()

    def builtin(self) -> Case:
        return self.default() if self.default else default_case(self.lab)

    def case_label(self, choice: object, case: Case) -> str:
        if choice == COURSE and case.root != self.builtin().root:
            return t("your course case {id}", id=case.case_id)
        if uploads.folder_of(choice) is not None and case.private is None:
            return t("the case you loaded, {id}", id=case.case_id)
        return t("the built-in case {id}", id=case.case_id)

    # ---- layout ------------------------------------------------------------------------------

    def layout(self, case: str | None = None, **_: object) -> html.Div:
        choice = case or ""
        shown = self.case_of(choice)
        lab = self.lab
        sections = [self._panel_card(i, panel, shown)
                    for i, panel in enumerate(self.panels, start=1)]
        if self.key_figures and shown.private is not None:
            sections.append(self._panel_card(len(sections) + 1, Panel(
                "key-figures", N_("Key figures"), lambda c: key_figures(lab, c)), shown))
        return html.Div([
            dcc.Store(id=self.case_store, data=choice),
            dcc.Store(id=f"{self.slug}-upload-token", storage_type="session"),
            *[dcc.Store(id=store, storage_type="session") for store in self.stores],
            dcc.Location(id=f"{self.slug}-case-location", refresh=True),
            dcc.Download(id=f"{self.slug}-case-download"),
            self._header(choice, shown),
            self._exercise(),
            *sections,
            self._grade_card(len(sections) + 1),
        ], id=f"{self.slug}-page", className="lab-page")

    def _header(self, choice: str, shown: Case) -> html.Div:
        slug = self.slug
        links = [dbc.Button(t("Open the handout"), href=f"/{slug}/handout", color="secondary",
                            outline=True, id=f"{slug}-handout-link", class_name="me-2")]
        choices = [("", t("Built-in case"))]
        if course_case(self.lab) is not None:
            choices.append((COURSE, t("My course case")))
        links += [dbc.Button(label, href=f"/{slug}?case={value}" if value else f"/{slug}",
                             external_link=True, color="primary", outline=value != choice,
                             size="sm", class_name="me-2", id=f"{slug}-case-choice-{value or 'builtin'}")
                  for value, label in choices]
        links.append(dbc.Button(t("Download this case"), id=f"{slug}-case-download-btn",
                                color="secondary", size="sm", class_name="me-2"))
        return html.Div([
            html.H2(t(self.lab.title)),
            html.P(t(self.lab.summary), className="lead"),
            html.Div(links, className="mb-2"),
            html.P([t("This page shows {case}.", case=self.case_label(choice, shown))],
                   id=f"{slug}-case-shown", className="text-muted small mb-1"),
            dcc.Upload(html.Small(t("Load your own case: drop its zip here (public folder and "
                                    "case.json), or click to choose it")),
                       id=f"{slug}-case-upload", accept=".zip", max_size=uploads.MAX_UPLOAD_BYTES,
                       className="upload-box small py-2"),
            html.Div(id=f"{slug}-case-error"),
        ], className="mb-3", id=f"{slug}-header")

    def _exercise(self) -> html.Div:
        steps = lab_steps(self.lab)
        lang = current_language()
        if not steps:
            return html.Div()
        items = [dbc.AccordionItem([
            html.P(verbatim(step.instructions_in(lang))),
            html.Pre(verbatim(f"def {step.function}{step.signature}"), className="small"),
        ], title=t("Step {k}: {title} ({points} points)", k=k, title=verbatim(step.title_in(lang)),
                   points=f"{step.points:g}"), item_id=step.id)
            for k, step in enumerate(steps, start=1)]
        return html.Div([html.H4(t("Your exercise")),
                         html.P(t("Write these functions in the student notebook; each step's "
                                  "checks run when you upload it below."), className="text-muted"),
                         dbc.Accordion(items, start_collapsed=True, always_open=True)],
                        className="mb-3", id=f"{self.slug}-exercise")

    def _panel_card(self, number: int, panel: Panel, case: Case) -> dbc.Card:
        head = [html.H4([f"{number}. ", t(panel.title)])]
        if panel.intro:
            head.append(html.P(t(panel.intro), className="text-muted"))
        try:
            body = _as_list(panel.body(case))
        except (FileNotFoundError, PermissionError):  # the panel needs the case's answer key
            body = [dbc.Alert(t("This part needs the case's answer key: it shows on the "
                                "built-in case and on your course case."), color="secondary")]
        return dbc.Card(dbc.CardBody(head + body), class_name="mb-3",
                        id=f"{self.slug}-step-{panel.id}")

    def _grade_card(self, number: int) -> dbc.Card:
        slug = self.slug
        return dbc.Card(dbc.CardBody([
            html.H4([f"{number}. ", t("Upload and grade")]),
            upload_box(f"{slug}-upload", self.accept, t(self.upload_hint)),
            html.Div(id=f"{slug}-upload-error", className="mt-2"),
            html.Div(id=f"{slug}-grade-status", className="mt-2 text-muted"),
            dcc.Loading(html.Div(id=f"{slug}-grade", className="mt-3")),
            html.Div(id=f"{slug}-figures", className="mt-3"),
        ]), class_name="mb-3", id=f"{slug}-step-grade")

    # ---- registration ------------------------------------------------------------------------

    def register(self) -> None:
        """Register the page, its handout page and the framework's callbacks (once)."""
        PAGES[self.slug] = self
        dash.register_page(f"labs.{self.slug}.page", path=f"/{self.slug}",
                           name=self.name or self.slug.capitalize(),
                           title=self.name or self.slug.capitalize(), layout=self.layout)
        dash.register_page(f"labs.{self.slug}.handout", path=f"/{self.slug}/handout",
                           name=N_("Handout"), title=N_("Handout"), nav=False,
                           layout=lambda **_: handout_view(self.lab))
        if not self._registered:
            self._registered = True
            self._callbacks()

    def _callbacks(self) -> None:
        slug = self.slug
        # grading runs as a queued background job (sec-web's mechanism), never in a request
        upload_and_grade(slug, lambda path, values, say: self.grade_path(path, values[0], say),
                         outputs=[(f"{slug}-grade", "children"), (f"{slug}-figures", "children")],
                         states=[(self.case_store, "data")])

        @callback(Output(f"{slug}-case-location", "href"), Output(f"{slug}-case-error", "children"),
                  Input(f"{slug}-case-upload", "contents"),
                  State(f"{slug}-case-upload", "filename"), prevent_initial_call=True)
        def load_case(contents, filename):
            try:
                token = self.store_case(contents, filename)
            except (uploads.UploadError, ValueError) as exc:
                return no_update, error_view(str(exc))
            return f"/{slug}?case={token}", None

        @callback(Output(f"{slug}-case-download", "data"),
                  Input(f"{slug}-case-download-btn", "n_clicks"), State(self.case_store, "data"),
                  prevent_initial_call=True)
        def download(_clicks, choice):
            case = self.case_of(choice)
            return dcc.send_bytes(public_zip(case), f"{slug}-case-{case.case_id}.zip")

    # ---- what the callbacks do ---------------------------------------------------------------

    def store_case(self, contents: str, filename: str | None) -> str:
        """Keep an uploaded case zip in a scratch folder; its token, or a clear error."""
        from workbench.grading.intake import IntakeError, safe_unzip

        token, path = uploads.save_upload(contents, filename)
        folder = path.parent / "unpacked"
        try:
            safe_unzip(path, folder)
        except IntakeError as exc:
            raise ValueError(str(exc)) from None
        found = sorted(folder.rglob(CASE_FILE), key=lambda p: len(p.parts))
        if not found or found[0].parent.name != "public":
            raise ValueError(t("{file} holds no case: it needs a public folder with {meta}",
                               file=uploads.safe_name(filename), meta=CASE_FILE))
        meta = json.loads(found[0].read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("lab") != self.slug:
            raise ValueError(t("{file} is a case of another lab ({lab}), not of this one",
                               file=uploads.safe_name(filename), lab=str(meta.get("lab"))))
        # only the public files: an answer key in a zip is never used from the browser
        found[0].parent.rename(path.parent / "public-only")
        (path.parent / "case").mkdir()
        (path.parent / "public-only").rename(path.parent / "case" / "public")
        shutil.rmtree(folder, ignore_errors=True)
        return token

    def grade_view(self, token: object, choice: object) -> tuple[Any, Any]:
        """The report of the file behind an upload token (see :meth:`grade_path`)."""
        path = uploads.stored_file(token)
        return self.grade_path(path, choice) if path else (None, None)

    def grade_path(self, path: Path, choice: object,
                   say: Callable[[str], None] | None = None) -> tuple[Any, Any]:
        """Grade an uploaded file (data, code or notebook: code runs in the sandbox, the same
        path as batch grading) on the case the page shows: the report with its step report,
        and the feedback figures. A file for another case gets one sentence first."""
        from workbench.grading.check import other_case
        from workbench.grading.task import grade_any

        case = self.case_of(choice)
        other = other_case(self.lab, path, case, against="page")
        if other:  # one sentence, no grade: a format error never uses up an attempt
            return dbc.Alert(other, color="warning", id=f"{self.slug}-case-mismatch"), None
        notes: list[Any] = []
        if case.private is None:
            return html.Div(notes + [format_check(self.lab, path)]), None
        if say:
            say(t("Grading against your case…"))
        report, solution = grade_any(self.lab, case, path, lambda c: references(self.lab, c),
                                     lang=current_language())
        report = readable_report(report)
        figures = feedback_figures(self.lab, case, solution) if solution is not None else None
        return (html.Div(notes + [grade_view(report, f"{self.slug}-grade"),
                                  step_view(report.steps)]), figures)


# ---- pieces every lab page shares -----------------------------------------------------------

def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def course_case(lab: Lab) -> Case | None:
    """The signed-in student's case of this lab in the served course, if there is one."""
    try:
        from workbench.classroom.assignments import student_case
        from workbench.classroom.auth import signed_in_student

        student = signed_in_student()
        return student_case(lab, student) if student else None
    except (KeyError, FileNotFoundError, ValueError, RuntimeError, LookupError):
        return None


def public_copy(case: Case) -> Case:
    """A case without its answer key: the public folder copied once into a scratch folder
    named by the case id (the page never shows a key-based oracle of a graded case)."""
    target = Path(tempfile.gettempdir()) / "lab-workbench-public-cases" / case.case_id
    if not (target / "public" / CASE_FILE).is_file():
        partial = target.with_name(f"{case.case_id}.{uuid.uuid4().hex}")
        shutil.copytree(case.public, partial / "public")
        try:
            partial.rename(target)
        except OSError:  # another request copied it meanwhile
            shutil.rmtree(partial, ignore_errors=True)
    return Case.load(target, case.lab)


def public_zip(case: Case) -> bytes:
    """The public half of a case as a zip (``public/...``): never its answer key."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(case.public.rglob("*")):
            if path.is_file():
                zf.write(path, Path("public") / path.relative_to(case.public))
    return buffer.getvalue()


def format_check(lab: Lab, path: Path) -> Any:
    """What the page can say about a file for a case it has no answer key for."""
    intro = t("This case has only its public files here, so the page checks the file and "
              "your instructor grades it.")
    try:
        lab.read_submission(path)
    except SubmissionError as exc:
        return dbc.Alert([html.P(intro), html.Ul([html.Li(p.text()) for p in exc.problems])],
                         color="danger", id="grade-format-check")
    except Exception:  # noqa: BLE001 - code and notebooks are read by the grader, not here
        return dbc.Alert(intro, color="info", id="grade-format-check")
    return dbc.Alert([intro, " ", t("The file reads correctly.")], color="info",
                     id="grade-format-check")


STATUS_COLOURS = {"passed": "success", "failed": "danger", "error": "danger",
                  "missing": "danger", "not_done": "secondary"}


def step_view(steps: Sequence[dict[str, Any]]) -> Any:
    """The step report of a graded submission: each step's status, points and checks."""
    if not steps:
        return html.Div()
    items = []
    for k, s in enumerate(steps, start=1):
        checks = [html.Li([("✔ " if r.get("passed") else "✘ "), stored_text(r.get("message") or
                                                                         r.get("name", ""))])
                  for r in s.get("results", [])]
        items.append(html.Li([
            html.Strong([f"{k}. ", stored_text(s.get("title", ""))]), " ",
            dbc.Badge(status_text(s.get("status", "")), class_name="ms-1",
                      color=STATUS_COLOURS.get(s.get("status"), "warning")), " ",
            t("{points} of {max} points", points=f"{float(s.get('points', 0)):.1f}",
              max=f"{float(s.get('max_points', 0)):g}"),
            html.Div(stored_text(s["message"]), className="small") if s.get("message") else None,
            html.Ul(checks, className="small") if checks else None,
        ], className="mb-2"))
    return html.Div([html.H5(t("Steps")), html.Ul(items, className="list-unstyled")],
                    className="step-report")


def readable_report(report: GradeReport) -> GradeReport:
    """The report with the grader's English sentences in the reader's language."""
    return replace(report, problems=[translate_message(p) for p in report.problems],
                   criteria=[replace(c, message=translate_message(c.message))
                             for c in report.criteria])


def feedback_figures(lab: Lab, case: Case, solution: Any) -> Any:
    """The lab's feedback figures: the uploaded solution next to the control and the
    experimental classes (nothing when they cannot be drawn)."""
    try:
        refs = references(lab, case)
        figures = lab.figures(case, {"you": solution, "baseline": refs.baseline_solution,
                                     "reference": refs.reference_solution})
    except Exception:  # noqa: BLE001 - the report above already says what is wrong
        return None
    return html.Div([html.H5(t("Figures"))] + [dcc.Graph(figure=f) for f in figures])


def data_table(frame: Any, digits: int = 2, **table: Any) -> dbc.Table:
    """A data table as people read it: translated column names with the raw name in the
    header's tooltip, numbers with thousands separators, dates without a midnight time; the
    cells are data, shown as they are."""
    import pandas as pd

    def cell(value: Any, kind: Any) -> str:
        if pd.api.types.is_float_dtype(kind):
            return number(value, digits)
        if pd.api.types.is_datetime64_any_dtype(kind):
            return date_text(value)
        return verbatim(value)

    head = html.Thead(html.Tr([html.Th(t(str(c)), title=verbatim(c)) for c in frame.columns]))
    body = html.Tbody([html.Tr([html.Td(cell(v, frame[c].dtype)) for c, v in row.items()])
                       for _, row in frame.iterrows()])
    return dbc.Table([head, body], **table)


def key_figures(lab: Lab, case: Case) -> list[Any]:
    """Every metric of the control and experimental classes, and the case study's claims."""
    refs = references(lab, case)
    table = metrics_frame(lab.metrics, {t("Control class"): refs.baseline_metrics,
                                        t("Experimental class"): refs.reference_metrics})
    claims = claims_frame(lab.claims, refs.reference_metrics,
                          {t("Experimental vs control"): refs.baseline_metrics})
    return [dbc.Table.from_dataframe(table, size="sm", striped=True),
            html.H5(t("The case study's claims on this case"), className="mt-3"),
            dbc.Table.from_dataframe(claims, size="sm", bordered=True,
                                     id=f"{lab.slug}-claims")]


def handout_path(lab: Lab, lang: str) -> Path | None:
    """The lab's student handout (Chinese version first when asked and present)."""
    import workbench

    own = getattr(lab, "handout", None)
    roots = [Path(own)] if own else []
    base = Path(workbench.__file__).resolve().parent
    for docs in (base.parent / "docs" / lab.slug, base / "_docs" / lab.slug):
        roots += [docs / "handout.md", docs / "student-handout.md"]
    roots.append(base.parent / "labs" / lab.slug / "starter" / "README.md")
    for path in roots:
        localized = path.with_name(f"{path.stem}.zh{path.suffix}")
        if lang == "zh" and localized.is_file():
            return localized
        if path.is_file():
            return path
    return None


def handout_view(lab: Lab) -> html.Div:
    path = handout_path(lab, current_language())
    body = (dcc.Markdown(verbatim(path.read_text(encoding="utf-8")), className="handout")
            if path else dbc.Alert(t("This lab has no handout yet.")))
    return html.Div([dbc.Button(t("Back to the lab"), href=f"/{lab.slug}", size="sm",
                                color="secondary", outline=True, class_name="mb-3"),
                     body], id=f"{lab.slug}-handout")
