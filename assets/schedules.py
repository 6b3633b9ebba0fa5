"""The weekly retraining: every model trains on everything ingested so far, then the fill-in, the published
``dataset`` and the tables after them follow (the rest of the build is incremental and costs little). Between
retrainings a batch is scored with the current models (``models/retrain.py``); a build more than
``retrain_after_days`` after the last training retrains too, so without the daemon the week still holds."""

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, schedule

from assets.jobs import RETRAIN_TAG, TRAINING_TAG, downstream_job


@schedule(job=downstream_job, cron_schedule="0 4 * * 0", default_status=DefaultScheduleStatus.RUNNING,
          description="Sundays 04:00: train every model again (the emma/retrain run tag), then rebuild what follows.")  # fmt: skip
def weekly_retrain(context: ScheduleEvaluationContext) -> RunRequest:
    return RunRequest(tags={TRAINING_TAG: "weekly_retrain", RETRAIN_TAG: "true"})
