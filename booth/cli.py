"""The `booth` command: argument parsing and dispatch, nothing else.

Each subcommand lives in its own module and is imported only when used, so
`booth config show` does not pay for mediapipe or pygame.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from booth.config import ConfigError, dump_config, load_config, Config
from booth.models import ModelError, fetch_model

# Errors a subcommand may raise that are already phrased for the user: they
# get one line on stderr, never a traceback.
USER_ERRORS: tuple[type[Exception], ...] = (ConfigError, ModelError)


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="config file (default: $BOOTH_CONFIG, /etc/booth/booth.toml)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="booth", description="A photo booth that coaches you into a great headshot.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the booth (camera + display)")
    _add_config(run)
    run.add_argument("--camera", metavar="SOURCE", help="auto|picamera|webcam[:N]|replay:PATH|scripted[:PERSON]")
    run.add_argument("--headless", action="store_true", help="no display: run sessions unattended")
    run.add_argument("--sessions", type=int, metavar="N", help="stop after N sessions (headless)")
    run.add_argument("--screenshots", metavar="DIR", help="save a PNG of every screen shown")
    run.add_argument("--public-url", metavar="URL", help="base URL for photo links (overrides [web] public_url)")
    run.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")

    web = sub.add_parser("web", help="serve the photo pages")
    _add_config(web)
    web.add_argument("--host", help="listen address (default from [web] host)")
    web.add_argument("--port", type=int, help="listen port (default from [web] port)")

    doctor = sub.add_parser("doctor", help="check camera, model, display, GPIO, disk and network")
    _add_config(doctor)

    analyze = sub.add_parser("analyze", help="score still images as the booth would (JSON lines)")
    _add_config(analyze)
    analyze.add_argument("images", nargs="+", metavar="IMAGE")
    analyze.add_argument("--baseline", metavar="IMAGE", help="a neutral photo of the same person")
    analyze.add_argument("--json", action="store_true", help="JSON lines (the only output format)")

    models = sub.add_parser("models", help="the face model")
    models_sub = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    fetch = models_sub.add_parser("fetch", help="download and verify the face model")
    _add_config(fetch)
    fetch.add_argument("--quiet", action="store_true", help="say nothing when the model is already there")

    config = sub.add_parser("config", help="show or explain the configuration")
    config_sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    show = config_sub.add_parser("show", help="print the effective configuration")
    _add_config(show)
    config_sub.add_parser("example", help="print a commented example config file")

    prune = sub.add_parser("prune", help="delete expired photos")
    _add_config(prune)

    staff = sub.add_parser("staff-password", help="hash a staff password for [web] staff_password_hash")
    staff.add_argument("--password", help="the password (default: ask)")
    return parser


def _dispatch(module: str, function: str, args: argparse.Namespace, config: Config | None) -> int:
    target = getattr(importlib.import_module(module), function)
    result = target(args, config) if config is not None else target(args)
    return int(result or 0)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    config: Config | None = None
    try:
        if args.command == "config" and args.config_command == "example":
            print(dump_config(Config(), comments=True))
            return 0
        if args.command == "staff-password":
            return _dispatch("booth.web.auth", "cli_hash_password", args, None)
        config = load_config(getattr(args, "config", None))
        if args.command == "config":
            print(dump_config(config))
            return 0
        if args.command == "models":
            status_path = fetch_model(config.models_dir, log=(lambda _m: None) if args.quiet else print)
            if not args.quiet:
                print(f"OK {status_path}")
            return 0
        targets = {
            "run": ("booth.app", "cli_run"),
            "web": ("booth.web.server", "cli_web"),
            "doctor": ("booth.doctor", "cli_doctor"),
            "analyze": ("booth.analyze", "cli_analyze"),
            "prune": ("booth.gallery", "cli_prune"),
        }
        module, function = targets[args.command]
        return _dispatch(module, function, args, config)
    except USER_ERRORS as exc:
        print(f"booth: {exc}", file=sys.stderr)
        if args.command == "run":  # the booth's screen says it too, if it has one
            os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
            from booth.ui.fatal import cli_start_error

            return cli_start_error(args, exc, config)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
