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
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path

__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "N_",
    "current_language",
    "date_text",
    "is_share",
    "language",
    "metric_value",
    "missing_translations",
    "money",
    "number",
    "percent",
    "points",
    "problem_text",
    "record",
    "reset_language",
    "stored_text",
    "t",
    "translate_message",
    "use_language",
    "verbatim",
]

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT = "en"
DOMAIN = "workbench"
LOCALE_DIR = Path(__file__).parent / "locale"

_forced: ContextVar[str | None] = ContextVar("workbench_lang", default=None)
_recording: ContextVar[list[tuple[str | None, str]] | None] = ContextVar(
    "workbench_t_calls", default=None
)


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
        except (MissingCallbackContextException, LookupError):  # a thread: no context
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
    out = catalogue(current_language()).gettext(text) if text else text
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


# ---- sentences composed elsewhere (grader messages stored in English) ------------------------

_FIELD = re.compile(r"(?<!\{)\{(\w+)(?:[:!][^}]*)?\}")


def _literal(text: str) -> str:
    """The pattern of a template's literal text (``{{`` and ``}}`` are single braces)."""
    return re.escape(text.replace("{{", "{").replace("}}", "}"))


@cache
def _templates(code: str, places: bool = False) -> list[tuple[re.Pattern[str], str]]:
    """Catalogue entries with ``{fields}`` and enough words of their own to be recognised,
    as patterns: the longest (most specific) first. ``places``: also the short ones that name
    a place in a file (``row {row}``), tried only on the place before a problem's message."""
    found = []
    for msgid in catalogue(code)._catalog:  # type: ignore[attr-defined]
        if not isinstance(msgid, str) or "{" not in msgid:
            continue
        literal = _FIELD.sub("", msgid)
        prefix = msgid[: msgid.index("{")]
        letters = sum(ch.isalpha() for ch in literal)
        # enough words of its own to be recognised: 8 letters, or a label like "Step: {title}"
        if letters < (3 if places else 8) and sum(ch.isalpha() for ch in prefix) < 4:
            continue
        parts, names, pos = [], [], 0
        for match in _FIELD.finditer(msgid):
            parts.append(_literal(msgid[pos : match.start()]))
            name = match.group(1)
            # a sentence's leading field never holds the "place: " before a problem, nor does
            # a field of data (a vehicle id), but for a quoted error
            data = name in DATA_FIELDS and name not in ("error", "example")
            any_text = "(?:(?!: ).)+?" if match.start() == 0 or data else ".+?"
            parts.append(f"(?P<{name}>{any_text})" if name not in names else f"(?P={name})")
            names.append(name)
            pos = match.end()
        parts.append(_literal(msgid[pos:]))
        try:
            found.append((re.compile("".join(parts), re.DOTALL), msgid, len(literal)))
        except re.error:
            continue
    found.sort(key=lambda item: -item[2])
    return [(pattern, msgid) for pattern, msgid, _ in found]


def translate_message(text: str) -> str:
    """Translate a sentence composed in English elsewhere (a grader's reason, a reader's
    problem) by recognising the catalogue's template it was formatted from; its fields are
    translated in turn (a metric's title, several reasons joined by "; "). Unrecognised text is
    returned as it is, and a test recording translations sees it as missing."""
    code = current_language()
    out = _translated_message(text, code, depth=0)
    recorder = _recording.get()
    if recorder is not None:
        recorder.append((text if out is None else None, text if out is None else out))
    return text if out is None else out


def stored_text(text: str) -> str:
    """A text a report stored in the language it was graded in (a step's title, a check's
    message): translated when the catalogue knows it (as :func:`translate_message`), else shown
    as it is — it is in the reader's language already, or it is data."""
    out = _translated_message(text, current_language(), depth=0) if text else None
    if out is None:
        return verbatim(text)
    recorder = _recording.get()
    if recorder is not None:
        recorder.append((None, out))
    return out


def _translated_message(text: str, code: str, depth: int) -> str | None:
    known = catalogue("zh")._catalog  # type: ignore[attr-defined]
    if text in known:
        return catalogue(code).gettext(text)
    if depth > 6:
        return None
    found = _recognised(text, code, depth, _templates("zh"))
    if found is not None:
        return found
    if "; " in text:
        parts = [_translated_message(part, code, depth + 1) for part in text.split("; ")]
        if all(part is not None for part in parts):
            return ("；" if code == "zh" else "; ").join(parts)  # type: ignore[arg-type]
    return _placed(text, code, depth)


def _recognised(
    text: str, code: str, depth: int, templates: list[tuple[re.Pattern[str], str]]
) -> str | None:
    for pattern, msgid in templates:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        data = _data_fields(msgid)
        values = {
            name: value if name in data else _field(value, code, depth)
            for name, value in match.groupdict().items()
        }
        return _FIELD.sub(lambda m: "{" + m.group(1) + "}", catalogue(code).gettext(msgid)).format(
            **values
        )
    return None


# fields that hold data in every sentence of the catalogue (a file, a value, a count, an id):
# shown as they are, never taken for a text to translate ("s" is also the unit "seconds")
DATA_FIELDS = frozenset(
    "absent account allowed budget byte cols column credit customer debit depth entry error "
    "example excess file fields first format found gap header held high k key keys kind last "
    "late limit loss low missing n name output part path ratio ref region routes row rows "
    "score seq sheet sheets size stop suffix total value values vehicle vehicles".split()
)


@cache
def _data_fields(msgid: str) -> frozenset[str]:
    """The fields of a template that hold data: named in ``DATA_FIELDS`` or shown as
    ``repr`` (``{value!r}``)."""
    return frozenset(
        m.group(1)
        for m in _FIELD.finditer(msgid)
        if m.group(1) in DATA_FIELDS or "!r" in m.group(0)
    )


def _placed(text: str, code: str, depth: int) -> str | None:
    """``place: message`` (a problem as ``str(problem)`` stores it): the message recognised,
    the place (a file name, ``row 3``, ``vehicle V01, stop 17``, ``Fresh case 2``) translated
    where it is language and kept where it is data."""
    start = 0
    while (cut := text.find(": ", start)) > 0:
        message = _translated_message(text[cut + 2 :], code, depth + 1)
        if message is not None:
            return place_text(text[:cut], code) + _colon(code) + message
        start = cut + 2
    return None


def _colon(code: str) -> str:
    return "：" if code == "zh" else ": "


def place_text(place: str, code: str | None = None) -> str:
    """Where a problem is (``broken.json: row 3``): each part translated when the catalogue
    knows it (``row {row}``, ``the fleet``), else kept as it is (a file name, a key of the file
    format such as ``format``: a single word is taken for data)."""
    code = code or current_language()
    known = catalogue("zh")._catalog  # type: ignore[attr-defined]
    parts = []
    for part in place.split(": "):
        if " " in part and part in known:
            parts.append(catalogue(code).gettext(part))
            continue
        found = _recognised(part, code, 5, _templates("zh", places=True))
        parts.append(part if found is None else found)
    return _colon(code).join(parts)


def problem_text(problem: object) -> str:
    """A reader's problem in the current language: a :class:`~workbench.lab.Problem` with a
    template is translated from it (its data kept as it is); a stored sentence
    (``str(problem)``) or a problem without a template is recognised by
    :func:`translate_message`."""
    template = getattr(problem, "template", "")
    if not template:
        return translate_message(str(problem))
    params = dict(getattr(problem, "params", None) or {})
    try:
        message = t(template, **params)
    except (KeyError, IndexError, ValueError):  # a stored problem whose values lost their type
        return translate_message(str(problem))
    where = str(getattr(problem, "where", ""))
    if not where:
        return message
    # the place's words translated, its data kept; the message went through t() above
    return verbatim(place_text(where) + _colon(current_language()) + message)


def _field(value: str, code: str, depth: int) -> str:
    """A field of a recognised sentence: translated when it is language, else kept (data)."""
    out = _translated_message(value, code, depth + 1)
    return value if out is None else out


# ---- numbers as people read them (Babel's CLDR data, in the current language) ----------------


def _locale() -> str:
    return "zh_Hans_CN" if current_language() == "zh" else "en_US"


def number(value: float, digits: int = 1) -> str:
    """``40951616.47`` → ``40,951,616.5``; a missing or infinite value → ``—``."""
    from babel.numbers import format_decimal

    if value is None or value != value or value in (float("inf"), float("-inf")):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=_locale())


def percent(fraction: float, digits: int = 1) -> str:
    """``0.008151`` → ``0.8%``."""
    from babel.numbers import format_percent

    if fraction is None or fraction != fraction:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return format_percent(fraction, format=pattern, locale=_locale())


def money(amount: float, currency: str = "CNY") -> str:
    """``40951616.47`` → ``CN¥40,951,616.47`` (thousands separators and the currency)."""
    from babel.numbers import format_currency

    if amount is None or amount != amount:
        return "—"
    return format_currency(amount, currency, locale=_locale())


def date_text(value: object) -> str:
    """A date or timestamp without a midnight time: ``2024-03-01 00:00:00`` → ``2024-03-01``."""
    import datetime as dt

    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == dt.time() else "%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def points(score: float, max_points: float) -> str:
    """Points out of a maximum; above it the bonus is said as such: ``100 / 100 +0.7 bonus``
    rather than ``100.7 / 100``."""
    if score > max_points + 1e-9:
        return f"{number(max_points, 1)} / {max_points:g} " + t(
            "+{bonus} bonus", bonus=number(score - max_points, 1)
        )
    return f"{number(score, 1)} / {max_points:g}"


_SHARE_WORDS = ("rate", "fraction", "utilisation", "factor", "loss", "recall", "precision")


def is_share(metric: object) -> bool:
    """A metric whose values are shares of a whole (0.0082 reads as 0.82 %)."""
    unit = str(getattr(metric, "unit", "") or "")
    name = str(getattr(metric, "name", ""))
    return unit.startswith("share") or (unit == "" and any(w in name for w in _SHARE_WORDS))


def metric_value(metric: object, value: float | None) -> str:
    """A metric's value as people read it: shares as percentages, else 3 decimals below 10
    and thousands separators above."""
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return "—"
    if is_share(metric):
        return percent(value, 2 if abs(value) < 0.1 else 1)
    return number(value, 3 if abs(value) < 10 else 1)
