"""The lab's figures live in the student toolkit (:mod:`labs.logistics.kit.plots`)."""

from labs.logistics.kit.plots import *  # noqa: F403
from labs.logistics.kit.plots import __all__  # noqa: F401
from workbench.i18n import t  # noqa: F401  (figure titles are translated by callers)
