"""The home page: one card per installed lab and how each kind of user works with the
workbench."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from workbench.app.i18n import add_translations, t
from workbench.lab import Lab
from workbench.registry import labs

HOW_TO = (
    ("Students",
     "Open a lab, study the case and the two methods, then upload your own plan or "
     "solution: the page scores it against the baseline and the reference at once and lists "
     "every problem it found."),
    ("Instructors",
     "Generate a different case for every student, collect their files or code, grade them "
     "in one batch and export the gradebook. The grade is always recomputed from the files."),
    ("Teachers",
     "In class, open a lab and compare the traditional method with the optimised one side "
     "by side; press Optimise to let the class watch the search improve the plan."),
)

add_translations({
    "Home": "首页",
    "Practical-training labs": "实训实验",
    "Each lab reproduces an industry case study: a traditional method (the control class) "
    "against machine learning, RPA or optimisation (the experimental class). Try your own "
    "approach and see it scored against both.":
        "每个实验复现一个行业案例：传统方法（对照组）对比机器学习、RPA 或优化方法（实验组）。"
        "尝试你自己的方法，并查看它相对两者的得分。",
    "What the case study claims": "案例研究的结论",
    "Open the lab": "打开实验",
    "How to use the workbench": "如何使用工作台",
    "No lab is installed.": "尚未安装任何实验。",
    "Students": "学生",
    "Instructors": "指导教师",
    "Teachers": "任课教师",
    HOW_TO[0][1]: "打开一个实验，研究案例和两种方法，然后上传你自己的方案或解答：页面会立即"
                  "将其与基线方法和参考方法比较打分，并列出发现的所有问题。",
    HOW_TO[1][1]: "为每位学生生成不同的案例，收集他们的文件或代码，一次批量评分并导出成绩册。"
                  "成绩始终根据文件重新计算。",
    HOW_TO[2][1]: "在课堂上打开一个实验，将传统方法与优化方法并排比较；点击“优化”，让全班观看"
                  "搜索过程如何逐步改进方案。",
})


def lab_path(slug: str) -> str | None:
    """The URL of the first page a lab registered, if any."""
    for page in dash.page_registry.values():
        if page["module"] == f"labs.{slug}" or page["module"].startswith(f"labs.{slug}."):
            return page["relative_path"]
    return None


def lab_card(lab: Lab) -> dbc.Card:
    claims = [html.Li([html.Strong(t(claim.claimed)), " — ", t(claim.description)])
              for claim in lab.claims]
    path = lab_path(lab.slug)
    link = (dbc.Button(t("Open the lab"), href=path, color="primary", id=f"home-open-{lab.slug}")
            if path else None)
    return dbc.Card(dbc.CardBody([
        html.H4(t(lab.title), className="card-title"),
        html.P(t(lab.summary)),
        html.H6(t("What the case study claims")),
        html.Ul(claims),
        link,
    ]), class_name="h-100 lab-card", id=f"home-card-{lab.slug}")


def how_to() -> dbc.Row:
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([html.H5(t(who)), html.P(t(text))])), md=4)
                    for who, text in HOW_TO], class_name="g-3")


def layout() -> html.Div:
    cards = [dbc.Col(lab_card(lab), md=4) for lab in labs().values()]
    return html.Div([
        html.H2(t("Practical-training labs")),
        html.P(t("Each lab reproduces an industry case study: a traditional method (the control "
                 "class) against machine learning, RPA or optimisation (the experimental class). "
                 "Try your own approach and see it scored against both."), className="lead"),
        dbc.Row(cards, class_name="g-3 mb-4") if cards else dbc.Alert(t("No lab is installed.")),
        html.H3(t("How to use the workbench")),
        how_to(),
    ], id="home-page")


def register() -> None:
    dash.register_page(__name__, path="/", name="Home", title="Lab Workbench", layout=layout,
                       order=0)
