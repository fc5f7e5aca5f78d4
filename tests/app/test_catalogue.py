"""The gettext catalogues: complete, compiled, and light to import."""

from __future__ import annotations

import subprocess
import sys

from workbench import locale
from workbench.i18n import language, missing_translations, t


def test_catalogue_is_compiled_and_translates_every_source_text():
    assert locale.check("zh") == []


def test_t_translates_and_fills_fields():
    with language("zh"):
        assert t("Score") == "得分"
        assert t("{n} customers", n=3) == "3 个客户"
        assert t("a text nobody wrote down") == "a text nobody wrote down"
        assert t("") == ""  # never gettext's catalogue header
    with language("en"):
        assert t("Score") == "Score"
    assert missing_translations(["Score", "a text nobody wrote down"]) == [
        "a text nobody wrote down"]


def test_grading_feedback_does_not_import_the_web_app():
    code = ("import sys; import workbench.grading.feedback; "
            "print(sorted(m for m in ('dash', 'flask', 'workbench.app') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_compiled_catalogue_ships_in_the_package():
    mo = locale.po_path("zh").with_suffix(".mo")
    assert mo.is_file() and mo.stat().st_size > 10_000
