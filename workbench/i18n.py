"""One translation function for every visible text, on gettext catalogues: English source
strings, a Simplified Chinese catalogue in ``workbench/locale/zh/LC_MESSAGES/workbench.po``
(compiled to ``.mo``; ``python -m workbench.locale`` extracts, updates, compiles and checks
them with Babel).

The language is chosen, in this order, by a language forced in this context
(:func:`use_language`: tests, the CLI, feedback pages), by the ``lang`` cookie of the Flask
request a layout or callback runs in (set by ``/lang/<code>``), or by the cookies Dash hands a
background callback. This module imports neither Flask nor Dash: it only asks them when a web
app already loaded them, so grading, plots and the CLI stay light.
"""

from __future__ import annotations

import gettext
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path

__all__ = ["DEFAULT", "LANGUAGES", "N_", "current_language", "language", "missing_translations",
           "record", "reset_language", "t", "use_language", "verbatim"]

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT = "en"
DOMAIN = "workbench"
LOCALE_DIR = Path(__file__).parent / "locale"

_pending: dict[str, str] = {}  # texts of code still calling the old add_translations()
_forced: ContextVar[str | None] = ContextVar("workbench_lang", default=None)
_recording: ContextVar[list[tuple[str | None, str]] | None] = ContextVar("workbench_t_calls",
                                                                         default=None)


@cache
def catalogue(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language (English is the source: no catalogue)."""
    if code == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code])


def current_language() -> str:
    """The language of this context: forced, else the browser's ``lang`` cookie, else English."""
    forced = _forced.get()
    if forced:
        return forced
    code = _request_language()
    return code if code in LANGUAGES else DEFAULT


def _request_language() -> str:
    flask = sys.modules.get("flask")
    if flask is not None and flask.has_request_context():
        return flask.request.cookies.get("lang", DEFAULT)
    if "dash" in sys.modules:
        # a background callback runs in a worker without a Flask request; Dash passes the
        # request's cookies along
        from dash import callback_context
        from dash.exceptions import MissingCallbackContextException

        try:
            return callback_context.cookies.get("lang", DEFAULT)
        except MissingCallbackContextException:
            return DEFAULT
    return DEFAULT


def use_language(code: str) -> Token:
    """Force a language in this context (tests, CLI, feedback pages). Returns a reset token."""
    if code not in LANGUAGES:
        raise ValueError(f"language {code!r} not understood; use one of {', '.join(LANGUAGES)}")
    return _forced.set(code)


def reset_language(token: Token) -> None:
    _forced.reset(token)


@contextmanager
def language(code: str) -> Iterator[str]:
    """``with language("zh"): ...`` — :func:`use_language` for a block."""
    token = use_language(code)
    try:
        yield code
    finally:
        reset_language(token)


def t(text: str, **values: object) -> str:
    """Translate ``text`` into the current language; ``{name}`` fields are filled from values."""
    code = current_language()
    out = catalogue(code).gettext(text) if text else text
    if out is text and code == "zh":
        out = _pending.get(text, text)
    out = out.format(**values) if values else out
    recorder = _recording.get()
    if recorder is not None:
        recorder.append((text, out))
    return out


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a source string for the catalogue where it is defined (a label in a table); it is
    translated later with ``t(variable)``."""
    return text


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
def record() -> Iterator[list[tuple[str | None, str]]]:
    """Collect ``(source text, rendered text)`` of every :func:`t` call in this context (and
    ``(None, text)`` for :func:`verbatim`), so a test can tell translated texts from literals
    that bypassed :func:`t`."""
    calls: list[tuple[str | None, str]] = []
    token = _recording.set(calls)
    try:
        yield calls
    finally:
        _recording.reset(token)


def missing_translations(texts: Iterable[str | None], code: str = "zh") -> list[str]:
    """The source texts the catalogue of ``code`` does not translate (for tests)."""
    known = catalogue(code)._catalog  # type: ignore[attr-defined]  # gettext's message table
    return [s for s in texts if s is not None and s not in known]
