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

ENV = "BOOTH_WEB_SETTINGS"


@dataclass(frozen=True)
class WebSettings:
    data_dir: Path
    expiry_days: float = 7.0
    staff_password_hash: str = ""
    min_free_mb: int = 500

    @classmethod
    def from_config(cls, config: Config) -> WebSettings:
        return cls(config.data_dir, config.storage.expiry_days, config.web.staff_password_hash,
                   config.storage.min_free_mb)

    def to_env(self) -> str:
        values = dataclasses.asdict(self)
        values["data_dir"] = str(self.data_dir)
        return json.dumps(values)

    @classmethod
    def from_env(cls) -> WebSettings:
        raw = os.environ.get(ENV)
        if not raw:
            raise RuntimeError(f"${ENV} is not set: start the photo server with `booth web`")
        values = json.loads(raw)
        values["data_dir"] = Path(values["data_dir"])
        return cls(**values)
