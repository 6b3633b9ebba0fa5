"""Make torchvision importable when its compiled ops cannot load, before timm or transformers import it.

The torchvision wheel that pairs with the CPU torch links CUDA libraries, so its ``_C`` extension fails to load
and ``torchvision/_meta_registrations.py`` then dies with ``operator torchvision::nms does not exist``. timm,
sentence-transformers and parts of transformers import torchvision, so they die with it. That module only
registers fake-tensor kernels for torchvision's C++ ops (nms, roi_align, ...), which nothing here uses; an
empty stand-in lets the rest of torchvision (transforms, model helpers) import and work.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types
from pathlib import Path

_META_MODULE = "torchvision._meta_registrations"


def ensure_torchvision_importable() -> bool:
    """Register an empty ``torchvision._meta_registrations`` only if torchvision's compiled ops cannot load.

    Call it before importing timm, transformers or sentence_transformers. Idempotent. Returns True when the
    stand-in is in place (now or from an earlier call), False when torchvision needs no help (it is already
    imported, not installed, or its ops load).
    """
    if _META_MODULE in sys.modules:
        return bool(getattr(sys.modules[_META_MODULE], "_emma_stand_in", False))
    if "torchvision" in sys.modules:
        return False
    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        return False
    if _compiled_ops_load(Path(spec.submodule_search_locations[0])):
        return False
    stand_in = types.ModuleType(_META_MODULE, "Empty stand-in: torchvision's compiled ops are unavailable here.")
    stand_in._emma_stand_in = True
    sys.modules[_META_MODULE] = stand_in
    return True


def _compiled_ops_load(package_dir: Path) -> bool:
    """Load torchvision's ``_C`` extension the way torchvision does, without importing the package."""
    import torch

    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        library = package_dir / f"_C{suffix}"
        if library.exists():
            try:
                torch.ops.load_library(str(library))
            except OSError:
                return False
            break
    return hasattr(torch.ops.torchvision, "nms")
