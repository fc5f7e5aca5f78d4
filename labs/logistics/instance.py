"""The instance reader lives in the student toolkit (:mod:`labs.logistics.kit.instance`)."""

from labs.logistics.kit.instance import *  # noqa: F403
from labs.logistics.kit.instance import __all__  # noqa: F401
