"""The viewer on a dataset in object storage (moto's S3 server on 127.0.0.1), through the real main window."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

import dgviewer
from dgviewer.app.main_window import MainWindow
from dgviewer.cli import main
from dgviewer.core import remote

from ..s3server import S3, pointed_at
from .conftest import goto_and_wait, press_and_wait


@pytest.fixture
def opened_by_url(s3, samples, settings, leak_check, qtbot, monkeypatch):
    """File ▸ Open URL… on the scene sample's s3:// copy: (window, url, objects of the bucket before)."""
    url = s3.upload(samples["scene"], "viewer")
    before = s3.objects("viewer")
    w = MainWindow(settings=settings, cache_bytes=256 << 20)  # the start page: nothing opened yet
    leak_check(w)
    w.show()
    monkeypatch.setattr("dgviewer.app.dialogs.QInputDialog.getText", lambda *a, **k: (url + "/", True))
    with qtbot.waitSignal(w.session.shown, timeout=30000):
        w.findChild(QAction, "open_url").trigger()
        assert w.status_line.listing.isVisible()  # the busy bar while the bucket is listed
    qtbot.waitUntil(lambda: not w.session.is_listing, timeout=30000)  # the rest of the tree, after the first datapoint
    return w, url, before


def test_open_url_review_and_validate_leave_the_bucket_alone(opened_by_url, s3, samples, qtbot, tmp_path):
    w, url, before = opened_by_url
    local = dgviewer.load(samples["scene"])
    assert not w.status_line.listing.isVisible()
    assert w.session.dataset.roots == [url]
    assert [dp.id.split("/", 1)[1] for dp in w.session.order] == [dp.id.split("/", 1)[1] for dp in local]
    assert w.canvas.image.image is not None and w.canvas.message == ""
    assert w.canvas.image.image.shape[:2] == local[0].read(w.session.modality).shape[:2]
    press_and_wait(qtbot, w, Qt.Key.Key_Right)
    second = w.session.cur.dp
    assert second.id.endswith(local[1].id.split("/", 1)[1]) and w.canvas.message == ""
    w.session.decide("fail")
    qtbot.waitUntil(lambda: w.session.data.reviews.state(second.id) == "fail", timeout=5000)
    review_file = tmp_path / "xdg-data" / "dgviewer" / "reviews"
    assert [p.name for p in review_file.iterdir()] and second.id.split("/", 1)[1] in next(review_file.iterdir()).read_text()
    assert "dgviewer — scene" in w.windowTitle()
    assert main(["validate", url, "--json", str(tmp_path / "qa.json"), "--quiet"]) in (0, 1)
    assert json.loads((tmp_path / "qa.json").read_text())["roots"] == [url]
    assert s3.objects("viewer") == before  # nothing written to the bucket


@pytest.fixture
def own_server(s3_server, tmp_path, monkeypatch):
    """A second S3 server this test may stop (started before the window's leak check counts threads)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    server = S3()
    with pointed_at(server.endpoint):
        remote.clear_memory()
        yield server
        server.stop()
    remote.clear_memory()


def test_server_stopped_mid_session_is_an_error_on_the_datapoint(own_server, samples, open_window, qtbot):
    url = own_server.upload(samples["scene"], "stopping")
    w = open_window(url)
    first = w.session.cur.dp
    assert w.canvas.image.image is not None
    own_server.stop()
    last = w.session.order[-1]
    goto_and_wait(qtbot, w, last)
    assert "cannot reach the storage" in w.canvas.message and url in w.canvas.message
    assert w.session.cur.dp is last
    goto_and_wait(qtbot, w, first)  # fetched before the server went: still drawn
    assert w.canvas.message == "" and w.canvas.image.image is not None
