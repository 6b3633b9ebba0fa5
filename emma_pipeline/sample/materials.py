"""Material families of the sample world: the seller strings sellers really type, the taxonomy nodes each one
means, and how the material looks in a product photo.

A family is what an archetype draws from ("stainless", "cotton_poly", ...). Each seller string maps to one or
more lowercase taxonomy node names (a blend like "60% Cotton, 40% Polyester" maps to two); the ground truth
stores both the strings as written and the node names, so the material-mapping stage can be scored.
"""

from __future__ import annotations

from dataclasses import dataclass

# look: (texture kind used by the image renderer, fixed RGB or None = the product's colour)
Look = tuple[str, tuple[int, int, int] | None]


@dataclass(frozen=True)
class MaterialFamily:
    key: str
    look: Look
    strings: tuple[tuple[str, tuple[str, ...]], ...]  # (seller string, taxonomy nodes)


def _fam(key: str, look: Look, *pairs: str) -> MaterialFamily:
    """pairs are "Seller String=node+node" so the table below stays one line per family."""
    parsed = []
    for pair in pairs:
        text, nodes = pair.split("=")
        parsed.append((text, tuple(nodes.split("+"))))
    return MaterialFamily(key, look, tuple(parsed))


_GREY, _DARK, _WHITE = (160, 162, 168), (70, 70, 74), (238, 236, 230)
FAMILIES: dict[str, MaterialFamily] = {
    f.key: f
    for f in (
        _fam("plastic", ("plastic", None), "Plastic=plastic", "BPA-free plastic=plastic", "BPA Free Plastic=plastic",
             "PP=polypropylene", "Polypropylene=polypropylene", "ABS=abs", "ABS Plastic=abs", "HDPE=polyethylene",
             "Polyethylene=polyethylene", "Polycarbonate=polycarbonate", "PC=polycarbonate", "TPE=thermoplastic",
             "Thermoplastic=thermoplastic", "TPU=thermoplastic"),
        _fam("abs", ("plastic", None), "ABS=abs", "ABS Plastic=abs", "Plastic=plastic"),
        _fam("polyethylene", ("plastic", None), "Polyethylene=polyethylene", "HDPE=polyethylene", "LLDPE=polyethylene"),
        _fam("polycarbonate", ("plastic", None), "Polycarbonate=polycarbonate", "PC=polycarbonate",
             "Hard Shell PC=polycarbonate"),
        _fam("thermoplastic", ("plastic", None), "TPE=thermoplastic", "TPU=thermoplastic",
             "Thermoplastic Elastomer=thermoplastic"),
        _fam("acrylic", ("glass", None), "Acrylic=acrylic", "Plexiglass=acrylic", "Clear Acrylic=acrylic"),
        _fam("pvc", ("plastic", None), "PVC=pvc", "Vinyl=pvc", "PVC Plastic=pvc"),
        _fam("nylon_plastic", ("plastic", None), "Nylon 66=nylon plastic", "Glass-Filled Nylon=nylon plastic",
             "Nylon Plastic=nylon plastic"),
        _fam("steel", ("metal", _GREY), "Steel=steel", "Carbon Steel=steel", "Metal=metal", "Alloy Steel=alloy steel",
             "Chrome Vanadium Steel=alloy steel", "Iron=iron"),
        _fam("alloy_steel", ("metal", _GREY), "Alloy Steel=alloy steel", "Chrome Vanadium=alloy steel",
             "Cr-V Steel=alloy steel"),
        _fam("stainless", ("metal", (190, 192, 196)), "Stainless Steel=stainless steel",
             "18/8 stainless steel=stainless steel", "SS304=stainless steel", "304 Stainless Steel=stainless steel",
             "18/10 Stainless Steel=stainless steel", "Stainless=stainless steel"),
        _fam("aluminum", ("metal", (200, 204, 210)), "Aluminum=aluminum", "Aluminium=aluminum",
             "Aircraft Aluminum=aluminum", "Anodized Aluminum=aluminum", "Metal=metal"),
        _fam("cast_iron", ("metal", _DARK), "Cast Iron=cast iron", "Pre-Seasoned Cast Iron=cast iron", "Iron=iron"),
        _fam("copper", ("metal", (184, 115, 60)), "Copper=copper", "Pure Copper=copper", "Copper Wire=copper"),
        _fam("brass", ("metal", (190, 160, 80)), "Brass=brass", "Solid Brass=brass"),
        _fam("gold", ("metal", (222, 180, 50)), "14K Gold=gold", "18k Gold Plated=gold", "Gold=gold",
             "Yellow Gold=gold"),
        _fam("silver", ("metal", (205, 208, 214)), "925 Sterling Silver=silver", "Sterling Silver=silver",
             "Silver=silver"),
        _fam("titanium", ("metal", (140, 140, 150)), "Titanium=titanium", "Titanium Alloy=titanium"),
        _fam("wood", ("wood", (150, 100, 55)), "Wood=wood", "Solid Wood=wood", "Wooden=wood", "Hardwood=wood",
             "Natural Wood=wood", "Beech Wood=wood"),
        _fam("pine", ("wood", (205, 165, 110)), "Pine Wood=pine", "Solid Pine=pine", "Pine=pine"),
        _fam("oak", ("wood", (175, 130, 80)), "Oak=oak", "Solid Oak=oak", "White Oak=oak"),
        _fam("walnut", ("wood", (100, 65, 40)), "Walnut=walnut", "Black Walnut=walnut", "Walnut Wood=walnut"),
        _fam("cherry", ("wood", (150, 70, 45)), "Cherry=cherry", "Cherry Wood=cherry"),
        _fam("cedar", ("wood", (170, 95, 60)), "Cedar=cedar", "Red Cedar=cedar"),
        _fam("bamboo", ("wood", (215, 180, 120)), "Bamboo=bamboo", "Moso Bamboo=bamboo", "100% Natural Bamboo=bamboo"),
        _fam("plywood", ("wood", (200, 160, 110)), "Plywood=plywood", "Birch Plywood=plywood"),
        _fam("cotton", ("fabric", None), "Cotton=cotton", "100% Cotton=cotton", "Organic Cotton=cotton",
             "Cotton Canvas=cotton"),
        _fam("cotton_poly", ("fabric", None), "60% Cotton, 40% Polyester=cotton+polyester",
             "Cotton Blend=cotton+polyester", "Poly-Cotton=cotton+polyester",
             "50% Cotton/50% Polyester=cotton+polyester"),
        _fam("polyester", ("fabric", None), "Polyester=polyester", "100% Polyester=polyester", "Poly=polyester"),
        _fam("nylon_fabric", ("fabric", None), "Nylon=nylon fabric", "Ripstop Nylon=nylon fabric",
             "Nylon Webbing=nylon fabric", "Braided Nylon=nylon fabric"),
        _fam("spandex", ("fabric", None), "95% Polyester, 5% Spandex=polyester+spandex", "Spandex=spandex",
             "Elastane=spandex", "98% Cotton, 2% Spandex=cotton+spandex"),
        _fam("wool", ("fabric", None), "Wool=wool", "Merino Wool=wool", "100% Wool=wool"),
        _fam("linen", ("fabric", None), "Linen=linen", "100% Linen=linen", "Flax Linen=linen"),
        _fam("fleece", ("fabric", None), "Fleece=fleece", "Polar Fleece=fleece"),
        _fam("microfiber", ("fabric", None), "Microfiber=microfiber", "Microfibre=microfiber",
             "Plush Microfiber=microfiber"),
        _fam("lace", ("fabric", _WHITE), "Lace=lace", "Floral Lace=lace"),
        _fam("faux_fur", ("fabric", None), "Faux Fur=faux fur", "Fake Fur=faux fur", "Plush=fabric"),
        _fam("fabric", ("fabric", None), "Fabric=fabric", "Textile=fabric", "Canvas=fabric", "Mesh=fabric"),
        _fam("leather", ("leather", (120, 70, 40)), "Leather=leather", "Genuine Leather=genuine leather",
             "Full Grain Leather=genuine leather", "Cowhide Leather=genuine leather"),
        _fam("faux_leather", ("leather", None), "PU Leather=faux leather", "Vegan Leather=faux leather",
             "Faux Leather=faux leather", "Synthetic Leather=faux leather"),
        _fam("glass", ("glass", None), "Glass=glass", "Borosilicate Glass=glass", "Clear Glass=glass", "Crystal=glass"),
        _fam("tempered_glass", ("glass", None), "Tempered Glass=tempered glass", "9H Tempered Glass=tempered glass"),
        _fam("ceramic", ("ceramic", (240, 238, 232)), "Ceramic=ceramic", "Stoneware=ceramic", "Terracotta=ceramic"),
        _fam("porcelain", ("ceramic", (246, 246, 244)), "Porcelain=porcelain", "Fine Porcelain=porcelain",
             "Bone China=porcelain"),
        _fam("paper", ("paper", (236, 230, 214)), "Paper=paper", "Kraft Paper=paper", "Recycled Paper=paper"),
        _fam("cardboard", ("paper", (196, 160, 112)), "Cardboard=cardboard", "Corrugated Cardboard=cardboard"),
        _fam("cardstock", ("paper", (232, 226, 210)), "Cardstock=cardstock", "Card Stock=cardstock",
             "Heavyweight Cardstock=cardstock"),
        _fam("stone", ("stone", (150, 146, 140)), "Stone=stone", "Natural Stone=stone", "Concrete=stone"),
        _fam("marble", ("stone", (228, 226, 222)), "Marble=marble", "Natural Marble=marble"),
        _fam("granite", ("stone", (120, 116, 112)), "Granite=granite"),
        _fam("gemstone", ("stone", (120, 60, 160)), "Gemstone=gemstone", "Natural Amethyst=gemstone",
             "Turquoise=gemstone"),
        _fam("diamond", ("stone", (225, 235, 245)), "Diamond=diamond", "Lab-Created Diamond=diamond"),
        _fam("rubber", ("rubber", (38, 38, 40)), "Rubber=rubber", "Natural Rubber=rubber", "Non-slip Rubber=rubber"),
        _fam("silicone", ("plastic", None), "Silicone=silicone", "Food Grade Silicone=silicone",
             "BPA-Free Silicone=silicone"),
        _fam("foam", ("foam", None), "Foam=foam", "Memory Foam=foam", "EVA Foam=foam", "High-Density Foam=foam"),
        _fam("electronics", ("electronic", (45, 48, 52)), "Electronic Components=electronics",
             "Electronics=electronics", "Circuit Board=electronics"),
        _fam("food", ("food", (170, 110, 60)), "Food=food", "Organic Cane Sugar=food", "Cocoa=food"),
        _fam("liquid", ("liquid", None), "Liquid=liquid", "Water-Based Formula=liquid"),
    )
}
