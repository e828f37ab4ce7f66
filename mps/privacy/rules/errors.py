"""The one error type the engine raises for bad input, so callers can catch it and show it."""

from __future__ import annotations


class ScenarioError(ValueError):
    """Bad scenario input; the message names the hop (or section), the field and the value."""

    def __init__(self, where: str, field: str, message: str) -> None:
        self.where = where
        self.field = field
        self.message = message
        super().__init__(f"{where}: field '{field}': {message}")
