"""Validation and metrics live in the student toolkit (:mod:`labs.logistics.kit.evaluate`)."""

from labs.logistics.kit.evaluate import *  # noqa: F403
from labs.logistics.kit.evaluate import __all__  # noqa: F401
