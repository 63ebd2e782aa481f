"""What the photo server needs from the config, passable to worker processes.

uvicorn starts each worker by import string, so the parent hands the
settings over in one environment variable (JSON) rather than re-reading a
config file the workers might not be able to name.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

from booth.config import Config
from booth.event import Event
from booth.web.brand import EventPage

ENV = "BOOTH_WEB_SETTINGS"


@dataclass(frozen=True)
class WebSettings:
    data_dir: Path
    expiry_days: float = 7.0
    staff_password_hash: str = ""
    min_free_mb: int = 500
    state_dir: Path | None = None  # login state; None: the data directory
    cloud: bool = False  # [cloud] set: a photo deleted here is queued for deletion from the bucket too
    event: EventPage | None = None  # [event]: the name, welcome line and logo on the phone pages
    languages: tuple[str, ...] = ("en",)  # [display] languages: what the pages offer, first = the default

    @classmethod
    def from_config(cls, config: Config) -> WebSettings:
        # systemd's RuntimeDirectory= (a tmpfs): login counting keeps working when the data disk is full.
        runtime = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
        return cls(config.data_dir, config.storage.expiry_days, config.web.staff_password_hash,
                   config.storage.min_free_mb, Path(runtime) if runtime else None, config.cloud.enabled,
                   EventPage.of(Event.from_settings(config.event)),
                   tuple(getattr(config.display, "languages", None) or ("en",)))

    @property
    def state_path(self) -> Path:
        """The SQLite file of login attempts and staff sessions, shared by the workers."""
        return (self.state_dir or self.data_dir) / "web-state.sqlite3"

    def to_env(self) -> str:
        values = dataclasses.asdict(self)
        values["data_dir"] = str(self.data_dir)
        values["state_dir"] = str(self.state_dir) if self.state_dir else None
        return json.dumps(values)

    @classmethod
    def from_env(cls) -> WebSettings:
        raw = os.environ.get(ENV)
        if not raw:
            raise RuntimeError(f"${ENV} is not set: start the photo server with `booth web`")
        values = json.loads(raw)
        values["data_dir"] = Path(values["data_dir"])
        values["state_dir"] = Path(values["state_dir"]) if values.get("state_dir") else None
        values["event"] = EventPage(**values["event"]) if values.get("event") else None
        values["languages"] = tuple(values.get("languages") or ("en",))
        return cls(**values)
