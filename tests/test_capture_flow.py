"""The capture worker in the session of looks ([session] flow = "all"), with the real scripted camera,
real photo pipeline and a real gallery: one developed photo per look held until the pick, the kept
ones published with the visit's token and answered with the visit's page, the others deleted."""

from __future__ import annotations

import queue
from dataclasses import replace

import pytest

from booth import net
from booth.camera.base import start_checked
from booth.camera.select import make_camera
from booth.capture import CaptureWorker
from booth.config import Config, ScriptedConfig
from booth.gallery import Gallery
from booth.photo.pipeline import PhotoPipeline
from booth.session import (
    FLOW_ORDER, CaptureDone, Discard, ProcessingDone, Publish, Published, SessionStarted, StartCapture,
    StartProcessing,
)

BASE = "http://127.0.0.1:8080"


@pytest.fixture
def parts(faces_dir, model_path, tmp_path):
    config = Config()
    config.scripted = replace(ScriptedConfig(), faces_dir=str(faces_dir), enter_s=0.0, centre_s=0.0)
    config.session = replace(config.session, flow="all")
    camera = make_camera("scripted", config)
    start_checked(camera, 5.0)
    gallery = Gallery(tmp_path / "data")
    events: queue.Queue = queue.Queue()
    worker = CaptureWorker(camera, gallery, config, events.put, base_url=BASE,
                           pipeline_factory=lambda: PhotoPipeline(config.photo, config.coach, model_path))
    worker.start()
    yield gallery, worker, events
    worker.stop()
    camera.stop()
    gallery.close()


def _next(events: queue.Queue, timeout: float = 30.0):
    return events.get(timeout=timeout)


def _shoot(worker, events, job: int, look: str) -> ProcessingDone:
    worker.submit(StartCapture(job))
    done = _next(events)
    assert isinstance(done, CaptureDone) and done.job == job
    worker.submit(StartProcessing(job, done.burst, look))
    processed = _next(events)
    assert isinstance(processed, ProcessingDone), processed
    return processed


def staged(gallery: Gallery) -> list[str]:
    return sorted(p.name for p in gallery.staging_dir.iterdir() if p.suffix == ".jpg")


def test_every_look_is_held_until_the_pick_then_kept_ones_share_the_visit(parts):
    gallery, worker, events = parts
    worker.submit(SessionStarted(1))
    done = [_shoot(worker, events, job, look) for job, look in enumerate(FLOW_ORDER, 1)]
    visit = worker.visit
    assert visit is not None
    assert len(staged(gallery)) == 6  # three photos, each original and retouched, none published
    assert gallery.records() == []
    worker.submit(Discard(done[1].token))  # contemplative not kept
    worker.submit(Publish(done[0].token, "natural"))
    worker.submit(Publish(done[2].token, "polished"))
    page = net.visit_url(BASE, visit)
    assert _next(events) == Published(done[0].token, page)
    assert _next(events) == Published(done[2].token, page)
    records = gallery.visit_photos(visit)
    assert sorted(r.token for r in records) == sorted([done[0].token, done[2].token])
    assert {r.look for r in records} == {"serious", "smile"}
    assert gallery.get(done[1].token) is None and staged(gallery) == []
    assert worker.saved == 2 and worker.idle


def test_each_visit_has_its_own_token_and_leftovers_are_dropped(parts):
    gallery, worker, events = parts
    worker.submit(SessionStarted(1))
    first = _shoot(worker, events, 1, "serious")
    visit1 = worker.visit
    worker.submit(SessionStarted(2))  # the last guest's shot was never kept (nor discarded)
    second = _shoot(worker, events, 2, "serious")
    visit2 = worker.visit
    assert visit1 != visit2
    worker.submit(Publish(first.token, "natural"))  # too late: gone
    worker.submit(Publish(second.token, "natural"))
    assert _next(events).token == first.token and gallery.get(first.token) is None
    assert _next(events) == Published(second.token, net.visit_url(BASE, visit2))
    assert [r.token for r in gallery.visit_photos(visit2)] == [second.token]
    assert gallery.visit_photos(visit1) == []
