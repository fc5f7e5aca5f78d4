"""Dash callback requests built the way the browser builds them, from the app's own
``/_dash-dependencies``: for checking what the server answers a client that skips the page
(forged requests in the tests, simulated students in ``benchmarks/load.py``)."""

from __future__ import annotations

import time
from collections.abc import Callable
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


def run_background(post: Callable[[str, dict[str, Any]], Any], dependency: dict[str, Any],
                   values: dict[str, Any], *, poll_s: float = 1.0, timeout_s: float = 300,
                   ) -> Any:
    """Call a background callback as the browser does: the first request starts the job and
    answers with signed handles, then the same request with ``?cacheKey=…&job=…`` is repeated
    every ``poll_s`` until it carries the result. ``post(query, body)`` sends one request and
    returns the response (``requests``-like: ``status_code``, ``json()``); the final one is
    returned (a refused job answers at once, a job ending with no update with HTTP 204)."""
    body = payload(dependency, values)
    reply = post("", body)
    if reply.status_code != 200 or "cacheKey" not in reply.json():
        return reply
    handles = reply.json()
    query = f"?cacheKey={handles['cacheKey']}&job={handles['job']}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        time.sleep(poll_s)
        reply = post(query, body)
        if reply.status_code != 200 or "response" in reply.json():
            return reply
    raise TimeoutError(f"no answer from {dependency['output']} after {timeout_s:g} s")
