"""What ``emma build`` runs (the CLI's Dagster runner; the library itself stays Dagster-free): register the ready
landing batches as partitions, ingest those the lake does not hold yet (all if ``reingest``), then rebuild
everything downstream, recorded in the current Dagster instance so the UI shows these runs. Returns the per-stage
times read from each run's step events."""

from __future__ import annotations

from collections.abc import Callable

from emma_pipeline.build_times import BuildTimes, RunTime, StageTime
from emma_pipeline.settings import Settings
from emma_pipeline.sources.batch import source_files
from emma_pipeline.sources.ingested import ingested_batches, pending_batches
from emma_pipeline.warehouse.lake import Lake

_QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


class BuildFailed(RuntimeError):
    def __init__(self, message: str, times: BuildTimes):
        super().__init__(message)
        self.times = times


def run_build(
    settings: Settings, reingest: bool = False, echo: Callable[[str], None] = print, definitions=None,
    downstream_job: str | None = None,
) -> BuildTimes:  # fmt: skip
    """Ingest, then rebuild ``downstream_job`` (default ``build_downstream``) in the instance DAGSTER_HOME names
    (``definitions`` default: the project's). Raises ``BuildFailed`` (carrying the times so far) when a run fails."""
    from dagster import DagsterInstance

    from assets.jobs import downstream_job as build_downstream
    from assets.jobs import ingest_job
    from assets.partitions import ingest_batches
    from resources.landing_zone import LandingZone

    if definitions is None:
        from emma_pipeline.definitions import defs as definitions
    landing = LandingZone(root=settings.landing)
    times = BuildTimes()
    with DagsterInstance.get() as instance:
        batches = landing.ready_batches()
        known = set(instance.get_dynamic_partitions(ingest_batches.name))
        instance.add_dynamic_partitions(ingest_batches.name, [b for b in batches if b not in known])
        if reingest:
            todo = batches
        else:
            done = ingested_batches(Lake(settings.lake_config()))
            todo = pending_batches(batches, done, lambda source, b: bool(source_files(source, landing.batch_path(b))))
        echo(f"{len(batches)} ready batch(es) under {landing.root}; ingesting {len(todo)}: {', '.join(todo) or '-'}")
        for batch in todo:
            job = definitions.resolve_job_def(ingest_job.name)
            result = job.execute_in_process(instance=instance, partition_key=batch, run_config=_QUIET, raise_on_error=False)
            _finish(instance, result, ingest_job.name, batch, times, echo, prefix=f"[{batch}] ")
        echo("rebuilding downstream assets")
        name = downstream_job or build_downstream.name
        result = definitions.resolve_job_def(name).execute_in_process(instance=instance, run_config=_QUIET, raise_on_error=False)
        _finish(instance, result, name, "", times, echo)
    return times


def _finish(instance, result, job: str, partition: str, times: BuildTimes, echo, prefix: str = "") -> None:
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        rows = materialization.metadata.get("row_count")
        echo(f"  {prefix}{materialization.asset_key.to_user_string():<28} {rows.value if rows else '':>10} rows")
    for line in check_lines(result.get_asset_check_evaluations()):
        echo(f"  {prefix}{line}")
    stages, run = run_times(instance, result, job, partition)
    times.stages.extend(stages)
    times.runs.append(run)
    if not result.success:
        failures = [f"{e.step_key}: {_root_cause(e.event_specific_data.error)}" for e in result.get_step_failure_events()]
        raise BuildFailed(f"run {result.run_id} of {job} {partition} failed: " + ("; ".join(failures) or "see the run"), times)


def check_lines(evaluations) -> list[str]:
    """One line per asset check (passed, FAILED, or warning for a WARN-severity check), failures first; a check that
    did not pass adds a line with what it compared and the offending keys it sampled."""
    from dagster import AssetCheckSeverity

    def verdict(e) -> str:
        return "passed" if e.passed else "warning" if e.severity == AssetCheckSeverity.WARN else "FAILED"

    order = {"FAILED": 0, "warning": 1, "passed": 2}
    lines = []
    for e in sorted(evaluations, key=lambda e: (order[verdict(e)], e.asset_check_key.to_user_string())):
        lines.append(f"check {e.asset_check_key.to_user_string():<52} {verdict(e)}")
        if not e.passed:
            values = {k: getattr(v, "value", v) for k, v in e.metadata.items()}
            shown = [f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items()
                     if v not in (0, "_none_", None)]  # fmt: skip
            lines.append("      " + ", ".join(shown))
    return lines


def _root_cause(error) -> str:
    """The message of the innermost cause (Dagster wraps the asset's exception in a step-execution error)."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def run_times(instance, result, job: str, partition: str) -> tuple[list[StageTime], RunTime]:
    """Per step of ``result``'s run, the seconds between its STEP_START and STEP_SUCCESS/FAILURE events, in the
    order the steps started, with the assets it materialized; and the run's start-to-end seconds."""
    from dagster import DagsterEventType as T

    wanted = {T.RUN_START, T.RUN_SUCCESS, T.RUN_FAILURE, T.STEP_START, T.STEP_SUCCESS, T.STEP_FAILURE}
    entries = instance.all_logs(result.run_id, of_type=wanted)
    assets: dict[str, list[str]] = {}
    for event in result.get_asset_materialization_events():
        assets.setdefault(event.step_key, []).append(event.asset_key.to_user_string())
    started: dict[str, float] = {}
    stages, run_start, run_end = [], None, None
    for entry in entries:
        kind = entry.dagster_event.event_type
        if kind == T.RUN_START:
            run_start = entry.timestamp
        elif kind in (T.RUN_SUCCESS, T.RUN_FAILURE):
            run_end = entry.timestamp
        elif kind == T.STEP_START:
            started[entry.step_key] = entry.timestamp
        elif entry.step_key in started:
            status = "success" if kind == T.STEP_SUCCESS else "failure"
            stages.append((started[entry.step_key], StageTime(job, partition, entry.step_key,
                           tuple(assets.get(entry.step_key, ())), entry.timestamp - started[entry.step_key], status)))  # fmt: skip
    stages.sort(key=lambda pair: pair[0])
    first, last = (entries[0].timestamp, entries[-1].timestamp) if entries else (0.0, 0.0)
    seconds = (run_end or last) - (run_start or first)
    return [s for _, s in stages], RunTime(job, partition, result.run_id, seconds, result.success)
