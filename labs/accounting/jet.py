"""Journal-entry tests (JET) as an auditor runs them: one yes/no rule per audit standard item,
and the ranking audit software builds from them.

Also the entry table they work on (one row per journal entry, built from ledger lines) and
Benford's first-digit test (Nigrini's mean absolute deviation, cut-offs 0.006 / 0.012 / 0.015).

The control class ranks entries as audit analytics do (MindBridge's "control points"): each
rule is weighted by how rare a hit is on this ledger (its self-information, ``-ln(share of
entries it fires on)``), and an entry's risk is ``sum(weight * hit) / sum(weight)``. Benford's
test directs attention to a nonconforming region; it does not flag single entries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from labs.accounting.kit.benford import (
    BENFORD,
    BENFORD_MIN_ENTRIES,
    MAD_NONCONFORMITY,
    benford_by_region,
    first_digits,
)
from labs.accounting.kit.reference import Reference

__all__ = ["BENFORD", "BENFORD_MIN_ENTRIES", "MAD_NONCONFORMITY", "benford_by_region",
           "entry_table", "jet_rules", "rank_by_rules", "review_budget"]

RARE_USER_SHARE = 0.005  # a user posting under 0.5 % of a region's entries (~6 of 1,200)
SPLIT_SIMILARITY = 0.8  # parts of one invoice cut to stay below the limit are of similar size
REVIEW_BUDGET = 0.02  # share of entries an auditor can review: the k of the ranking metrics
MIN_REVIEW = 10  # an auditor reviews at least this many entries


def review_budget(n_entries: int) -> int:
    """How many entries an auditor reviews: 2 % of the entries, at least 10."""
    return min(n_entries, max(MIN_REVIEW, round(REVIEW_BUDGET * n_entries)))


def entry_table(lines: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """One row per entry: region, dates, user, text, amount, debit/credit pair, limit, features."""
    g = lines.groupby("entry_id", sort=True)
    e = g[["region", "doc", "date", "posted", "user", "text"]].first()
    e["amount"] = g["debit"].sum().round(2)
    e["n_lines"] = g.size()
    dr = lines[lines["debit"] > 0].groupby("entry_id")["group"].first()
    cr = lines[lines["credit"] > 0].groupby("entry_id")["group"].first()
    e["pair"] = dr.reindex(e.index).fillna("?") + "/" + cr.reindex(e.index).fillna("?")
    limits = ref.regions.set_index("region")["approval_limit"].astype(float)
    e["limit"] = e["region"].map(limits)
    e["first_digit"] = first_digits(e["amount"])
    cents = np.round(e["amount"] * 100).astype("int64")
    whole = np.where(cents % 100 == 0, cents // 100, 0)
    e["trailing_zeros"] = [len(str(w)) - len(str(w).rstrip("0")) if w else 0 for w in whole]
    hol = ref.holidays.groupby("region")["date"].apply(lambda s: set(pd.to_datetime(s)))
    off = [d.weekday() >= 5 or d in hol.get(r, set()) for d, r in zip(e["date"], e["region"], strict=True)]
    e["offday"] = off
    e["period_end"] = pd.Timestamp(ref.end)
    e["lag_days"] = (e["posted"] - e["date"]).dt.days.clip(lower=0)
    e["text_len"] = e["text"].fillna("").str.strip().str.len()
    e["pair_count"] = e.groupby("pair")["pair"].transform("size")
    e["user_share"] = e.groupby(["region", "user"])["user"].transform("size") / \
        e.groupby("region")["region"].transform("size")
    system_pairs = e[e["user"] == "SYSTEM"]["pair"].value_counts()
    e["system_odd"] = (e["user"] == "SYSTEM") & (e["pair"].map(system_pairs).fillna(0) < 3)
    return e.reset_index()


def vendor(text: pd.Series) -> pd.Series:
    """The description without references and part suffixes: who the invoice is from."""
    t = text.fillna("").str.lower().str.replace(r"-[a-z]$", "", regex=True)
    return t.str.replace(r"\S*\d\S*", "", regex=True).str.split().str.join(" ")


def split_similarity(e: pd.DataFrame) -> pd.Series:
    """For split-invoice candidates, 1 - (max - min) / max of the parts' amounts, else 0.

    Candidates share vendor, date, accounts and the person who posted them (the one who splits
    an invoice posts its parts); two to four parts each between a quarter of the limit and the
    limit, together at or above it (a day's many small postings are not a split). A total cut
    into parts gives parts of similar size, hence the similarity.
    """
    part = (e["amount"] < e["limit"]) & (e["amount"] >= 0.25 * e["limit"])
    e = e.assign(vendor=vendor(e["text"]))[part]
    groups = e.groupby(["region", "date", "pair", "vendor", "user"])["amount"]
    total, size = groups.transform("sum"), groups.transform("size")
    hit = (total >= e["limit"]) & size.between(2, 4)
    similar = 1 - (groups.transform("max") - groups.transform("min")) / groups.transform("max")
    return similar.where(hit, 0.0).reindex(part.index, fill_value=0.0)


def duplicate_key(e: pd.DataFrame) -> pd.Series:
    """What duplicate entries share: region, debit/credit pair and amount."""
    return e["region"] + "|" + e["pair"] + "|" + e["amount"].map("{:.2f}".format)


def duplicate_keys(e: pd.DataFrame) -> pd.Series:
    """Entries sharing region, amount and accounts with another entry within one day."""
    key = duplicate_key(e)
    key = key[key.duplicated(keep=False)]  # only keys shared by two or more entries
    day = e["date"].values.astype("datetime64[D]").astype("int64")
    out = pd.Series(False, index=e.index)
    for _, idx in key.groupby(key).groups.items():
        d = day[e.index.get_indexer(idx)]
        near = np.abs(d[:, None] - d[None, :]) <= 1
        out[idx] = near.sum(axis=1) > 1
    return out


def nonconforming_regions(e: pd.DataFrame) -> set[str]:
    """Regions whose first digits do not conform to Benford's law (MAD above Nigrini's 0.015,
    enough entries for the test to mean something)."""
    bf = benford_by_region(e)
    bad = bf[(bf["mad"] > MAD_NONCONFORMITY) & (bf["n"] >= BENFORD_MIN_ENTRIES)]
    return set(bad["region"])


def jet_rules(e: pd.DataFrame) -> pd.DataFrame:
    """The standard journal-entry tests, one boolean column each.

    ``benford_region`` marks every entry of a nonconforming region: the test points the
    auditor at a region, it cannot say which of its entries are invented.
    """
    n = len(e)
    return pd.DataFrame({
        "rare_pair": e["pair_count"] <= max(2, 0.001 * n),
        "unusual_user": (e["user_share"] < RARE_USER_SHARE) | e["system_odd"],
        "period_end_no_desc": ((e["date"] >= e["period_end"] - pd.Timedelta(days=2))
                               | (e["posted"] > e["period_end"])) & (e["text_len"] < 3),
        "round_amount": (e["trailing_zeros"] >= 3),
        "below_limit": (e["amount"] >= 0.95 * e["limit"]) & (e["amount"] < e["limit"]),
        "split_invoice": split_similarity(e) >= SPLIT_SIMILARITY,
        "duplicate": duplicate_keys(e),
        "weekend_holiday": e["offday"].astype(bool),
        "benford_region": e["region"].isin(nonconforming_regions(e)),
    }, index=e.index)


def rarity_weights(rules: pd.DataFrame) -> pd.Series:
    """Weight of each rule: the self-information of a hit, ``-ln(share of entries hit)``.

    A rule that fires on 0.1 % of entries weighs 6.9, one that fires on every sixth entry 1.8:
    a rare hit says more. A rule that never fires weighs as if it fired once.
    """
    share = rules.mean().clip(lower=1 / max(1, len(rules)))
    return -np.log(share.clip(upper=1.0)).rename("weight")


def rank_by_rules(entries: pd.DataFrame, rules: pd.DataFrame,
                  weights: pd.Series | None = None) -> pd.DataFrame:
    """Flags table of a rules-only method: ``risk = sum(weight * hit) / sum(weight)`` with
    rarity weights (or ``weights``), the rules hit as the reason; entries hitting no rule are
    left out (risk 0)."""
    w = rarity_weights(rules) if weights is None else weights.reindex(rules.columns).fillna(0.0)
    score = rules.astype(float).mul(w, axis=1).sum(axis=1) / max(float(w.sum()), 1e-12)
    reason = rules.apply(lambda r: ", ".join(c for c in rules.columns if r[c]), axis=1)
    out = pd.DataFrame({"entry_id": entries["entry_id"], "risk_score": np.round(score, 6),
                        "reason": reason})
    out = out[out["risk_score"] > 0]
    return out.sort_values(["risk_score", "entry_id"], ascending=[False, True]).reset_index(drop=True)


def any_rule_flags(entries: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Flags table of the naive reading of the rules: every rule counts the same, so an entry
    ranks by how many rules it hits (what a checklist without weights does)."""
    return rank_by_rules(entries, rules, pd.Series(1.0, index=rules.columns))
