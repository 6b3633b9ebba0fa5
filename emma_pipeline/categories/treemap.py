"""The paper's Figure 3 (bottom) category treemap as PNG bytes: top categories and their subcategories as nested
rectangles sized by object count, laid out with the squarified algorithm (Bruls, Huizing & van Wijk 2000), which
keeps rectangles close to square so their labels stay readable."""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # headless: figures are files and metadata, never windows

import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

Rect = tuple[float, float, float, float]  # x, y, width, height (inches; 1 inch = 72 points)
_WIDTH, _HEIGHT = 13.0, 7.5
_PAD = 0.04  # inches between a parent's border and its children
_PALETTE = plt.get_cmap("tab10").colors + plt.get_cmap("Dark2").colors + plt.get_cmap("Set1").colors


def squarify(sizes: list[float], rect: Rect) -> list[Rect]:
    """Rectangles tiling ``rect`` with areas proportional to ``sizes`` (positive, sorted descending)."""
    x, y, w, h = rect
    total = sum(sizes)
    areas = [s * w * h / total for s in sizes]
    out: list[Rect] = []
    while areas:
        side = min(w, h)
        n = 1
        while n < len(areas) and _worst(areas[: n + 1], side) <= _worst(areas[:n], side):
            n += 1
        row, areas = areas[:n], areas[n:]
        thickness = sum(row) / side
        offset = 0.0
        for area in row:
            length = area / thickness
            out.append((x, y + offset, thickness, length) if w >= h else (x + offset, y, length, thickness))
            offset += length
        x, w, y, h = (x + thickness, w - thickness, y, h) if w >= h else (x, w, y + thickness, h - thickness)
    return out


def _worst(row: list[float], side: float) -> float:
    """The worst aspect ratio in a row of areas laid along ``side``."""
    total = sum(row)
    return max(max(side * side * a / (total * total), total * total / (side * side * a)) for a in row)


def treemap_png(tree: pl.DataFrame, max_depth: int = 2) -> bytes:
    """Nodes down to depth ``max_depth - 1`` (the paper shows two levels); objects that stop at a node fill the
    part of its rectangle its children leave free."""
    fig = plt.figure(figsize=(_WIDTH, _HEIGHT + 0.5))
    ax = fig.add_axes((0, 0, 1, _HEIGHT / (_HEIGHT + 0.5)))
    ax.set_xlim(0, _WIDTH)
    ax.set_ylim(_HEIGHT, 0)
    ax.axis("off")
    live = tree.filter(pl.col("n_objects") > 0)
    children = {key: group.sort("n_objects", descending=True) for (key,), group in live.group_by("parent_id")}
    roots = children.get(None)
    n_objects = int(roots["n_objects"].sum()) if roots is not None else 0
    fig.suptitle(f"Categories (n = {n_objects:,} objects, {live.height:,} nodes)", fontsize=14, y=0.99)
    if roots is not None:
        for i, (node, rect) in enumerate(zip(roots.iter_rows(named=True), _tile(roots, (0, 0, _WIDTH, _HEIGHT)))):
            _draw(ax, node, rect, children, to_rgb(_PALETTE[i % len(_PALETTE)]), max_depth)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()


def _tile(nodes: pl.DataFrame, rect: Rect, rest: int = 0) -> list[Rect]:
    """Rectangles for ``nodes`` (sorted by count) inside ``rect``; ``rest`` objects keep the leftover area."""
    sizes = [float(n) for n in nodes["n_objects"]] + ([float(rest)] if rest > 0 else [])
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    placed = dict(zip(order, squarify([sizes[i] for i in order], rect)))
    return [placed[i] for i in range(nodes.height)]


def _draw(ax, node: dict, rect: Rect, children: dict, colour: tuple, max_depth: int) -> None:
    x, y, w, h = rect
    shade = tuple(c + (1 - c) * min(node["depth"] * 0.35, 0.7) for c in colour)
    patch = Rectangle((x, y), w, h, facecolor=shade, edgecolor="white", linewidth=2.0 - node["depth"] * 0.8)
    ax.add_patch(patch)
    kids = children.get(node["id"])
    label_height = _label(ax, node, rect, patch)
    if kids is None or node["depth"] + 1 >= max_depth:
        return
    inner = (x + _PAD, y + label_height + _PAD, w - 2 * _PAD, h - label_height - 2 * _PAD)
    if inner[2] <= 0 or inner[3] <= 0:
        return
    rest = node["n_objects"] - int(kids["n_objects"].sum())
    for kid, kid_rect in zip(kids.iter_rows(named=True), _tile(kids, inner, rest)):
        _draw(ax, kid, kid_rect, children, colour, max_depth)


def _label(ax, node: dict, rect: Rect, patch: Rectangle) -> float:
    """Write the node's name and count at its top-left corner, word-wrapped, in the largest font that fits;
    returns the height used (inches), 0 when nothing fits."""
    x, y, w, h = rect
    bold = node["depth"] == 0
    char_width = 0.68 if bold else 0.58  # average glyph width per point of font size (DejaVu Sans)
    count = f"({node['n_objects']:,})"
    for size in range(12 if bold else 9, 5, -1):
        fit = int((w - 0.1) * 72 / (size * char_width))
        if fit < 4:
            continue
        one_line = f"{node['name']} {count}"
        lines = [one_line] if len(one_line) <= fit else textwrap.wrap(node["name"], fit, break_long_words=False)
        lines += [count] if lines != [one_line] else []
        height = size * 1.25 * len(lines) / 72 + 0.04
        if lines and max(map(len, lines)) <= fit and height <= h:
            artist = ax.text(x + 0.05, y + 0.04, "\n".join(lines), fontsize=size, weight="bold" if bold else "normal",
                             va="top", ha="left", linespacing=1.1, clip_on=True)
            artist.set_clip_path(patch)
            return height
    return 0.0
