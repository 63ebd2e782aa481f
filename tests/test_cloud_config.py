"""The [cloud] section: off by default, validated like every other section, no credentials in it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from booth.config import SYSTEM_CONFIG, Config, ConfigError, config_from_dict, load_config

GOOD = {"bucket": "booth-photos", "public_url": "https://photos.example.com"}


def error_of(tmp_path: Path, text: str) -> str:
    path = tmp_path / "booth.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def test_off_by_default() -> None:
    assert not Config().cloud.enabled
    assert Config().cloud.bucket == ""


def test_a_full_section(tmp_path: Path) -> None:
    cloud = config_from_dict({"cloud": {**GOOD, "endpoint_url": "http://127.0.0.1:8333", "region": "eu-west-1",
                                        "prefix": "events/gala/", "booth_id": "hall-a"}}).cloud
    assert cloud.enabled and cloud.booth == "hall-a" and cloud.prefix == "events/gala/"


def test_booth_id_defaults_to_the_hostname() -> None:
    import socket

    booth = config_from_dict({"cloud": GOOD}).cloud.booth
    assert booth and booth.replace("-", "") in socket.gethostname().replace(".", "").replace("-", "") + booth


@pytest.mark.parametrize(("key", "value", "allowed"), [
    ("bucket", "Booth_Photos", "lower-case letters, digits, dots and hyphens"),
    ("endpoint_url", "s3.example.com", "http(s):// URL with no path"),
    ("prefix", "events", "folder names ending in /"),
    ("prefix", "../x/", "folder names ending in /"),
    ("booth_id", "hall a/1", "letters, digits"),
    ("public_url", "photos.example.com", "http(s):// URL"),
    ("region", "EU WEST", "region name"),
])
def test_bad_values_name_file_key_and_what_is_allowed(tmp_path: Path, key: str, value: str, allowed: str) -> None:
    fields = {**GOOD, key: value}
    text = "[cloud]\n" + "".join(f'{k} = "{v}"\n' for k, v in fields.items())
    message = error_of(tmp_path, text)
    assert f'[cloud] {key} = "{value}"' in message and allowed in message


def test_credentials_are_not_keys(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[cloud]\naws_secret_access_key = "x"\n')
    assert "unknown key" in message and "bucket" in message


def test_a_bucket_needs_the_public_url(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[cloud]\nbucket = "booth-photos"\n')
    assert '[cloud] public_url = ""' in message and "must be set" in message


def test_the_booth_process_never_imports_boto3() -> None:
    """Only `booth sync` and `booth web --cloud` talk to S3; the booth's own modules stay free of it."""
    code = ("import sys, booth.app, booth.cli, booth.gallery, booth.web.app, booth.doctor; "
            "print('boto3' in sys.modules, 'botocore' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
