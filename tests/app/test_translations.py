import dash
import pytest
from dash import html

from workbench.app import create_app, shell
from workbench.app.textcheck import untranslated, visible_texts
from workbench.i18n import reset_language, t, use_language


@pytest.fixture(scope="module")
def app():
    return create_app()


def test_the_checker_finds_a_literal_and_a_missing_translation():
    def render():
        return html.Div([html.P("Not translated"), html.P(t("No zh for this one")),
                         html.Span("42 %"), html.Div(title="A tooltip")])
    literals, missing = untranslated(render)
    assert literals == ["A tooltip", "Not translated"]
    assert missing == ["No zh for this one"]


def test_options_and_labels_are_visible_texts():
    import dash_bootstrap_components as dbc

    node = dbc.Select(options=[{"label": "Dispatcher", "value": "dispatcher"}], id="x")
    assert list(visible_texts(node)) == ["Dispatcher"]


def test_shell_is_fully_translated(app):
    with app.server.test_request_context("/"):
        assert untranslated(shell.layout) == ([], [])


def test_every_page_is_fully_translated(app):
    assert {"workbench.app.home", "labs.logistics.page"} <= set(dash.page_registry)
    failures = {}
    for module, page in dash.page_registry.items():
        with app.server.test_request_context(page["path"]):
            literals, missing = untranslated(page["layout"])
            token = use_language("zh")
            try:
                shown = "".join(visible_texts(page["layout"]()))
            finally:
                reset_language(token)
        if literals or missing or not any("\u4e00" <= ch <= "\u9fff" for ch in shown):
            failures[module] = {"shown without t()": literals, "no Chinese": missing}
    assert not failures, failures
