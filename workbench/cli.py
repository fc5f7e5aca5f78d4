"""The ``workbench`` command: serve the app, make data, solve, grade, self-check, reproduce.

Exit codes: 0 done (a batch where some submissions score 0 is still done; ``reproduce`` exits 0
even when a claim does not hold — it reports), 1 a failure (``check``: the submission is not
valid; ``data verify``: files differ from the manifest; a lab raised an error), 2 bad input
(unknown lab, missing case folder, wrong option). Progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import click
from tqdm import tqdm

from workbench import registry
from workbench.grading.exports import FORMATS, export
from workbench.grading.report import GradeReport
from workbench.lab import SIZES, Case, Lab


class BadInput(click.ClickException):
    """A mistake in the command line or its files: one sentence, exit code 2."""

    exit_code = 2


def _lab(slug: str) -> Lab:
    try:
        return registry.get_lab(slug)
    except KeyError as exc:
        raise BadInput(exc.args[0]) from None
    except Exception as exc:  # a broken lab package: say which, no traceback
        raise click.ClickException(f"the installed labs could not be loaded: {exc}") from None


def _all_labs(slug: str | None) -> list[Lab]:
    if slug:
        return [_lab(slug)]
    try:
        found = list(registry.labs().values())
    except Exception as exc:
        raise click.ClickException(f"the installed labs could not be loaded: {exc}") from None
    if not found:
        raise BadInput("no labs are installed (entry-point group workbench.labs is empty)")
    return found


def _case(lab: Lab, folder: str) -> Case:
    try:
        return Case.load(folder, lab.slug)
    except (FileNotFoundError, ValueError) as exc:
        raise BadInput(str(exc)) from None


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=1, ensure_ascii=False))


def _fail(message: str) -> NoReturn:
    raise click.ClickException(message)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Lab Workbench: practical-training labs with auto-grading.

    Exit codes: 0 done, 1 failed (invalid submission in `check`, data drift in `data verify`),
    2 bad input. `reproduce` exits 0 even when a claim does not hold: it reports.
    """


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Dash's development server with reloading.")
def serve(host: str, port: int, debug: bool) -> None:
    """Serve the web app (waitress, a production WSGI server, unless --debug)."""
    try:
        from workbench.app import create_app
    except ImportError as exc:
        _fail(f"the web app is not available in this installation ({exc})")
    app = create_app()
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    from waitress import serve as waitress_serve

    click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    waitress_serve(app.server, host=host, port=port)


@main.command("labs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_labs(as_json: bool) -> None:
    """List the installed labs and the case-study claims they reproduce."""
    found = _all_labs(None)
    data = [{"lab": lab.slug, "title": lab.title,
             "claims": [{"name": c.name, "claimed": c.claimed, "description": c.description}
                        for c in lab.claims]} for lab in found]
    if as_json:
        _echo_json(data)
        return
    for entry in data:
        click.echo(f"{entry['lab']}: {entry['title']}")
        for c in entry["claims"]:
            click.echo(f"  {c['name']}: {c['claimed']} — {c['description']}")


@main.command()
@click.argument("lab")
@click.option("--method", required=True,
              help="baseline, reference, or the name of a sensitivity baseline.")
@click.option("--case", "case_dir", required=True, type=click.Path(file_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def solve(lab: str, method: str, case_dir: str, out: str, as_json: bool) -> None:
    """Solve a case with one of the lab's methods and write it as a submission file."""
    the_lab = _lab(lab)
    case = _case(the_lab, case_dir)
    click.echo(f"Solving case {case.case_id} with the {method} method…", err=True)
    if method in ("baseline", "reference"):
        solution = getattr(the_lab, method)(case)
    else:
        others = the_lab.sensitivity_baselines(case)
        if method not in others:
            known = ", ".join(["baseline", "reference", *others])
            raise BadInput(f"method {method!r} not understood; use one of {known}")
        solution = others[method]
    try:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        path = the_lab.write_submission(solution, Path(out))
    except OSError as exc:
        raise BadInput(f"{out}: cannot write the solution there ({exc.strerror})") from None
    if as_json:
        _echo_json({"lab": lab, "method": method, "case_id": case.case_id, "path": str(path)})
    else:
        click.echo(f"Wrote the {method} solution of case {case.case_id} to {path}")


@main.group()
def data() -> None:
    """Generate cases and keep the committed default datasets in sync with the generators."""


@data.command()
@click.argument("lab")
@click.option("--seed", required=True, type=click.IntRange(min=0),
              help="Same seed, same files.")
@click.option("--size", default="class", show_default=True, type=click.Choice(SIZES))
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="A new or empty folder; gets public/ (for students) and private/ (key).")
def generate(lab: str, seed: int, size: str, out: str) -> None:
    """Generate the case of one seed (hand out only its public/ folder)."""
    the_lab, folder = _lab(lab), Path(out)
    if folder.exists() and any(folder.iterdir()):
        raise BadInput(f"{folder} is not empty; choose a new folder or delete it first")
    case = the_lab.make_case(seed, size, out=folder)
    click.echo(f"Wrote case {case.case_id} of {lab} ({size}) to {folder}: give students "
               f"{case.public}, keep {folder / 'private'}")


@data.command()
@click.argument("lab", required=False)
def refresh(lab: str | None) -> None:
    """Regenerate the committed default cases (datasets/) and their manifest, on purpose."""
    from workbench.datasets import refresh as refresh_datasets

    labs = _all_labs(lab)
    for one in tqdm(labs, desc="refresh", unit="lab", file=sys.stderr):
        refresh_datasets([one])
    click.echo(f"Refreshed datasets of {', '.join(x.slug for x in labs)}")


@data.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def verify(as_json: bool) -> None:
    """Regenerate every default case and compare its sha256 sums with datasets/manifest.json."""
    from workbench.datasets import manifest, sha256_tree

    try:
        entries = manifest().get("labs", {})
    except (FileNotFoundError, ValueError) as exc:
        raise BadInput(f"the datasets manifest cannot be read ({exc})") from None
    labs = [lab for lab in _all_labs(None) if lab.slug in entries]
    if not labs:
        raise BadInput("datasets/manifest.json lists none of the installed labs; run "
                       "`workbench data refresh` first")
    results = {}
    for lab in tqdm(labs, desc="verify", unit="lab", file=sys.stderr):
        entry = entries[lab.slug]
        with tempfile.TemporaryDirectory() as tmp:
            case = lab.make_case(entry["seed"], entry["size"], out=Path(tmp) / lab.slug)
            sums = sha256_tree(case.root)
        expected = entry.get("sha256", {})
        results[lab.slug] = sorted(k for k in sums.keys() | expected.keys()
                                   if sums.get(k) != expected.get(k))
    if as_json:
        _echo_json({slug: {"ok": not diff, "differ": diff} for slug, diff in results.items()})
    else:
        for slug, diff in results.items():
            click.echo(f"{slug}: " + ("ok" if not diff else "differs: " + ", ".join(diff[:10])))
    if any(results.values()):
        _fail("regenerated files differ from the manifest; if the generator changed on "
              "purpose, run `workbench data refresh`")


@main.command()
@click.argument("lab")
@click.argument("submissions", nargs=-1, required=True, type=click.Path())
@click.option("--case", "case_dir", required=True, type=click.Path(file_okay=False),
              help="The instructor's case folder (with private/).")
@click.option("--db", help="Gradebook: SQLite file path or SQLAlchemy URL. Without --db "
              "nothing is stored (e.g. --db course/gradebook.sqlite).")
@click.option("--resume", is_flag=True, help="Skip files already graded in --db.")
@click.option("--export", "export_fmt", type=click.Choice(FORMATS), help="Gradebook export.")
@click.option("--out", type=click.Path(), help="Where --export writes.")
@click.option("--assignment", default="", help="Assignment column name (Canvas export).")
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False),
              help="Write one HTML feedback page per submission into this folder.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of reports.")
def grade(lab: str, submissions: tuple[str, ...], case_dir: str, db: str | None, resume: bool,
          export_fmt: str | None, out: str | None, assignment: str, feedback_dir: str | None,
          as_json: bool) -> None:
    """Grade submission files against a case; a bad file scores 0 and the batch goes on.

    Per metric: 0 points at the baseline's value, full points at the reference's, up to a
    20 % bonus beyond it (BONUS_CAP = 0.2), so a score may exceed the maximum. Each file is
    stored under its name without suffix (its folder's name when names repeat).
    """
    from workbench.grading.batch import grade_batch, student_keys

    the_lab = _lab(lab)
    case = _case(the_lab, case_dir)
    if case.private is None:
        raise BadInput(f"{case.root} has no private/ folder (answer key); grade with the "
                       "instructor's copy of the case")
    if export_fmt and not out:
        raise BadInput("--export needs --out (a file, or a folder for gradescope)")
    if export_fmt == "gradescope" and str(out).endswith(".json") and len(submissions) != 1:
        raise BadInput(f"{out}: one results.json holds one submission; give a folder")
    if resume and not db:
        raise BadInput("--resume needs --db (the gradebook to resume from)")
    try:
        student_keys([Path(s) for s in submissions])
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    gradebook = _gradebook(db)
    graded = grade_batch(the_lab, case, [Path(s) for s in submissions],
                         gradebook=gradebook, resume=resume, feedback_dir=feedback_dir)
    if export_fmt and out:
        try:
            written = export(export_fmt, graded, out, assignment=assignment or the_lab.title)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
        click.echo(f"Exported {len(graded)} grades ({export_fmt}) to "
                   f"{written[0] if len(written) == 1 else out}", err=True)
    if as_json:
        _echo_json([{"student": student, **report.to_dict()} for student, report in graded])
        return
    for student, report in graded:
        _print_report(student, report)


def _gradebook(db: str | None) -> Any:
    from sqlalchemy.exc import SQLAlchemyError

    from workbench.store import Gradebook

    if not db:
        click.echo("Not stored: pass --db course/gradebook.sqlite to keep these grades.",
                   err=True)
        return None
    try:
        return Gradebook(db)
    except (SQLAlchemyError, ImportError, OSError) as exc:
        raise BadInput(f"--db {db}: the gradebook cannot be opened ({exc})") from None


def _print_report(student: str, report: GradeReport) -> None:
    state = "valid" if report.valid else "NOT VALID"
    click.echo(f"{student}: {report.score:.2f} / {report.max_score:g} ({state})")
    for problem in report.problems:
        click.echo(f"  problem: {problem}")


@main.command()
@click.argument("lab")
@click.argument("submission", type=click.Path())
@click.option("--case", "case_dir", required=True, type=click.Path(file_okay=False),
              help="Your case folder (its public/ part is enough).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check(lab: str, submission: str, case_dir: str, as_json: bool) -> None:
    """Self-check a submission: is it valid, and the metrics you may see. Exit 1 if invalid.

    With only the public part of a case, metrics that need the answer key are not shown and
    no score is given; with a full case (e.g. one you generated), you get the full grade.
    """
    from workbench.grading.check import self_check

    the_lab = _lab(lab)
    case = _case(the_lab, case_dir)
    if case.private is not None:
        click.echo("Full case: solving the baseline and reference to score against…", err=True)
    result = self_check(the_lab, case, submission)
    if as_json:
        _echo_json(result)
    else:
        click.echo(f"{submission}: {'valid' if result['valid'] else 'NOT VALID'}")
        for problem in result["problems"]:
            click.echo(f"  problem: {problem}")
        for name, value in result["metrics"].items():
            click.echo(f"  {name} = {value}")
        if "score" in result:
            click.echo(f"  score {result['score']:.2f} / {result['max_score']:g}")
        if result.get("note"):
            click.echo(f"  note: {result['note']}")
    if not result["valid"]:
        sys.exit(1)


@main.command("reproduce")
@click.argument("lab", required=False)
@click.option("--seeds", default=5, show_default=True, type=click.IntRange(min=1))
@click.option("--size", default="class", show_default=True, type=click.Choice(SIZES))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Solve seeds in this many processes.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def reproduce_command(lab: str | None, seeds: int, size: str, workers: int,
                      as_json: bool) -> None:
    """Measure each lab's claims over seeds 0..N-1 with 95 % intervals (exit 0 even when a
    claim does not hold: the report says so)."""
    from workbench.reproduce import reproduce

    result = reproduce(_all_labs(lab), seeds=seeds, size=size, workers=workers)
    if as_json:
        _echo_json(result)
        return
    for entry in result["labs"]:
        click.echo(entry["lab"])
        for c in entry["claims"]:
            ci = c["ci95"]
            interval = f"[{ci[0]:.4g}, {ci[1]:.4g}]" if None not in ci else "[n/a]"
            measured = "n/a" if c["measured"] is None else f"{c['measured']:.4g}"
            click.echo(f"  {c['name']}: claimed {c['claimed']}, measured {measured} "
                       f"95% CI {interval} -> {'holds' if c['holds'] else 'DOES NOT HOLD'}")
        for name, rows in entry["sensitivity"].items():
            shown = ", ".join(f"{r['name']}={'n/a' if r['measured'] is None else format(r['measured'], '.4g')}"
                              for r in rows)
            click.echo(f"  against {name}: {shown}")
