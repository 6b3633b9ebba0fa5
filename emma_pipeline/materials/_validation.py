"""The rules a material taxonomy must obey, as a list of human-readable problems (empty when valid)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from emma_pipeline.materials._text import normalize_phrase


@dataclass(frozen=True)
class MaterialNode:
    id: int
    name: str
    parent: str | None  # parent's name; None for a root
    synonyms: tuple[str, ...]


def taxonomy_problems(nodes: tuple[MaterialNode, ...]) -> list[str]:
    """Duplicate ids or names, non-canonical names, unknown parents, cycles and synonym clashes."""
    problems = [f"id {v!r} appears {k} times" for v, k in Counter(n.id for n in nodes).items() if k > 1]
    problems += [f"name {v!r} appears {k} times (each node has one row, hence one parent)"
                 for v, k in Counter(n.name for n in nodes).items() if k > 1]
    problems += [f"name {n.name!r} is not canonical (lowercase, single spaces, no numbers or punctuation)"
                 for n in nodes if normalize_phrase(n.name) != n.name]
    names = {n.name for n in nodes}
    problems += [f"{n.name!r} has unknown parent {n.parent!r}"
                 for n in nodes if n.parent is not None and n.parent not in names]
    return problems + _cycles({n.name: n.parent for n in nodes}) + _synonym_clashes(nodes)


def _cycles(parent_of: dict[str, str | None]) -> list[str]:
    problems = []
    for start in parent_of:
        seen, node = {start}, parent_of[start]
        while node is not None and node in parent_of:
            if node == start:
                problems.append(f"{start!r} is its own ancestor (cycle)")
                break
            if node in seen:
                break
            seen.add(node)
            node = parent_of[node]
    return problems


def _synonym_clashes(nodes: tuple[MaterialNode, ...]) -> list[str]:
    """Every spelling (name or synonym, normalized) must lead to exactly one node."""
    owners: dict[str, set[str]] = defaultdict(set)
    problems = []
    for n in nodes:
        for spelling in (n.name, *n.synonyms):
            key = normalize_phrase(spelling)
            if not key:
                problems.append(f"{n.name!r}: synonym {spelling!r} is empty once normalized")
            owners[key].add(n.name)
    problems += [f"spelling {key!r} is claimed by {sorted(who)}" for key, who in owners.items() if len(who) > 1]
    return problems
