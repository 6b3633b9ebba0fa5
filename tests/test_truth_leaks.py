"""The sample's hidden truth stays hidden: only evaluation code reads ``ground_truth/`` (a static check over every
pipeline module's names, imports and strings). tests/sample/test_no_truth_in_raw_files.py checks that nothing
the generator writes for the pipeline encodes a planted defect."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = ("emma_pipeline", "assets", "resources")
# code that may read the truth: the generator writes it, evaluation scores against it
READERS = ("emma_pipeline/sample/", "emma_pipeline/evaluation/", "emma_pipeline/labeling/evaluation.py", "assets/evaluation/",
           "resources/ground_truth.py")
# evaluation assets that live beside their stage's assets (none: smart_label_evaluation is in assets/evaluation/)
EVALUATION_FUNCTIONS: dict[str, set[str]] = {}
# code that may name where the truth lives or build the resource, but never load it
WIRING = ("emma_pipeline/settings.py", "resources/__init__.py", "emma_pipeline/definitions.py", "emma_pipeline/cli.py")
_TRUTH = re.compile(r"ground.?truth|groundtruth|evaluation\.(?:dedup|filters|join)_eval\b|sample\.truth\b", re.I)
_READS = {"load", "read_parquet", "read_table", "scan_parquet", "ParquetFile", "glob", "rglob", "iterdir", "open",
          "read_bytes", "read_text", "connect", "sql", "query"}


def _mentions(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every identifier, attribute, import and non-docstring string naming the truth."""
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        texts: list[str] = []
        if isinstance(node, ast.Name):
            texts = [node.id]
        elif isinstance(node, ast.Attribute):
            texts = [node.attr]
        elif isinstance(node, ast.arg):
            texts = [node.arg]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            texts = [node.value]
        elif isinstance(node, ast.Import):
            texts = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            texts = [f"{node.module}.{a.name}" for a in node.names]
        found += [(node.lineno, t) for t in texts if _TRUTH.search(t)]
    return found


def _outside_evaluation_assets(tree: ast.AST, hits: list[tuple[int, str]], allowed=frozenset()) -> list[tuple[int, str]]:
    """Drop mentions inside the functions named in ``allowed`` (evaluation assets beside their stage's assets) and
    the imports such a function needs."""
    spans = [(n.lineno, n.end_lineno) for n in ast.walk(tree)
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name in allowed]
    imports = {n.lineno for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))}
    if not spans:
        return hits
    return [(line, t) for line, t in hits if line not in imports and not any(a <= line <= b for a, b in spans)]


def _loads_truth(tree: ast.AST) -> bool:
    """A read call touching the truth, like ``ground_truth.load()`` or ``pl.read_parquet(home / "ground_truth" ...)``
    (building the resource, ``GroundTruth(directory=...)``, is not a read)."""
    for n in ast.walk(tree):
        if isinstance(n, ast.Call):
            name = n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            if name in _READS and _TRUTH.search(ast.unparse(n)):
                return True
    return False


def _pipeline_files() -> list[tuple[str, ast.AST]]:
    return [(str(p.relative_to(ROOT)), ast.parse(p.read_text())) for top in PIPELINE for p in (ROOT / top).rglob("*.py")]


def test_only_evaluation_code_reads_the_ground_truth():
    offenders = {}
    for rel, tree in _pipeline_files():
        if rel.startswith(READERS):
            continue
        if rel in WIRING:
            if _loads_truth(tree):
                offenders[rel] = "loads the ground truth"
        elif hits := _outside_evaluation_assets(tree, _mentions(tree), EVALUATION_FUNCTIONS.get(rel, frozenset())):
            offenders[rel] = hits
    assert offenders == {}


def test_the_scan_sees_the_evaluation_assets_reading_the_truth():
    assert _mentions(ast.parse((ROOT / "assets" / "evaluation" / "sample_truth.py").read_text()))
    assert _loads_truth(ast.parse("truth = ground_truth.load()"))
    assert _loads_truth(ast.parse("pl.read_parquet(settings.ground_truth_dir / 'b.parquet')"))
    assert not _loads_truth(ast.parse("GroundTruth(directory=str(settings.ground_truth_dir))"))
    stage = ast.parse("def smart_labels(ground_truth):\n    return ground_truth.load()")
    check = ast.parse("def smart_label_evaluation(ground_truth):\n    return ground_truth.load()")
    allowed = {"smart_label_evaluation"}
    assert _outside_evaluation_assets(stage, _mentions(stage), allowed)
    assert not _outside_evaluation_assets(check, _mentions(check), allowed)
    # a module merely named like an evaluation is scanned like any other
    assert not "assets/fill_in_evaluation.py".startswith(READERS) and not "emma_pipeline/x/evaluation.py".startswith(READERS)
    assert _mentions(ast.parse("from resources.ground_truth import GroundTruth\ndef a(ground_truth): ..."))
