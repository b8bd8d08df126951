"""Appointments and home-service orders."""

from __future__ import annotations


def test_bookings_page(signed_in):
    page = signed_in.get("/bookings")
    assert "看病挂号" in page.text and "上门服务" in page.text
