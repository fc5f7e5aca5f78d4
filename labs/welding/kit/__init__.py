"""The student toolkit of the welding lab: readers of every raw log format, plotting, and the
self-check. The only part of the lab importable inside the sandbox; it never imports the
collection bot, the control class, the reference model or the fix search."""

from labs.welding.kit.plots import (
    dependence_figure,
    importance_figure,
    pareto_figure,
    pchart_figure,
    rates_figure,
)
from labs.welding.kit.readers import (
    MISSING,
    ZONE_COLUMNS,
    LogFormatError,
    read_aoi,
    read_env,
    read_mes,
    read_shift_report,
    read_spi,
    read_vendor_a,
    read_vendor_b,
)
from workbench.exercise import checker

check = checker("welding")
"""Run one step's public checks in your notebook: ``check("read")``."""

__all__ = ["MISSING", "ZONE_COLUMNS", "LogFormatError", "check", "dependence_figure",
           "importance_figure", "pareto_figure", "pchart_figure", "rates_figure", "read_aoi",
           "read_env", "read_mes", "read_shift_report", "read_spi", "read_vendor_a",
           "read_vendor_b"]
