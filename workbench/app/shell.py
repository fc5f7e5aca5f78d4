"""The frame around every page: navbar built from ``dash.page_registry``, language switch,
and the page container."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from workbench.i18n import LANGUAGES, current_language, t


def nav_links() -> list[dbc.NavItem]:
    """One link per registered page, in registry order, named in the current language."""
    return [dbc.NavItem(dbc.NavLink(t(page["name"]), href=page["relative_path"], active="exact",
                                    id=f"shell-nav-{page['module'].replace('.', '-')}"))
            for page in dash.page_registry.values() if page.get("nav", True)]


def language_switch() -> dbc.Nav:
    """Links to ``/lang/<code>``: a full page load, so the layout is rebuilt in that language.
    Each language is named in itself, so it is never translated."""
    here = current_language()
    return dbc.Nav([
        dbc.NavItem(dbc.NavLink(name, href=f"/lang/{code}", external_link=True,
                                active=code == here, id=f"shell-lang-{code}"))
        for code, name in LANGUAGES.items()
    ], pills=True, class_name="ms-auto", id="shell-languages")


def navbar() -> dbc.Navbar:
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand(t("Lab Workbench"), href="/", id="shell-brand"),
        dbc.Nav(nav_links(), navbar=True, class_name="me-auto"),
        language_switch(),
    ], fluid=True), color="dark", dark=True, class_name="mb-3")


def layout() -> html.Div:
    """Rebuilt per request so that texts follow the ``lang`` cookie."""
    return html.Div([
        navbar(),
        dbc.Container(dash.page_container, fluid=True, id="shell-content"),
    ], lang="zh-Hans" if current_language() == "zh" else "en")
