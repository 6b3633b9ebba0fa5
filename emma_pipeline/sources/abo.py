"""Amazon Berkeley Objects (ABO) listing records to listing fields.

ABO records carry ``item_id`` (the ASIN), language-tagged lists (``item_name``, ``bullet_point``, ``brand``,
``material``, ``fabric_type``: English values are preferred), ``item_weight[{value, unit}]``, ``item_dimensions`` as one
``{length, width, height}`` object, ``product_type[{value}]``, ``node[{node_name: "/Root/Child/..."}]`` and
image ids (``main_image_id``, ``other_image_id``). ABO image ids are Amazon catalog image ids, so they are
turned into ``https://m.media-amazon.com/images/I/<id>.jpg`` URLs.
"""

from __future__ import annotations

from emma_pipeline.sources.fields import box_cm, check_asin, dicts, split_materials, tagged_values
from emma_pipeline.units import to_kg

_IMAGE_URL = "https://m.media-amazon.com/images/I/{}.jpg"


def _image_urls(obj: dict) -> list[str] | None:
    others = obj.get("other_image_id")
    ids = [obj.get("main_image_id"), *(others if isinstance(others, list) else [])]
    urls = [_IMAGE_URL.format(i.strip()) for i in ids if isinstance(i, str) and i.strip()]
    return list(dict.fromkeys(urls)) or None


def _dimensions(box: object) -> list[float] | None:
    if isinstance(box, list):  # some dumps wrap the object in a one-element list
        box = next(iter(dicts(box)), None)
    return box_cm(box)


def _category_path(obj: dict) -> list[str] | None:
    for node in dicts(obj.get("node")):
        name = node.get("node_name")
        if isinstance(name, str) and (parts := [p.strip() for p in name.split("/") if p.strip()]):
            return parts
    return None


def abo_row(obj: dict, base_dir: str) -> tuple[dict | None, str | None]:
    """Listing fields of one ABO record, or a quarantine reason (``base_dir`` unused: ids become URLs)."""
    asin, error = check_asin(obj.get("item_id"))
    if error is not None:
        return None, error
    names, brands = tagged_values(obj.get("item_name")), tagged_values(obj.get("brand"))
    values = tagged_values(obj.get("material")) + tagged_values(obj.get("fabric_type"))
    materials = [m for value in values for m in split_materials(value)]
    weight = next(
        (kg for w in dicts(obj.get("item_weight")) if (kg := to_kg(w.get("value"), w.get("unit")))), None
    )
    product_type = next((p.get("value") for p in dicts(obj.get("product_type"))), None)
    return {
        "asin": asin,
        "title": names[0] if names else None,
        "features": tagged_values(obj.get("bullet_point")) or None,
        "brand": brands[0] if brands else None,
        "image_urls": _image_urls(obj),
        "mass_kg": weight,
        "dimensions_cm": _dimensions(obj.get("item_dimensions")),
        "category_path": _category_path(obj),
        "product_type": product_type if isinstance(product_type, str) else None,
        "materials_raw": list(dict.fromkeys(materials)) or None,
    }, None
