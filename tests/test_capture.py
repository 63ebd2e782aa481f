"""The capture worker with the real scripted camera, real photo pipeline and a real gallery."""

from __future__ import annotations

import queue
from dataclasses import replace

import pytest

from booth.capture import CaptureWorker, ReviewPhoto, shrink
from booth.camera.base import start_checked
from booth.camera.select import make_camera
from booth.config import Config, ScriptedConfig
from booth.gallery import Gallery
from booth.photo.pipeline import PhotoPipeline
from booth.session import (
    CaptureDone, CaptureFailed, Discard, ProcessingDone, ProcessingFailed, Publish, Published, PublishFailed,
    StartCapture, StartProcessing,
)

BASE = "http://127.0.0.1:8080"


@pytest.fixture
def parts(faces_dir, model_path, tmp_path):
    config = Config()
    config.scripted = replace(ScriptedConfig(), faces_dir=str(faces_dir), enter_s=0.0, centre_s=0.0)
    config.session = replace(config.session, flow="one")  # the one-look visit; the session of looks: test_capture_flow
    camera = make_camera("scripted", config)
    start_checked(camera, 5.0)
    gallery = Gallery(tmp_path / "data")
    events: queue.Queue = queue.Queue()
    worker = CaptureWorker(camera, gallery, config, events.put, base_url=BASE,
                           pipeline_factory=lambda: PhotoPipeline(config.photo, config.coach, model_path))
    worker.start()
    yield config, camera, gallery, worker, events
    worker.stop()
    camera.stop()
    gallery.close()


def _next(events: queue.Queue, timeout: float = 30.0):
    return events.get(timeout=timeout)


def _shoot(worker, events, job: int, look: str = "smile") -> ProcessingDone:
    worker.submit(StartCapture(job))
    done = _next(events)
    assert isinstance(done, CaptureDone) and done.job == job
    worker.submit(StartProcessing(job, done.burst, look))
    processed = _next(events)
    assert isinstance(processed, ProcessingDone), processed
    return processed


def test_burst_is_full_resolution_in_order_and_taken_after_the_trigger(parts):
    """What the shot is, not how fast: the lag is measured in benchmarks/shutter.py and ui_loop.py."""
    config, camera, _, worker, events = parts
    newest_before = camera.latest()
    assert newest_before is not None
    worker.submit(StartCapture(4))
    done = _next(events)
    assert isinstance(done, CaptureDone) and done.job == 4
    assert len(done.burst) == config.photo.burst == 3
    assert all(f.size == camera.still_size for f in done.burst)
    assert camera.still_size[0] > camera.preview_size[0]
    # three distinct stills in the order taken, none a frame from before the trigger
    indexes = [f.index for f in done.burst]
    stamps = [f.timestamp for f in done.burst]
    assert indexes == sorted(set(indexes)) and indexes[0] > newest_before.index
    assert stamps == sorted(stamps) and stamps[0] > newest_before.timestamp
    assert len(worker.trigger_to_still) == 1 and worker.trigger_to_still[0] >= 0


def staged_files(gallery) -> list[str]:
    return sorted(p.name for p in gallery.staging_dir.iterdir())


def test_photo_is_staged_for_the_review_not_published_and_previews_follow(parts):
    config, _, gallery, worker, events = parts
    done = _shoot(worker, events, 1)
    assert gallery.get(done.token) is None and gallery.records() == []  # nobody kept it yet
    assert staged_files(gallery) == [f"{done.token}.original.jpg", f"{done.token}.retouched.jpg"]
    assert done.url == f"{BASE}/p/{done.token}"
    review = done.photo
    assert isinstance(review, ReviewPhoto) and review.saved_level == "natural"
    assert max(review.previews["natural"].shape[:2]) <= 1080
    for _ in range(100):  # the other levels arrive while the subject looks
        if len(review.previews) == 3:
            break
        import time
        time.sleep(0.05)
    assert set(review.previews) == {"none", "natural", "polished"}
    assert worker.saved == 0


def test_keep_publishes_at_the_saved_level(parts):
    config, _, gallery, worker, events = parts
    done = _shoot(worker, events, 1)
    staged = (gallery.staging_dir / f"{done.token}.retouched.jpg").read_bytes()
    worker.submit(Publish(done.token, "natural"))
    assert _next(events) == Published(done.token, done.url)
    record = gallery.get(done.token)
    assert record is not None and record.look == "smile" and record.retouch == config.photo.retouch
    assert gallery.path(record, "retouched").read_bytes() == staged  # the very file reviewed
    assert staged_files(gallery) == [] and worker.saved == 1


def test_keep_with_another_level_publishes_that_level(parts):
    _, _, gallery, worker, events = parts
    done = _shoot(worker, events, 1)
    staged = (gallery.staging_dir / f"{done.token}.retouched.jpg").read_bytes()
    worker.submit(Publish(done.token, "polished"))
    assert _next(events) == Published(done.token, done.url)
    record = gallery.get(done.token)
    assert record.retouch == "polished"
    assert gallery.path(record, "retouched").read_bytes() != staged
    assert staged_files(gallery) == []


def test_retake_deletes_the_photo_never_published(parts):
    _, _, gallery, worker, events = parts
    done = _shoot(worker, events, 1)
    worker.submit(Discard(done.token))
    worker.submit(StartCapture(2))  # the queue keeps order: the delete is done by then
    assert isinstance(_next(events), CaptureDone)
    assert gallery.get(done.token) is None and staged_files(gallery) == [] and gallery.records() == []


def test_a_keep_too_late_is_undone_by_the_discard_behind_it(parts):
    """The session gave up waiting for the save: its Discard, queued behind the Publish, deletes it again."""
    _, _, gallery, worker, events = parts
    done = _shoot(worker, events, 1)
    worker.submit(Publish(done.token, "natural"))
    worker.submit(Discard(done.token))
    assert isinstance(_next(events), Published)
    worker.submit(StartCapture(2))
    assert isinstance(_next(events), CaptureDone)
    assert gallery.get(done.token) is None and gallery.records() == [] and staged_files(gallery) == []
    assert list(gallery.photos_dir.iterdir()) == []


def test_capture_fails_cleanly_when_the_camera_is_gone(parts):
    _, camera, _, worker, events = parts
    camera.stop()
    worker.submit(StartCapture(9))
    failed = _next(events)
    assert isinstance(failed, CaptureFailed) and failed.job == 9 and failed.reason


def test_processing_failure_is_reported_not_raised(parts):
    _, _, gallery, worker, events = parts
    worker.submit(StartProcessing(3, [], "smile"))
    failed = _next(events)
    assert isinstance(failed, ProcessingFailed) and failed.job == 3
    assert gallery.records() == []
    worker.submit(StartCapture(4))  # and the worker is still alive
    assert isinstance(_next(events), CaptureDone)


def test_keep_of_a_photo_no_longer_in_hand_fails_and_publishes_nothing(parts):
    _, _, gallery, worker, events = parts
    worker.submit(Publish("A" * 24, "polished"))
    failed = _next(events)
    assert isinstance(failed, PublishFailed) and failed.token == "A" * 24
    assert gallery.records() == []


def test_keep_fails_cleanly_when_the_staged_files_are_gone(parts):
    _, _, gallery, worker, events = parts
    done = _shoot(worker, events, 1)
    for p in gallery.staging_dir.iterdir():
        p.unlink()
    worker.submit(Publish(done.token, "natural"))
    failed = _next(events)
    assert isinstance(failed, PublishFailed) and "no longer staged" in failed.reason
    assert gallery.records() == [] and list(gallery.photos_dir.iterdir()) == []


def test_shrink_keeps_the_aspect():
    import numpy as np

    img = np.zeros((3000, 2400, 3), np.uint8)
    small = shrink(img, 1000)
    assert small.shape == (1000, 800, 3)
    assert shrink(small, 2000) is not None and shrink(small, 2000).shape == small.shape
