"""Typed readers for environment settings.

Each MPS_* variable is read once, here, and a bad value stops start-up with an
error that names the variable. No other module reads the environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_str(name: str, default: str | None = None) -> str | None:
    """A string setting; NAME_FILE may point to a file holding the value (for secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE={file_path!r} cannot be read: {exc.strerror}."
            ) from exc
    raw = os.environ.get(name)
    return default if raw is None or raw.strip() == "" else raw.strip()


def env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = env_str(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but lists nothing; give comma-separated values.")
    return items


def env_url(name: str, schemes: set[str], default: str | None = None) -> str | None:
    raw = env_str(name, default)
    if raw is None:
        return None
    scheme = urlparse(raw).scheme.split("+")[0]
    if scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} has scheme {scheme!r}; expected one of: {allowed}.")
    return raw


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("mps", appauthor=False))


def data_dir() -> Path:
    raw = env_str("MPS_DATA_DIR")
    path = Path(raw).expanduser() if raw else default_data_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"MPS_DATA_DIR={str(path)!r} cannot be created: {exc.strerror}."
        ) from exc
    if not os.access(path, os.W_OK):
        raise ImproperlyConfigured(f"MPS_DATA_DIR={str(path)!r} is not writable.")
    return path


def secret_key(debug: bool, directory: Path) -> str:
    """MPS_SECRET_KEY, or for local use a key generated once and kept in the data dir."""
    key = env_str("MPS_SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("MPS_SECRET_KEY is shorter than 32 characters.")
        return key
    if not debug:
        raise ImproperlyConfigured("MPS_SECRET_KEY is required when MPS_DEBUG is off.")
    key_file = directory / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()
