"""The capture worker: burst, best shot, save, retouch level, delete — off the render thread.

Jobs arrive as the session's effects (``StartCapture``, ``StartProcessing``,
``Publish``, ``Discard``) and run one at a time on this worker's thread; each
answer goes back to the session as an event. The developed photo is *staged*
in the gallery (on disk, published nowhere) while the review screen shows
it; only the guest's "keep" publishes it, with the retouch level they chose.
A retake, a walk-away or a crash before "keep" leaves nothing published.

With ``[session] flow = "all"`` a visit holds one developed photo per look
until the pick: the worker keeps every staged photo in hand by token (each
leaves by its own ``Publish`` or ``Discard``), starts a visit token at each
``SessionStarted``, publishes the kept photos with it, and answers
``Published`` with the visit's page (``/v/<visit>``), the one link the QR holds.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from booth import net
from booth.camera.base import Camera
from booth.config import Config
from booth.imaging import fit_image
from booth.observation import Box
from booth.session import (
    CaptureDone,
    CaptureFailed,
    Discard,
    ProcessingDone,
    ProcessingFailed,
    Publish,
    Published,
    PublishFailed,
    RETOUCH_LEVELS,
    SessionStarted,
    StartCapture,
    StartProcessing,
)

log = logging.getLogger(__name__)

PREVIEW_SIDE = 1080  # the review screen never needs more pixels than this


def shrink(image: np.ndarray, side: int = PREVIEW_SIDE) -> np.ndarray:
    """A display-sized copy (longest side at most ``side``)."""
    return np.ascontiguousarray(fit_image(image, (side, side)))


def _fractions(box: Box | None, size: tuple[int, int]) -> Box | None:
    """A box in preview pixels as fractions of the preview (the stills cover the same area)."""
    if box is None:
        return None
    w, h = size
    return Box(box.x / w, box.y / h, box.w / w, box.h / h)


@dataclass
class ReviewPhoto:
    """What the review screen shows: the photo at each retouch level, display-sized (as the guest gets it).

    The saved level's preview is there when the review opens; the worker adds
    the other levels a moment later (the screen shows what is ready).
    """

    url: str
    saved_level: str
    previews: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class _Current:
    staged: Any  # gallery.StagedPhoto
    url: str
    photo: Any  # ProcessedPhoto
    review: ReviewPhoto


class CaptureWorker:
    def __init__(self, camera: Camera, gallery: Any, config: Config, post: Callable[[Any], None], *,
                 base_url: str, pipeline_factory: Callable[[], Any],
                 focus: Callable[[], Box | None] = lambda: None,
                 baseline: Callable[[], Any] = lambda: None, demo: bool = False) -> None:
        self.camera = camera
        self.demo = demo  # photos of a demo source (booth/demo.py): marked so, kept apart from the event's
        self.gallery = gallery
        self.config = config
        self.post = post
        self.base_url = base_url
        self._pipeline_factory = pipeline_factory
        self._pipeline: Any = None
        self.focus = focus
        self._subject: Box | None = None  # the coached face at the last shot, fractions of the frame
        self.baseline = baseline
        self._jobs: queue.Queue[tuple[Any, float] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._held: dict[str, _Current] = {}  # staged photos in hand by token (flow "one": at most one)
        self.flow = config.session.flow
        self.visit: str | None = None  # flow "all": this visit's token (Gallery.new_visit)
        self.trigger_to_still: list[float] = []  # seconds from StartCapture to the first still's timestamp
        self.processing_s: list[float] = []
        self.saved = 0  # photos published (kept by their guest)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)
        self._thread.start()

    def submit(self, job: StartCapture | StartProcessing | Publish | Discard | SessionStarted) -> None:
        """Queue a job (from the main thread); returns at once."""
        self._jobs.put((job, time.monotonic()))

    def stop(self) -> None:
        self._jobs.put(None)
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._pipeline is not None:
            self._pipeline.close()

    @property
    def idle(self) -> bool:
        return self._jobs.empty() and not self._held

    # ---- the worker thread
    def _run(self) -> None:
        try:  # load the photo model now, while the subject is still walking up
            self._pipeline = self._pipeline_factory()
        except Exception:
            log.exception("photo pipeline could not be loaded; photos will fail until it can")
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, submitted = item
            try:
                if isinstance(job, StartCapture):
                    self._capture(job, submitted)
                elif isinstance(job, StartProcessing):
                    self._process(job)
                elif isinstance(job, Publish):
                    self._publish(job)
                elif isinstance(job, Discard):
                    self._discard(job)
                elif isinstance(job, SessionStarted):
                    self._new_visit()
            except Exception:  # a worker that dies would freeze the session: report and go on
                log.exception("capture worker: %s failed", type(job).__name__)

    def _capture(self, job: StartCapture, submitted: float) -> None:
        if self.flow == "one":  # a new shot: the last one was never kept
            self._drop_held()
        try:
            focus = self.focus()
            frames = self.camera.capture_burst(self.config.photo.burst, focus)
        except Exception as exc:
            log.warning("capture failed: %s", exc)
            self.post(CaptureFailed(job.job, str(exc)))
            return
        if not frames:
            self.post(CaptureFailed(job.job, "the camera returned no frames"))
            return
        self.trigger_to_still.append(frames[0].timestamp - submitted)
        self._subject = _fractions(focus, self.camera.preview_size)
        self.post(CaptureDone(job.job, frames))

    def _process(self, job: StartProcessing) -> None:
        t0 = time.monotonic()
        cfg = self.config.photo
        level = cfg.retouch
        try:
            if self._pipeline is None:
                self._pipeline = self._pipeline_factory()
            photo = self._pipeline.process(list(job.burst), job.look, self.baseline(), self._subject)
            staged = self.gallery.stage(
                original_jpeg=photo.jpeg(None, cfg.jpeg_quality),
                retouched_jpeg=photo.jpeg(level, cfg.jpeg_quality),
                look=job.look, crop=photo.crop_preset, retouch=level, scores=photo.scores, demo=self.demo,
            )
        except Exception as exc:
            log.error("photo not developed: %s", exc)
            self.post(ProcessingFailed(job.job, str(exc)))
            return
        url = net.photo_url(self.base_url, staged.token)
        review = ReviewPhoto(url, level, {level: shrink(photo.finished(level))})
        self._held[staged.token] = _Current(staged, url, photo, review)
        took = time.monotonic() - t0
        self.processing_s.append(took)
        log.info("photo developed (look %s, retouch %s, %s crop) in %.1f s; published only if kept",
                 job.look, level, photo.crop_preset, took)
        self.post(ProcessingDone(job.job, staged.token, url, review))
        for other in RETOUCH_LEVELS:  # the rest of the review's choices, while the subject looks
            if other not in review.previews:
                review.previews[other] = shrink(photo.finished(other))

    def _publish(self, job: Publish) -> None:
        """The guest kept it: publish with the level they chose (the one moment a photo becomes public)."""
        current = self._held.pop(job.token, None)
        if current is None:
            log.error("photo not saved: it is no longer in hand")
            self.post(PublishFailed(job.token, "the photo is no longer in hand"))
            return
        data = None
        if job.retouch != current.review.saved_level:
            try:
                data = current.photo.jpeg(job.retouch, self.config.photo.jpeg_quality)
            except Exception as exc:  # the staged version is still a good photo
                log.error("retouch change failed (%s); the %s version is kept", exc, current.review.saved_level)
        try:
            visit = {"visit": self.visit} if self.flow == "all" else {}
            record = self.gallery.publish(current.staged, retouched_jpeg=data,
                                          retouch=job.retouch if data is not None else None, **visit)
        except Exception as exc:
            log.error("photo not saved: %s", exc)
            self._unkept(job.token)
            self.post(PublishFailed(job.token, str(exc)))
            return
        self.saved += 1
        log.info("photo saved: kept by the guest (retouch %s)", record.retouch)
        url = current.url
        if self.flow == "all" and self.visit is not None:
            url = net.visit_url(self.base_url, self.visit)
        self.post(Published(job.token, url))

    def _discard(self, job: Discard) -> None:
        self._held.pop(job.token, None)
        self._unkept(job.token)

    def _new_visit(self) -> None:
        """A new guest: anything still in hand was never kept (the session discards it too), and,
        in the session of looks, a fresh visit token groups what this guest keeps."""
        self._drop_held()
        if self.flow == "all":
            self.visit = self.gallery.new_visit()  # its short code is free: the share screen shows it

    def _drop_held(self) -> None:
        for token in list(self._held):
            del self._held[token]
            self._unkept(token)

    def _unkept(self, token: str) -> None:
        """A photo its guest did not keep: gone from staging, or from the gallery if a late keep published it."""
        try:
            if self.gallery.unstage(token):
                log.info("photo not kept: deleted")
            elif self.gallery.delete(token):
                log.info("photo deleted: its guest never got the link")
        except Exception as exc:
            log.error("could not delete a photo that was not kept: %s", exc)
