"""A one-page PDF summary of the consolidation, in English and Chinese (fpdf2 + Noto CJK)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from fpdf import FPDF

CJK_FONTS = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
             Path("/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc"))


def cjk_font() -> Path:
    for p in CJK_FONTS:
        if p.is_file():
            return p
    raise FileNotFoundError("no Noto CJK font found; install the Debian package fonts-noto-cjk")


def write_summary_pdf(tables: dict[str, pd.DataFrame], flags: pd.DataFrame, exceptions: list[dict],
                      path: Path, title: str = "Group consolidation 集团合并报表") -> Path:
    """Key figures, the consolidated balance check, top risks and the exception list."""
    pdf = FPDF()
    pdf.add_page()
    # Simplified Chinese is the collection's third face (index 2: SC)
    pdf.add_font("NotoCJK", "", str(cjk_font()), collection_font_number=2)
    pdf.set_font("NotoCJK", size=16)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoCJK", size=10)
    tb = tables["TB_Consolidated"]
    pl = tables["PL"].set_index("line")["amount"]
    bs = tables["BS"].set_index("line")["amount"]
    facts = [("Total debit 借方合计", tb["debit"].sum()), ("Total credit 贷方合计", tb["credit"].sum()),
             ("Net income 净利润", pl.get("NET_INCOME", 0.0)),
             ("Total assets 资产总计", bs.get("TOTAL_ASSETS", 0.0)),
             ("Liabilities and equity 负债和所有者权益", bs.get("TOTAL_LIABILITIES_AND_EQUITY", 0.0))]
    for label, value in facts:
        pdf.cell(110, 7, label)
        pdf.cell(0, 7, f"{value:,.2f} CNY", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.cell(0, 7, "Highest risk entries 风险最高的凭证", new_x="LMARGIN", new_y="NEXT")
    for row in flags.head(10).itertuples(index=False):
        pdf.cell(0, 6, f"{row.entry_id}  {row.risk_score:.3f}  {str(row.reason)[:70]}",
                 new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.cell(0, 7, f"Exceptions 异常事项: {len(exceptions)}", new_x="LMARGIN", new_y="NEXT")
    for ex in exceptions[:15]:
        pdf.multi_cell(0, 6, f"{ex['file']} row {ex['row']}: {ex['problem']}"[:160],
                       new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path
