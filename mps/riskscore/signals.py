"""What the risk score does when other apps change something it reads."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def on_platforms_changed(sender: Any, **kwargs: Any) -> None:
    """A vendor published or withdrew a service: re-attribute hosts on shared platforms.

    Runs after the register's change has committed; a failure here is logged rather than
    shown to the vendor, and the daily ``mps footprint-recheck`` applies the change anyway.
    """
    from mps.riskscore.actions import attribute_platform_hosts

    try:
        counts = attribute_platform_hosts()
    except Exception:
        logger.exception("re-attributing hosts on vendors' shared platforms failed")
        return
    if any(counts.values()):
        logger.info("hosts on vendors' shared platforms re-attributed: %s", counts)
