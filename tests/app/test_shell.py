import json
import re

import dash
import pytest
from plotly.utils import PlotlyJSONEncoder

from workbench.app import create_app
from workbench.app.server import back_path
from workbench.registry import labs

URL = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture
def client(app):
    return app.server.test_client()


def layout_text(client) -> str:
    return json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)


def page_paths() -> list[str]:
    return [page["path"] for page in dash.page_registry.values()]


def test_every_page_answers(client):
    assert {"/", "/logistics"} <= set(page_paths())
    for path in page_paths():
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Lab Workbench" in response.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/_dash-dependencies").status_code == 200


def test_nothing_is_fetched_from_another_host(app, client):
    for path in page_paths():
        html = client.get(path).get_data(as_text=True)
        links = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert links and all(link.startswith("/") for link in links), links
        # the only absolute URL is the page's own address in its meta tags
        assert all(u.startswith("http://localhost/") for u in URL.findall(html)), path
    assert not URL.findall(client.get("/_dash-layout").get_data(as_text=True))
    with app.server.test_request_context("/"):
        for page in dash.page_registry.values():
            layout = json.dumps(page["layout"](), cls=PlotlyJSONEncoder)
            assert not URL.findall(layout), page["path"]


def test_bootstrap_is_served_locally(client):
    response = client.get("/_workbench/css/bootstrap.min.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert b"Bootstrap" in response.data[:200]
    assert client.get("/_workbench/css/../server.py").status_code == 404
    assert client.get("/_workbench/css/bootstrap.bundle.js").status_code == 404


def test_language_switch_sets_the_cookie_and_returns(client):
    response = client.get("/lang/zh", headers={"Referer": "http://localhost/logistics?x=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/logistics?x=1"
    assert "lang=zh" in response.headers["Set-Cookie"]
    assert "实训工作台" in layout_text(client)
    assert client.get("/lang/fr").status_code == 404


@pytest.mark.parametrize("referrer, path", [
    (None, "/"), ("http://localhost/logistics", "/logistics"),
    ("https://evil.example/phish?a=1", "/phish?a=1"), ("//evil.example/x", "/x"),
    ("http://localhost/lang/zh", "/"), ("javascript:alert(1)", "/"),
])
def test_back_path_never_leaves_the_site(referrer, path):
    assert back_path(referrer) == path


def test_one_app_per_process_with_every_callback_once(app):
    assert create_app() is app  # no second app adopting Dash's callback globals
    deps = app.server.test_client().get("/_dash-dependencies").get_json()
    outputs = [d["output"] for d in deps]
    assert len(outputs) == len(set(outputs)), "a callback was registered twice"
    assert any("logistics-grade.children" in o for o in outputs)
    assert any("logistics-optimised-token.data" in o for o in outputs)


def test_home_has_a_card_per_lab(app, client):
    client.set_cookie("lang", "zh")
    assert "实训工作台" in layout_text(client)
    with app.server.test_request_context("/"):
        home = dash.page_registry["workbench.app.home"]["layout"]()
    cards = json.dumps(home.to_plotly_json(), cls=PlotlyJSONEncoder)
    for slug, lab in labs().items():
        assert f"home-card-{slug}" in cards
        assert all(claim.description in cards for claim in lab.claims)


def test_oversized_requests_are_refused(app, client):
    too_big = app.server.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post("/_dash-update-component", data=b"x" * too_big,
                           content_type="application/json")
    assert response.status_code == 413
