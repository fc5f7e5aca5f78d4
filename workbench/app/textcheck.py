"""Find visible texts that skip translation: for the tests of the shell and of every lab page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from workbench.i18n import LANGUAGES, missing_translations, record, reset_language, use_language

TEXT_PROPS = ("children", "label", "placeholder", "title", "alt")


def visible_texts(node: Any, key: str = "children") -> Iterator[str]:
    """Strings a user reads in a Dash component tree: children, labels (also of options),
    placeholders and titles; never ids, class names, URLs or figures."""
    if hasattr(node, "to_plotly_json"):
        node = node.to_plotly_json().get("props", {})
        for name, value in node.items():
            yield from visible_texts(value, name)
    elif isinstance(node, dict):
        for name, value in node.items():
            if name != "figure":
                yield from visible_texts(value, name)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from visible_texts(item, key)
    elif isinstance(node, str) and key in TEXT_PROPS and any(ch.isalpha() for ch in node):
        yield node


def untranslated(render: Callable[[], Any]) -> tuple[list[str], list[str]]:
    """Render in English and return (texts shown without going through ``t()``, texts passed
    to ``t()`` that have no Chinese translation). Language names are shown as themselves."""
    token = use_language("en")
    try:
        with record() as calls:
            texts = list(visible_texts(render()))
    finally:
        reset_language(token)
    through_t = {out for _, out in calls}
    literals = sorted({s for s in texts if s not in through_t and s not in LANGUAGES.values()})
    return literals, sorted(set(missing_translations([src for src, _ in calls if src is not None])))
