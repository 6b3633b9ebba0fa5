"""The domain library stays Dagster-free; only emma_pipeline/definitions.py (the Definitions object) and
emma_pipeline/build.py (the runner behind `emma build`) wire Dagster in."""

import ast
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[1] / "emma_pipeline"
DAGSTER_ENTRY_POINTS = {"definitions.py", "build.py"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_library_imports_no_dagster_and_no_thin_layer():
    offenders = {
        str(path.relative_to(LIBRARY)): sorted(_imported_roots(path) & {"dagster", "assets", "resources"})
        for path in LIBRARY.rglob("*.py")
        if path.relative_to(LIBRARY).as_posix() not in DAGSTER_ENTRY_POINTS
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_scan_sees_definitions_importing_dagster():
    assert "dagster" in _imported_roots(LIBRARY / "definitions.py")
    assert "dagster" in _imported_roots(LIBRARY / "build.py")
