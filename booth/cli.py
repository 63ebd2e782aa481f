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
from typing import Any

from booth import __version__
from booth.config import ConfigError, dump_config, load_config, Config
from booth.models import ModelError, fetch_model

# Errors a subcommand may raise that are already phrased for the user: they
# get one line on stderr, never a traceback.
USER_ERRORS: tuple[type[Exception], ...] = (ConfigError, ModelError)


def _global_options() -> argparse.ArgumentParser:
    """-v and --config, accepted before and after any subcommand.

    Every parser level gets them; SUPPRESS as the default keeps a level
    where they are absent from overwriting what an earlier level read.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logging")
    common.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                        help="config file (default: $BOOTH_CONFIG, /etc/booth/booth.toml)")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _global_options()
    parser = argparse.ArgumentParser(prog="booth", parents=[common],
                                     description="A photo booth that coaches you into a great headshot.")
    parser.add_argument("--version", action="version", version=f"booth {__version__}")
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")

    def command(parent: Any, name: str, help: str) -> argparse.ArgumentParser:
        return parent.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".", parents=[common])

    run = command(sub, "run", "run the booth (camera + display)")
    run.add_argument("--camera", metavar="SOURCE", help="auto|picamera|webcam[:N]|replay:PATH|scripted[:PERSON]")
    run.add_argument("--headless", action="store_true", help="no display: run sessions unattended")
    run.add_argument("--sessions", type=int, metavar="N", help="stop after N sessions (headless)")
    run.add_argument("--screenshots", metavar="DIR", help="save a PNG of every screen shown")
    run.add_argument("--public-url", metavar="URL", help="base URL for photo links (overrides [web] public_url)")
    run.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    # From `booth up`, whose own terminal is watched while the booth's output is a pipe.
    run.add_argument("--attended", action="store_true", help=argparse.SUPPRESS)

    up = command(sub, "up", "the booth and its photo server together, stopped by one Ctrl+C (make run)")
    up.add_argument("--camera", metavar="SOURCE", help="as for `booth run`")
    up.add_argument("--port", type=int, help="the photo server's port (default from [web] port; the next free one if taken)")
    up.add_argument("--public-url", metavar="URL", help="base URL for photo links (overrides [web] public_url)")
    up.add_argument("--headless", action="store_true", help="no display: run sessions unattended")
    up.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")

    web = command(sub, "web", "serve the photo pages")
    web.add_argument("--host", help="listen address (default from [web] host)")
    web.add_argument("--port", type=int, help="listen port (default from [web] port)")
    web.add_argument("--cloud", action="store_true",
                     help="serve the photos from the [cloud] bucket instead of this machine's gallery")

    command(sub, "doctor", "check camera, model, display, GPIO, disk and network")

    analyze = command(sub, "analyze", "score still images as the booth would")
    analyze.add_argument("images", nargs="+", metavar="IMAGE")
    analyze.add_argument("--baseline", metavar="IMAGE", help="a neutral photo of the same person")
    analyze.add_argument("--json", action="store_true", help="one JSON object per image (default: readable text)")

    models = command(sub, "models", "the face model")
    models_sub = models.add_subparsers(title="actions", dest="models_command", metavar="ACTION")
    fetch = command(models_sub, "fetch", "download and verify the face model")
    fetch.add_argument("--quiet", action="store_true", help="say nothing when the model is already there")

    config = command(sub, "config", "show or explain the configuration")
    config_sub = config.add_subparsers(title="actions", dest="config_command", metavar="ACTION")
    command(config_sub, "show", "print the effective configuration")
    command(config_sub, "example", "print a commented example config file")

    prune = command(sub, "prune", "delete expired photos")
    prune.add_argument("--cloud", action="store_true",
                       help="also delete expired photos of every booth from the [cloud] bucket")

    sync = command(sub, "sync", "upload published photos to the [cloud] bucket (and bring its deletions home)")
    sync.add_argument("--once", action="store_true", help="drain the queue once and exit (tests, cron)")

    command(sub, "staff-password", "hash a staff password for [web] staff_password_hash")
    for group in (models, config):  # `booth models` alone: that group's help, with its actions
        group.set_defaults(group_help=group.format_help)
    return parser


def _dispatch(module: str, function: str, args: argparse.Namespace, config: Config | None) -> int:
    target = getattr(importlib.import_module(module), function)
    result = target(args, config) if config is not None else target(args)
    return int(result or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. A closed pipe (`booth config example | head`) ends it quietly."""
    try:
        try:
            code = _main(argv)
        finally:  # also after argparse's --help and --version, which exit by SystemExit
            sys.stdout.flush()  # inside the try: a reader gone before the last write is caught here too
    except BrokenPipeError:
        # As the Python docs recommend (library/signal.html, "Note on SIGPIPE"):
        # point stdout at /dev/null so the interpreter's own flush at exit
        # cannot raise again, and exit 1.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        print(parser.format_help(), end="")
        return 0
    group_help = getattr(args, "group_help", None)
    if group_help is not None and getattr(args, f"{args.command}_command", None) is None:
        print(group_help(), end="")
        return 0
    verbose = getattr(args, "verbose", False)
    args.verbose = verbose
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # mediapipe imports matplotlib, which logs its one-off font cache build at INFO.
    logging.getLogger("matplotlib").setLevel(logging.DEBUG if verbose else logging.WARNING)
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
            "up": ("booth.launcher", "cli_up"),
            "web": ("booth.web.server", "cli_web"),
            "doctor": ("booth.doctor", "cli_doctor"),
            "analyze": ("booth.analyze", "cli_analyze"),
            "prune": ("booth.gallery", "cli_prune"),
            "sync": ("booth.cloud.sync", "cli_sync"),
        }
        if args.command == "web" and args.cloud:
            targets["web"] = ("booth.cloud.web", "cli_web_cloud")
        if args.command == "prune" and args.cloud:
            targets["prune"] = ("booth.cloud.sync", "cli_prune_cloud")
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
