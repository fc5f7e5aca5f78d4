"""Consolidation rules in pandas: map, translate, eliminate, and build the statements.

The rules (also in the student handout):

* a region's trial balance is the net balance of each group account in local currency;
* assets and liabilities translate at the closing rate, equity (share capital, retained
  earnings) at the historical rate, revenue and expenses at the average rate, each balance
  rounded to 0.01 CNY; the region's translation difference is posted to 3900 so every
  translated trial balance balances (the local trial balance balances, so 3900 holds the
  translation difference and nothing else);
* intercompany accounts (1250, 2250, 4800, 6800) are eliminated in full; what does not cancel
  (FX differences on intercompany balances) goes to 3900 of region ``GROUP``;
* the P&L shows revenue and expense accounts and their totals, the balance sheet shows the
  balance-sheet accounts, the period's net income within equity, and the totals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from labs.accounting.chart import (
    ACCOUNT_NAME,
    ACCOUNT_TYPE,
    BALANCE_SHEET_TYPES,
    CTA_ACCOUNT,
    GROUP_CHART,
    IC_ACCOUNTS,
)

GROUP_REGION = "GROUP"
FX_COLUMNS = ["currency", "closing_rate", "average_rate", "historical_rate"]
TB_REGIONS_COLUMNS = ["region", "account", "local_debit", "local_credit", "debit", "credit"]


def debit_credit(net: pd.Series) -> tuple[pd.Series, pd.Series]:
    net = net.round(2)
    return net.clip(lower=0).round(2), (-net).clip(lower=0).round(2)


def translation_rates(accounts: pd.Series, currencies: pd.Series, fx: pd.DataFrame) -> np.ndarray:
    """CNY per unit for each (group account, currency): closing for assets and liabilities,
    historical for equity, average for revenue and expenses.

    ``fx`` is indexed by currency with columns closing_rate, average_rate and historical_rate
    (cases made before historical rates were published translate equity at closing).
    """
    kind = accounts.map(ACCOUNT_TYPE).to_numpy()
    closing = currencies.map(fx["closing_rate"]).to_numpy(dtype=float)
    average = currencies.map(fx["average_rate"]).to_numpy(dtype=float)
    historical = (currencies.map(fx["historical_rate"]).to_numpy(dtype=float)
                  if "historical_rate" in fx.columns else closing)
    return np.where(kind == "equity", historical,
                    np.where(np.isin(kind, BALANCE_SHEET_TYPES), closing, average))


def regional_tb(lines: pd.DataFrame, currency: dict[str, str], fx: pd.DataFrame) -> pd.DataFrame:
    """Per region and group account: local and translated balances, plus the 3900 plug.

    ``lines`` needs columns region, account (group code), debit, credit (local currency);
    ``fx`` is indexed by currency (see :func:`translation_rates`).
    """
    g = lines.groupby(["region", "account"], sort=True)[["debit", "credit"]].sum().reset_index()
    g["net"] = (g["debit"] - g["credit"]).round(2)
    unknown = set(g["account"]) - set(ACCOUNT_TYPE)
    if unknown:
        raise ValueError(f"accounts not in the group chart: {sorted(unknown)}")
    rate = translation_rates(g["account"], g["region"].map(currency), fx)
    g["tnet"] = (g["net"] * rate).round(2)
    g = with_translation_plug(g)
    keep = (g["net"].abs() > 0.004) | (g["tnet"].abs() > 0.004)
    return g.loc[keep, TB_REGIONS_COLUMNS].reset_index(drop=True)


def with_translation_plug(g: pd.DataFrame) -> pd.DataFrame:
    """Regional balances (region, account, net, tnet) with each region's translation
    difference posted to 3900, as local and translated debit/credit columns."""
    plug = g.groupby("region")["tnet"].sum().round(2).mul(-1).rename("tnet").reset_index()
    plug["account"], plug["net"] = CTA_ACCOUNT, 0.0
    g = pd.concat([g[["region", "account", "net", "tnet"]], plug], ignore_index=True)
    g = g.groupby(["region", "account"], sort=True)[["net", "tnet"]].sum().reset_index()
    g["local_debit"], g["local_credit"] = debit_credit(g["net"])
    g["debit"], g["credit"] = debit_credit(g["tnet"])
    return g


def eliminations(tb_regions: pd.DataFrame) -> pd.DataFrame:
    """Lines that reverse every intercompany balance, and the residual to GROUP / 3900."""
    ic = tb_regions[tb_regions["account"].isin(IC_ACCOUNTS)]
    rev = pd.DataFrame({"region": ic["region"], "account": ic["account"],
                        "net": (ic["credit"] - ic["debit"]).round(2)})
    residual = round(-float(rev["net"].sum()), 2)
    rev = pd.concat([rev, pd.DataFrame([{"region": GROUP_REGION, "account": CTA_ACCOUNT,
                                         "net": residual}])], ignore_index=True)
    rev["debit"], rev["credit"] = debit_credit(rev["net"])
    return rev[["region", "account", "debit", "credit"]].reset_index(drop=True)


def consolidated_tb(tb_regions: pd.DataFrame, elim: pd.DataFrame) -> pd.DataFrame:
    """Group trial balance in CNY, one row per group account (zeros included)."""
    both = pd.concat([tb_regions[["account", "debit", "credit"]], elim[["account", "debit", "credit"]]])
    net = (both["debit"] - both["credit"]).groupby(both["account"]).sum().round(2)
    codes = [c for c, *_ in GROUP_CHART]
    net = net.reindex(codes, fill_value=0.0)
    debit, credit = debit_credit(net)
    return pd.DataFrame({"account": codes, "name": [ACCOUNT_NAME[c] for c in codes],
                         "debit": debit.to_numpy(), "credit": credit.to_numpy()})


def _net(tb: pd.DataFrame) -> pd.Series:
    return (tb.set_index("account")["debit"] - tb.set_index("account")["credit"]).round(2)


def profit_and_loss(tb: pd.DataFrame) -> pd.DataFrame:
    """Revenue (credit balances) and expense (debit balances) accounts, totals, net income."""
    net = _net(tb)
    rows = []
    for kind, total, sign in (("revenue", "TOTAL_REVENUE", -1), ("expense", "TOTAL_EXPENSES", 1)):
        codes = [c for c, *_, k in GROUP_CHART if k == kind]
        rows += [(c, ACCOUNT_NAME[c], round(sign * net.get(c, 0.0), 2)) for c in codes]
        rows.append((total, total.replace("_", " ").title(),
                     round(sum(sign * net.get(c, 0.0) for c in codes), 2)))
    revenue = next(r[2] for r in rows if r[0] == "TOTAL_REVENUE")
    expenses = next(r[2] for r in rows if r[0] == "TOTAL_EXPENSES")
    rows.append(("NET_INCOME", "Net income", round(revenue - expenses, 2)))
    return pd.DataFrame(rows, columns=["line", "name", "amount"])


def balance_sheet(tb: pd.DataFrame, net_income: float) -> pd.DataFrame:
    """Assets, liabilities, equity (with the period's net income) and their totals."""
    net = _net(tb)
    rows = []
    totals = {}
    for kind, total, sign in (("asset", "TOTAL_ASSETS", 1), ("liability", "TOTAL_LIABILITIES", -1),
                              ("equity", "TOTAL_EQUITY", -1)):
        codes = [c for c, *_, k in GROUP_CHART if k == kind]
        rows += [(c, ACCOUNT_NAME[c], round(sign * net.get(c, 0.0), 2)) for c in codes]
        subtotal = sum(sign * net.get(c, 0.0) for c in codes)
        if kind == "equity":
            rows.append(("NET_INCOME", "Net income of the period", round(net_income, 2)))
            subtotal += net_income
        totals[total] = round(subtotal, 2)
        rows.append((total, total.replace("_", " ").title(), totals[total]))
    rows.append(("TOTAL_LIABILITIES_AND_EQUITY", "Total liabilities and equity",
                 round(totals["TOTAL_LIABILITIES"] + totals["TOTAL_EQUITY"], 2)))
    return pd.DataFrame(rows, columns=["line", "name", "amount"])


def consolidate(lines: pd.DataFrame, currency: dict[str, str], fx: pd.DataFrame,
                ) -> dict[str, pd.DataFrame]:
    """All report tables (FX, TB_Regions, Eliminations, TB_Consolidated, PL, BS) from lines."""
    return statements(regional_tb(lines, currency, fx), fx)


def statements(tb_regions: pd.DataFrame, fx: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The report tables that follow from the regional trial balances: eliminations, group
    trial balance, P&L and balance sheet (and the FX table used)."""
    elim = eliminations(tb_regions)
    tb = consolidated_tb(tb_regions, elim)
    pl = profit_and_loss(tb)
    net_income = float(pl.loc[pl["line"] == "NET_INCOME", "amount"].iloc[0])
    fx_table = fx.reset_index()[[c for c in FX_COLUMNS if c in fx.reset_index().columns]]
    return {"FX": fx_table, "TB_Regions": tb_regions, "Eliminations": elim,
            "TB_Consolidated": tb, "PL": pl, "BS": balance_sheet(tb, net_income)}
