"""The lab's figure builders live in the student kit (``labs.welding.kit.plots``); re-exported
here for the page and the instructor-side modules."""

from labs.welding.kit.plots import (
    dependence_figure,
    ewma_figure,
    importance_figure,
    pareto_figure,
    pchart_figure,
    rates_figure,
)

__all__ = ["dependence_figure", "ewma_figure", "importance_figure", "pareto_figure", "pchart_figure",
           "rates_figure"]
