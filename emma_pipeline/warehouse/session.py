"""An analyst's DuckDB session on the lake: the SQL that attaches it, for the duckdb shell or any client."""

from __future__ import annotations

from emma_pipeline.warehouse.extensions import packaged_extension_path
from emma_pipeline.warehouse.lake import LakeConfig, required_extensions


def session_init_sql(config: LakeConfig) -> str:
    """Statements that load the extensions (offline, from their packages when installed), attach the lake
    read-only (a running rebuild is never blocked and never seen half-written) and make it the default schema,
    so ``SELECT * FROM joined_listings`` and ``... AT (VERSION => 3)`` work as typed."""
    lines = []
    for ext in required_extensions(config):
        path = packaged_extension_path(ext)
        lines.append(f"LOAD '{path.as_posix()}';" if path else f"INSTALL {ext}; LOAD {ext};")
    lines += [f"{statement};" for statement in config.setup_sql()]
    lines.append(f"{config.attach_sql(read_only=True)};")
    lines.append("USE lake;")
    return "\n".join(lines) + "\n"
