"""Plain-Python parts of the service register (no Django): search text and register rules."""
