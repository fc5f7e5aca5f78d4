"""Robot Framework keyword library around the consolidation bot (used by ``bot.robot``)."""

from __future__ import annotations

from pathlib import Path

from robot.api import logger
from robot.api.deco import keyword, library

from labs.accounting.bot import LocalFolderSource, run_bot
from labs.accounting.faults import Faults
from labs.accounting.portal import Portal


@library(scope="GLOBAL")
class AccountingBot:
    """Keywords: start/stop the group finance portal, run the bot, check its exceptions."""

    def __init__(self) -> None:
        self.portal: Portal | None = None

    @keyword("Start Group Finance Portal")
    def start_portal(self, public_dir: str, faults: str = "", seed: int = 0) -> str:
        """Serve the case's public folder on a free local port; returns the portal's URL."""
        self.portal = Portal(Path(public_dir), seed=int(seed), faults=Faults.parse(faults))
        return self.portal.start()

    @keyword("Stop Group Finance Portal")
    def stop_portal(self) -> None:
        if self.portal is not None:
            self.portal.stop()
            self.portal = None

    @keyword("Run Consolidation Bot")
    def run(self, work_dir: str, public_dir: str = "", faults: str = "") -> dict:
        """Run the bot through the started portal (real Chromium), or on ``public_dir``."""
        if self.portal is not None:
            from labs.accounting.browser import PortalSource

            source = PortalSource(self.portal.url, self.portal.username, self.portal.password)
        elif public_dir:
            source = LocalFolderSource(Path(public_dir), Faults.parse(faults))
        else:
            raise ValueError("start the portal first or give public_dir")
        result = run_bot(source, Path(work_dir), echo=logger.info, upload=True)
        return {"workbook": str(result.workbook), "pdf": str(result.pdf),
                "exceptions": [f"{e['file']} row {e['row']}: {e['problem']}" for e in result.exceptions],
                "receipt": result.receipt,
                "seconds": float(result.report.meta["keying_seconds"])}

    @keyword("Exceptions Should Mention")
    def exceptions_should_mention(self, result: dict, *texts: str) -> None:
        """Fail unless every text appears in some exception the bot listed."""
        missing = [t for t in texts if not any(t in e for e in result["exceptions"])]
        if missing:
            raise AssertionError(f"no exception mentions {missing}; listed: {result['exceptions']}")
