"""Hypothesis strategies for messy raw source files: records of every source layout with wrong types, HTML entities,
huge strings and arrays, odd units and amounts, written as JSON lines / arrays / CSV and then damaged (cut short,
invalid UTF-8, NaN tokens, duplicate keys, gzip that is cut, corrupt or not gzip at all)."""

from __future__ import annotations

import csv
import gzip
import io
import zlib

import orjson
from hypothesis import strategies as st

ASINS = ["B000000001", "b07kmvjjk7", "7301113188", "B00", "", " B000000002 ", "B0000000011", "B00000000!"]
UNITS = ["kg", "g", "mg", "lb", "lbs", "pounds", "oz", "Ounces", "cm", "mm", "m", "in", "inches", '"', "ft", "'",
         "stone", "lightyears", "pcs", "", "kilo.", "µg"]
NUMBERS = ["1", "2.5", "1,5", "1,200", "1,200.50", "0", "-3", ".5", "NaN", "inf", "-inf", "1e9", "9" * 400, "0.000001",
           "1.2.3", "", "١٢"]
TEXTS = ["Mug &amp; Cup", "&lt;b&gt;bold&lt;/b&gt;", "<p>Para</p><br>next", "&#x1F600; &bogus; &#99999999;", "  ",
         "Plastic, Metal", "95% Cotton, 5% Elastane", "$12.99", "$10.99 - $15.99", "USD 5", "Total price: $3",
         "10 x 5 x 2 inches", '8.2" x 5" x 4.5"', "17 x 4 x 2 inches; 9.17 Ounces", "x" * 20_000, "\u200b\ufeff",
         "https://img.example/a._SS40_.jpg", "../images/a.jpg", "/abs/b.png", "s3://bucket/c.jpg"]

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
amount = st.builds(lambda n, u, sep: f"{n}{sep}{u}", st.sampled_from(NUMBERS), st.sampled_from(UNITS),
                   st.sampled_from(["", " ", "  "]))
dims = st.builds(lambda a, b, c, u: f"{a} x {b} x {c} {u}", *[st.sampled_from(NUMBERS)] * 3, st.sampled_from(UNITS))
leaf = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63) + 1, 2**63 - 1), st.floats(allow_nan=False, allow_infinity=False),
    _text, amount, dims, st.sampled_from(TEXTS + ASINS),
)
huge_list = st.integers(1_000, 5_000).map(lambda n: ["feature"] * n)
value = st.recursive(
    leaf,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text | st.sampled_from(["value", "unit"]),
                                                                      children, max_size=4),
    max_leaves=10,
) | huge_list


def _record(keys: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional={k: v | value for k, v in keys.items()})


_measure = st.fixed_dictionaries({}, optional={"value": st.sampled_from(NUMBERS) | leaf, "unit": st.sampled_from(UNITS)})
_tagged = st.lists(st.fixed_dictionaries({"value": leaf}, optional={"language_tag": st.sampled_from(["en_US", "de"])}),
                   max_size=3)
_detail_keys = ["Item Weight", "\n    Product Dimensions: \n    ", "Shipping Weight:", "Package Dimensions", "Brand",
                "Material", "Material Type", "Material Care"]

ucsd_meta = _record({
    "asin": st.sampled_from(ASINS), "parent_asin": st.sampled_from(ASINS), "title": st.sampled_from(TEXTS),
    "feature": st.lists(st.sampled_from(TEXTS), max_size=3), "description": st.lists(st.sampled_from(TEXTS), max_size=2),
    "brand": st.sampled_from(TEXTS), "price": st.sampled_from(TEXTS) | st.floats() | amount,
    "details": st.dictionaries(st.sampled_from(_detail_keys), amount | dims | st.sampled_from(TEXTS), max_size=5),
    "tech1": st.builds(lambda k, v: f"<tr><th>{k}</th><td>{v}</td></tr>", st.sampled_from(_detail_keys), amount | dims),
    "category": st.lists(st.sampled_from(TEXTS), max_size=4), "imageURLHighRes": st.lists(st.sampled_from(TEXTS), max_size=3),
    "images": st.lists(st.fixed_dictionaries({}, optional={"hi_res": leaf, "variant": st.just("MAIN")}), max_size=2),
    "rating_number": st.integers(-5, 10**6) | st.floats(), "average_rating": st.floats(),
})
ucsd_review = _record({
    "asin": st.sampled_from(ASINS), "parent_asin": st.sampled_from(ASINS),
    "overall": st.floats() | st.integers(-3, 9) | st.sampled_from(["4", "4.5", "five", "NaN"]), "rating": st.floats(),
})
aspa_item = _record({
    "asin": st.sampled_from(ASINS), "item_id": st.sampled_from(ASINS), "title": st.sampled_from(TEXTS),
    "attributes": st.fixed_dictionaries({}, optional={
        "item_name": _tagged, "brand": _tagged, "material": _tagged, "item_weight": st.lists(_measure, max_size=2),
        "list_price": st.lists(st.fixed_dictionaries({"value": leaf, "currency": st.sampled_from(["USD", "EUR", None])}),
                               max_size=2),
        "item_dimensions": st.lists(st.fixed_dictionaries({}, optional={"length": _measure, "width": _measure}),
                                    max_size=1),
    }),
    "item_weight": st.lists(_measure, max_size=2) | amount, "item_dimensions": st.fixed_dictionaries({"length": _measure}),
    "final_price": leaf, "currency": st.sampled_from(["USD", "usd", "EUR"]), "product_dimensions": dims,
    "product_details": st.lists(st.fixed_dictionaries({"type": st.sampled_from(_detail_keys), "value": amount}),
                                max_size=3),
    "url": st.sampled_from(["https://www.amazon.com/dp/B000000003/ref=x", "https://x/dp/", ""]),
    "classifications": st.just([{"classifications": [{"displayName": "Mugs", "parent": {"displayName": "Kitchen"}}]}]),
    "node": st.lists(st.fixed_dictionaries({"node_name": st.sampled_from(["/Home/Kitchen", "/", ""])}), max_size=2),
})

RAW_LINES = [b'{"asin": "B000000009", "price": NaN, "weight": Infinity}', b'{"asin": "B000000009", "price": 1e999}',
             b'{"asin": "B000000009", "rating_number": 123456789012345678901234567890}',
             b'{"asin": "B000000009", "asin": "B000000008", "title": "dup"}', b'{"asin": "B00000000\xff\xfe"}',
             b'{"asin": "B0000', b"[1, 2]", b"null", b'"just a string"', b"\xef\xbb\xbf{}", b"   ", b"\r", b"{]"]


def _gzip_variant(data: bytes, kind: str, cut: int) -> bytes:
    if kind == "gzip":
        return gzip.compress(data, mtime=0)
    if kind == "gzip_cut":
        stored = gzip.compress(data, mtime=0)
        return stored[: cut % (len(stored) + 1)]
    if kind == "gzip_corrupt":
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
        half = len(data) // 2
        head = compressor.compress(data[:half]) + compressor.flush(zlib.Z_FULL_FLUSH)
        return head + b"\x07" + (compressor.compress(data[half:]) + compressor.flush())[1:]
    return data  # "not_gzip": plain bytes under a .gz name


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """``data`` cut short, with invalid UTF-8 or random bytes spliced in, or unchanged."""
    kind = draw(st.sampled_from(["none", "none", "cut", "invalid_utf8", "noise", "empty"]))
    at = draw(st.integers(0, max(len(data), 0)))
    if kind == "cut":
        return data[:at]
    if kind == "invalid_utf8":
        return data[:at] + b"\xc3\x28\xff" + data[at:]
    if kind == "noise":
        return data[:at] + draw(st.binary(min_size=1, max_size=12)) + data[at:]
    return b"" if kind == "empty" else data


@st.composite
def json_file(draw, records: st.SearchStrategy) -> tuple[str, bytes]:
    """(name suffix, stored bytes) of a JSON-lines or JSON-array file of ``records`` plus raw bad lines."""
    items = [orjson.dumps(r) for r in draw(st.lists(records, max_size=5))]
    layout = draw(st.sampled_from(["lines", "lines", "array", "array_indented"]))
    if layout == "lines":
        extra = draw(st.lists(st.sampled_from(RAW_LINES), max_size=3))
        lines = items + extra
        order = draw(st.permutations(range(len(lines)))) if lines else []
        data = b"\n".join(lines[i] for i in order) + draw(st.sampled_from([b"\n", b"", b"\r\n\n"]))
    else:
        data = b"[" + (b",\n  " if layout == "array_indented" else b",").join(items) + b"]"
    data = draw(damaged(data))
    compression = draw(st.sampled_from(["plain", "plain", "gzip", "gzip_cut", "gzip_corrupt", "not_gzip"]))
    if compression == "plain":
        return "", data
    return ".gz", _gzip_variant(data, compression, draw(st.integers(0, 10**6)))


HEADERS = [
    ["asin", "title", "weight", "dimensions", "image_url"],
    ["asin", "title", "mass_kg", "weight_lb", "price", "image_url"],
    ["Uniq Id", "Product Name", "Brand Name", "Asin", "Category", "Selling Price", "About Product",
     "Product Specification", "Technical Details", "Shipping Weight", "Image", "Product Url"],
    ["name", "value"],
]
_cell = st.sampled_from(TEXTS + ASINS + NUMBERS + ["a,b", 'say "hi"', "line\nbreak", "nul\0byte", "|".join(TEXTS[:3]),
                                                 "https://www.amazon.com/dp/B000000004", "ItemWeight:12.8ounces|ASIN:B000000005"])


@st.composite
def csv_file(draw) -> tuple[str, bytes]:
    header = draw(st.sampled_from(HEADERS))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    for _ in range(draw(st.integers(0, 5))):
        size = draw(st.sampled_from([len(header), len(header), len(header) - 1, len(header) + 2]))
        writer.writerow(draw(st.lists(_cell, min_size=max(size, 0), max_size=max(size, 0))))
    raw = draw(st.lists(st.sampled_from(['"unclosed,quote\n', "\n", ",,,\n", "B000000006\n"]), max_size=2))
    data = (out.getvalue() + "".join(raw)).encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    data = draw(damaged(data))
    compression = draw(st.sampled_from(["plain", "plain", "gzip", "gzip_cut", "gzip_corrupt", "not_gzip"]))
    if compression == "plain":
        return "", data
    return ".gz", _gzip_variant(data, compression, draw(st.integers(0, 10**6)))
