"""The label store keeps every label exactly once: retries, kills mid-request and concurrent tabs."""

import multiprocessing as mp
import os

import pytest

from emma_pipeline.labeling.store import LabelStore, LabelStoreError


def test_same_request_twice_is_applied_once(store):
    first = store.add_label("req-label-0001", "is_container", "B0001", 1, "word-search")
    again = store.add_label("req-label-0001", "is_container", "B0001", 1, "word-search")
    assert first["replayed"] is False and again["replayed"] is True
    assert again["label_id"] == first["label_id"]
    assert store.label_history("is_container").height == 1


def test_latest_label_wins_and_history_is_kept(store):
    store.add_label("req-label-0001", "is_container", "B0001", 1, "word-search", who="ann")
    store.add_label("req-label-0002", "is_container", "B0001", 0, "review", who="bob")
    store.add_label("req-label-0003", "is_container", "K0001", 1, "active-learning")
    store.add_label("req-label-0004", "is_container", "K0001", None, "active-learning")  # cleared
    assert store.current_labels("is_container") == {"B0001": (0, "review")}
    history = store.label_history("is_container")
    assert history["who"].to_list() == ["ann", "bob", "local", "local"]
    assert history["is_current"].to_list() == [False, True, False, True]


def test_every_change_moves_the_version_but_a_replay_does_not(store):
    v0 = store.get_property("is_container").version
    store.add_label("req-label-0001", "is_container", "B0001", 1, "word-search")
    store.add_label("req-label-0001", "is_container", "B0001", 1, "word-search")
    store.add_feature("req-feat-0001", "is_container", "keyword", "basket")
    store.add_decision("req-dec-00001", "is_container", "a phone case is a container")
    assert store.get_property("is_container").version == v0 + 3


def _kill_before_commit(path: str) -> None:
    store = LabelStore(path, before_commit=lambda request_id: os._exit(17))
    store.add_label("req-killed-01", "is_container", "B0002", 1, "active-learning")


def test_a_server_killed_mid_request_leaves_nothing_and_the_retry_lands_once(store):
    proc = mp.get_context("spawn").Process(target=_kill_before_commit, args=(str(store.path),))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 17
    assert store.label_history("is_container").height == 0
    store.add_label("req-killed-01", "is_container", "B0002", 1, "active-learning")  # the browser retries
    store.add_label("req-killed-01", "is_container", "B0002", 1, "active-learning")
    assert store.current_labels("is_container") == {"B0002": (1, "active-learning")}
    assert store.label_history("is_container").height == 1


def _tab(path: str, tab: int, n: int) -> None:
    store = LabelStore(path)
    for i in range(n):
        store.add_label(f"tab{tab}-req-{i:04d}", "is_container", f"B{i % 7:04d}", (i + tab) % 2, "word-search")
        store.add_label(f"tab{tab}-req-{i:04d}", "is_container", f"B{i % 7:04d}", (i + tab) % 2, "word-search")


def test_two_tabs_labeling_at_once_lose_and_duplicate_nothing(store):
    ctx = mp.get_context("spawn")
    tabs = [ctx.Process(target=_tab, args=(str(store.path), t, 60)) for t in (1, 2)]
    for p in tabs:
        p.start()
    for p in tabs:
        p.join(120)
    assert [p.exitcode for p in tabs] == [0, 0]
    history = store.label_history("is_container")
    assert history.height == 120 and history["request_id"].n_unique() == 120
    assert len(store.current_labels("is_container")) == 7


@pytest.mark.parametrize("kwargs, message", [
    ({"value": 2}, "label value"), ({"value": True}, "label value"), ({"mode": "guess"}, "unknown mode"),
    ({"object_id": ""}, "object_id"), ({"request_id": "x"}, "request_id"), ({"prop": "nope"}, "unknown property"),
])  # fmt: skip
def test_bad_label_requests_are_refused_with_a_reason(store, kwargs, message):
    args = {"request_id": "req-label-0009", "prop": "is_container", "object_id": "B0001", "value": 1, "mode": "review"}
    with pytest.raises(LabelStoreError, match=message):
        store.add_label(**{**args, **kwargs})
    assert store.label_history().height == 0


def test_a_request_id_cannot_be_reused_for_another_kind(store):
    store.add_label("req-shared-01", "is_container", "B0001", 1, "review")
    with pytest.raises(LabelStoreError, match="already used"):
        store.add_decision("req-shared-01", "is_container", "text")


def test_properties_features_and_decisions(store):
    with pytest.raises(LabelStoreError, match="already exists"):
        store.create_property("req-create-0002", "is_container", "again")
    with pytest.raises(LabelStoreError, match="lowercase"):
        store.create_property("req-create-0003", "Is Container!", "bad name")
    kw = store.add_feature("req-feat-0001", "is_container", "keyword", "basket")["feature_id"]
    store.add_feature("req-feat-0002", "is_container", "regex", r"\bjars?\b")
    store.add_feature("req-feat-0003", "is_container", "keyword", "baskets", replaces=kw)  # an edit
    assert [(k, p) for _, k, p in store.features("is_container")] == [("regex", r"\bjars?\b"), ("keyword", "baskets")]
    with pytest.raises(ValueError, match="invalid regular expression"):
        store.add_feature("req-feat-0004", "is_container", "regex", "(unclosed")
    with pytest.raises(LabelStoreError, match="no active feature"):
        store.remove_feature("req-feat-0005", "is_container", kw)
    store.add_decision("req-dec-00001", "is_container", "a phone case is a container")
    assert [d["text"] for d in store.decisions("is_container")] == ["a phone case is a container"]
