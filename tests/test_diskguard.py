"""DiskGuard on a real small filesystem (an 8 MB tmpfs mounted for the test)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from booth.diskguard import DiskGuard, free_mb_at
from faults import tmpfs


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs: filling it is quick and cannot hurt the real disk."""
    with tmpfs(tmp_path / "small", 8) as mnt:
        yield mnt


def _fill(path: Path, mb: int) -> None:
    with path.open("wb") as fh:
        for _ in range(mb):
            fh.write(b"\0" * (1 << 20))


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_free_mb_matches_statvfs_and_df(small_fs: Path) -> None:
    free = free_mb_at(small_fs)
    assert 7.0 <= free <= 8.0
    out = subprocess.run(["df", "-B1", "--output=avail", str(small_fs)], capture_output=True, text=True, check=True)
    assert abs(free - int(out.stdout.split()[-1]) / (1 << 20)) < 0.01


def test_missing_directory_asks_the_nearest_parent(small_fs: Path) -> None:
    assert free_mb_at(small_fs / "not" / "yet") == free_mb_at(small_fs)


def test_filling_and_freeing_the_disk(small_fs: Path) -> None:
    clock = FakeClock()
    guard = DiskGuard(small_fs / "photos", 4, ttl_s=2.0, clock=clock)
    assert guard.ok()
    _fill(small_fs / "ballast", 5)
    # cached: the render loop does not hit the disk every frame
    assert guard.ok()
    clock.now += 2.0
    assert not guard.ok()
    assert guard.free_mb() < 4
    (small_fs / "ballast").unlink()
    assert not guard.ok()  # still the cached figure ...
    clock.now += 2.0
    assert guard.ok()  # ... until it is ttl_s old


def test_zero_limit_is_always_ok(small_fs: Path) -> None:
    guard = DiskGuard(small_fs, 0)
    assert guard.ok()


def test_cache_expires_after_ttl(small_fs: Path) -> None:
    clock = FakeClock()
    guard = DiskGuard(small_fs, 1, ttl_s=5.0, clock=clock)
    before = guard.free_mb()
    _fill(small_fs / "b", 3)
    clock.now += 4.9
    assert guard.free_mb() == before
    clock.now += 0.1
    assert guard.free_mb() < before - 2.5
