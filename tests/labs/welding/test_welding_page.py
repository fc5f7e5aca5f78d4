"""The page's pure helpers and its texts (the real-browser walk is test_page_browser.py)."""

from __future__ import annotations

from labs.welding import story
from labs.welding.simulate import Action


def test_sliders_become_actions():
    assert story.fix_actions([230, 270], 75, [50, 150]) == ()
    assert story.fix_actions([244, 270], 72, [70, 130]) == (
        Action("interlock", "z7_pv", low=244, high=None),
        Action("setpoint", "conv_cm_min", value=72.0),
        Action("interlock", "paste_pct", low=70, high=130))


def test_explore_figure_is_aggregated_on_the_server(collected):
    boards, _ = collected
    fig = story.explore_figure(boards, "z7_pv")
    assert len(fig.to_json()) < 1_000_000
    assert sum(len(trace.x) for trace in fig.data) < len(boards)


def test_every_visible_text_is_translated(tiny_case, monkeypatch):
    from labs.welding import page
    from workbench.app.textcheck import untranslated

    monkeypatch.setattr(page, "case", lambda: tiny_case)
    literals, missing = untranslated(page.layout)
    assert literals == [] and missing == []


def test_bot_report_view_in_both_languages(tiny_case, tmp_path):
    from labs.welding import page
    from workbench.app.textcheck import visible_texts
    from workbench.i18n import reset_language, use_language

    report = story.run_bot(tiny_case, tmp_path, lambda msg, frac: None)
    token = use_language("zh")
    try:
        texts = " ".join(visible_texts(page.report_view(report)))
    finally:
        reset_language(token)
    assert "重复发送的文件" in texts and "时钟" in texts
