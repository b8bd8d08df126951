"""Every console route with generated ids, form fields, query strings and
headers: a 4xx (or the page), never a 5xx."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("ANXIN_FUZZ_EXAMPLES", "1000")) // 5
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ROUTES = [("GET", "/lectures/{id}"), ("GET", "/lectures/{id}/progress.json"), ("GET", "/emergencies/{id}"),
          ("POST", "/lectures/{id}/publish"), ("POST", "/elders/{id}/binding-code"), ("POST", "/emergencies/{id}/ack"),
          ("POST", "/emergencies/{id}/close"), ("POST", "/handoffs/{id}/claim"), ("POST", "/handoffs/{id}/close"),
          ("POST", "/handoffs/{id}/resume"), ("POST", "/lectures"), ("GET", "/alerts"), ("GET", "/bookings"),
          ("GET", "/handoffs"), ("GET", "/elders"), ("GET", "/emergencies"), ("GET", "/"),
          ("GET", "/elders/{id}/privacy"), ("GET", "/elders/{id}/export.json"), ("GET", "/elders/{id}/export"),
          ("POST", "/elders/{id}/erase"), ("POST", "/elders/{id}/emergency-notes"), ("GET", "/lectures/new")]
ids = st.one_of(st.integers(min_value=0, max_value=2**80).map(str), st.just(str(2**70)), st.just("-1"),
                st.just("1e9"), st.text(alphabet="0123456789", min_size=30, max_size=60), st.just("%00"))
NAMES = st.sampled_from(["note", "outcome", "title", "starts_at", "speaker", "summary", "relation", "all", "next",
                         "msg", "login", "password", "why", "name", "confirm", "notes"])
VALUES = st.one_of(st.text(max_size=200), st.just("2026-13-45T99:99"), st.just(str(2**70)))
fields = st.dictionaries(NAMES, VALUES | st.just("救命" * 3000), max_size=5)
query_fields = st.dictionaries(NAMES, VALUES, max_size=3)  # a URL stays within what a browser sends


@pytest.fixture
def csrf(signed_in):
    return signed_in.csrf("/")


@FUZZ
@given(route=st.sampled_from(ROUTES), item=ids, form=fields, query=query_fields)
def test_routes(signed_in, csrf, route, item, form, query):
    method, path = route
    path = path.format(id=item)
    if method == "GET":
        response = signed_in.get(path, params=query)
    else:
        response = signed_in.post(path, {**form, "csrf": csrf}, params=query)
    assert response.status_code < 500, (method, path, response.status_code, response.text[:200])


@FUZZ
@given(value=st.binary(min_size=1, max_size=200).filter(lambda b: not set(b) & {0, 10, 13}),
       name=st.sampled_from(["Cookie", "X-Forwarded-For", "X-Forwarded-Proto", "Content-Type", "Host"]))
def test_headers(client, value, name):
    for method, path in (("GET", "/"), ("GET", "/login"), ("POST", "/login")):
        response = client.get(path, headers={name: value}) if method == "GET" else \
            client.post(path, {"csrf": "x", "login": "a", "password": "b"}, headers={name: value})
        assert response.status_code < 500, (path, name, value, response.status_code)


@FUZZ
@given(value=st.binary(min_size=1, max_size=200).filter(lambda b: not set(b) & {0, 10, 13}),
       name=st.sampled_from(["X-Forwarded-For", "X-Forwarded-Proto", "Content-Type", "Accept", "Referer", "Origin"]),
       route=st.sampled_from([("GET", "/elders/1/privacy"), ("GET", "/emergencies"), ("GET", "/elders/1/export.json"),
                              ("POST", "/emergencies/1/close"), ("POST", "/lectures")]))
def test_headers_signed_in(signed_in, csrf, value, name, route):
    """The signed-in pages with odd headers too (the signed-out ones above)."""
    method, path = route
    response = signed_in.get(path, headers={name: value}) if method == "GET" else \
        signed_in.post(path, {"csrf": csrf}, headers={name: value})
    assert response.status_code < 500, (path, name, value, response.status_code)
