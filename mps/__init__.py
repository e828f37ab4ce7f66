"""mps: the platform a public-sector cloud marketplace runs on."""

__version__ = "0.1.0"
