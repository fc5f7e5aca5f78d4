"""Page callbacks for every app of the process, and the background-callback manager.

Page modules declare their callbacks with ``dash.callback`` when they are imported, the usual
Dash Pages pattern. Dash parks those in module globals and hands them to the first app that
serves a request, but a module is imported only once per process while ``create_app()`` may
run several times (tests, the CLI's checks). So the shell takes them over once and gives each
app its own copy.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import dash
from dash import _callback  # the only home of the globals that dash.callback fills

_SPECS: dict[str, dict[str, Any]] = {}  # what the browser is told, by output id
_MAP: dict[str, dict[str, Any]] = {}  # what the server runs, by output id


def cache_dir() -> Path:
    """Where background callbacks keep their results and progress."""
    return Path(tempfile.gettempdir()) / "lab-workbench-callbacks"


@cache
def background_manager() -> dash.DiskcacheManager:
    """One diskcache manager per process: jobs run in worker processes, results go on disk."""
    import diskcache

    return dash.DiskcacheManager(diskcache.Cache(str(cache_dir())), expire=3600)


def adopt_page_callbacks(app: dash.Dash) -> None:
    """Move the callbacks pages declared so far into this process's collection and give
    ``app`` its own copy of all of them."""
    _SPECS.update((spec["output"], spec) for spec in _callback.GLOBAL_CALLBACK_LIST)
    _MAP.update(_callback.GLOBAL_CALLBACK_MAP)
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()
    known = set(app.callback_map)
    app._callback_list.extend(dict(spec) for out, spec in _SPECS.items() if out not in known)
    for output, entry in _MAP.items():
        if output not in known:
            # Dash pops keys of a background entry at start-up: each app gets its own dicts.
            copy = dict(entry)
            if isinstance(copy.get("background"), dict):
                copy["background"] = dict(copy["background"])
            app.callback_map[output] = copy
