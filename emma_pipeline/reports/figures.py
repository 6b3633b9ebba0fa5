"""The paper's Figure 3 panels as PNG bytes: price histogram, log-scale mass histogram."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # headless: figures are files and metadata, never windows

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def price_histogram(prices: np.ndarray, cap: float = 200.0) -> bytes:
    """Prices in USD; everything above ``cap`` goes into the last bin, labelled, as the paper reports (>$200)."""
    prices = prices[np.isfinite(prices) & (prices > 0)]
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.hist(np.minimum(prices, cap), bins=40, color="#3b75af")
    share = float((prices > cap).mean()) if prices.size else 0.0
    ax.set_xlabel(f"price (USD; last bin = ${cap:.0f}+, {share:.0%} of objects)")
    ax.set_ylabel("objects")
    ax.set_title(f"Price (n = {prices.size:,})")
    return _png(fig)


def log_mass_histogram(masses_kg: np.ndarray) -> bytes:
    masses = masses_kg[np.isfinite(masses_kg) & (masses_kg > 0)]
    fig, ax = plt.subplots(figsize=(5, 3.2))
    if masses.size:
        bins = np.logspace(np.log10(masses.min()), np.log10(masses.max()) + 1e-9, 40)
        ax.hist(masses, bins=bins, color="#c9622f")
    ax.set_xscale("log")
    ax.set_xlabel("mass (kg, log scale)")
    ax.set_ylabel("objects")
    ax.set_title(f"Mass (n = {masses.size:,})")
    return _png(fig)
