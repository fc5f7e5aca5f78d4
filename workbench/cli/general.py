"""Sub-commands: serve, labs, solve, data (generate, refresh, verify), reproduce."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click
from tqdm import tqdm

from workbench.cli.common import BadInput, _all_labs, _case, _echo_json, _fail, _lab, main
from workbench.lab import SIZES

COURSE_ENV = "WORKBENCH_COURSE"  # read by workbench.classroom.course


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Dash's development server with reloading.")
@click.option("--course", "course_dir", type=click.Path(file_okay=False, exists=True),
              help="Serve this course folder (made by `workbench assign`): sign-in, "
              "attempts, gradebook pages. Sets WORKBENCH_COURSE.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(min=1),
              help="Worker threads of the WSGI server (a class of 40 needs about 8).")
@click.option("--db", envvar="WORKBENCH_DB", metavar="URL",
              help="The course's database (roster, accounts, attempts, grades): a SQLAlchemy "
              "URL such as postgresql+psycopg://user:pass@host/course, or an SQLite path "
              "(default COURSE/gradebook.sqlite). Sets WORKBENCH_DB.")
@click.option("--jobs", envvar="WORKBENCH_JOBS", metavar="URL|DIR",
              help="Background jobs: redis://host:6379/0 to share them between several serving "
              "processes (Celery; start workers with `celery -A workbench.app.worker worker`),"
              " or a private folder (default: a new one per process). Sets WORKBENCH_JOBS.")
def serve(host: str, port: int, debug: bool, course_dir: str | None, threads: int,
          db: str | None, jobs: str | None) -> None:
    """Serve the web app (waitress, a production WSGI server, unless --debug)."""
    if course_dir is not None:
        os.environ[COURSE_ENV] = str(Path(course_dir).resolve())
    if jobs:
        os.environ["WORKBENCH_JOBS"] = jobs
    if db:
        from workbench.store import check_database

        try:
            check_database(db)
        except ValueError as exc:
            raise BadInput(f"--db {exc}") from None
        os.environ["WORKBENCH_DB"] = db
    try:
        from workbench.app import create_app
    except ImportError as exc:
        _fail(f"the web app is not available in this installation ({exc})")
    try:
        app = create_app()
    except RuntimeError as exc:  # a jobs folder open to others, Celery missing...
        _fail(str(exc))
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    from waitress import serve as waitress_serve

    click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    waitress_serve(app.server, host=host, port=port, threads=threads)


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
    """Solve a case with one of the lab's methods and write it as a submission file.

    Every method but the baseline needs the instructor's copy of the case (with private/): the
    reference solution is the answer a student works out, not a command to run.
    """
    the_lab = _lab(lab)
    case = _case(the_lab, case_dir)
    if case.private is None and method != "baseline":
        raise BadInput(f"{case.root} holds only the public files of case {case.case_id} (no "
                       f"private/ folder): the {method} method is for instructors and needs "
                       "the instructor's copy of the case; a student works the answer out in "
                       "the lab's notebook")
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
    from workbench.grading.check import stamp_case_id

    stamp_case_id(the_lab, Path(path), case.case_id)  # so a check on another case says so
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
    if case.private is not None:
        from workbench.private import tighten

        tighten(case.private)  # the answer key: 0700/0600
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
        # A lab whose figures rest on a designed scenario says so with every verdict.
        under = " under this scenario" if entry.get("scenario") else ""
        if entry.get("scenario"):
            click.echo(f"  scenario: {entry['scenario']}")
        for c in entry["claims"]:
            ci = c["ci95"]
            interval = f"[{ci[0]:.4g}, {ci[1]:.4g}]" if None not in ci else "[n/a]"
            measured = "n/a" if c["measured"] is None else f"{c['measured']:.4g}"
            click.echo(f"  {c['name']}: claimed {c['claimed']}, measured {measured} "
                       f"95% CI {interval} -> "
                       f"{('holds' + under) if c['holds'] else 'DOES NOT HOLD'}")
        for name, rows in entry["sensitivity"].items():
            shown = ", ".join(
                f"{r['name']}={'n/a' if r['measured'] is None else format(r['measured'], '.4g')}"
                + (f" [{r['ci95'][0]:.4g}, {r['ci95'][1]:.4g}]" if None not in r["ci95"] else "")
                for r in rows)
            click.echo(f"  against {name}: {shown}")
