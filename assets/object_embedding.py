"""The 2048-d object embedding (paper appendix) and product search over it: the persisted index and each
object's nearest neighbours."""

import time
from pathlib import Path

import numpy as np
import polars as pl
from dagster import AssetCheckExecutionContext, AssetExecutionContext, Config, MetadataValue, Output, asset, asset_check

from assets.check_results import check_result, committed, committed_asins
from emma_pipeline.checks import accounted_for, combined, ids_known
from emma_pipeline.cleaning.ann_index import IndexParams
from emma_pipeline.embeddings import as_matrix
from emma_pipeline.materials import load_taxonomy
from emma_pipeline.object_embedding import PAPER, AutoencoderConfig, FittedEmbedding, fit_embedding, recovery_report
from emma_pipeline.object_embedding.inputs import object_features
from emma_pipeline.object_embedding.refit import fitted_at, refit_reason
from emma_pipeline.object_embedding.store import model_path, new_version
from emma_pipeline.search import ProductSearch
from emma_pipeline.search.compare import neighbor_table
from emma_pipeline.warehouse.keyed_update import KeyedUpdate, changed_rows
from resources.folders import OutputFolders
from resources.lake import LakeResource


_DEFAULT = AutoencoderConfig()


class ObjectEmbeddingConfig(Config):
    bottleneck: int = _DEFAULT.bottleneck  # the paper's width
    epochs: int = _DEFAULT.epochs  # ~2 CPU minutes at the 3,000-listing sample; fewer are enough at scale
    batch_size: int = _DEFAULT.batch_size
    learning_rate: float = _DEFAULT.learning_rate
    contrastive_weight: float = _DEFAULT.contrastive_weight
    view_dropout: float = _DEFAULT.view_dropout  # listing-level blocks hidden in a contrastive view
    identity_blocks: list[str] = list(_DEFAULT.identity_blocks)  # kept in a view: what says which product it is
    seed: int = 0
    device: str = "cpu"  # "cuda" on a GPU machine
    # A build embeds with the model that wrote the current table until it is this old (or its training config or
    # input blocks changed); 0 fits on every build. Weekly: a batch of new listings does not move every vector.
    refit_after_days: float = 7.0


@asset(group_name="object_embedding", kinds={"pytorch", "duckdb"})
def object_embeddings(
    context: AssetExecutionContext, config: ObjectEmbeddingConfig, objects: pl.DataFrame,
    object_materials: pl.DataFrame, object_categories: pl.DataFrame, text_embeddings: pl.DataFrame,
    image_embeddings: pl.DataFrame, splits: pl.DataFrame, folders: OutputFolders, lake: LakeResource,
) -> Output[KeyedUpdate]:  # fmt: skip
    """Standardized bottleneck activation of an autoencoder over each object's text and image embeddings,
    price, mass, materials, ratings and learned category / product-type embeddings; absent attributes are
    masked, never zero-filled. The model is fitted again only when the current one is ``refit_after_days`` old,
    or its config or inputs changed; otherwise every object is embedded with it. Metadata: whether it was fitted
    and why, the reconstruction loss and what linear probes recover on held-out objects, next to the paper's."""
    features = object_features(objects, object_materials, object_categories, text_embeddings, image_embeddings,
                               load_taxonomy())  # fmt: skip
    settings = AutoencoderConfig(bottleneck=config.bottleneck, epochs=config.epochs, batch_size=config.batch_size,
                                 learning_rate=config.learning_rate, contrastive_weight=config.contrastive_weight,
                                 view_dropout=config.view_dropout, identity_blocks=tuple(config.identity_blocks),
                                 seed=config.seed, device=config.device)  # fmt: skip

    def progress(epoch: int, epochs: int, loss: float) -> None:
        if epoch == epochs or epoch % 5 == 0:
            context.log.info(f"object embedding epoch {epoch}/{epochs}: loss {loss:.4f}")

    fitted, version, reason = _reusable(lake, folders, features, settings, config.refit_after_days)
    if fitted is None:
        context.log.info(f"fitting the object embedding: {reason}")
        fitted = fit_embedding(features, settings, progress)
        version = new_version(context.run_id)
        fitted.save(model_path(folders.object_models_dir, version))
    else:
        context.log.info(f"embedding with model {version} (fitted {fitted_days(version):.1f} days ago)")
    path = model_path(folders.object_models_dir, version)
    vectors = fitted.embed(features)
    split = pl.DataFrame({"asin": features.asins}).join(splits.select("asin", "split"), on="asin", how="left")["split"]
    rows = np.arange(len(features))
    report = recovery_report(fitted, features, rows[(split == "train").to_numpy()],
                             rows[split.is_in(["val", "test"]).to_numpy()], vectors)  # fmt: skip
    frame = pl.DataFrame({
        "asin": features.asins,
        "embedding": pl.Series(vectors, dtype=pl.Array(pl.Float32, vectors.shape[1])),
        "model_version": [version] * len(features),
    })  # fmt: skip
    table = ["| figure | ours (held-out probes) | paper |", "| --- | --- | --- |"]
    table += [f"| {k} | {report[k]:.4f} | {PAPER[k]} |" for k in PAPER]
    # only rows that differ are written: embedded with the same model, an unchanged object's vector is the same
    return Output(changed_rows(frame, lake.latest("object_embeddings")), metadata={
        "model_version": version, "model_path": MetadataValue.path(str(path)), "dim": int(vectors.shape[1]),
        "fitted_this_run": reason is not None, "fit_reason": reason or "reused: model current and config unchanged",
        "input_dim": int(sum(fitted.standardizer.widths.values())),
        **{k: MetadataValue.float(float(v)) for k, v in report.items()},
        "recovery": MetadataValue.md("\n".join(table)),
        "train_loss_first_last": f"{fitted.history[0]:.4f} -> {fitted.history[-1]:.4f}",
    })  # fmt: skip


def _reusable(lake: LakeResource, folders: OutputFolders, features, settings: AutoencoderConfig, refit_after_days: float):
    """(model, its version, None) when the model that wrote the current table may embed ``features``, else
    (None, None, why a fit is needed)."""
    previous = lake.latest("object_embeddings", columns=["model_version"])
    if previous is None or previous.is_empty():
        return None, None, "no earlier object embedding"
    version = previous["model_version"][0]
    try:
        fitted = FittedEmbedding.load(model_path(folders.object_models_dir, version), device=settings.device)
    except (OSError, ValueError) as err:  # the model file is gone or unreadable: fit again, say why
        return None, None, f"model {version} cannot be loaded ({err})"
    reason = refit_reason(version, fitted.config, fitted.standardizer.widths, features, settings, refit_after_days)
    return (None, None, reason) if reason else (fitted, version, None)


def fitted_days(version: str) -> float:
    return (time.time() - fitted_at(version)) / 86400


_INDEX = IndexParams()


class ProductSearchConfig(Config):
    """The search index: exact below ``exact_limit`` objects, else ``index_kind`` (hnsw for the sample's sizes;
    ivf_flat or ivf_pq for millions of objects, where HNSW's build at 2048-d is too slow; see ann_kinds)."""

    index_kind: str = _INDEX.kind
    exact_limit: int = _INDEX.exact_limit
    ivf_nlist: int = _INDEX.ivf_nlist
    ivf_nprobe: int = _INDEX.ivf_nprobe  # cells scanned per query: recall against speed
    ivf_float16: bool = _INDEX.ivf_float16
    pq_m: int = _INDEX.pq_m

    def index_params(self) -> IndexParams:
        return IndexParams(exact_limit=self.exact_limit, kind=self.index_kind, ivf_nlist=self.ivf_nlist,
                           ivf_nprobe=self.ivf_nprobe, ivf_float16=self.ivf_float16, pq_m=self.pq_m)  # fmt: skip


@asset(group_name="object_embedding", kinds={"faiss", "duckdb"})
def product_neighbors(
    context: AssetExecutionContext, config: ProductSearchConfig, object_embeddings: pl.DataFrame, objects: pl.DataFrame,
    object_materials: pl.DataFrame, object_categories: pl.DataFrame, folders: OutputFolders,
) -> Output[pl.DataFrame]:  # fmt: skip
    """The 10 most similar other objects of every object in the object embedding; also saves the search index
    ``emma search`` queries (category, material and price filters)."""
    asins = object_embeddings["asin"].to_list()
    attributes = (
        pl.DataFrame({"asin": asins})
        .join(object_categories.select("asin", "category_ids"), on="asin", how="left")
        .join(object_materials.select("asin", "material_ids"), on="asin", how="left")
        .join(objects.select("asin", "price_usd"), on="asin", how="left")
    )
    version = object_embeddings["model_version"][0] if object_embeddings.height else "none"
    search = ProductSearch.build(asins, as_matrix(object_embeddings, asins), attributes, version, config.index_params())
    folder = search.save(search_index_dir(folders.index_dir))
    table = neighbor_table(search, k=10)
    kind = "exact" if search.index.exact else config.index_kind
    context.log.info(f"indexed {len(search):,} objects ({kind}) in {folder}")
    return Output(table, metadata={"indexed": len(search), "index": MetadataValue.path(str(folder)),
                                   "exact": search.index.exact, "index_kind": kind, "model_version": version})  # fmt: skip


@asset_check(asset="object_embeddings", name="covers_objects", blocking=True, additional_deps=["objects"],
             description="As committed: one object_embeddings row per ASIN of objects, exactly once, no other ASIN.")  # fmt: skip
def object_embeddings_cover_objects(context: AssetCheckExecutionContext, lake: LakeResource):
    embedded = committed_asins(context, lake, "object_embeddings")
    objects = committed_asins(context, lake, "objects", read_by="object_embeddings")
    return check_result(accounted_for(objects, {"object_embeddings": embedded}))


@asset_check(asset="product_neighbors", name="asins_are_objects", blocking=True, additional_deps=["objects"],
             description="As committed: every asin and neighbor_asin of product_neighbors is an ASIN of objects.")  # fmt: skip
def product_neighbors_are_objects(context: AssetCheckExecutionContext, lake: LakeResource):
    rows = committed(context, lake, "product_neighbors", ["asin", "neighbor_asin"])
    objects = committed_asins(context, lake, "objects", read_by="product_neighbors")
    return check_result(combined({"asin": ids_known(rows, "asin", objects),
                                  "neighbor": ids_known(rows, "neighbor_asin", objects)}))  # fmt: skip


object_embedding_checks = [object_embeddings_cover_objects, product_neighbors_are_objects]


def search_index_dir(index_dir: Path) -> Path:
    return index_dir / "search"
