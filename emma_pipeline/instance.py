"""Where a build's Dagster instance (run history, event logs, compute logs) lives: with the data it describes.

``DAGSTER_HOME`` wins when it is set. Otherwise the instance is ``$EMMA_HOME/dagster``, configured by a
``dagster.yaml`` written there on first use, so two EMMA_HOMEs never share run history. The checkout's
``dagster.yaml`` is this same configuration for the default home (``.emma/dagster``, relative to the checkout),
which is why ``dagster dev`` started from the repository root shows the default build's runs.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

import yaml

INSTANCE_FOLDER = "dagster"
TRAINING_TAG = "emma/training"  # the run tag of model-fitting runs (assets/jobs.py sets it)
_HEADER = ("# Dagster instance of the EMMa build beside it, written by `emma build` (delete it to regenerate).\n"
           "# Use it in the UI with: DAGSTER_HOME=<this folder> EMMA_HOME=<its parent> dagster dev\n")  # fmt: skip


def instance_config(dagster_home: str) -> dict:
    """The instance configuration with every path under ``dagster_home`` (absolute, or relative to the cwd)."""
    home = dagster_home.rstrip("/")
    return {
        "storage": {"sqlite": {"base_dir": f"{home}/storage"}},
        "local_artifact_storage": {"module": "dagster._core.storage.root", "class": "LocalArtifactStorage",
                                   "config": {"base_dir": home}},
        "compute_logs": {"module": "dagster._core.storage.local_compute_log_manager",
                         "class": "LocalComputeLogManager", "config": {"base_dir": f"{home}/logs"}},
        "run_coordinator": {
            "module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator",
            # two cores: more concurrent runs only thrash; runs that fit models never overlap
            "config": {"max_concurrent_runs": 2, "tag_concurrency_limits": [{"key": TRAINING_TAG, "limit": 1}]},
        },
        "telemetry": {"enabled": False},
    }  # fmt: skip


def use_instance(emma_home: Path, env: MutableMapping[str, str] | None = None) -> Path:
    """Set ``DAGSTER_HOME`` (in ``env``, default the process environment) to the instance of ``emma_home``,
    creating it, unless DAGSTER_HOME is already set; returns the instance folder."""
    env = os.environ if env is None else env
    if env.get("DAGSTER_HOME"):
        return Path(env["DAGSTER_HOME"])
    folder = Path(emma_home).resolve() / INSTANCE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "dagster.yaml"
    if not config.exists():
        config.write_text(_HEADER + yaml.safe_dump(instance_config(str(folder)), sort_keys=False))
    env["DAGSTER_HOME"] = str(folder)
    return folder
