"""The labeling server over HTTP (in-process client): validation, CSRF, token, host check, images, escaping."""

import pytest
from PIL import Image
from starlette.testclient import TestClient

from emma_pipeline.labeling.web.app import create_app
from emma_pipeline.labeling.web.security import ServerSecurity
from emma_pipeline.labeling.workbench import Workbench

from .conftest import SCRIPT_TITLE, tiny_features

BASE = "http://127.0.0.1:8765"


@pytest.fixture
def app(store, tmp_path):
    image = tmp_path / "basket.png"
    Image.new("RGB", (8, 8), (200, 150, 60)).save(image)
    feats = tiny_features()
    feats.images[0].append(str(image))
    feats.images[1].extend(["https://example.com/remote.jpg", str(tmp_path / "missing.jpg")])
    return create_app(Workbench(store, feats))


@pytest.fixture
def client(app):
    return TestClient(app, base_url=BASE)


def _post(client, app, url, body, **headers):
    return client.post(url, json=body, headers={"X-CSRF-Token": app.state.security.csrf, **headers})


def test_listing_text_is_never_rendered_as_html(client, app):
    for url in ("/p/is_container/word-search?q=basket&size=96", "/listing/B0000"):
        page = client.get(url).text
        assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page
    assert "script-src 'self'" in client.get("/").headers["content-security-policy"]


def test_labels_need_the_csrf_header_json_and_same_origin(client, app):
    body = {"request_id": "req-csrf-0001", "object_id": "B0001", "value": 1, "mode": "word-search"}
    assert client.post("/api/p/is_container/labels", json=body).status_code == 403
    forged = client.post("/api/p/is_container/labels", data=body, headers={"X-CSRF-Token": app.state.security.csrf})
    assert forged.status_code == 415
    assert _post(client, app, "/api/p/is_container/labels", body, Origin="http://evil.example").status_code == 403
    assert app.state.bench.store.label_history().height == 0
    assert _post(client, app, "/api/p/is_container/labels", body, Origin=BASE).status_code == 200


def test_a_retried_label_request_is_stored_once(client, app):
    body = {"request_id": "req-retry-0001", "object_id": "K0003", "value": 0, "mode": "active-learning"}
    first, second = (_post(client, app, "/api/p/is_container/labels", body) for _ in range(2))
    assert first.json()["replayed"] is False and second.json()["replayed"] is True
    assert second.json()["negatives"] == 1 and app.state.bench.store.label_history().height == 1


@pytest.mark.parametrize("url, status, message", [
    ("/p/is_container/word-search?page=-1", 400, "page must be between"),
    ("/p/is_container/word-search?size=abc", 400, "size must be a whole number"),
    ("/p/is_container/correction?low=0.7&high=0.2", 400, "low must be below high"),
    ("/p/is_container/correction?low=2", 400, "between 0 and 1"),
    ("/p/nope/word-search", 404, "unknown property"),
    ("/p/is_container/dance", 404, "unknown mode"),
    ("/p/is_container/more-like-this?ids=ZZZ", 404, "unknown object id"),
    ("/listing/ZZZ", 404, "unknown object id"),
])  # fmt: skip
def test_bad_page_parameters_get_a_clear_4xx(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status and message in response.text


@pytest.mark.parametrize("body, status, message", [
    ({"request_id": "req-bad-00001", "object_id": "B0001", "value": 2, "mode": "review"}, 400, "value must be"),
    ({"request_id": "req-bad-00002", "object_id": "B0001", "value": True, "mode": "review"}, 400, "value must be"),
    ({"request_id": "req-bad-00003", "object_id": "nope", "value": 1, "mode": "review"}, 404, "unknown object id"),
    ({"request_id": "req-bad-00004", "object_id": "B0001", "value": 1, "mode": "magic"}, 400, "unknown mode"),
    ({"object_id": "B0001", "value": 1, "mode": "review"}, 400, "missing field 'request_id'"),
    ({"request_id": 5, "object_id": "B0001", "value": 1, "mode": "review"}, 400, "wrong type"),
])  # fmt: skip
def test_bad_label_bodies_get_a_clear_4xx(client, app, body, status, message):
    response = _post(client, app, "/api/p/is_container/labels", body)
    assert response.status_code == status and message in response.json()["error"]


def test_bad_json_features_and_properties_are_refused(client, app):
    headers = {"X-CSRF-Token": app.state.security.csrf, "Content-Type": "application/json"}
    assert client.post("/api/p/is_container/labels", content=b"{not json", headers=headers).status_code == 400
    bad_regex = _post(client, app, "/api/p/is_container/features", {"request_id": "req-feat-0001", "kind": "regex", "pattern": "(x"})
    assert bad_regex.status_code == 400 and "invalid regular expression" in bad_regex.json()["error"]
    bad_name = _post(client, app, "/api/properties", {"request_id": "req-prop-0001", "name": "../x", "definition": "d"})
    assert bad_name.status_code == 400 and "lowercase" in bad_name.json()["error"]
    assert _post(client, app, "/api/properties", {"request_id": "req-prop-0002", "preset": "nope"}).status_code == 400


def test_only_known_local_images_are_served(client):
    ok = client.get("/img/B0000/0")
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"
    for url in ("/img/K0000/0", "/img/K0000/1", "/img/B0000/1", "/img/..%2F..%2Fetc%2Fpasswd/0", "/img/B0000/-1"):
        assert client.get(url).status_code == 404, url
    assert client.get("/static/../store.py").status_code == 404


def test_the_host_header_must_be_loopback(app):
    assert TestClient(app, base_url="http://evil.example:8765").get("/").status_code == 421


def test_off_loopback_a_token_is_required(store):
    security = ServerSecurity.for_host("0.0.0.0")
    assert security.token
    client = TestClient(create_app(Workbench(store, tiny_features()), security), base_url="http://10.0.0.5:8765")
    assert client.get("/").status_code == 401
    assert client.get("/?token=wrong").status_code == 401
    entry = client.get(f"/p/is_container/review?token={security.token}", follow_redirects=False)
    assert entry.status_code == 303 and "token" not in entry.headers["location"]
    assert client.get("/p/is_container/review").status_code == 200  # the cookie carries it from now on


def test_advancing_the_page_retrains_on_the_new_labels(client, app):
    for i in range(4):
        for kind, value in (("B", 1), ("K", 0)):
            body = {"request_id": f"req-al-{kind}{i:04d}", "object_id": f"{kind}{i:04d}", "value": value, "mode": "word-search"}
            _post(client, app, "/api/p/is_container/labels", body)
    status = client.get("/api/p/is_container/status").json()
    assert status["positives"] == 4 and status["negatives"] == 4 and status["cv"]["f1"] == 1.0
    verify = client.get("/p/is_container/verify?size=5").text
    assert verify.count('data-id="B') == 5 and 'data-id="K' not in verify
    assert SCRIPT_TITLE not in verify
