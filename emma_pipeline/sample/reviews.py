"""UCSD 2018 review records: star ratings drawn from the product's hidden quality, with short texts.

A good product gets mostly 5 stars with a tail of 1-star complaints (the J shape of real review data), a
poor one the reverse. Quality is partly predictable from what a listing shows (its brand's reputation and, less,
its kind of product: ``product.product_quality``) and partly the product's own, so a model can learn part of a
rating histogram from the listing; the rest, and the draw of a few reviews, is noise no model removes.
"""

from __future__ import annotations

import bisect
import calendar
import itertools
import math
import random

from .listing import Listing

_TEXTS = {
    5: ("Love this {noun}!", "Works great for {use}.", "Exactly as described, great quality.",
        "Bought a second one as a gift.", "Best {noun} I have owned. Highly recommend."),
    4: ("Good {noun} for the price.", "Works well for {use}, a little smaller than expected.",
        "Solid and well made; shipping took a while."),
    3: ("It's okay. Does the job.", "Average {noun}, nothing special.", "Fine for {use} but feels cheap."),
    2: ("Not great. Started falling apart after a month.", "Smaller than the picture suggests."),
    1: ("Broke after two weeks. Do not buy.", "Returned it, nothing like the description.", "Complete junk."),
}
_SUMMARIES = {5: ("Five Stars", "Love it", "Perfect", "Great {noun}"), 4: ("Four Stars", "Very good", "Nice"),
              3: ("Three Stars", "OK", "Meh"), 2: ("Two Stars", "Disappointed"),
              1: ("One Star", "Junk", "Waste of money")}
_NAMES = ("Amazon Customer", "Kindle Customer", "John", "Mary S.", "J. Smith", "Linda", "Mike R.", "Sarah K.",
          "David", "Jen", "Chris P.", "Karen W.", "Robert", "A. Nguyen", "Maria G.", "Tom", "Emily", "Steve B.")


def star_weights(quality: float) -> list[float]:
    """Cumulative weights of 1..5 stars for a product of the given quality (0..1)."""
    mu = 1 + 4 * quality
    raw = [math.exp(-1.4 * abs(k - mu)) for k in range(1, 6)]
    raw[0] += 0.06 * (1 - quality)
    raw[4] += 0.1 * quality
    return list(itertools.accumulate(raw))


def _pick(options: tuple, u: float):
    return options[int(u * len(options))]


def review_records(lst: Listing, rng: random.Random) -> list[dict]:
    """``lst.n_reviews`` review records (hot path at scale: plain ``random()`` draws, no ``choices``)."""
    p = lst.product
    cum = star_weights(p.quality)
    noun, uses, first_year = p.noun.lower(), p.archetype.uses, p.year
    r = rng.random
    out = []
    for _ in range(lst.n_reviews):
        stars = bisect.bisect(cum, r() * cum[-1]) + 1
        year, month, day = first_year + int(r() * (2019 - first_year)), 1 + int(r() * 12), 1 + int(r() * 28)
        rec: dict = {"overall": float(stars)}
        if r() < 0.15:
            rec["vote"] = f"{int(rng.lognormvariate(1, 1.2)) + 2:,}"
        rec["verified"] = r() < 0.8
        rec["reviewTime"] = f"{month:02d} {day}, {year}"
        rec["reviewerID"] = f"A{rng.getrandbits(52):013X}"
        rec["asin"] = lst.asin
        if r() < 0.25:
            rec["style"] = {"Color:": f" {p.colour}"}
        rec["reviewerName"] = _pick(_NAMES, r())
        rec["reviewText"] = _pick(_TEXTS[stars], r()).format(noun=noun, use=_pick(uses, r()))
        rec["summary"] = _pick(_SUMMARIES[stars], r()).format(noun=p.noun)
        rec["unixReviewTime"] = calendar.timegm((year, month, day, 0, 0, 0))
        out.append(rec)
    return out
