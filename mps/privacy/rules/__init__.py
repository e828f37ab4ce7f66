"""Transfer assessment engine for supplier chains (GDPR Chapter V), plain Python without Django.

Use :func:`parse_scenario` to turn a JSON-like dict into a typed :class:`Scenario`
and :func:`assess` to evaluate every hop; :func:`to_json` serialises the result.
"""

from mps.privacy.rules.engine import assess, assess_many
from mps.privacy.rules.errors import ScenarioError
from mps.privacy.rules.model import Assessment, HopResult, Scenario
from mps.privacy.rules.parse import parse_scenario
from mps.privacy.rules.serialize import to_dict, to_json

__all__ = [
    "Assessment",
    "HopResult",
    "Scenario",
    "ScenarioError",
    "assess",
    "assess_many",
    "parse_scenario",
    "to_dict",
    "to_json",
]
