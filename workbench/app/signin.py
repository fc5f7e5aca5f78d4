"""Sign-in and sign-out forms shared by the instructor and student pages. They POST to the
Flask routes of :mod:`workbench.classroom.auth`, so the session is set on the server."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from workbench.classroom.course import ENV
from workbench.i18n import t


def field(label: str, name: str, id_: str, kind: str = "text") -> dbc.Row:
    return dbc.Row([dbc.Label(label, html_for=id_, width=4),
                    dbc.Col(dbc.Input(id=id_, name=name, type=kind, autocomplete="off"),
                            width=8)], class_name="mb-2")


def signin_form(kind: str, fields: list[dbc.Row], failed: str | None) -> html.Div:
    """A POST form to ``/auth/login``; ``kind`` is ``instructor`` or ``student``."""
    message = ("Too many failed sign-ins: wait ten minutes, then try again." if failed == "wait"
               else "Signing in failed: check what you typed and try again.")
    error = (dbc.Alert(t(message), color="danger", id=f"{kind}-signin-failed")
             if failed else None)
    return dbc.Card(dbc.CardBody([
        html.H4(t("Sign in")), error,
        html.Form([dbc.Input(type="hidden", name="kind", value=kind), *fields,
                   dbc.Button(t("Sign in"), type="submit", color="primary",
                              id=f"{kind}-signin-btn")],
                  action="/auth/login", method="POST", id=f"{kind}-signin-form"),
    ]), class_name="mx-auto", style={"maxWidth": "32rem"})


def signout_bar(kind: str, user: str) -> html.Div:
    return html.Div([
        html.Span(t("Signed in as {user}", user=user), className="me-3"),
        html.Form(dbc.Button(t("Sign out"), type="submit", color="secondary", size="sm",
                             id=f"{kind}-signout-btn"),
                  action="/auth/logout", method="POST", className="d-inline"),
    ], className="d-flex align-items-center justify-content-end mb-2")


def no_course(kind: str) -> dbc.Alert:
    return dbc.Alert([html.H5(t("No course is served")),
                      html.P(t("Start the app with a course folder made by `workbench assign`: "
                               "`workbench serve --course COURSE` (or set {env}). Create an "
                               "instructor account with `workbench user add NAME --course "
                               "COURSE`.", env=ENV))],
                     color="info", id=f"{kind}-no-course")
