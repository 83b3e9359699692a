"""The demo shop's catalogue: categories, products and their variants."""

import itertools
import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from db.models import Category, Product, ProductVariant
from db.seed.base import Rows, ago, money

CATEGORIES = [
    ("Keyboards", "keyboards", "Mechanical and low-profile keyboards, keycaps and cables."),
    ("Audio", "audio", "Headphones, earbuds, speakers and microphones."),
    ("Desk Gear", "desk-gear", "Stands, mats, lamps, chairs and mice for the desk."),
    ("Apparel", "apparel", "T-shirts, hoodies, caps, socks and jackets."),
    ("Home", "home", "Mugs, kettles, candles, blankets and planters."),
    ("Outdoor", "outdoor", "Bottles, packs, tents and camp gear."),
]


@dataclass(frozen=True)
class ProductSpec:
    """One product: SKU stem, name, brand, supplier, category, base price, weight and option axes."""

    stem: str
    name: str
    brand: str
    supplier: str
    category: str
    price: int
    weight_kg: str
    axes: dict[str, list[str]]
    variants: int
    track_stock: bool = True


def _p(stem, name, brand, supplier, category, price, weight, axes, variants, track=True) -> ProductSpec:
    return ProductSpec(stem, name, brand, supplier, category, price, weight, axes, variants, track)


KEYSTONE, CAPSMITH, SONATA, LOUDHOUSE = "Keystone Components", "Capsmith Ltd", "Sonata Audio", "Loudhouse Sound"
DESKFORGE, LUMEN, THREADLINE = "Deskforge GmbH", "Lumen & Co", "Threadline Textiles"
HEARTH, NORTHTRAIL = "Hearth Home Goods", "Northtrail Outdoor"

PRODUCTS = [
    _p("KB-CLICKY", "Clacky 87 Mechanical Keyboard", "Clacky", KEYSTONE, "Keyboards", 89, "1.10",
       {"switch": ["red", "brown", "blue"], "layout": ["ISO", "ANSI"]}, 6),
    _p("KB-TKL", "Tenkey Pro TKL Keyboard", "Clacky", KEYSTONE, "Keyboards", 119, "0.95",
       {"switch": ["red", "brown", "silent"], "colour": ["black", "white"]}, 6),
    _p("KB-LOW", "Lowline Wireless Keyboard", "Slimkey", KEYSTONE, "Keyboards", 79, "0.60",
       {"layout": ["AZERTY", "QWERTY", "QWERTZ"], "colour": ["graphite", "silver"]}, 6),
    _p("KB-SPLIT", "Ergo Split 60 Keyboard", "Clacky", KEYSTONE, "Keyboards", 189, "1.30",
       {"switch": ["red", "brown"], "tenting": ["none", "kit"]}, 4),
    _p("KB-KEYCAP", "PBT Keycap Set", "Capsmith", CAPSMITH, "Keyboards", 49, "0.40",
       {"profile": ["Cherry", "OEM", "SA"], "colourway": ["olivia", "8008", "bow"]}, 6),
    _p("KB-CABLE", "Coiled USB-C Cable", "Capsmith", CAPSMITH, "Keyboards", 29, "0.15",
       {"colour": ["black", "lilac"], "length": ["1.2 m", "1.8 m"]}, 4),
    _p("AU-OVEREAR", "Studio One Over-Ear Headphones", "Sonata", SONATA, "Audio", 149, "0.35",
       {"colour": ["black", "silver", "blue"], "connectivity": ["wired", "wireless"]}, 6),
    _p("AU-BUDS", "Pocket Pods Earbuds", "Sonata", SONATA, "Audio", 99, "0.12",
       {"colour": ["black", "white", "sand"], "case": ["standard", "wireless charging"]}, 6),
    _p("AU-SPEAKER", "Boom Cube Bluetooth Speaker", "Loudhouse", LOUDHOUSE, "Audio", 69, "0.80",
       {"colour": ["black", "red", "green", "blue"], "size": ["mini", "max"]}, 6),
    _p("AU-MIC", "Cast USB Microphone", "Loudhouse", LOUDHOUSE, "Audio", 119, "0.70",
       {"colour": ["black", "white"], "pattern": ["cardioid", "multi"]}, 4),
    _p("AU-DAC", "Bitstream DAC Amp", "Sonata", SONATA, "Audio", 179, "0.30",
       {"output": ["3.5 mm", "4.4 mm balanced"], "colour": ["black", "silver"]}, 4),
    _p("DK-STAND", "Aluminium Laptop Stand", "Deskforge", DESKFORGE, "Desk Gear", 49, "1.20",
       {"colour": ["silver", "space grey"], "size": ["13-15 in", "15-17 in"]}, 4),
    _p("DK-MAT", "Wool Felt Desk Mat", "Deskforge", DESKFORGE, "Desk Gear", 39, "0.50",
       {"colour": ["grey", "charcoal", "forest"], "size": ["S", "M", "L"]}, 6),
    _p("DK-LAMP", "Halo Desk Lamp", "Lumen", LUMEN, "Desk Gear", 79, "1.60",
       {"colour": ["black", "white", "brass"], "mount": ["base", "clamp"]}, 6),
    _p("DK-CHAIR", "Flex Task Chair", "Deskforge", DESKFORGE, "Desk Gear", 349, "16.00",
       {"colour": ["black", "grey", "blue"], "armrest": ["fixed", "4D"]}, 6),
    _p("DK-ARM", "Monitor Arm", "Deskforge", DESKFORGE, "Desk Gear", 129, "3.20",
       {"monitors": ["single", "dual"], "colour": ["black", "white"]}, 4),
    _p("DK-MOUSE", "Glide Wireless Mouse", "Slimkey", KEYSTONE, "Desk Gear", 59, "0.10",
       {"colour": ["black", "white", "pink"], "grip": ["right", "left"]}, 5),
    _p("AP-TEE", "Shopcrew Logo T-Shirt", "Threadline", THREADLINE, "Apparel", 25, "0.20",
       {"size": ["S", "M", "L", "XL"], "colour": ["black", "white", "navy"]}, 6),
    _p("AP-HOODIE", "Keycap Hoodie", "Threadline", THREADLINE, "Apparel", 59, "0.60",
       {"size": ["S", "M", "L", "XL"], "colour": ["grey", "black"]}, 6),
    _p("AP-CAP", "Embroidered Cap", "Threadline", THREADLINE, "Apparel", 22, "0.10",
       {"colour": ["black", "khaki", "navy"]}, 3),
    _p("AP-SOCKS", "Merino Socks", "Threadline", THREADLINE, "Apparel", 15, "0.08",
       {"size": ["35-38", "39-42", "43-46"], "colour": ["grey", "mustard"]}, 6),
    _p("AP-JACKET", "Rain Shell Jacket", "Northtrail", NORTHTRAIL, "Apparel", 129, "0.45",
       {"size": ["S", "M", "L", "XL"], "colour": ["olive", "black"]}, 6),
    _p("HM-MUG", "Stoneware Mug", "Hearth", HEARTH, "Home", 18, "0.40",
       {"colour": ["white", "sage", "terracotta"], "capacity": ["300 ml", "450 ml"]}, 6),
    _p("HM-KETTLE", "Pour-Over Kettle", "Hearth", HEARTH, "Home", 69, "1.10",
       {"colour": ["matte black", "steel"], "capacity": ["0.8 l", "1.2 l"]}, 4),
    _p("HM-CANDLE", "Soy Candle", "Hearth", HEARTH, "Home", 24, "0.45",
       {"scent": ["cedar", "fig", "sea salt", "vanilla"], "size": ["small", "large"]}, 6),
    _p("HM-BLANKET", "Waffle Throw Blanket", "Hearth", HEARTH, "Home", 79, "1.40",
       {"colour": ["oat", "slate", "rust"]}, 3),
    _p("HM-PLANTER", "Self-Watering Planter", "Hearth", HEARTH, "Home", 34, "0.90",
       {"size": ["S", "M", "L"], "colour": ["white", "charcoal"]}, 5),
    _p("OD-BOTTLE", "Insulated Water Bottle", "Northtrail", NORTHTRAIL, "Outdoor", 32, "0.40",
       {"capacity": ["500 ml", "750 ml", "1 l"], "colour": ["black", "blue", "green"]}, 6),
    _p("OD-PACK", "Daypack 24L", "Northtrail", NORTHTRAIL, "Outdoor", 89, "0.90",
       {"colour": ["black", "olive", "orange"], "material": ["nylon", "recycled polyester"]}, 5),
    # Tents ship straight from the supplier, so the shop keeps no stock of them.
    _p("OD-TENT", "Trail 2 Tent", "Northtrail", NORTHTRAIL, "Outdoor", 249, "2.40",
       {"capacity": ["2-person", "3-person"], "colour": ["green", "orange"]}, 4, track=False),
    _p("OD-HEADLAMP", "Headlamp 400", "Northtrail", NORTHTRAIL, "Outdoor", 39, "0.10",
       {"colour": ["black", "yellow"], "battery": ["AAA", "rechargeable"]}, 4),
    _p("OD-STOVE", "Micro Camp Stove", "Northtrail", NORTHTRAIL, "Outdoor", 59, "0.30",
       {"fuel": ["gas", "multi-fuel"]}, 2),
]


def _option_sets(rng: random.Random, spec: ProductSpec) -> list[dict[str, str]]:
    combos = list(itertools.product(*spec.axes.values()))
    picked = sorted(rng.sample(range(len(combos)), min(spec.variants, len(combos))))
    return [dict(zip(spec.axes, combos[i], strict=True)) for i in picked]


def _variant_price(spec: ProductSpec, options: dict[str, str]) -> Decimal:
    # Later values on an axis cost a little more (bigger size, premium finish), in 5 % steps.
    steps = sum(values.index(options[axis]) for axis, values in spec.axes.items())
    return money(Decimal(spec.price) * (1 + Decimal("0.05") * steps)) - Decimal("0.01")


def add_catalog(rows: Rows, rng: random.Random, anchor: datetime) -> None:
    """Queue the categories, products and variants (ids are 10 digits, like the retail benchmark's)."""
    category_ids = {}
    for name, slug, description in CATEGORIES:
        category_ids[name] = rows.add(Category, id=rows.next_id(Category), name=name, slug=slug,
                                      parent_id=None, description=description)["id"]
    ids = iter(rng.sample(range(1_000_000_000, 9_999_999_999), 2000))
    for spec in PRODUCTS:
        created = ago(anchor, days=rng.randint(200, 400))
        product_id = str(next(ids))
        rows.add(Product, id=product_id, name=spec.name, brand=spec.brand, supplier=spec.supplier,
                 category_id=category_ids[spec.category], description=f"{spec.name} by {spec.brand}.",
                 archived=False, created_at=created, updated_at=created)
        for position, options in enumerate(_option_sets(rng, spec)):
            price = _variant_price(spec, options)
            weight = Decimal(spec.weight_kg)
            rows.add(ProductVariant, id=str(next(ids)), product_id=product_id, sku=f"{spec.stem}-{position + 1:02d}",
                     position=position, options=options, price=price, currency="EUR",
                     cost=money(price * Decimal(rng.randint(42, 58)) / 100), weight_kg=weight,
                     available=rng.random() > 0.06, track_stock=spec.track_stock)
