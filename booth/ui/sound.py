"""The shutter sound, made in code: two short clicks of filtered noise, like a
mirror and a curtain. Nothing to ship, nothing to license. No audio device
means no sound, said once in the log; the booth works the same without it."""

from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger(__name__)

RATE = 44100


def shutter_samples(rate: int = RATE, seed: int = 7) -> np.ndarray:
    """Stereo int16 samples of a camera shutter (about 0.16 s)."""
    rng = np.random.default_rng(seed)
    n = int(rate * 0.16)
    t = np.arange(n) / rate
    out = np.zeros(n)
    for start, level, decay in ((0.0, 1.0, 140.0), (0.075, 0.7, 180.0)):
        mask = t >= start
        tt = t[mask] - start
        noise = rng.standard_normal(mask.sum())
        noise = np.convolve(noise, np.ones(6) / 6, mode="same")  # take the hiss off
        out[mask] += level * noise * np.exp(-decay * tt)
    out /= max(1e-9, np.abs(out).max())
    mono = (out * 0.8 * 32767).astype(np.int16)
    return np.ascontiguousarray(np.stack([mono, mono], axis=1))


class Sounds:
    def __init__(self, enabled: bool) -> None:
        self._sounds: dict[str, object] = {}
        if not enabled:
            return
        try:
            import pygame

            pygame.mixer.init(frequency=RATE, size=-16, channels=2, buffer=512)
            import pygame.sndarray

            self._sounds["shutter"] = pygame.sndarray.make_sound(shutter_samples())
        except Exception as exc:  # no audio device, no mixer: not worth stopping for
            log.warning("sound: off (%s)", exc)

    def play(self, name: str) -> None:
        sound = self._sounds.get(name)
        if sound is not None:
            sound.play()  # type: ignore[attr-defined]
