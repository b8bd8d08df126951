"""Errors become honest pages."""

from __future__ import annotations


def test_store_down_is_an_honest_503(signed_in, monkeypatch):
    from core.errors import StoreUnavailable

    def down(*a, **k):
        raise StoreUnavailable("down")

    monkeypatch.setattr("records.lectures.all_lectures", down)
    response = signed_in.get("/lectures")
    assert response.status_code == 503 and "数据库暂时连不上" in response.text
