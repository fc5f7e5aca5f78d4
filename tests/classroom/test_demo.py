"""Demo mode: every registered lab's story, step by step — in process, and end to end through
``workbench demo`` (waitress) in a real browser driven by the keyboard."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from workbench.app.story import Story, cache_root, demo_case, steps_of, story_key
from workbench.app.textcheck import visible_texts
from workbench.registry import labs

SLUGS = sorted(labs())
SEED = 11


@pytest.mark.parametrize("slug", SLUGS)
def test_every_step_renders_the_same_on_replay(slug):
    lab = labs()[slug]
    story = Story(lab, demo_case(lab, SEED, "tiny"), cache_root() / "refs")
    steps = steps_of(lab, story.case)
    assert len(steps) >= 3
    first = [list(visible_texts(step.show(story))) for step in steps]
    again = Story(lab, demo_case(lab, SEED, "tiny"), cache_root() / "refs")
    assert [list(visible_texts(step.show(again))) for step in steps] == first
    # the claims, each with its verdict ("holds" or "does not hold" on the demo's cases)
    assert any("hold" in text for text in first[-1])


@pytest.mark.parametrize("query, expected", [
    (("logistics", "5", "tiny"), {"lab": "logistics", "seed": 5, "size": "tiny"}),
    (("logistics", "x", "huge"), {"lab": "logistics", "seed": None, "size": "class"}),
    (("logistics", "-4", None), {"lab": "logistics", "seed": None, "size": "class"}),
    (("nolab", "5", "tiny"), None),
])
def test_story_urls_are_checked(query, expected):
    assert story_key(*query) == expected


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_server():
    port = free_port()
    command = [sys.executable, "-c", "from workbench.classroom.cli import demo; demo()",
               "--port", str(port), "--no-open", "--seed", str(SEED), "--size", "tiny"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/_dash-layout", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError(process.stderr.read1().decode() if process.poll() else
                                 "workbench demo did not answer")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.browser
@pytest.mark.parametrize("slug", SLUGS)
def test_workbench_demo_tells_the_story_with_the_keyboard(browser, demo_server, slug, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from .conftest import Ui

    ui = Ui(browser, demo_server, tmp_path / "shots")
    ui.open(f"/demo?seed={SEED}&size=tiny")  # what `workbench demo --seed --size` prints
    ui.element(f"#demo-choose-{slug}").click()
    ui.text_in("#demo-counter", "Step 1 of")
    count = int(ui.element("#demo-counter").text.rsplit(" ", 1)[1])
    body = browser.find_element(By.TAG_NAME, "body")
    for k in range(2, count + 1):
        body.send_keys(Keys.ARROW_RIGHT)
        ui.text_in("#demo-counter", f"Step {k} of {count}", timeout=120)
        ui.wait(lambda d: not d.find_element(By.ID, "demo-body").get_attribute("style"),
                message="the step did not finish rendering")
        if k in (2, 3):
            ui.element("#demo-body .js-plotly-plot")
    claims = ui.element("#demo-claims").text
    assert "hold" in claims  # a verdict: "holds" or "does not hold"
    ui.screenshot(f"demo-{slug}-claims")
    assert f"step={count}" in browser.current_url and f"seed={SEED}" in browser.current_url
    body.send_keys(Keys.ARROW_LEFT)
    ui.text_in("#demo-counter", f"Step {count - 1} of {count}")
    # replay: the same URL tells the same story
    browser.get(f"{demo_server}/demo/{slug}?seed={SEED}&size=tiny&step={count}")
    assert ui.text_in("#demo-claims", "hold") == claims
    assert "demo-page" in ui.element(".demo-page").get_attribute("id")
    fonts = browser.execute_script(
        "return getComputedStyle(document.getElementById('demo-page')).fontSize")
    assert float(fonts.removesuffix("px")) >= 20  # readable from the back of the room
    assert json.loads(urllib.request.urlopen(f"{demo_server}/_dash-layout").read())


def test_prepare_solves_every_step_before_class(monkeypatch):
    # `workbench demo --prepare` computes the story once; afterwards no step solves anything
    from click.testing import CliRunner

    from workbench.cli import main

    seed = 23
    run = CliRunner().invoke(main, ["demo", "--prepare", "--lab", "logistics", "--seed",
                                    str(seed), "--size", "tiny"])
    assert run.exit_code == 0, run.output
    lab = labs()["logistics"]
    steps = steps_of(lab, demo_case(lab, seed, "tiny"))
    assert f"logistics: step {len(steps)} of {len(steps)} ready" in run.output
    assert "logistics: the story is ready" in run.output

    def no_solving(*_args, **_kwargs):
        raise AssertionError("solved again in class")

    monkeypatch.setattr(type(lab), "reference", no_solving)
    monkeypatch.setattr(type(lab), "baseline", no_solving)
    story = Story(lab, demo_case(lab, seed, "tiny"), cache_root() / "refs")
    for step in steps:
        step.show(story)
