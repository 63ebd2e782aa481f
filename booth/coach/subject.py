"""Who the coach is coaching: the face the session started with, followed from frame to frame.

With a friend looking over a shoulder the model sees two faces, and which
comes first in its answer can change from frame to frame. The subject is the
largest, most central face when the session starts (booth.vision.main_face);
after that it is whichever face lies nearest to where the subject just was
(a person moves a few centimetres between frames, not across the picture),
so the coach, the trigger and the crop stay on one person. A face as close
to the camera as the subject (as large) is a second person in the photo:
the coach says so (booth.coach.words.ONE_PERSON).

Pure: faces in, the subject out; no clock but the frames' own timestamps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from booth.observation import Observation
from booth.vision import main_face

# A face whose centre moved more than this many face heights since the last frame
# is not the subject (at 15 frames a second, a walk is about a face height a frame).
GATE = 1.5
LOST_S = 1.0  # the subject unseen this long: the next face found becomes the subject
# A second face this large against the subject's (face box heights) is as close to the camera.
AS_CLOSE = 0.8


@dataclass(frozen=True)
class Seen:
    """One frame's faces, split."""

    subject: Observation | None
    others: tuple[Observation, ...]

    @property
    def crowded(self) -> float:
        """The largest other face over the subject's (0 = alone); >= AS_CLOSE is a second person as close."""
        if self.subject is None or not self.others:
            return 0.0
        return max(o.box.h for o in self.others) / max(self.subject.box.h, 1e-6)


class SubjectTracker:
    """Feed it every frame's faces; it says which is the subject."""

    def __init__(self) -> None:
        self._last: Observation | None = None

    def reset(self) -> None:
        """A new session: the next frame's main face becomes the subject."""
        self._last = None

    def update(self, faces: Sequence[Observation], onlookers: Sequence[Observation] = ()) -> Seen:
        """``faces``: this frame's faces; ``onlookers``: faces that can only be others (seen apart)."""
        last = self._last
        if last is not None and faces and faces[0].timestamp - last.timestamp > LOST_S:
            last = self._last = None
        if not faces:
            return Seen(None, tuple(onlookers))
        if last is None:
            subject: Observation | None = main_face(list(faces))
        else:
            lx, ly = last.box.centre

            def moved(o: Observation) -> float:
                cx, cy = o.box.centre
                return ((cx - lx) ** 2 + (cy - ly) ** 2) ** 0.5 / max(last.box.h, 1e-6)

            nearest = min(faces, key=moved)
            subject = nearest if moved(nearest) <= GATE else None
        if subject is not None:
            self._last = subject
        return Seen(subject, tuple(f for f in faces if f is not subject) + tuple(onlookers))
