"""The mapper's fixed word lists: what is not a material, what negates one, and how context picks a reading.

Everything here is lowercase, accent-free and number-free (the form ``_text.normalize_phrase`` produces).
Material spellings themselves live in ``taxonomy.csv``; these lists only say how to read the words around them.
"""

from __future__ import annotations

# Words and phrases that describe a material without naming one: grades, claims, finishes, product parts,
# list filler. Skipped wherever they appear ("food grade silicone" -> silicone, "outer material: pvc" -> pvc).
QUALIFIERS: frozenset[str] = frozenset(
    """
    premium high quality genuine real solid natural pure organic recycled virgin eco friendly durable soft hard
    heavy duty thick thin strong lightweight light waterproof resistant proof grade safe bpa lead toxic nontoxic
    non free blend blended plated coated coating finish finished polished brushed matte glossy anodized painted
    powder molded moulded injection printed woven stitched hand handmade machine made imported new best super
    extra ultra luxury deluxe professional commercial industrial standard thickened reinforced tempered hardened
    treated untreated unfinished raw vintage reclaimed sustainable certified fsc oeko tex gots tm insulated
    disposable hypoallergenic breathable stretch stretchy silky glassy woody leathery metallic velvety rubbery
    material materials type types of from with in the to on is are by for per approx approximately about main
    mainly mostly primary composition content percent percentage total fiber fibers body outer inner upper lower
    lining shell sole outsole midsole insole frame handle base cover trim fill filling filler padding insert strap
    band case bezel blade head tip tipped cap lid part parts piece pieces pcs component components hat cuffs cuff
    booties jacket pants piping panel panels exterior interior face back front surface core layer top bottom legs
    seat pad cushion hook hooks string wire tube sheet sheets board plate foil toy used hardware
    """.split()
    + ["food grade", "food safe", "water resistant", "oil rubbed"]
)

# Entries that are not material attempts at all: colours, "multi", "n/a", "other", "see description".
# Like qualifiers they are skipped; a part made only of such words is reported as ignored, never as unmapped.
NON_MATERIALS: frozenset[str] = frozenset(
    """
    multi multicolor multicolored multicolour multicoloured assorted various mixed mix misc miscellaneous other
    others n a na none null nil unknown not applicable see description details image images picture pictures photo
    shown as described listing product item yes no default black white red blue green yellow orange purple pink
    brown gray grey beige navy cream khaki tan teal clear transparent colorful color colour colored coloured tone
    tones look effect style like pattern rainbow dark bright
    """.split()
)

# Words that turn the material named after them into a look-alike: "faux wood" is not wood. Phrases the
# taxonomy knows ("faux leather", "faux fur") are matched whole before this rule applies.
IMITATION_PREFIXES: frozenset[str] = frozenset({"faux", "imitation", "fake", "artificial", "simulated", "mock"})

# A word after a material that says it is absent ("lead free", "bpa-free") or only a colour/finish
# ("gold tone", "walnut finish", "wood grain"): the material is dropped.
ABSENCE_SUFFIXES: frozenset[str] = frozenset({"free", "less"})
APPEARANCE_SUFFIXES: frozenset[str] = frozenset(
    {"tone", "toned", "color", "colored", "colour", "coloured", "look", "effect", "finish", "print", "pattern",
     "grain", "style", "like", "stain"}
)

# British and other spellings folded onto the taxonomy's spelling, token by token.
SPELLING: dict[str, str] = {"fibre": "fiber", "fibres": "fiber", "galvanised": "galvanized", "rubberised": "rubberized"}

# Words whose material depends on the product: (textile reading, hard-goods reading). The taxonomy.csv owner of
# the word is its default reading when neither the context nor the other materials in the string decide.
# "nylon" alone defaults to nylon fabric because sellers mostly write it for bags, straps and apparel.
CONTEXT_READINGS: dict[str, tuple[str, str]] = {
    "nylon": ("nylon fabric", "nylon plastic"),
    "polyamide": ("nylon fabric", "nylon plastic"),
    "poly": ("polyester", "polyethylene"),
    "acrylic": ("acrylic fabric", "acrylic"),
    "synthetic": ("synthetic fiber", "plastic"),
    "bamboo": ("bamboo viscose", "bamboo"),
}

TEXTILE_CUES: frozenset[str] = frozenset(
    """
    fabric textile cloth clothing apparel garment shirt tshirt tee dress skirt pants trousers shorts jacket coat
    hoodie sweater sweatshirt legging leggings sock socks underwear bra lingerie swimsuit scarf beanie glove gloves
    yarn thread knit woven blanket towel sheets bedding duvet pillowcase curtain curtains upholstery
    backpack tote bag strap webbing tent flag costume wear onesie bib diaper
    """.split()
)
HARD_CUES: frozenset[str] = frozenset(
    """
    bottle container gear tool tools spatula utensil utensils tie ties filament screw screws bolt nut washer
    bushing bearing comb chew housing knob cup bowl plate box tray clip hook hanger sheet panel frame pipe tube
    fitting bracket keycap keycaps printer rod block
    """.split()
)
