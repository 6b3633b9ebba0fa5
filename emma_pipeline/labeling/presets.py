"""The paper's Smart Labeling properties (appendix "Labeling Criteria") and section 5's is_container, as presets.

Definitions follow the appendix text. Keyword lists are the appendix's, with two deliberate changes, each noted
in the preset: the appendix prints the *sharp* list again for *transparent* (a copy error: "needle, knife, blade"
says nothing about transparency), so transparent gets its own list; and electronic's "0w" (a substring of
wattages such as "40W") becomes a regex, because our keywords match at word starts.
"""

from __future__ import annotations

from dataclasses import dataclass

_GENERAL = ("Packaging is not part of the object. An object is positive if any part of it has the property, "
            "unless the object overwhelmingly lacks it and only a small part has it (shoes with zippers are not "
            "articulating).")  # fmt: skip


@dataclass(frozen=True)
class Preset:
    name: str
    definition: str
    notes: str
    keywords: tuple[str, ...]
    regexes: tuple[str, ...] = ()


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("sharp", "Objects are considered sharp when they are used to cut or poke holes into things.",
               "Objects with internal sharp parts, such as craft hole punchers, are not considered sharp. " + _GENERAL,
               ("needle", "knife", "blade", "razer", "scissors", "pin", "sharp", "dull", "knitting", "serrated",
                "saw", "sharpener")),
        Preset("transparent",
               "Objects are considered transparent if they can be seen through to the other side or to objects "
               "placed inside of them.",
               "A typical watch is not transparent (only the face shows through the glass); a picture frame is (a "
               "picture goes inside). Translucent objects are not transparent; details must be visible through the "
               "object. Keyword list: the paper's appendix repeats the sharp list here, a copy error; this list is "
               "our own. " + _GENERAL,
               ("transparent", "clear", "glass", "crystal", "acrylic", "see-through", "see through", "window",
                "lens", "display case", "translucent", "frosted", "opaque", "tinted")),
        Preset("deformable", "Objects are considered deformable if typical use-case force can change their shape.",
               "Fabrics are deformable, as are molding clays, gels, bendable wires and springs. " + _GENERAL,
               ("shirt", "cloth", "fabric", "clay", "bendy", "silicone", "rigid", "hard", "stiff", "cotton",
                "polyester", "flex", "paste", "soft")),
        Preset("articulating", "Articulating objects are rigid bodies connected in a movable way.",
               "Things with hinges or doors are articulating, as are connected wheels or parts that rotate; chains "
               "and linked jewelry too. Shoes and clothes with zippers are not. " + _GENERAL,
               ("glasses", "box", "hinge", "door", "chain", "telescoping", "adjustable", "book", "fold", "folding",
                "folio", "twist")),
        Preset("electronic", "Anything with electronic components or wiring is considered electronic.",
               "Lamps are electronic, so are cables that carry signals or power, batteries and anything with a "
               "battery or an AC plug, automatic camera lenses and accessories that use power. Auto parts only if "
               "they use electricity (hard to judge: leave unlabeled when unsure). The appendix keyword \"0w\" "
               "(wattages like 40W) is the regex feature here. " + _GENERAL,
               ("power", "battery", "electr", "automatic", "smart", "case", "led", "usb", "tool", "mechanical",
                "windup", "charge", "quartz", "watt"),
               (r"\d0\s?w\b",)),
        Preset("is_container", "Objects made to hold other things inside them.",
               "Section 5's running example. Decide corner cases in the decision log (is a phone case a "
               "container?). " + _GENERAL,
               ("cup", "mug", "box", "container", "holds", "basket", "leak", "bottle", "jar", "bag", "flask")),
    )
}
