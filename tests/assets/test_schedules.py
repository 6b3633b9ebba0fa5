"""The weekly retraining schedule asks the build job for a run tagged to train every model now."""

from dagster import DefaultScheduleStatus, build_schedule_context


def test_the_weekly_retrain_asks_for_a_tagged_build(monkeypatch, tmp_path):
    monkeypatch.setenv("EMMA_HOME", str(tmp_path))
    monkeypatch.delenv("EMMA_RETRAIN_AFTER_DAYS", raising=False)
    from assets.jobs import RETRAIN_TAG, TRAINING_TAG
    from emma_pipeline.definitions import build_definitions

    defs = build_definitions()
    schedule = defs.resolve_schedule_def("weekly_retrain")
    assert schedule.default_status == DefaultScheduleStatus.RUNNING and schedule.job_name == "build_downstream"
    request = schedule.evaluate_tick(build_schedule_context()).run_requests[0]
    assert request.tags[TRAINING_TAG] == "weekly_retrain"  # one training run at a time (dagster.yaml)
    assert request.tags[RETRAIN_TAG] == "true" and not request.run_config
