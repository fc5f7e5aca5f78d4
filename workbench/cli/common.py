"""The ``workbench`` command group and the helpers every sub-command uses."""

from __future__ import annotations

import importlib
import json
from typing import Any, NoReturn

import click

from workbench import registry
from workbench.lab import Case, Lab


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


class LazyGroup(click.Group):
    """A group whose heavier sub-commands are imported only when used (click's documented
    lazy-loading pattern): the classroom commands pull in the whole web app."""

    lazy = {"user": "workbench.classroom.cli:user", "demo": "workbench.classroom.cli:demo"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.lazy:
            return super().get_command(ctx, name)
        module, attr = self.lazy[name].split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except Exception as exc:  # a broken optional part must not break the other commands
            return _unavailable(name, exc)


def _unavailable(name: str, exc: Exception) -> click.Command:
    def run() -> None:
        _fail(f"`workbench {name}` is not available in this installation ({exc})")

    return click.Command(name, callback=run, help=f"(not available: {exc})")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Lab Workbench: practical-training labs with auto-grading.

    Exit codes: 0 done, 1 failed (invalid submission in `check`, data drift in `data verify`),
    2 bad input. `reproduce` exits 0 even when a claim does not hold: it reports.
    """
    import os

    os.umask(os.umask(0) | 0o022)  # whatever the shell's umask, nothing we write is writable
    # by group or others
