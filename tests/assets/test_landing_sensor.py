"""The landing sensor turns each ready batch folder into a partition and one ingest run, exactly once."""

from dagster import DagsterInstance, SensorResult, SkipReason, build_sensor_context

from assets.sensors import landing_sensor
from resources.landing_zone import LandingZone


def test_ready_batches_become_partitions_once(tmp_path):
    (tmp_path / "b1").mkdir()
    (tmp_path / "b1" / "_SUCCESS").touch()
    (tmp_path / "b2-still-copying").mkdir()
    (tmp_path / "b2-still-copying" / "part.json").write_text("{}")
    landing = LandingZone(root=str(tmp_path), settle_seconds=3600)
    with DagsterInstance.ephemeral() as instance:
        result = landing_sensor(build_sensor_context(instance=instance, resources={"landing": landing}))
        assert isinstance(result, SensorResult)
        assert [r.partition_key for r in result.run_requests] == ["b1"]
        assert result.dynamic_partitions_requests[0].partition_keys == ["b1"]
        instance.add_dynamic_partitions("ingest_batches", ["b1"])
        again = landing_sensor(build_sensor_context(instance=instance, resources={"landing": landing}))
        assert isinstance(again, SkipReason)


def test_batch_without_marker_is_ready_once_settled(tmp_path):
    (tmp_path / "b3").mkdir()
    (tmp_path / "b3" / "meta.json").write_text("{}")
    import time

    assert LandingZone(root=str(tmp_path), settle_seconds=60).ready_batches(now=time.time()) == []
    assert LandingZone(root=str(tmp_path), settle_seconds=60).ready_batches(now=time.time() + 120) == ["b3"]
