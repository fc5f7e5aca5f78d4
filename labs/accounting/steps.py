"""The accounting exercise: five steps the student writes, each with public and hidden checks.

1. ``ledger``: read the six regional exports into one ledger (layouts, encodings, account map);
2. ``translate``: each region's trial balance in local currency and in CNY (closing, historical,
   average rates; the translation difference to 3900);
3. ``eliminate``: reverse the intercompany balances;
4. ``statements``: the group trial balance, P&L and balance sheet;
5. ``risk``: a risk score over the journal entries.

Public checks need only the public folder (they compare with what the exports and the
handout's rules say); hidden checks compare with the answer key. 50 points on the steps, 50 on
the outcome metrics (the report workbook graded like any submission).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from labs.accounting.chart import ACCOUNT_TYPE, IC_ACCOUNTS
from labs.accounting.consolidate import CTA_ACCOUNT, translation_rates
from labs.accounting.evaluate import CLEARLY_TRIVIAL, materiality
from labs.accounting.generate import load_anomalies, load_truth
from labs.accounting.jet import any_rule_flags, entry_table, jet_rules
from labs.accounting.kit.reference import Reference
from labs.accounting.pipeline import parsed_case
from workbench.exercise import Check, CheckContext, Step

OUTCOME_POINTS = 50.0
LEDGER_COLUMNS = (
    "entry_id",
    "region",
    "date",
    "posted",
    "user",
    "text",
    "account",
    "group_account",
    "debit",
    "credit",
)
TB_COLUMNS = ("region", "account", "local_debit", "local_credit", "debit", "credit")
ELIM_COLUMNS = ("region", "account", "debit", "credit")
STATEMENT_COLUMNS = ("statement", "line", "amount")
FLAG_COLUMNS = ("entry_id", "risk_score")
TOL = 0.011
MATCH_SHARE = 0.99  # hidden checks: share of figures within 0.01 of the key


# ------------------------------------------------------------------------------ helpers


def _frame(output: Any, columns: tuple[str, ...]) -> str | None:
    """A message when ``output`` is not a table with ``columns``, else None."""
    if not isinstance(output, pd.DataFrame):
        return f"expected a pandas DataFrame, got {type(output).__name__}"
    missing = [c for c in columns if c not in output.columns]
    return f"columns missing: {', '.join(missing)}" if missing else None


def _numbers(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = df.copy()
    for c in columns:
        out[c] = pd.to_numeric(out[c], errors="coerce").fillna(0.0)
    return out


def _text(series: pd.Series) -> pd.Series:
    return series.map(
        lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
    )


def _net(
    df: pd.DataFrame,
    keys: list[str],
    debit: str = "debit",
    credit: str = "credit",
) -> pd.Series:
    df = _numbers(df, (debit, credit))
    key = (
        df[keys[0]].astype(str) if len(keys) == 1 else _text(df[keys[0]]) + " " + _text(df[keys[1]])
    )
    return (df[debit] - df[credit]).groupby(key).sum().round(2)


def _match(mine: pd.Series, truth: pd.Series, what: str) -> bool | str:
    """Share of figures within 0.01 of the key (a figure counts when either side is non-zero)."""
    t, s = truth.align(mine, join="outer", fill_value=0.0)
    counted = (t.abs() > 0.004) | (s.abs() > 0.004)
    ok = ((t - s).abs() <= TOL) & counted
    share = ok.sum() / max(1, counted.sum())
    if share >= MATCH_SHARE:
        return True
    wrong = ~ok & counted
    example = wrong[wrong].index[0]
    return (
        f"{share:.1%} of {what} match the key (need {MATCH_SHARE:.0%}); for example "
        f"{example}: yours {s[example]:,.2f}, expected {t[example]:,.2f}"
    )


# ----------------------------------------------------------------------------- 1 ledger


def _ledger_columns(out: Any, ctx: CheckContext) -> bool | str:
    return _frame(out, LEDGER_COLUMNS) or True


def _ledger_regions(out: Any, ctx: CheckContext) -> bool | str:
    want = set(Reference.load(ctx.public).regions["region"])
    have = set(out["region"].astype(str))
    missing = sorted(want - have)
    return f"no lines of region(s) {', '.join(missing)}" if missing else True


def _ledger_balanced(out: Any, ctx: CheckContext) -> bool | str:
    net = _net(out, ["entry_id"])
    bad = net[net.abs() > TOL]
    if len(bad):
        return (
            f"{len(bad)} entries do not balance, e.g. {bad.index[0]} (debit - credit = "
            f"{bad.iloc[0]:,.2f})"
        )
    return True


def _ledger_mapped(out: Any, ctx: CheckContext) -> bool | str:
    chart = set(Reference.load(ctx.public).account_type)
    groups = _text(out["group_account"])
    unknown = sorted(set(groups) - chart)
    return f"group accounts not in the group chart: {', '.join(unknown[:5])}" if unknown else True


def _ledger_totals(out: Any, ctx: CheckContext) -> bool | str:
    """Lines and debits per region equal what the export holds."""
    lines = parsed_case(ctx.public).lines
    want = lines.groupby("region").agg(n=("debit", "size"), debit=("debit", "sum"))
    mine = (
        _numbers(out, ("debit",))
        .groupby(out["region"].astype(str))
        .agg(n=("debit", "size"), debit=("debit", "sum"))
    )
    for region, row in want.iterrows():
        got = mine.loc[region] if region in mine.index else pd.Series({"n": 0, "debit": 0.0})
        if int(got["n"]) != int(row["n"]) or abs(float(got["debit"]) - float(row["debit"])) > 0.05:
            return (
                f"{region}: {int(got['n']):,} lines with debits {float(got['debit']):,.2f}; "
                f"the export holds {int(row['n']):,} lines with debits {float(row['debit']):,.2f}"
            )
    return True


def _ledger_key(out: Any, ctx: CheckContext) -> bool | str:
    truth = load_truth(ctx.case)["TB_Regions"]
    want = _net(truth, ["region", "account"], "local_debit", "local_credit")
    want = want[~want.index.str.endswith(f" {CTA_ACCOUNT}")]
    mine = _net(out.assign(account=_text(out["group_account"])), ["region", "account"])
    return _match(mine, want, "local balances per region and group account")


# -------------------------------------------------------------------------- 2 translate


def _tb_columns(out: Any, ctx: CheckContext) -> bool | str:
    return _frame(out, TB_COLUMNS) or True


def _tb_balanced(out: Any, ctx: CheckContext) -> bool | str:
    net = _net(out, ["region"])
    bad = net[net.abs() > TOL]
    return (
        (
            f"the translated trial balance of {bad.index[0]} does not balance "
            f"(debit - credit = {bad.iloc[0]:,.2f})"
        )
        if len(bad)
        else True
    )


def _tb_rates(out: Any, ctx: CheckContext) -> bool | str:
    """Each translated balance is its local balance times the rate the handout's rules give."""
    ref = Reference.load(ctx.public)
    df = _numbers(out, TB_COLUMNS[2:]).assign(account=lambda d: _text(d["account"]))
    df = df[(df["account"] != CTA_ACCOUNT) & df["account"].isin(ACCOUNT_TYPE)]
    local = (df["local_debit"] - df["local_credit"]).round(2)
    rate = translation_rates(df["account"], df["region"].astype(str).map(ref.currency), ref.fx)
    want = (local * rate).round(2)
    got = (df["debit"] - df["credit"]).round(2)
    bad = df[(want - got).abs() > TOL]
    if len(bad):
        r = bad.iloc[0]
        kind = ACCOUNT_TYPE.get(r["account"], "?")
        return (
            f"{len(bad)} balances are not translated by the rules, e.g. {r['region']} "
            f"{r['account']} ({kind}): {got[bad.index[0]]:,.2f} CNY, the rules give "
            f"{want[bad.index[0]]:,.2f}"
        )
    return True


def _tb_key(out: Any, ctx: CheckContext) -> bool | str:
    truth = load_truth(ctx.case)["TB_Regions"]
    return _match(
        _net(out, ["region", "account"]),
        _net(truth, ["region", "account"]),
        "translated regional balances",
    )


# -------------------------------------------------------------------------- 3 eliminate


def _elim_columns(out: Any, ctx: CheckContext) -> bool | str:
    return _frame(out, ELIM_COLUMNS) or True


def _elim_reverses(out: Any, ctx: CheckContext) -> bool | str:
    """Every intercompany balance of your trial balances is reversed; the rest nets to 3900."""
    tb = ctx.outputs.get("translate")
    if not isinstance(tb, pd.DataFrame) or _frame(tb, TB_COLUMNS):
        return "needs the translate step's trial balances"
    tb = tb.assign(account=_text(tb["account"]))
    ic = _net(tb[tb["account"].isin(IC_ACCOUNTS)], ["region", "account"])
    mine = _net(out, ["region", "account"])
    for key, value in ic.items():
        if abs(mine.get(key, 0.0) + value) > TOL:
            return (
                f"{key}: the trial balance shows {value:,.2f}, the elimination "
                f"{mine.get(key, 0.0):,.2f} (it must reverse it)"
            )
    total = float(mine.sum())
    return True if abs(total) <= TOL else f"the eliminations do not net to zero ({total:,.2f})"


def _elim_key(out: Any, ctx: CheckContext) -> bool | str:
    truth = load_truth(ctx.case)["Eliminations"]
    return _match(
        _net(out, ["region", "account"]), _net(truth, ["region", "account"]), "elimination lines"
    )


# ------------------------------------------------------------------------- 4 statements


def _lines(out: pd.DataFrame, statement: str) -> pd.Series:
    part = out[out["statement"].astype(str) == statement]
    return (
        pd.to_numeric(part["amount"], errors="coerce")
        .fillna(0.0)
        .groupby(_text(part["line"]))
        .sum()
        .round(2)
    )


def _st_columns(out: Any, ctx: CheckContext) -> bool | str:
    bad = _frame(out, STATEMENT_COLUMNS)
    if bad:
        return bad
    missing = {"TB_Consolidated", "PL", "BS"} - set(out["statement"].astype(str))
    return f"statement(s) missing: {', '.join(sorted(missing))}" if missing else True


def _st_balances(out: Any, ctx: CheckContext) -> bool | str:
    tb, pl, bs = (_lines(out, s) for s in ("TB_Consolidated", "PL", "BS"))
    if abs(float(tb.sum())) > TOL:
        return f"the group trial balance does not balance ({float(tb.sum()):,.2f})"
    need = {"TOTAL_ASSETS", "TOTAL_LIABILITIES_AND_EQUITY", "NET_INCOME"}
    if not need <= set(bs.index) or "NET_INCOME" not in pl.index:
        return "lines TOTAL_ASSETS, TOTAL_LIABILITIES_AND_EQUITY and NET_INCOME are needed"
    gap = float(bs["TOTAL_ASSETS"] - bs["TOTAL_LIABILITIES_AND_EQUITY"])
    if abs(gap) > TOL:
        return f"total assets differ from total liabilities and equity by {gap:,.2f}"
    if abs(float(bs["NET_INCOME"] - pl["NET_INCOME"])) > TOL:
        return "the balance sheet's net income differs from the P&L's"
    return True


def _st_key(out: Any, ctx: CheckContext) -> bool | str:
    truth = load_truth(ctx.case)
    parts_t, parts_s = [], []
    for name in ("TB_Consolidated", "PL", "BS"):
        t = truth[name]
        value = t["amount"] if "amount" in t else t["debit"] - t["credit"]
        parts_t.append(
            value.groupby(name + " " + _text(t["line" if "line" in t else "account"])).sum()
        )
        mine = _lines(out, name)
        parts_s.append(mine.set_axis(name + " " + mine.index.astype(str)))
    return _match(pd.concat(parts_s), pd.concat(parts_t), "statement figures")


def _st_material(out: Any, ctx: CheckContext) -> bool | str:
    truth = load_truth(ctx.case)
    m = materiality(truth)
    for name in ("PL", "BS"):
        t = truth[name].set_index("line")["amount"]
        mine = _lines(out, name)
        t, s = t.align(mine, join="outer", fill_value=0.0)
        worst = (t - s).abs()
        if worst.max() >= CLEARLY_TRIVIAL * m:
            line = worst.idxmax()
            return (
                f"{name} {line} is misstated by {worst.max():,.2f} CNY, more than clearly "
                f"trivial ({CLEARLY_TRIVIAL * m:,.0f} CNY)"
            )
    return True


# ------------------------------------------------------------------------------ 5 risk


def _risk_columns(out: Any, ctx: CheckContext) -> bool | str:
    bad = _frame(out, FLAG_COLUMNS)
    if bad:
        return bad
    score = pd.to_numeric(out["risk_score"], errors="coerce")
    if not np.isfinite(score).all() or (score < 0).any():
        return "every risk_score must be a number >= 0"
    return True if not out["entry_id"].duplicated().any() else "an entry is listed twice"


def _risk_ids(out: Any, ctx: CheckContext) -> bool | str:
    known = set(parsed_case(ctx.public).lines["entry_id"])
    unknown = sorted(set(out["entry_id"].astype(str)) - known)
    return f"{len(unknown)} unknown entry ids, e.g. {unknown[0]}" if unknown else True


def _risk_budget(out: Any, ctx: CheckContext) -> bool | str:
    from labs.accounting.jet import review_budget

    n = parsed_case(ctx.public).lines["entry_id"].nunique()
    k = review_budget(n)
    ranked = int((pd.to_numeric(out["risk_score"], errors="coerce") > 0).sum())
    return (
        True
        if ranked >= k
        else (
            f"only {ranked} entries have a risk above 0; an auditor "
            f"reviews {k}: rank at least that many"
        )
    )


def _ap(out: pd.DataFrame, ctx: CheckContext) -> tuple[float, float, float]:
    """(your AP, the AP of the JET checklist (every rule one point), the share of anomalies).

    The outcome metrics measure you against the rules weighted by rarity (the control
    class); this check asks only that you do better than the naive checklist."""
    lines = parsed_case(ctx.public).lines
    e = entry_table(lines, Reference.load(ctx.public))
    labels = load_anomalies(ctx.case).set_index("entry_id")["type"]
    y = e["entry_id"].map(labels).notna()
    mine = e["entry_id"].map(out.drop_duplicates("entry_id").set_index("entry_id")["risk_score"])
    mine = pd.to_numeric(mine, errors="coerce").fillna(0.0)
    rules = any_rule_flags(e, jet_rules(e)).set_index("entry_id")["risk_score"]
    base = e["entry_id"].map(rules).fillna(0.0)
    return (
        float(average_precision_score(y, mine)),
        float(average_precision_score(y, base)),
        float(y.mean()),
    )


def _risk_chance(out: Any, ctx: CheckContext) -> bool | str:
    ap, _, prevalence = _ap(out, ctx)
    return (
        True
        if ap >= 3 * prevalence
        else (f"average precision {ap:.3f}: hardly better than chance ({prevalence:.3f})")
    )


def _risk_rules(out: Any, ctx: CheckContext) -> bool | str:
    ap, rules, _ = _ap(out, ctx)
    return (
        True
        if ap >= rules
        else (
            f"average precision {ap:.3f}; the JET checklist (one point "
            f"per rule hit) reaches {rules:.3f}"
        )
    )


# ------------------------------------------------------------------------------- steps

STEPS: tuple[Step, ...] = (
    Step(
        "ledger",
        "Read the six exports into one ledger",
        "把六个地区的导出读成一本总账",
        "Read every file of public/inbox (its own layout, header row, encoding, separator, "
        "date and number format) into one table of ledger lines, one row per line, and map "
        "each local account to its group account with reference/account_map.csv. Entry id = "
        "region + '-' + the document number's digits, six wide (SH-000012).",
        "读取 public/inbox 中的每个文件（各自的版式、表头行、编码、分隔符、日期和数字格式），合成一张"
        "总账明细表，每行一条分录行；用 reference/account_map.csv 把本地科目映射到集团科目。凭证编号 = "
        "地区代码 + '-' + 凭证号数字（补足六位，如 SH-000012）。",
        "read_ledger",
        "read_ledger(public_dir)",
        "Return a DataFrame with columns entry_id, region, date, posted, user, text, account "
        "(local), group_account, debit, credit (local currency).",
        12,
        inputs=("public_dir",),
        output="frame",
        hints=(
            "kit.read_text decodes UTF-8 or GBK; kit.sniff_separator finds ';'",
            "kit.raw_sheets gives every cell of a workbook: find the header row by its names",
            "merged cells hold their value in the first row only: fill down",
            "a 'Total' row is not a ledger line; the US export ends with one",
        ),
        hints_zh=(
            "kit.read_text 可解码 UTF-8 或 GBK；kit.sniff_separator 能识别 ';'",
            "kit.raw_sheets 返回工作簿的所有单元格：按列名找到表头行",
            "合并单元格只在第一行有值：向下填充",
            "“合计/Total”行不是分录行；美国的导出文件末尾有一行",
        ),
        public_checks=(
            Check("columns", "has the ledger's columns", _ledger_columns, "包含总账所需的列"),
            Check("regions", "lines of all six regions", _ledger_regions, "六个地区都有分录行"),
            Check(
                "balanced",
                "every entry balances",
                _ledger_balanced,
                "每张凭证借贷平衡",
                hint="amounts with decimal commas or a D/C flag are easy to misread",
                hint_zh="小数逗号或借贷标志的金额容易读错",
            ),
            Check("mapped", "every line has a group account", _ledger_mapped, "每行都有集团科目"),
            Check(
                "totals",
                "lines and debits per region as in the exports",
                _ledger_totals,
                "各地区行数和借方合计与导出文件一致",
                weight=2.0,
            ),
        ),
        hidden_checks=(
            Check(
                "key",
                "local balances match the answer key",
                _ledger_key,
                "本地余额与答案一致",
                weight=2.0,
            ),
        ),
    ),
    Step(
        "translate",
        "Translate each region's trial balance",
        "折算各地区试算平衡表",
        "Per region and group account: the net local balance, and its CNY value at the "
        "closing rate (assets, liabilities), the historical rate (equity) or the average "
        "rate (revenue, expenses), rounded to 0.01; the region's translation difference "
        "goes to 3900. Balances sit on the debit or the credit side.",
        "按地区和集团科目：本币净余额，以及折算为人民币的金额——资产、负债用期末汇率，所有者权益用历史"
        "汇率，收入、费用用平均汇率，四舍五入到 0.01；各地区的折算差额记入 3900。余额只放在借方或贷方。",
        "translate",
        "translate(ledger, public_dir)",
        "Return a DataFrame with columns region, account, local_debit, local_credit, debit, "
        "credit (CNY).",
        10,
        inputs=("ledger", "public_dir"),
        output="frame",
        hints=(
            "reference/fx_rates.csv: closing_rate, average_rate, historical_rate",
            "reference/group_chart.csv says which accounts are equity",
        ),
        hints_zh=(
            "reference/fx_rates.csv：closing_rate、average_rate、historical_rate",
            "reference/group_chart.csv 标明哪些科目属于所有者权益",
        ),
        public_checks=(
            Check("columns", "has the trial balance's columns", _tb_columns, "包含试算表所需的列"),
            Check(
                "balanced",
                "each translated trial balance balances",
                _tb_balanced,
                "每个地区折算后借贷平衡",
                hint="post the translation difference to 3900",
                hint_zh="把折算差额记入 3900",
            ),
            Check(
                "rates",
                "balances translated at the rules' rates",
                _tb_rates,
                "按规则的汇率折算",
                weight=2.0,
            ),
        ),
        hidden_checks=(
            Check(
                "key",
                "translated balances match the answer key",
                _tb_key,
                "折算余额与答案一致",
                weight=2.0,
            ),
        ),
    ),
    Step(
        "eliminate",
        "Eliminate intercompany balances",
        "抵销内部往来",
        "Reverse every intercompany balance (accounts 1250, 2250, 4800, 6800) of every region "
        "in full; what does not cancel goes to 3900 with region GROUP.",
        "全额冲回各地区的内部往来余额（科目 1250、2250、4800、6800）；不能相互抵销的差额记入 GROUP 地区"
        "的 3900。",
        "eliminate",
        "eliminate(tb_regions)",
        "Return a DataFrame with columns region, account, debit, credit.",
        8,
        inputs=("translate",),
        output="frame",
        public_checks=(
            Check("columns", "has the elimination columns", _elim_columns, "包含抵销分录所需的列"),
            Check(
                "reverses",
                "reverses every intercompany balance, nets to zero",
                _elim_reverses,
                "冲回每项内部往来余额，合计为零",
                weight=2.0,
            ),
        ),
        hidden_checks=(
            Check("key", "eliminations match the answer key", _elim_key, "抵销分录与答案一致"),
        ),
    ),
    Step(
        "statements",
        "The group statements",
        "集团报表",
        "The consolidated trial balance (one line per group account: its net CNY balance), "
        "the P&L and the balance sheet with the lines and totals of the handout.",
        "合并试算平衡表（每个集团科目一行：人民币净余额）、利润表和资产负债表，行次和合计见讲义。",
        "statements",
        "statements(tb_regions, eliminations, public_dir)",
        "Return a DataFrame with columns statement (TB_Consolidated, PL or BS), line (account "
        "code or line name), amount (TB: debit - credit; PL and BS: as in the handout).",
        10,
        inputs=("translate", "eliminate", "public_dir"),
        output="frame",
        public_checks=(
            Check("columns", "has the three statements", _st_columns, "包含三张报表"),
            Check(
                "balances",
                "trial balance and balance sheet balance, net income agrees",
                _st_balances,
                "试算表和资产负债表平衡，净利润一致",
                weight=2.0,
            ),
        ),
        hidden_checks=(
            Check("key", "statement figures match the answer key", _st_key, "报表数字与答案一致"),
            Check(
                "material",
                "no misstatement beyond clearly trivial",
                _st_material,
                "没有超过明显微小界限的错报",
            ),
        ),
    ),
    Step(
        "risk",
        "A risk score over the journal entries",
        "日记账分录风险评分",
        "Score every journal entry so that an auditor who reviews the highest-risk 2 % finds "
        "as many anomalies as possible. Only the order of your scores counts.",
        "为每张凭证打分，使审计师复核风险最高的 2% 时找到尽可能多的异常。只看分数的排序。",
        "risk_scores",
        "risk_scores(ledger, public_dir)",
        "Return a DataFrame with columns entry_id, risk_score (a number >= 0) and, if you "
        "like, reason.",
        10,
        inputs=("ledger", "public_dir"),
        output="frame",
        hints=(
            "start from the journal-entry tests of the handout, weighted by how rare a hit is",
            "Benford's test points at a region; what inside it is out of line?",
        ),
        hints_zh=(
            "从讲义中的日记账测试开始，按命中的稀有程度加权",
            "本福特检验指出某个地区；该地区内哪些分录异常？",
        ),
        public_checks=(
            Check(
                "columns",
                "entry ids with risk scores >= 0",
                _risk_columns,
                "凭证编号和不小于 0 的风险分",
            ),
            Check("ids", "every entry id is in the exports", _risk_ids, "每个凭证编号都存在"),
            Check(
                "budget",
                "at least as many entries ranked as an auditor reviews",
                _risk_budget,
                "排序的凭证数不少于审计师复核数",
            ),
        ),
        hidden_checks=(
            Check("chance", "ranks anomalies well above chance", _risk_chance, "明显优于随机排序"),
            Check(
                "rules",
                "ranks better than the JET checklist",
                _risk_rules,
                "排序优于日记账测试清单",
                hint="a rare hit says more than a common one",
                hint_zh="罕见的命中比常见的命中更说明问题",
            ),
        ),
    ),
)
