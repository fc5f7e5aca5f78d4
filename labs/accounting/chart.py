"""The group's fixed domain: group chart of accounts, regions, local charts, posting templates.

Everything here is public knowledge of the case (it is also written to ``public/reference``);
what varies from seed to seed (rates, volumes, users, anomalies) lives in ``generate.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

GROUP_CURRENCY = "CNY"

# code, English name, Chinese name, type (asset, liability, equity, revenue, expense)
GROUP_CHART: tuple[tuple[str, str, str, str], ...] = (
    ("1000", "Cash and bank", "货币资金", "asset"),
    ("1100", "Accounts receivable", "应收账款", "asset"),
    ("1200", "Inventory", "存货", "asset"),
    ("1250", "Intercompany receivable", "内部往来应收", "asset"),
    ("1500", "Fixed assets", "固定资产", "asset"),
    ("2000", "Accounts payable", "应付账款", "liability"),
    ("2100", "Accrued expenses", "预提费用", "liability"),
    ("2200", "Taxes payable", "应交税费", "liability"),
    ("2250", "Intercompany payable", "内部往来应付", "liability"),
    ("2500", "Bank loans", "银行借款", "liability"),
    ("3000", "Share capital", "实收资本", "equity"),
    ("3100", "Retained earnings", "留存收益", "equity"),
    ("3900", "Currency translation difference", "外币报表折算差额", "equity"),
    ("4000", "Sales revenue", "销售收入", "revenue"),
    ("4100", "Service revenue", "服务收入", "revenue"),
    ("4800", "Intercompany revenue", "内部销售收入", "revenue"),
    ("5000", "Cost of goods sold", "销售成本", "expense"),
    ("6000", "Salaries", "职工薪酬", "expense"),
    ("6100", "Rent", "租金", "expense"),
    ("6200", "Travel", "差旅费", "expense"),
    ("6300", "Marketing", "市场推广费", "expense"),
    ("6400", "Utilities", "水电费", "expense"),
    ("6500", "Depreciation", "折旧费", "expense"),
    ("6600", "Office supplies", "办公费", "expense"),
    ("6800", "Intercompany expense", "内部采购费用", "expense"),
    ("7000", "Interest expense", "利息费用", "expense"),
)
ACCOUNT_TYPE = {code: kind for code, _, _, kind in GROUP_CHART}
ACCOUNT_NAME = {code: name for code, name, _, _ in GROUP_CHART}
BALANCE_SHEET_TYPES = ("asset", "liability", "equity")
IC_ACCOUNTS = ("1250", "2250", "4800", "6800")
CTA_ACCOUNT = "3900"


@dataclass(frozen=True)
class Region:
    """One subsidiary and the way it exports its ledger."""

    code: str
    name: str
    name_zh: str
    currency: str
    country: str  # ISO code for the public-holiday calendar
    file: str  # export file name in the inbox
    decimals: int  # minor units of the currency
    base_rate: float  # CNY per unit, before the seeded drift
    limit: float  # approval limit in local currency
    weight: float  # share of the group's entries
    chinese: bool  # local account names in Chinese


REGIONS: tuple[Region, ...] = (
    Region("SH", "Shanghai", "上海", "CNY", "CN", "SH_shanghai_ledger.xlsx", 2, 1.0, 50_000, 1.3, True),
    Region("SZ", "Shenzhen", "深圳", "CNY", "CN", "SZ_shenzhen_ledger.csv", 2, 1.0, 50_000, 1.2, True),
    Region("HK", "Hong Kong", "香港", "HKD", "HK", "HK_hongkong_gl.xlsx", 2, 0.92, 50_000, 0.8, False),
    Region("DE", "Frankfurt", "法兰克福", "EUR", "DE", "DE_frankfurt_buchungen.csv", 2, 7.8, 5_000, 1.0, False),
    Region("US", "New York", "纽约", "USD", "US", "US_newyork_journal.csv", 2, 7.2, 10_000, 1.2, False),
    Region("JP", "Tokyo", "东京", "JPY", "JP", "JP_tokyo_journal.xlsx", 0, 0.048, 1_000_000, 0.9, False),
)
REGION_BY_CODE = {r.code: r for r in REGIONS}

# Chinese Accounting Standards codes used by the two mainland subsidiaries (some group accounts
# are split into two local accounts, as real local charts do).
_CAS = {
    "1000": [("1001", "库存现金"), ("1002", "银行存款")], "1100": [("1122", "应收账款")],
    "1200": [("1405", "库存商品")], "1250": [("1221", "其他应收款-集团内")],
    "1500": [("1601", "固定资产")], "2000": [("2202", "应付账款")],
    "2100": [("2241", "其他应付款")], "2200": [("2221", "应交税费")],
    "2250": [("2242", "其他应付款-集团内")], "2500": [("2001", "短期借款")],
    "3000": [("4001", "实收资本")], "3100": [("4104", "利润分配")],
    "4000": [("6001", "主营业务收入")], "4100": [("6051", "其他业务收入")],
    "4800": [("6002", "主营业务收入-集团内")], "5000": [("6401", "主营业务成本")],
    "6000": [("6601", "销售费用-职工薪酬"), ("6602", "管理费用-职工薪酬")],
    "6100": [("6603", "管理费用-租赁费")], "6200": [("6604", "管理费用-差旅费")],
    "6300": [("6605", "销售费用-广告费")], "6400": [("6606", "管理费用-水电费")],
    "6500": [("6607", "管理费用-折旧费")], "6600": [("6608", "管理费用-办公费")],
    "6800": [("6402", "主营业务成本-集团内")], "7000": [("6611", "财务费用-利息")],
}


def local_chart(region: Region) -> list[tuple[str, str, str]]:
    """(local account, local name, group account) rows of one region's chart."""
    rows: list[tuple[str, str, str]] = []
    for code, name, _, _ in GROUP_CHART:
        if code == CTA_ACCOUNT:
            continue  # only the group posts translation differences
        if region.chinese:
            rows += [(local, local_name, code) for local, local_name in _CAS[code]]
        elif region.code == "HK":
            parts = ["HSBC", "BOC"] if code == "1000" else [""]
            rows += [(f"{code}-{i + 1:02d}", f"{name} {p}".strip(), code) for i, p in enumerate(parts)]
        elif region.code == "DE":
            rows.append((f"{int(code) // 10:03d}{1 if code[-1] == '0' else 2}", name, code))
        elif region.code == "US":
            parts = ["operating", "payroll"] if code == "1000" else [""]
            rows += [(f"{int(code) * 10 + i + 1}", f"{name} {p}".strip(), code)
                     for i, p in enumerate(parts)]
        else:  # JP: three-digit codes
            rows.append((f"{int(code) // 10 + 100}", name, code))
    return rows


@dataclass(frozen=True)
class Template:
    """A routine posting: debit and credit group accounts and a log-normal amount in CNY."""

    name: str
    debit: str
    credit: str
    median_cny: float
    sigma: float
    weight: float
    text: str
    text_zh: str
    system: bool = False  # posted by the SYSTEM user (automatic job)


TEMPLATES: tuple[Template, ...] = (
    Template("sale", "1100", "4000", 18_000, 1.1, 20, "Invoice {ref} {party}", "销售发票 {ref} {party}"),
    Template("service", "1100", "4100", 7_000, 1.0, 6, "Service fee {ref} {party}", "服务费 {ref} {party}"),
    Template("collect", "1000", "1100", 22_000, 1.1, 15, "Receipt {ref} {party}", "收款 {ref} {party}"),
    Template("purchase", "1200", "2000", 14_000, 1.1, 12, "Purchase {ref} {party}", "采购入库 {ref} {party}"),
    Template("cogs", "5000", "1200", 11_000, 1.1, 12, "Cost of sales {ref}", "结转成本 {ref}"),
    Template("pay", "2000", "1000", 16_000, 1.1, 10, "Payment {ref} {party}", "付款 {ref} {party}"),
    Template("salary", "6000", "1000", 28_000, 0.7, 4, "Payroll {ref}", "工资发放 {ref}"),
    Template("rent", "6100", "2000", 20_000, 0.4, 2, "Office rent {ref}", "房租 {ref}"),
    Template("travel", "6200", "1000", 2_400, 1.0, 8, "Travel claim {ref}", "差旅报销 {ref}"),
    Template("marketing", "6300", "2000", 8_500, 1.0, 4, "Campaign {ref} {party}", "推广费 {ref} {party}"),
    Template("utilities", "6400", "2000", 3_200, 0.6, 3, "Utilities {ref}", "水电费 {ref}"),
    Template("office", "6600", "1000", 750, 1.0, 5, "Office supplies {ref}", "办公用品 {ref}"),
    Template("interest", "7000", "1000", 5_000, 0.5, 1, "Loan interest {ref}", "借款利息 {ref}"),
    Template("tax", "2200", "1000", 9_000, 0.8, 1, "Tax payment {ref}", "缴纳税款 {ref}"),
    Template("depreciation", "6500", "1500", 8_000, 0.3, 1, "Monthly depreciation {ref}",
             "计提折旧 {ref}", system=True),
)

# Account pairs no routine template produces: planted as "rare pair" anomalies.
RARE_PAIRS: tuple[tuple[str, str], ...] = (
    ("6300", "1500"), ("1000", "3100"), ("6200", "1100"), ("2500", "4000"), ("1500", "4100"),
    ("6600", "2500"),
)
PARTIES = ("Acme", "Borealis", "Cathay", "Delta", "Everbright", "Fuji", "Golden", "Harbor",
           "Indigo", "Jade", "Keystone", "Lotus", "Meridian", "Nova", "Orion", "Pacific")
FIRST_NAMES = ("li", "wang", "zhang", "chen", "liu", "anna", "ben", "clara", "david", "emma",
               "felix", "hana", "kenji", "maria", "noah", "olga", "peter", "sara", "tom", "yuki")
UNUSUAL_USERS = ("cfo.office", "it.admin", "temp.intern", "SYSTEM")
