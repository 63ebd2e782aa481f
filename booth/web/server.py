"""`booth web`: the photo server process (uvicorn, one worker per core).

The gallery is reconciled once here, before the workers start, so a crash
of the booth or of this server never leaves half-written photos visible.
Access logs are off: request paths carry photo tokens, and logs must not.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import copy

import uvicorn
import uvicorn.config

from booth.config import Config
from booth.gallery import Gallery, GalleryError
from booth.web.auth import PasswordHashError, check_hash_format
from booth.web.protocol import MAX_CONNECTIONS
from booth.web.settings import ENV, WebSettings

log = logging.getLogger(__name__)


def worker_count(configured: int) -> int:
    """0 means one per core (the server is I/O-light; more buys nothing on a Pi)."""
    return configured if configured > 0 else max(1, min(4, os.cpu_count() or 1))


def log_config(verbose: bool = False) -> dict:
    """uvicorn's logging, plus our own loggers in every worker (workers are fresh processes)."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["booth"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    config["handlers"]["booth"] = {"class": "logging.StreamHandler", "formatter": "booth", "stream": "ext://sys.stderr"}
    config["loggers"]["booth"] = {"handlers": ["booth"], "level": "DEBUG" if verbose else "INFO", "propagate": False}
    return config


def cli_web(args: argparse.Namespace, config: Config) -> int:
    host = args.host or config.web.host
    port = args.port or config.web.port
    settings = WebSettings.from_config(config)
    try:
        if settings.staff_password_hash:
            check_hash_format(settings.staff_password_hash)
        with Gallery(settings.data_dir, expiry_days=settings.expiry_days, outbox=settings.cloud) as gallery:
            gallery.prune()
    except (GalleryError, PasswordHashError) as exc:
        print(f"booth web: {exc}", file=sys.stderr)
        return 2
    os.environ[ENV] = settings.to_env()
    workers = worker_count(config.web.workers)
    log.info("photo server on http://%s:%d with %d worker(s), photos in %s", host, port, workers, settings.data_dir)
    uvicorn.run(
        "booth.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=5,
        # uvicorn's own limits, plus the ones it lacks (request deadline, header size, per-address cap).
        http="booth.web.protocol:BoundedHttpToolsProtocol",
        limit_concurrency=MAX_CONNECTIONS + 1,  # the protocol refuses beyond MAX_CONNECTIONS itself, earlier
        timeout_keep_alive=5,
        log_level="info",
        log_config=log_config(bool(getattr(args, "verbose", False))),
    )
    return 0
