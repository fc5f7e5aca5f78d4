"""One translation function for every visible text: English source strings, Simplified Chinese
catalogue. Labs add their own strings with :func:`add_translations` from their ``page.py``.

The language is chosen per browser by the ``lang`` cookie (set by ``/lang/<code>``), so layouts
and callbacks, which run inside a Flask request, and background callbacks, which get the
request's cookies from Dash, all see the same language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT = "en"

_ZH: dict[str, str] = {}
_forced: ContextVar[str | None] = ContextVar("workbench_lang", default=None)
_recording: ContextVar[list[tuple[str, str]] | None] = ContextVar("workbench_t_calls",
                                                                  default=None)


def add_translations(zh: dict[str, str]) -> None:
    """Add English → Chinese pairs. A string translated twice differently is a bug."""
    for en, cn in zh.items():
        if en in _ZH and _ZH[en] != cn:
            raise ValueError(f"conflicting translations for {en!r}: {_ZH[en]!r} vs {cn!r}")
        _ZH[en] = cn


def current_language() -> str:
    forced = _forced.get()
    if forced:
        return forced
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover - flask ships with dash
        return DEFAULT
    if has_request_context():
        code = request.cookies.get("lang", DEFAULT)
    else:
        code = _callback_cookie_language()
    return code if code in LANGUAGES else DEFAULT


def _callback_cookie_language() -> str:
    """The ``lang`` cookie as Dash hands it to a background callback, which runs in a worker
    process without a Flask request."""
    from dash import callback_context
    from dash.exceptions import MissingCallbackContextException

    try:
        return callback_context.cookies.get("lang", DEFAULT)
    except MissingCallbackContextException:
        return DEFAULT


def use_language(code: str):
    """Force a language in this context (tests, CLI, feedback pages). Returns a reset token."""
    if code not in LANGUAGES:
        raise ValueError(f"language {code!r} not understood; use one of {', '.join(LANGUAGES)}")
    return _forced.set(code)


def reset_language(token) -> None:
    _forced.reset(token)


def t(text: str, **values: object) -> str:
    """Translate ``text`` into the current language; ``{name}`` fields are filled from values."""
    out = _ZH.get(text, text) if current_language() == "zh" else text
    out = out.format(**values) if values else out
    recorder = _recording.get()
    if recorder is not None:
        recorder.append((text, out))
    return out


def verbatim(text: object) -> str:
    """Show data as it is (an entry id, a file or sheet name): not language, never translated.

    Marking it keeps the translation tests able to tell data from a text that skipped ``t()``.
    """
    out = str(text)
    recorder = _recording.get()
    if recorder is not None:
        recorder.append((None, out))
    return out


@contextmanager
def record() -> Iterator[list[tuple[str, str]]]:
    """Collect ``(source text, rendered text)`` of every :func:`t` call in this context, so a
    test can tell translated texts from literals that bypassed :func:`t`."""
    calls: list[tuple[str, str]] = []
    token = _recording.set(calls)
    try:
        yield calls
    finally:
        _recording.reset(token)


def missing_translations(texts: list[str]) -> list[str]:
    """The texts that have no Chinese translation (for tests)."""
    return [s for s in texts if s is not None and s not in _ZH]
