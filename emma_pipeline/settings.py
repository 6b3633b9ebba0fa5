"""Where the pipeline keeps its files, resolved in one place (never at import time).

``EMMA_HOME`` (default: ``.emma`` in the source checkout, else ``~/.emma``) holds:
``landing/<batch>/`` raw listing drops (``EMMA_LANDING`` may point elsewhere, e.g. ``s3://bucket/landing``),
``ground_truth/`` the embedded sample's hidden ground truth, ``lake/`` the versioned tables (``EMMA_LAKE_DATA`` may be an
``s3://`` prefix and ``EMMA_LAKE_CATALOG`` a ``postgres:`` DSN), ``reports/`` figures, ``cache/`` model caches, ``indexes/`` persisted ANN indexes. ``EMMA_TEXT_MODEL`` /
``EMMA_IMAGE_MODEL`` choose the pretrained encoders (e.g. ``all-mpnet-base-v2``, the paper's text model).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def project_root() -> Path | None:
    """The source checkout holding dagster.yaml, when running from one (editable install)."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "dagster.yaml").exists() and (root / "pyproject.toml").exists() else None


@dataclass(frozen=True)
class Settings:
    home: Path
    landing: str
    lake_catalog: str
    lake_data: str
    text_model: str = "all-MiniLM-L6-v2"
    image_model: str = "tf_efficientnet_lite0"

    @property
    def ground_truth_dir(self) -> Path:
        return self.home / "ground_truth"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def index_dir(self) -> Path:
        return self.home / "indexes"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ) if env is None else env
    root = project_root()
    default_home = root / ".emma" if root else Path.home() / ".emma"
    home = Path(env.get("EMMA_HOME") or default_home).expanduser().resolve()
    return Settings(
        home=home,
        landing=env.get("EMMA_LANDING") or str(home / "landing"),
        lake_catalog=env.get("EMMA_LAKE_CATALOG") or str(home / "lake" / "catalog.sqlite"),
        lake_data=env.get("EMMA_LAKE_DATA") or str(home / "lake" / "data"),
        text_model=env.get("EMMA_TEXT_MODEL") or "all-MiniLM-L6-v2",
        image_model=env.get("EMMA_IMAGE_MODEL") or "tf_efficientnet_lite0",
    )
