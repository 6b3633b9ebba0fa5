"""Load DuckDB extensions offline from their PyPI packages, falling back to DuckDB's own installer.

DuckDB downloads extensions at run time by default, which fails without internet. The packages
``duckdb-extension-<name>`` ship the binaries for one DuckDB version; we LOAD that file when it matches the
running DuckDB, else try ``INSTALL``/``LOAD`` the normal way (works for online users), and fail with a message that
says what to install.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb

# extension name -> python module of the package that ships it
_PACKAGES = {
    "ducklake": "duckdb_extension_ducklake",
    "sqlite_scanner": "duckdb_extension_sqlite_scanner",
    "httpfs": "duckdb_extension_httpfs",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
}


class ExtensionUnavailable(RuntimeError):
    pass


def packaged_extension_path(name: str) -> Path | None:
    """The extension binary shipped by an installed package for the running DuckDB version, if any."""
    module_name = _PACKAGES.get(name, f"duckdb_extension_{name}")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    version = duckdb.__version__
    path = Path(module.__file__).parent / "extensions" / f"v{version}" / f"{name}.duckdb_extension"
    return path if path.exists() else None


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """Load ``name`` into ``con``; returns how it was found ('package' or 'duckdb')."""
    path = packaged_extension_path(name)
    if path is not None:
        con.execute(f"LOAD '{path.as_posix()}'")
        return "package"
    try:
        con.execute(f"INSTALL {name}")
        con.execute(f"LOAD {name}")
        return "duckdb"
    except duckdb.Error as exc:
        package = _PACKAGES.get(name, f"duckdb_extension_{name}").replace("_", "-")
        raise ExtensionUnavailable(
            f"DuckDB extension '{name}' is not available: no installed package ships it for duckdb "
            f"{duckdb.__version__} and DuckDB could not download it ({exc}). "
            f"Install it with: pip install '{package}=={duckdb.__version__}'"
        ) from exc
