"""The vocabulary of processing records: data categories, data subjects, legal bases.

Codes are lower_snake_case because the transfer engine (mps.privacy.rules) reads them as
data categories: `hr` is HR data, and the risk-raising codes are exactly the engine's
SPECIAL_OR_NATIONAL_ID set. `fides` gives the fideslang data category key where one maps,
so records can be exchanged with Fides-based tools.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from mps.privacy.rules.constants import HR_CATEGORY, SPECIAL_OR_NATIONAL_ID


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    article: str = ""  # "9" special category, "10" criminal offences, "" ordinary
    risk_tag: bool = False  # raises risk in the transfer engine
    fides: str = ""


DATA_CATEGORIES: tuple[Category, ...] = (
    Category("contact", _("Contact details"), fides="user.contact"),
    Category("identity", _("Name and identity details"), fides="user.name"),
    Category(
        "national_id",
        _("National identity number (fødselsnummer, D-number)"),
        risk_tag=True,
        fides="user.government_id.national_identification_number",
    ),
    Category(HR_CATEGORY, _("HR and employment data"), fides="user.job_title"),
    Category("financial", _("Financial and payment data"), fides="user.financial"),
    Category("location", _("Location data"), fides="user.location"),
    Category("online_identifiers", _("Online identifiers and logs"), fides="user.device"),
    Category("case_data", _("Case details"), fides="user.content"),
    Category("children", _("Data about children"), fides="user.childrens"),
    Category(
        "confidential",
        _("Duty-of-confidentiality data (taushetsbelagte opplysninger)"),
        risk_tag=True,
    ),
    Category(
        "health", _("Health data"), article="9", risk_tag=True, fides="user.health_and_medical"
    ),
    Category("genetic", _("Genetic data"), article="9", risk_tag=True, fides="user.genetic"),
    Category("biometric", _("Biometric data"), article="9", risk_tag=True, fides="user.biometric"),
    Category(
        "racial_or_ethnic_origin",
        _("Racial or ethnic origin"),
        article="9",
        risk_tag=True,
        fides="user.demographic.race_ethnicity",
    ),
    Category(
        "political_opinions",
        _("Political opinions"),
        article="9",
        risk_tag=True,
        fides="user.demographic.political_opinion",
    ),
    Category(
        "religious_or_philosophical_beliefs",
        _("Religious or philosophical beliefs"),
        article="9",
        risk_tag=True,
        fides="user.demographic.religious_belief",
    ),
    Category(
        "trade_union_membership",
        _("Trade union membership"),
        article="9",
        risk_tag=True,
        fides="user.demographic.union_membership",
    ),
    Category(
        "sex_life_or_sexual_orientation",
        _("Sex life or sexual orientation"),
        article="9",
        risk_tag=True,
        fides="user.demographic.sexual_orientation",
    ),
    Category(
        "criminal_offences",
        _("Criminal convictions and offences"),
        article="10",
        risk_tag=True,
        fides="user.criminal_history",
    ),
)
CATEGORY_BY_CODE = {c.code: c for c in DATA_CATEGORIES}
CATEGORY_CHOICES = [(c.code, c.label) for c in DATA_CATEGORIES]

DATA_SUBJECTS = (
    ("residents", _("Residents")),
    ("employees", _("Employees")),
    ("applicants", _("Job applicants")),
    ("pupils", _("Pupils and students")),
    ("patients", _("Patients and care recipients")),
    ("children", _("Children")),
    ("clients", _("Clients and service users")),
    ("suppliers", _("Contacts at suppliers")),
    ("visitors", _("Website visitors")),
)
SUBJECT_CODES = frozenset(code for code, _label in DATA_SUBJECTS)

# Art. 6(1)(a)-(f).
LEGAL_BASES = (
    ("6_1_a", _("Art. 6(1)(a) consent")),
    ("6_1_b", _("Art. 6(1)(b) contract")),
    ("6_1_c", _("Art. 6(1)(c) legal obligation")),
    ("6_1_d", _("Art. 6(1)(d) vital interests")),
    ("6_1_e", _("Art. 6(1)(e) public task or official authority")),
    ("6_1_f", _("Art. 6(1)(f) legitimate interests")),
)
LEGAL_BASIS_CODES = frozenset(code for code, _label in LEGAL_BASES)
# Art. 6(1) last subparagraph: point (f) does not apply to public authorities' tasks.
NOT_FOR_PUBLIC_TASKS = "6_1_f"

assert {c.code for c in DATA_CATEGORIES if c.risk_tag} <= SPECIAL_OR_NATIONAL_ID


def label(code: str) -> str:
    category = CATEGORY_BY_CODE.get(code)
    return str(category.label) if category else code


def risky(codes: list[str] | tuple[str, ...]) -> list[str]:
    """The risk-raising categories among codes (Art. 9, Art. 10, fødselsnummer, confidential)."""
    return [c for c in codes if c in SPECIAL_OR_NATIONAL_ID]


def to_fides(codes: list[str]) -> list[str]:
    return [
        CATEGORY_BY_CODE[c].fides
        for c in codes
        if c in CATEGORY_BY_CODE and CATEGORY_BY_CODE[c].fides
    ]


def from_fides(keys: list[str]) -> list[str]:
    """Our codes for fideslang keys; a more specific fides key maps to its nearest parent."""
    by_key = {c.fides: c.code for c in DATA_CATEGORIES if c.fides}
    out: list[str] = []
    for key in keys:
        parts = key.split(".")
        while parts:
            code = by_key.get(".".join(parts))
            if code:
                out.append(code)
                break
            parts.pop()
    return list(dict.fromkeys(out))
