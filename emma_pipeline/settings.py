"""Where the pipeline keeps its files, resolved in one place (never at import time).

``EMMA_HOME`` (default: ``.emma`` in the source checkout, else ``~/.emma``) holds:
``landing/<batch>/`` raw listing drops (``EMMA_LANDING`` may point elsewhere, e.g. ``s3://bucket/landing``),
``ground_truth/`` the embedded sample's hidden ground truth, ``lake/`` the versioned tables (``EMMA_LAKE_DATA`` may be an
``s3://`` prefix and ``EMMA_LAKE_CATALOG`` a ``postgres:`` DSN), ``reports/`` figures, ``cache/`` model caches, ``indexes/`` persisted ANN indexes
(``EMMA_INDEXES``; beside the lake data when that is on S3, like the model artifacts). ``EMMA_TEXT_MODEL`` /
``EMMA_IMAGE_MODEL`` choose the pretrained encoders (e.g. ``all-mpnet-base-v2``, the paper's text model).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from emma_pipeline.warehouse.lake import LakeConfig
from emma_pipeline.warehouse.storage import beside, is_remote, models_root, storage_path


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
    s3: dict = field(default_factory=dict)  # LakeResource s3_* fields (no credentials) for an s3:// lake
    text_model: str = "all-MiniLM-L6-v2"
    image_model: str = "tf_efficientnet_lite0"
    executor: str = "multiprocess"  # Dagster executor for launched runs: multiprocess, in_process, k8s, celery
    model_profile: str = "cpu"  # EMMA_MODEL_PROFILE: cpu (sample), tiny (tests), gpu (see models/config.py)
    model_overrides: str = "{}"  # EMMA_MODEL_OVERRIDES: JSON of ModelConfig fields, e.g. {"devices": 4}
    models_root: str = ""  # EMMA_MODELS: where model artifacts live; default ``models`` beside the lake data
    indexes: str = ""  # EMMA_INDEXES: persisted ANN indexes; default $EMMA_HOME/indexes, or beside an s3:// lake
    object_models: str = ""  # fitted object-embedding models; default $EMMA_HOME/models/..., or under EMMA_MODELS
    fill_generations: int = 2  # EMMA_FILL_GENERATIONS: model generations of the fill-in (3 measures a third)
    # EMMA_RETRAIN_AFTER_DAYS: a batch is scored with the current models until they are this old; 0 retrains on
    # every build whose inputs changed
    retrain_after_days: float = 7.0
    require_images: bool = True  # EMMA_REQUIRE_IMAGES=false: a text-only dataset (listings without images stay)

    def lake_config(self) -> LakeConfig:
        """For library and CLI use; S3 credentials are read from the AWS_* environment at call time."""
        s3 = {"region": self.s3.get("s3_region"), "endpoint": self.s3.get("s3_endpoint"),
              "url_style": self.s3.get("s3_url_style"), "key_id": os.environ.get("AWS_ACCESS_KEY_ID"),
              "secret": os.environ.get("AWS_SECRET_ACCESS_KEY")}  # fmt: skip
        s3 = {k: v for k, v in s3.items() if v}
        if self.lake_data.startswith("s3://") and not self.s3.get("s3_use_ssl", True):
            s3["use_ssl"] = "false"
        return LakeConfig(catalog=self.lake_catalog, data_path=self.lake_data, s3=s3)

    @property
    def ground_truth_dir(self) -> Path:
        return self.home / "ground_truth"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def index_dir(self) -> Path:
        """A ``Path``, or a ``UPath`` when the indexes live on S3 (``storage_path``)."""
        return storage_path(self.indexes or self.home / "indexes")

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def object_models_dir(self) -> Path:
        """A ``Path``, or a ``UPath`` when the models live on S3."""
        return storage_path(self.object_models or self.home / "models" / "object_embedding")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ) if env is None else env
    root = project_root()
    default_home = root / ".emma" if root else Path.home() / ".emma"
    home = Path(env.get("EMMA_HOME") or default_home).expanduser().resolve()
    lake_data = env.get("EMMA_LAKE_DATA") or str(home / "lake" / "data")
    # beside a remote lake, so a run on another machine finds them; a local lake keeps them under EMMA_HOME
    remote = is_remote(lake_data)
    models = models_root(lake_data, env.get("EMMA_MODELS"))
    return Settings(
        home=home,
        landing=env.get("EMMA_LANDING") or str(home / "landing"),
        lake_catalog=env.get("EMMA_LAKE_CATALOG") or str(home / "lake" / "catalog.sqlite"),
        lake_data=lake_data,
        indexes=env.get("EMMA_INDEXES") or (beside(lake_data, "indexes") if remote else ""),
        object_models=f"{models}/object_embedding" if remote else "",
        s3={
            "s3_region": env.get("AWS_REGION", ""),
            "s3_endpoint": env.get("EMMA_S3_ENDPOINT", ""),
            "s3_url_style": env.get("EMMA_S3_URL_STYLE", ""),
            "s3_use_ssl": env.get("EMMA_S3_USE_SSL", "true").lower() != "false",
        },
        text_model=env.get("EMMA_TEXT_MODEL") or "all-MiniLM-L6-v2",
        image_model=env.get("EMMA_IMAGE_MODEL") or "tf_efficientnet_lite0",
        executor=env.get("EMMA_EXECUTOR") or "multiprocess",
        model_profile=env.get("EMMA_MODEL_PROFILE") or "cpu",
        model_overrides=env.get("EMMA_MODEL_OVERRIDES") or "{}",
        models_root=env.get("EMMA_MODELS") or "",
        fill_generations=int(env.get("EMMA_FILL_GENERATIONS") or 2),
        retrain_after_days=float(env.get("EMMA_RETRAIN_AFTER_DAYS") or 7.0),
        require_images=(env.get("EMMA_REQUIRE_IMAGES") or "true").strip().lower() not in ("false", "0", "no"),
    )
