"""The torchvision stand-in is registered exactly when torchvision's compiled ops cannot load."""

from __future__ import annotations

import importlib.machinery
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
import torch

from emma_pipeline.encoders.torch_imports import ensure_torchvision_importable

REPO = Path(__file__).resolve().parents[2]
META = "torchvision._meta_registrations"


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


@pytest.fixture
def fake_torchvision(tmp_path, monkeypatch):
    """A torchvision package (with a `_C` extension file) that nothing has imported yet."""
    package = tmp_path / "torchvision"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / f"_C{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    monkeypatch.delitem(sys.modules, "torchvision", raising=False)
    monkeypatch.delitem(sys.modules, META, raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    return package


def test_no_op_where_compiled_ops_load(fake_torchvision, monkeypatch):
    loaded = []
    monkeypatch.setattr(torch.ops, "load_library", loaded.append)
    monkeypatch.setattr(torch.ops, "torchvision", types.SimpleNamespace(nms=object()), raising=False)

    assert ensure_torchvision_importable() is False
    assert META not in sys.modules
    assert [Path(p).parent for p in loaded] == [fake_torchvision]


def test_stand_in_where_compiled_ops_fail_and_idempotent(fake_torchvision, monkeypatch):
    def broken(path):
        raise OSError("libc10_cuda.so: cannot open shared object file")

    monkeypatch.setattr(torch.ops, "load_library", broken)

    assert ensure_torchvision_importable() is True
    stand_in = sys.modules[META]
    assert ensure_torchvision_importable() is True
    assert sys.modules[META] is stand_in
    assert not [name for name in vars(stand_in) if not name.startswith("_")]


def test_no_op_when_torchvision_already_imported(monkeypatch):
    monkeypatch.delitem(sys.modules, META, raising=False)
    monkeypatch.setitem(sys.modules, "torchvision", types.ModuleType("torchvision"))

    assert ensure_torchvision_importable() is False
    assert META not in sys.modules


def test_detection_agrees_with_a_bare_torchvision_import_here():
    bare = _run("import torchvision")
    guarded = _run(
        "from emma_pipeline.encoders.torch_imports import ensure_torchvision_importable as e\n"
        "print(e())\nimport timm, sentence_transformers, torchvision.transforms\nprint('imported')"
    )
    assert guarded.returncode == 0, guarded.stderr[-2000:]
    needed, imported = guarded.stdout.split()[-2:]
    assert imported == "imported"
    assert needed == str(bare.returncode != 0), bare.stderr[-500:]
