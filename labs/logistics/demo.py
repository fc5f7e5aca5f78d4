"""The logistics lab's demo story (:mod:`workbench.app.story`): the generic story, with the
case's size (customers and vans) on the claims, so a figure is never read out of context —
the claims are measured on class-size cases (``workbench reproduce logistics``), and a tiny
case's effect is a different number."""

from __future__ import annotations

from workbench.app.story import Step, generic_story
from workbench.i18n import t
from workbench.lab import Case


def case_facts(case: Case) -> str:
    """How big the case is: customers, vans and their capacity."""
    from labs.logistics.instance import load_instance

    inst = load_instance(case)
    return t(
        "{customers}, {vans}",
        customers=t("{n} customers", n=inst.n),
        vans=t("{k} vans, {q} parcels each", k=inst.vehicles, q=inst.capacity),
    )


def demo_steps(_case: Case) -> list[Step]:
    from labs.logistics import LAB

    return generic_story(LAB, case_facts)
