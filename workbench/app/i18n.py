"""Moved: translation lives in :mod:`workbench.i18n` on gettext catalogues
(``workbench/locale``). This module re-exports it for code written before the move.

``add_translations`` still works while a change is in flight, with a warning: put the texts
into ``workbench/locale/zh/LC_MESSAGES/workbench.po`` (``python -m workbench.locale update``)
instead; the catalogue test lists every text that is missing there.
"""

from __future__ import annotations

import warnings

from workbench.i18n import *  # noqa: F403
from workbench.i18n import __all__ as _public
from workbench.i18n import _pending

__all__ = [*_public, "add_translations"]


def add_translations(zh: dict[str, str]) -> None:
    warnings.warn("add_translations() is gone: add the texts to the gettext catalogue "
                  "(python -m workbench.locale update)", DeprecationWarning, stacklevel=2)
    _pending.update(zh)
