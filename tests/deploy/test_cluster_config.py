"""The documented cluster instance (deploy/dagster.cluster.yaml) loads against a real PostgreSQL server, shares run
history between machines, and keeps training runs one at a time; the executor is one setting."""

import shutil
import uuid
from pathlib import Path

import pytest
from dagster import DagsterInstance, asset, materialize

from assets.jobs import TRAINING_TAG
from resources.executor import build_executor

ROOT = Path(__file__).resolve().parents[2]
CLUSTER_YAML = ROOT / "deploy" / "dagster.cluster.yaml"


@pytest.fixture
def cluster_home(postgres_server, tmp_path, monkeypatch) -> Path:
    """A DAGSTER_HOME holding the cluster dagster.yaml, its environment pointed at the test server."""
    database = f"dagster_{uuid.uuid4().hex[:10]}"
    postgres_server.create_database(database)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(CLUSTER_YAML, home / "dagster.yaml")
    url = f"postgresql+psycopg2://emma@{postgres_server.host}:{postgres_server.port}/{database}"
    env = {"DAGSTER_PG_URL": url, "EMMA_RUN_IMAGE": "registry.example/emma:test"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return home


def _training_limits(instance: DagsterInstance) -> list[dict]:
    limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    return [limit for limit in limits if limit["key"] == TRAINING_TAG]


@asset
def tiny() -> int:
    return 1


def test_cluster_instance_stores_runs_in_postgres_for_every_machine(cluster_home):
    with DagsterInstance.from_config(str(cluster_home)) as instance:
        assert type(instance.run_storage).__module__.startswith("dagster_postgres")
        assert type(instance.event_log_storage).__module__.startswith("dagster_postgres")
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert _training_limits(instance) == [{"key": TRAINING_TAG, "limit": 1}]
        result = materialize([tiny], instance=instance, tags={TRAINING_TAG: "test"})
        assert result.success
    with DagsterInstance.from_config(str(cluster_home)) as other_machine:
        run = other_machine.get_run_by_id(result.run_id)
        assert run is not None and run.tags[TRAINING_TAG] == "test"
        assert other_machine.get_latest_materialization_event(tiny.key) is not None


def test_cluster_run_launcher_config_is_valid_for_kubernetes(cluster_home, monkeypatch):
    k8s = pytest.importorskip("dagster_k8s", reason="dagster-k8s (test and cluster extras) validates the launcher")
    kube_config = pytest.importorskip("kubernetes.config")
    monkeypatch.setattr(kube_config, "load_incluster_config", lambda *a, **k: None)  # no cluster in a test
    with DagsterInstance.from_config(str(cluster_home)) as instance:
        launcher = instance.run_launcher  # validates the YAML against K8sRunLauncher's config schema
        assert isinstance(launcher, k8s.K8sRunLauncher)
        assert launcher.job_image == "registry.example/emma:test"
        assert "EMMA_LAKE_CATALOG" in launcher.env_vars and "DAGSTER_PG_URL" in launcher.env_vars


def test_local_instance_limits_training_runs_too(tmp_path, monkeypatch):
    shutil.copy(ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.chdir(tmp_path)  # its storage paths are relative to the checkout
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert _training_limits(instance) == [{"key": TRAINING_TAG, "limit": 1}]


def test_runs_that_fit_models_carry_the_training_tag():
    from emma_pipeline.definitions import automation_sensor, defs

    assert TRAINING_TAG in defs.resolve_job_def("build_downstream").tags
    assert TRAINING_TAG in automation_sensor.run_tags
    assert TRAINING_TAG not in defs.resolve_job_def("ingest_batch").tags


def test_executor_is_one_setting():
    assert build_executor("").name == "multiprocess"
    assert build_executor("in_process").name == "in_process"
    with pytest.raises(ValueError, match="choose one of multiprocess, in_process, k8s, celery"):
        build_executor("threads")
    try:
        import dagster_k8s  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"pip install -e '\.\[cluster\]'"):
            build_executor("k8s")
    else:
        assert build_executor("k8s").name == "k8s"
