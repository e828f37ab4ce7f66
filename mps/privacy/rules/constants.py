"""Named constants of the transfer rules, each with where it comes from.

Changing a value here is a reviewed change: bump METHOD_VERSION and add a line to the
changelog in docs/privacy-rules.md.
"""

from __future__ import annotations

from typing import Final

#: Version of the rule set; printed in every assessment so results can be traced.
METHOD_VERSION: Final = "1.0.0"

#: Warn this many days before a DPF certification's next due date. Source: the issue's
#: risk list ("DPF due date within 60 days"); DPF certification is renewed every 12 months
#: (DPF Principles, Supplemental Principle 6 on self-certification).
DPF_DUE_WARNING_DAYS: Final = 60

#: The exporter at the root of every chain.
ROOT: Final = "controller"

ROLES: Final = frozenset({"controller", "processor"})
ACCESS_MODES: Final = frozenset({"storage", "processing", "remote"})

#: SCC module by (exporter role, importer role): Commission Implementing Decision (EU)
#: 2021/914, Annex, Section I Clause 2 and the four modules.
SCC_MODULES: Final[dict[tuple[str, str], int]] = {
    ("controller", "controller"): 1,
    ("controller", "processor"): 2,
    ("processor", "processor"): 3,
    ("processor", "controller"): 4,
}

#: Art. 49(1) first subparagraph, points (a)-(g).
DEROGATIONS: Final = tuple(f"derogation_49_1_{p}" for p in "abcdefg")

#: Art. 49(3): points (a), (b) and (c) do not apply to public authorities exercising public powers.
DEROGATIONS_BARRED_FOR_PUBLIC_POWERS: Final = frozenset(
    {"derogation_49_1_a", "derogation_49_1_b", "derogation_49_1_c"}
)

#: What a hop may declare as already in place (the CLI contract in issue 5).
SAFEGUARDS: Final = frozenset({"scc", "tia", "bcr", "encryption_eea_keys", *DEROGATIONS})

#: The DPF list distinguishes HR data (employment relationship) from all other data
#: (DPF Principles, Supplemental Principle 9 "Human Resources Data").
HR_CATEGORY: Final = "hr"

#: Categories that raise risk: Art. 9(1) special categories, Art. 10 criminal offence data,
#: the Norwegian national identity number (personopplysningsloven § 12) and duty-of-
#: confidentiality data (forvaltningsloven § 13).
SPECIAL_OR_NATIONAL_ID: Final = frozenset(
    {
        "health",
        "genetic",
        "biometric",
        "racial_or_ethnic_origin",
        "political_opinions",
        "religious_or_philosophical_beliefs",
        "trade_union_membership",
        "sex_life_or_sexual_orientation",
        "special_category",
        "criminal_offences",
        "national_id",
        "confidential",
    }
)

#: Status order, best first. A hop takes the best status any ground in place gives it.
STATUS_RANK: Final[dict[str, int]] = {"ok": 0, "action": 1, "blocked": 2}

#: Preference among grounds with the same status: Art. 45 before Art. 46 before Art. 49
#: (Art. 49(1): derogations only "in the absence of" an adequacy decision or safeguards).
MECHANISM_ORDER: Final = ("eea", "adequacy", "dpf", "bcr", "scc", "derogation", "none")

#: Largest input the CLI accepts; guards against hostile files.
MAX_HOPS: Final = 10_000
MAX_TEXT: Final = 500
