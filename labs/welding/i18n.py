"""Chinese texts of the welding page (English source → Simplified Chinese)."""

from __future__ import annotations

VARIABLE_LABELS = {
    "z1_pv": "Zone 1 reading", "z2_pv": "Zone 2 reading", "z3_pv": "Zone 3 reading",
    "z4_pv": "Zone 4 reading", "z5_pv": "Zone 5 reading", "z6_pv": "Zone 6 reading",
    "z7_pv": "Zone 7 reading", "conv_cm_min": "Conveyor speed", "o2_ppm": "Oxygen (ppm)",
    "paste_pct": "Paste volume (%)", "rh_pct": "Humidity (%)", "none": "None",
} | {f"z{k}_sp": f"Zone {k} set point" for k in range(1, 8)}
SHIFT_LABELS = {"D": "Day shift", "E": "Evening shift", "N": "Night shift"}
SOURCE_LABELS = {"aoi": "AOI results", "env": "Environment logger", "mes": "MES traveller",
                 "oven": "Oven logs", "shift_reports": "Shift reports (Excel)",
                 "spi": "Solder paste inspection"}

UNIT_WORDS = ("conveyor speeds from mm/s to cm/min", "SPI volumes from ratio to percent")

ZH = {
    "Western Electric rules on each line's individuals chart of shift rates":
        "各产线班次缺陷率单值图上的西电规则",
    "No rule is broken.": "没有违反任何规则。",
    "{where}: {rule}": "{where}：{rule}",
    "rule 1: one point beyond 3σ": "规则 1：一点超出 3σ",
    "rule 2: two of three beyond 2σ": "规则 2：三点中有两点超出 2σ",
    "rule 3: four of five beyond 1σ": "规则 3：五点中有四点超出 1σ",
    "rule 4: eight in a row on one side": "规则 4：连续八点在中心线同一侧",
    "dropped {n} duplicate rows from {source} (re-sent files)":
        "从 {source} 删除了 {n} 行重复数据（重复发送的文件）",
    "shifted line {line}'s oven clock by {s} s to match the MES":
        "将产线 {line} 的回流炉时钟调整 {s} 秒以与 MES 对齐",
    "{n} missing values (-999) in {column} set to empty": "{column} 中 {n} 个缺失值（-999）已置空",
    "{n} oven readings filled from the previous minute": "{n} 个炉温读数用前一分钟的值补齐",
    "converted {n} {what}": "转换了 {n} 个{what}",
    "conveyor speeds from mm/s to cm/min": "传送带速度（mm/s → cm/min）",
    "SPI volumes from ratio to percent": "SPI 锡膏体积（比例 → 百分比）",
    "{n} AOI false calls overturned by operators counted as good boards":
        "{n} 个被操作员否决的 AOI 误报按良品计",
    "Welding": "焊接",
    "Soldering defects: SPC vs log collection and machine learning":
        "焊接缺陷：统计过程控制 vs 日志采集与机器学习",
    "A batch of boards came out of reflow with about 3 % defects. The control class "
    "investigates with the line's own records and SPC; the experimental class runs a "
    "collection bot over the raw machine logs, trains a defect model, finds the root cause "
    "and sets a process window. Fixes are graded by re-running the same batch with the "
    "actions applied.":
        "一批电路板回流焊后缺陷率约为 3%。对照组用产线自有记录和统计过程控制排查；实验组用采集机器人"
        "整理原始设备日志，训练缺陷模型，找到根本原因并设定工艺窗口。改进措施通过在同一批次上重新"
        "模拟并应用这些措施来评分。",
    "The alarm": "报警",
    "AOI rejects per shift against the plant's 3σ limit. Red crosses are alarms.":
        "每班 AOI 不良率与全厂 3σ 控制上限对比，红叉为报警点。",
    "p-chart of AOI defects per shift": "每班 AOI 缺陷的 p 控制图",
    "Pareto of defect codes": "缺陷代码帕累托图",
    "Collect the logs": "采集日志",
    "The oven, SPI, AOI, MES, environment and shift-report files are in different formats, "
    "with duplicates, a skewed clock and -999 for missing values.":
        "回流炉、SPI、AOI、MES、环境记录和班次报表格式各不相同，还有重复文件、时钟偏差和用 -999 "
        "表示的缺失值。",
    "Source": "数据源", "Files": "文件数", "MB": "MB",
    "Run the collection bot": "运行采集机器人",
    "The bot joined {n} boards into one table.": "机器人已将 {n} 块电路板合并为一张表。",
    "What the bot fixed": "机器人修正的问题",
    "reading MES travellers": "读取 MES 流转单", "reading oven logs": "读取回流炉日志",
    "joining oven readings to boards": "将炉温读数关联到电路板",
    "reading SPI, environment and AOI": "读取 SPI、环境和 AOI 数据",
    "reading shift reports": "读取班次报表", "done": "完成", "training": "训练中",
    "Explore": "探索",
    "Run the collection bot first: the oven readings exist as a table only after it.":
        "请先运行采集机器人：炉温读数只有在采集后才成为一张表。",
    "The control class's analysis": "对照组的分析",
    "Pareto of AOI defect codes and Welch t-tests of the shift-report set points: the conveyor "
    "set point stands out, so tradition says to put it back to 75.":
        "AOI 缺陷代码帕累托图和班次报表设定值的 Welch t 检验：传送带设定值最显著，按传统做法应将"
        "其调回 75。",
    "Variable": "变量", "t statistic": "t 统计量", "p-value": "p 值",
    "Train and inspect a model": "训练并解读模型",
    "Gradient boosting with class weights on the collected table; permutation importance "
    "names the cause, partial dependence shows the safe window.":
        "在采集表上训练带类别权重的梯度提升模型；置换重要性指出原因，部分依赖图给出安全窗口。",
    "Train the model": "训练模型",
    "Run the collection bot first.": "请先运行采集机器人。",
    "Model PR-AUC {pr} on the last inspected days. Cause: {var} on line {line}, shift {shift}; "
    "it moves with {conf}.":
        "模型在最后几个已检验日的 PR-AUC 为 {pr}。原因：产线 {line}、班次 {shift} 的 {var}；"
        "与之同步变化的是 {conf}。",
    "Train the model to see what it learned.": "训练模型后可查看它学到了什么。",
    "Grouped permutation importance (PR-AUC drop)": "分组置换重要性（PR-AUC 下降）",
    "Propose a fix": "提出改进措施",
    "Line": "产线", "Shift": "班次", "Confounder": "混杂变量",
    "Line {line}": "产线 {line}",
    "Interlock: zone 7 reading window (°C)": "联锁：7 区温度读数窗口（°C）",
    "Conveyor set point on line 2 nights (cm/min)": "产线 2 夜班传送带设定值（cm/min）",
    "SPI reject limits: paste volume (%)": "SPI 拒收界限：锡膏体积（%）",
    "Expected defect rate {fixed} (as it ran: {asis}); boards held {held}, line time lost "
    "{lost}.": "预期缺陷率 {fixed}（原始批次：{asis}）；扣留电路板 {held}，损失产线时间 {lost}。",
    "as it ran": "原始批次", "your fix": "你的措施",
    "Submit and see the score": "提交并查看得分",
    "Grade the fix above with your model's predictions, or upload a submission.json of your "
    "own.": "用你的模型预测为上面的措施评分，或上传你自己的 submission.json。",
    "Grade this fix": "为此措施评分",
    "A submission.json file": "一个 submission.json 文件",
    "Train the model first: its predictions go into the submission.":
        "请先训练模型：提交中需要它的预测。",
    "Expected defect rate": "预期缺陷率",
    "Zone 1 reading": "1 区温度读数", "Zone 2 reading": "2 区温度读数",
    "Zone 3 reading": "3 区温度读数", "Zone 4 reading": "4 区温度读数",
    "Zone 5 reading": "5 区温度读数", "Zone 6 reading": "6 区温度读数",
    "Zone 7 reading": "7 区温度读数", "Conveyor speed": "传送带速度",
    "Oxygen (ppm)": "氧含量（ppm）", "Paste volume (%)": "锡膏体积（%）",
    "Humidity (%)": "湿度（%）", "None": "无",
    **{f"Zone {k} set point": f"{k} 区设定值" for k in range(1, 8)},
    "Day shift": "白班", "Evening shift": "中班", "Night shift": "夜班",
    "AOI results": "AOI 检测结果", "Environment logger": "环境记录仪",
    "MES traveller": "MES 流转单", "Oven logs": "回流炉日志",
    "Shift reports (Excel)": "班次报表（Excel）", "Solder paste inspection": "锡膏检测（SPI）",
    "Expected defect rate after the control class's fix": "对照班整改后的预期缺陷率",
    "Expected defect rate after the experimental class's fix": "实验班整改后的预期缺陷率",
    "Expected defect rate of the batch as it ran": "该批次实际生产时的预期缺陷率",
    "about 1 %": "约 1 %",
    "about 3 %": "约 3 %",
    "does not drop": "未下降",
}
