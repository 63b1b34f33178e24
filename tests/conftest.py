"""Fixtures of the unit tests."""

import socket

import pytest


@pytest.fixture
def no_network(monkeypatch):
    """Make any attempt to open a network connection fail loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def report_dir(tmp_path, monkeypatch):
    """A fresh, empty report folder for one test."""
    monkeypatch.setenv("COURSE_REPORT_DIR", str(tmp_path / "report"))
    return tmp_path / "report"
