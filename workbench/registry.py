"""Find labs through the ``workbench.labs`` entry-point group."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from workbench.lab import Lab

GROUP = "workbench.labs"


@cache
def labs() -> dict[str, Lab]:
    """All registered labs by slug, in a stable order."""
    found: dict[str, Lab] = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        lab = ep.load()
        if not isinstance(lab, Lab):
            raise TypeError(f"entry point {ep.name} = {ep.value} is not a Lab "
                            "(see workbench.lab.Lab for the protocol)")
        if lab.slug != ep.name:
            raise ValueError(f"entry point {ep.name} names a lab whose slug is {lab.slug!r}")
        found[ep.name] = lab
    return found


def get_lab(slug: str) -> Lab:
    """The lab called ``slug``; a clear error lists the known ones otherwise."""
    known = labs()
    if slug not in known:
        names = ", ".join(known) or "none (is the package installed?)"
        raise KeyError(f"unknown lab {slug!r}; installed labs: {names}")
    return known[slug]
