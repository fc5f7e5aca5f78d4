"""Robot Framework keyword library around the collection bot (used by ``collect.robot``)."""

from __future__ import annotations

from pathlib import Path

from robot.api.deco import keyword, library

from labs.welding.collect import collect


@library(scope="GLOBAL")
class WeldingCollection:
    """Keywords: ``Collect Logs`` and ``Report Should Name Fixes``."""

    @keyword("Collect Logs")
    def collect_logs(self, public_dir: str, out_dir: str) -> dict:
        """Run the bot over ``public_dir`` and write ``boards.csv`` + the report to ``out_dir``."""
        boards, report = collect(Path(public_dir), Path(out_dir))
        return {"boards": len(boards), "fixes": report.fixes(),
                "rows_read": report.rows_read}

    @keyword("Report Should Name Fixes")
    def report_should_name_fixes(self, result: dict, minimum: int = 1) -> None:
        """Fail unless the bot read boards and reported at least ``minimum`` fixes."""
        if not result["boards"]:
            raise AssertionError("the bot found no boards; check the case folder")
        if len(result["fixes"]) < int(minimum):
            raise AssertionError(f"expected at least {minimum} fixes, got {result['fixes']}")
