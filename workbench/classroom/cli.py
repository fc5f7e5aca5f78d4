"""``workbench user`` (accounts of a course) and ``workbench demo`` (the classroom demo).

Attach to the main command with ``main.add_command(user)`` and ``main.add_command(demo)``.
"""

from __future__ import annotations

import os
import webbrowser

import click

from workbench.classroom.course import ENV


def _use_course(course: str) -> None:
    os.environ[ENV] = str(course)


@click.group()
@click.option("--db", envvar="WORKBENCH_DB", metavar="URL",
              help="The course's database when it is not COURSE/gradebook.sqlite (the URL "
              "given to `serve --db`, e.g. postgresql+psycopg://...). Sets WORKBENCH_DB.")
def user(db: str | None) -> None:
    """Accounts of a course: instructors (password) and students' passphrases."""
    if db:
        os.environ["WORKBENCH_DB"] = db


@user.command("add")
@click.argument("username")
@click.option("--course", required=True, type=click.Path(file_okay=False),
              help="The course folder (as made by `workbench assign`).")
@click.option("--role", type=click.Choice(["instructor", "student"]), default="instructor",
              show_default=True, help="student: USERNAME is a student id, the password a "
              "passphrase they sign in with.")
@click.option("--generate", is_flag=True,
              help="Make a random passphrase (printed once) instead of asking for one.")
@click.option("--password", help="Asked for when not given (never stored in clear: scrypt "
              "hash).")
@click.option("--replace", is_flag=True, help="Set a new password for an existing user (their "
              "sessions end).")
def add(username: str, course: str, role: str, generate: bool, password: str | None,
        replace: bool) -> None:
    """Create a user who can sign in to the course's web app."""
    from workbench.classroom.auth import AuthError, add_user, new_passphrase

    _use_course(course)
    if generate and password:
        raise click.BadParameter("give --password or --generate, not both")
    if generate:
        password = new_passphrase()
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        add_user(username, password, role, replace=replace)
    except AuthError as exc:
        raise click.BadParameter(str(exc)) from None
    click.echo(f"{'Updated' if replace else 'Added'} {role} {username} in {course}")
    if generate:
        click.echo(f"passphrase of {username}: {password}")


@user.command("passphrases")
@click.argument("lab")
@click.option("--course", required=True, type=click.Path(file_okay=False, exists=True))
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="CSV of student_id,passphrase to hand out (written readable by you only).")
@click.option("--replace", is_flag=True,
              help="New passphrases for students who have one already (their sessions end).")
def passphrases(lab: str, course: str, out: str, replace: bool) -> None:
    """Issue a random passphrase to every student on LAB's roster who has none yet."""
    import csv
    import os

    from workbench.classroom.auth import add_user, list_users, new_passphrase
    from workbench.classroom.course import gradebook

    _use_course(course)
    roster = gradebook().roster(lab)
    if not roster:
        raise click.BadParameter(f"no roster of lab {lab!r} in {course}; run `workbench assign "
                                 f"{lab} --roster ROSTER.csv --out {course}` first")
    have = {name for name, role in list_users() if role == "student"}
    issued = {}
    for student in sorted(roster):
        if student in have and not replace:
            continue
        issued[student] = new_passphrase()
        add_user(student, issued[student], "student", replace=student in have)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student_id", "passphrase"])
        writer.writerows(sorted(issued.items()))
    click.echo(f"{len(issued)} passphrases written to {out} (hand each student theirs; "
               f"{len(roster) - len(issued)} students kept theirs)")


@user.command("list")
@click.option("--course", required=True, type=click.Path(file_okay=False, exists=True))
def list_(course: str) -> None:
    """List the users of a course (names and roles, never passwords)."""
    from workbench.classroom.auth import list_users
    from workbench.classroom.course import class_code

    _use_course(course)
    for name, role in list_users():
        click.echo(f"{name}\t{role}")
    click.echo(f"class code: {class_code()}", err=True)


@user.command("remove")
@click.argument("username")
@click.option("--course", required=True, type=click.Path(file_okay=False, exists=True))
def remove(username: str, course: str) -> None:
    """Remove a user (their grades stay in the gradebook)."""
    from workbench.classroom.auth import remove_user

    _use_course(course)
    if not remove_user(username):
        raise click.BadParameter(f"no user {username} in {course}")
    click.echo(f"Removed {username}")


@click.command()
@click.option("--lab", help="Open this lab's story (default: the list of labs).")
@click.option("--seed", type=click.IntRange(0, 2**31 - 1),
              help="Tell the story on the case of this seed (default: the lab's default case);"
                   " the same seed replays the same story.")
@click.option("--size", type=click.Choice(["tiny", "class"]), default="class", show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--open/--no-open", "open_browser", default=True, show_default=True,
              help="Open the story in the default web browser.")
@click.option("--prepare", is_flag=True,
              help="Before class: compute every step of the story (this lab's, or every lab's) "
                   "once and exit; in class each step then appears at once.")
def demo(lab: str | None, seed: int | None, size: str, host: str, port: int,
         open_browser: bool, prepare: bool) -> None:
    """Serve the demo mode: each lab as a short story, full screen, keys → ← and F.

    Works with no internet: everything the pages need is served by the app itself.
    """
    from workbench.registry import labs

    if lab is not None and lab not in labs():
        raise click.BadParameter(f"unknown lab {lab!r}; installed: {', '.join(labs())}",
                                 param_hint="--lab")
    if prepare:
        from workbench.app.story import prepare as prepare_story
        from workbench.i18n import t

        for slug in [lab] if lab else list(labs()):
            seconds = prepare_story(labs()[slug], seed, size,
                                    say=lambda line: click.echo(line, err=True))
            click.echo(t("{lab}: the story is ready ({seconds:.0f} s)", lab=slug,
                         seconds=seconds), err=True)
        return
    from waitress import serve

    from workbench.app import create_app
    query = f"?seed={seed}&size={size}" if seed is not None else ""
    url = f"http://{host}:{port}/demo" + (f"/{lab}" if lab else "") + query
    app = create_app()
    click.echo(f"Demo on {url} (Ctrl+C to stop)", err=True)
    if open_browser:
        webbrowser.open(url)
    serve(app.server, host=host, port=port, threads=8)
