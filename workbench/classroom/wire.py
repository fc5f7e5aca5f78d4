"""Dash callback requests built the way the browser builds them, from the app's own
``/_dash-dependencies``: for checking what the server answers a client that skips the page
(forged requests in the tests, simulated students in ``benchmarks/load.py``)."""

from __future__ import annotations

from typing import Any

UPDATE_PATH = "/_dash-update-component"


def parse_outputs(output: str) -> list[dict[str, str]]:
    """``"..a.children...b.figure.."`` → ``[{"id": "a", "property": "children"}, ...]``."""
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


def payload(dependency: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The request body calling ``dependency`` with ``values`` (``"id.prop"`` → value); the
    first input is the one that changed."""

    def with_values(items: list[dict[str, str]]) -> list[dict[str, Any]]:
        return [{**item, "value": values.get(f"{item['id']}.{item['property']}")}
                for item in items]

    inputs = with_values(dependency["inputs"])
    outputs = parse_outputs(dependency["output"])
    return {"output": dependency["output"],
            "outputs": outputs if dependency["output"].startswith("..") else outputs[0],
            "inputs": inputs, "state": with_values(dependency["state"]),
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def find(dependencies: list[dict[str, Any]], output_id: str) -> dict[str, Any]:
    """The callback whose first output is ``output_id``."""
    for dep in dependencies:
        if parse_outputs(dep["output"])[0]["id"] == output_id:
            return dep
    raise KeyError(f"no callback writes {output_id}")
