"""Cyber Risk Score in the platform (issue 4). The measuring engine is mps.scanner."""
