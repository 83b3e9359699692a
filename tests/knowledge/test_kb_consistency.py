"""The corpus states the numbers the code uses: carrier rates, loyalty tiers, fraud levels, stock defaults."""

import re

from db.models import StockLevel
from knowledge.corpus import CorpusArticle
from tools.customer.service import TIER_THRESHOLDS
from tools.fraud.service import (
    ADDRESS_MISMATCH_POINTS,
    BAD_IP_POINTS,
    METHOD_CHURN_POINTS,
    NEW_ACCOUNT_POINTS,
)
from tools.fraud.thresholds import BLOCK, FLAG, REVIEW
from tools.transport.reference import BANDS, CARRIERS

ZONES = {"Domestic FR": "domestic", "EU": "eu", "World": "world"}
CELL = re.compile(r"^(\d+\.\d{2}) EUR, (\d+) days?$")


def body(corpus: list[CorpusArticle], slug: str) -> str:
    return next(a.body for a in corpus if a.slug == slug)


def tables_by_heading(text: str) -> dict[str, list[list[str]]]:
    """Markdown table rows (header and separator left out) under each '## ' heading."""
    tables: dict[str, list[list[str]]] = {}
    heading = ""
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:].split(" (")[0].strip()
        elif line.startswith("|") and not set(line) <= set("|-: "):
            tables.setdefault(heading, []).append([c.strip() for c in line.strip("|").split("|")])
    return {h: rows[1:] for h, rows in tables.items()}


def test_shipping_rates_are_the_carrier_tables(corpus: list[CorpusArticle]) -> None:
    names = {name: zones for name, _prefix, _rate, zones in CARRIERS.values()}
    tables = tables_by_heading(body(corpus, "shipping-rates"))
    assert set(tables) == set(ZONES)
    for heading, zone in ZONES.items():
        published = {row[0]: [CELL.match(cell).groups() for cell in row[1:]] for row in tables[heading]}
        expected = {
            name: [(price, str(days)) for price, days in zones[zone]]
            for name, zones in names.items()
            if zone in zones
        }
        assert published == expected, heading
    assert f"{BANDS[-1]} kg at most" in body(corpus, "shipping-rates")


def test_loyalty_tiers_are_the_code_thresholds(corpus: list[CorpusArticle]) -> None:
    rows = tables_by_heading(body(corpus, "loyalty-programme"))["The four tiers"]
    floors = [(tier, int(re.match(r"[\d,]+", points).group().replace(",", ""))) for tier, points in rows]
    assert floors == [(str(tier), floor) for tier, floor in TIER_THRESHOLDS]
    points = body(corpus, "loyalty-points")
    assert "1 point for every whole euro" in points and "Points do not expire" in points


def test_fraud_levels_and_points_are_the_code_rules(corpus: list[CorpusArticle]) -> None:
    tables = tables_by_heading(body(corpus, "fraud-review"))
    levels = [
        (int(score.split()[0]), level) for score, level, _ in tables["Levels and automatic actions"][:3]
    ]
    # The corpus states the thresholds' defaults (staff may tune the fraud.* settings).
    assert levels == [(BLOCK.default, "critical"), (REVIEW.default, "high"), (FLAG.default, "medium")]
    points = dict(tables["How the score is built"])
    assert points["IP address on the blocklist (bad reputation)"] == str(BAD_IP_POINTS)
    assert points["shipping country different from the billing country"] == str(ADDRESS_MISMATCH_POINTS)
    assert points["account younger than 1 day"] == str(NEW_ACCOUNT_POINTS)
    assert points["more than 2 payment methods saved in the last 7 days"] == str(METHOD_CHURN_POINTS)


def test_stock_defaults_are_the_model_defaults(corpus: list[CorpusArticle]) -> None:
    text = body(corpus, "low-stock-and-reordering")
    reorder, maximum = StockLevel.reorder_point.default.arg, StockLevel.max_stock.default.arg
    assert f"Default **{reorder} units**" in text and f"Default **{maximum} units**" in text
