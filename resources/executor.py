"""The executor that runs a run's steps, picked by name (``EMMA_EXECUTOR``): scaling out is this one setting.

``multiprocess`` (default): one process per step on this machine. ``in_process``: one process (debugging).
``k8s``: one Kubernetes Job per step (dagster-k8s); ``celery``: steps queued to Celery workers on other machines
(dagster-celery). Both come with the ``cluster`` extra; step resources need the shared lake settings
(``EMMA_LAKE_CATALOG=postgres:...``, ``EMMA_LAKE_DATA=s3://...``) so every machine sees the same tables.
"""

from __future__ import annotations

import importlib

from dagster import ExecutorDefinition, in_process_executor, multiprocess_executor

# name -> (module, attribute, the pip requirement that provides it)
_CLUSTER_EXECUTORS = {
    "k8s": ("dagster_k8s", "k8s_job_executor", "dagster-k8s"),
    "celery": ("dagster_celery", "celery_executor", "dagster-celery"),
}
EXECUTORS = ("multiprocess", "in_process", *_CLUSTER_EXECUTORS)


def build_executor(name: str) -> ExecutorDefinition:
    if name in ("", "multiprocess"):
        return multiprocess_executor
    if name == "in_process":
        return in_process_executor
    if name not in _CLUSTER_EXECUTORS:
        raise ValueError(f"EMMA_EXECUTOR={name!r} is not an executor: choose one of {', '.join(EXECUTORS)}")
    module, attribute, requirement = _CLUSTER_EXECUTORS[name]
    try:
        return getattr(importlib.import_module(module), attribute)
    except ImportError as exc:
        raise ImportError(
            f"EMMA_EXECUTOR={name} needs {requirement}: pip install -e '.[cluster]' (or pip install {requirement})"
        ) from exc
