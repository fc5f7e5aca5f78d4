"""Chinese texts of the accounting lab (page, lab title and summary, metrics and claims)."""

from __future__ import annotations

TEXTS = {
    "Accounting": "会计",
    "Month-end consolidation: clerk vs RPA bot": "月末合并报表：人工会计 vs RPA 机器人",
    "Six subsidiaries export their ledgers in six different ways. Consolidate them into a group "
    "trial balance, P&L and balance sheet, and rank the journal entries an auditor should look "
    "at. A clerk keying by hand and audit rules of thumb are the control class; an rpaframework "
    "bot and a risk-scoring detector are the experimental class.":
        "六家子公司以六种不同方式导出账簿。把它们合并为集团试算平衡表、利润表和资产负债表，并对审计师"
        "应关注的会计分录进行风险排序。手工录入的会计和审计经验规则是对照组；rpaframework 机器人和"
        "风险评分检测器是实验组。",
    "report cell accuracy": "报表单元格准确率",
    "anomaly average precision": "异常排序平均精度",
    "precision at k": "前 k 项精确率",
    "recall at k": "前 k 项召回率",
    "false positives": "误报数",
    "report error rate": "报表错误率",
    "processing time end to end": "端到端处理时间",
    "keying time (bot run time for a bot)": "录入时间（机器人为运行时间）",
    "3x faster": "快 3 倍",
    "much lower error rate": "错误率大幅降低",
    "detector beats rules": "检测器优于规则",
    "fewer false positives": "误报更少",
    "The bot consolidates at least 3x faster than a clerk, end to end (bot run + setup + review "
    "of exceptions vs keying + setup + review).":
        "端到端来看，机器人合并报表至少比人工快 3 倍（机器人运行 + 准备 + 复核异常，对比 录入 + 准备 + 复核）。",
    "The bot's report error rate is far below the clerk's: at most a tenth of it.":
        "机器人报表的错误率远低于人工：至多为人工的十分之一。",
    "The risk detector ranks anomalies better than the JET rules (higher average precision).":
        "风险检测器对异常的排序优于分录测试规则（平均精度更高）。",
    "The risk detector flags fewer false positives than the JET rules.":
        "风险检测器的误报少于分录测试规则。",
    "No such file in the inbox.": "收件箱中没有这个文件。",
    "format": "格式", "sheets": "工作表", "data sheet": "数据工作表", "header row": "表头行",
    "merged cells": "合并单元格", "encoding": "编码", "separator": "分隔符", "decimal mark": "小数点",
    "region": "地区", "date": "日期", "posted": "记账日期", "user": "制单人", "text": "摘要",
    "amount": "金额", "pair": "借贷科目",
    "Run the bot first.": "请先运行机器人。",
    "Nothing to show.": "没有可显示的内容。",
    "Unknown entry.": "未知分录。",
    "Manual clerk + JET rules (baseline)": "人工会计 + 分录测试规则（基线）",
    "Bot + risk detector (reference)": "机器人 + 风险检测器（参考）",
    "Reference vs baseline": "参考方案 对比 基线",
    "The case study's claims on this case": "案例结论在本案例上的检验",
    "Inbox: one export per region": "收件箱：每个地区一个导出文件",
    "Every subsidiary exports its ledger its own way. Pick a file to see it as it arrives.":
        "每家子公司都按自己的方式导出账簿。选择一个文件，查看它的原始样子。",
    "Run the bot": "运行机器人",
    "The bot logs into the group finance portal, downloads the exports, consolidates them and "
    "uploads the report. The clock races the clerk's estimated time for the same work.":
        "机器人登录集团财务平台，下载导出文件，合并报表并上传。计时器与人工完成同样工作的估计时间赛跑。",
    "Through the portal in a real browser (Chromium)": "通过真实浏览器（Chromium）访问财务平台",
    "Bot (elapsed)": "机器人（已用时间）",
    "Manual clerk (estimate)": "人工会计（估计）",
    "Why was this entry flagged?": "为什么标记这条分录？",
    "First digits by region vs Benford's law": "各地区首位数字分布 对比 本福特定律",
    "Upload your report workbook ({name}): the sheets of the contract, with a Flags sheet of "
    "entry ids and risk scores.":
        "上传你的报表工作簿（{name}）：包含约定的各工作表，以及列出分录编号和风险分数的 Flags 工作表。",
    "An Excel workbook (.xlsx)": "Excel 工作簿（.xlsx）",
    "Report preview": "报表预览",
    "Anomaly explorer": "异常探查",
    "Your submission": "你的提交",
    "Key figures": "关键指标",
    "Highest risk entries": "风险最高的分录",
    "Report ready after {s:.1f} s; the clerk's estimate is {m:.0f} min.":
        "报表在 {s:.1f} 秒后完成；人工估计需要 {m:.0f} 分钟。",
    "AP": "AP",
    "entries": "条分录",
    "s": "秒",
    "share": "比例",
    "share of cells": "单元格比例",
}
