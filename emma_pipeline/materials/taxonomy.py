"""The 182-node material taxonomy, loaded from ``taxonomy.csv`` and checked before anyone can use it.

A material label may be any node, internal or leaf: a listing that only says "metal" is labeled ``metal``, and a
model's loss skips the descendants of that node (paper appendix, "Losses"). ``ancestors`` and ``descendants``
serve exactly that; ``as_frame`` is the table the pipeline writes for analysts.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import polars as pl

from emma_pipeline.materials._validation import MaterialNode, taxonomy_problems

TAXONOMY_CSV = Path(__file__).with_name("taxonomy.csv")
_COLUMNS = ("id", "name", "parent", "synonyms")


class TaxonomyError(ValueError):
    """The taxonomy data is malformed; the message lists every problem found."""


@dataclass(frozen=True)
class MaterialTaxonomy:
    """An immutable single-parent forest of material nodes; construction validates it."""

    nodes: tuple[MaterialNode, ...]

    def __post_init__(self) -> None:
        self.validate()

    @classmethod
    def from_csv(cls, path: Path | str) -> MaterialTaxonomy:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in _COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise TaxonomyError(f"{path}: missing column(s) {missing}; expected {list(_COLUMNS)}")
            return cls(tuple(_node_from_row(row, line) for line, row in enumerate(reader, start=2)))

    def validate(self) -> None:
        """Raise TaxonomyError naming every broken rule: unique ids and names, known parents, no cycles,
        names in canonical form, and no synonym claimed by two nodes."""
        problems = taxonomy_problems(self.nodes)
        if problems:
            raise TaxonomyError("invalid material taxonomy:\n  " + "\n  ".join(problems))

    @cached_property
    def _by_id(self) -> dict[int, MaterialNode]:
        return {n.id: n for n in self.nodes}

    @cached_property
    def _id_by_name(self) -> dict[str, int]:
        return {n.name: n.id for n in self.nodes}

    @cached_property
    def _children(self) -> dict[int, tuple[int, ...]]:
        children: dict[int, list[int]] = defaultdict(list)
        for n in self.nodes:
            if n.parent is not None:
                children[self._id_by_name[n.parent]].append(n.id)
        return {i: tuple(children.get(i, ())) for i in self._by_id}

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(n.id for n in self.nodes)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.nodes)

    @property
    def roots(self) -> tuple[int, ...]:
        return tuple(n.id for n in self.nodes if n.parent is None)

    def _node(self, node_id: int) -> MaterialNode:
        try:
            return self._by_id[node_id]
        except KeyError:
            raise KeyError(f"unknown material node id {node_id!r}") from None

    def id_of(self, name: str) -> int:
        try:
            return self._id_by_name[name]
        except KeyError:
            raise KeyError(f"unknown material name {name!r}") from None

    def name_of(self, node_id: int) -> str:
        return self._node(node_id).name

    def synonyms(self, node_id: int) -> tuple[str, ...]:
        return self._node(node_id).synonyms

    def parent(self, node_id: int) -> int | None:
        parent = self._node(node_id).parent
        return None if parent is None else self._id_by_name[parent]

    def children(self, node_id: int) -> tuple[int, ...]:
        self._node(node_id)
        return self._children[node_id]

    def ancestors(self, node_id: int) -> tuple[int, ...]:
        """Parent first, root last."""
        chain = []
        parent = self.parent(node_id)
        while parent is not None:
            chain.append(parent)
            parent = self.parent(parent)
        return tuple(chain)

    def descendants(self, node_id: int) -> tuple[int, ...]:
        """All nodes below ``node_id``, depth first in file order."""
        out: list[int] = []
        for child in self.children(node_id):
            out.append(child)
            out.extend(self.descendants(child))
        return tuple(out)

    def depth(self, node_id: int) -> int:
        """0 for a root."""
        return len(self.ancestors(node_id))

    def is_leaf(self, node_id: int) -> bool:
        return not self.children(node_id)

    def path(self, node_id: int) -> str:
        """Root-to-node names, e.g. ``plastic > thermoplastic > acrylic``."""
        chain = [node_id, *self.ancestors(node_id)]
        return " > ".join(self.name_of(i) for i in reversed(chain))

    def as_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "id": list(self.ids),
                "name": list(self.names),
                "parent_id": [self.parent(i) for i in self.ids],
                "depth": [self.depth(i) for i in self.ids],
                "is_leaf": [self.is_leaf(i) for i in self.ids],
                "path": [self.path(i) for i in self.ids],
            },
            schema={"id": pl.Int64, "name": pl.Utf8, "parent_id": pl.Int64, "depth": pl.Int64,
                    "is_leaf": pl.Boolean, "path": pl.Utf8},
        )


def load_taxonomy(path: Path | str | None = None) -> MaterialTaxonomy:
    """The taxonomy in ``path`` (default: the packaged ``taxonomy.csv``), parsed once per file."""
    return _load_cached(Path(path or TAXONOMY_CSV).resolve())


@lru_cache(maxsize=8)
def _load_cached(path: Path) -> MaterialTaxonomy:
    return MaterialTaxonomy.from_csv(path)


def _node_from_row(row: dict[str, str], line: int) -> MaterialNode:
    try:
        node_id = int(row["id"])
    except (TypeError, ValueError):
        raise TaxonomyError(f"line {line}: id {row['id']!r} is not an integer") from None
    parent = (row["parent"] or "").strip() or None
    synonyms = tuple(s.strip() for s in (row["synonyms"] or "").split("|") if s.strip())
    return MaterialNode(node_id, (row["name"] or "").strip(), parent, synonyms)
