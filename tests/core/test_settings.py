"""Settings fail early, naming the variable."""

import os
import subprocess
import sys

import pytest


def start(env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPS_")}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "mps.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"MPS_DEBUG": "maybe"}, "MPS_DEBUG"),
        ({"MPS_DEBUG": "0", "MPS_ALLOWED_HOSTS": "mps.example"}, "MPS_SECRET_KEY"),
        ({"MPS_DEBUG": "0", "MPS_SECRET_KEY": "x" * 40}, "MPS_ALLOWED_HOSTS"),
        ({"MPS_DEBUG": "1", "MPS_DATABASE_URL": "mysql://x@y/z"}, "MPS_DATABASE_URL"),
        ({"MPS_DEBUG": "1", "MPS_BROKER_URL": "http://broker"}, "MPS_BROKER_URL"),
        ({"MPS_DEBUG": "1", "MPS_SECRET_KEY": "short"}, "MPS_SECRET_KEY"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(tmp_path, overrides, named):
    result = start({"MPS_DATA_DIR": str(tmp_path), **overrides})
    assert result.returncode != 0
    assert named in result.stderr


def test_debug_mode_generates_and_keeps_a_secret_key_in_the_data_dir(tmp_path):
    assert start({"MPS_DATA_DIR": str(tmp_path), "MPS_DEBUG": "1"}).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert start({"MPS_DATA_DIR": str(tmp_path), "MPS_DEBUG": "1"}).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_a_secret_may_come_from_a_file(tmp_path):
    secret = tmp_path / "key.txt"
    secret.write_text("k" * 40)
    result = start(
        {
            "MPS_DATA_DIR": str(tmp_path),
            "MPS_DEBUG": "0",
            "MPS_ALLOWED_HOSTS": "mps.example",
            "MPS_SECRET_KEY_FILE": str(secret),
        }
    )
    assert result.returncode == 0, result.stderr
