"""Where a provider region is: country, and Norway / other EEA / outside the EEA (data residency).

A small shipped table of the public cloud regions agencies use (Azure, AWS, Google Cloud,
Oracle), keyed by the provider's RegionId in lower case. Sources: the providers' public region
lists (Azure "Azure geographies", AWS "Regions and Availability Zones", Google Cloud "Regions
and zones", Oracle "Regions and Availability Domains"). `osl-1` and `bgo-1` are the regions of
the fictitious Norwegian provider in mps.costs.engine.synthetic. An unknown or empty RegionId is
`unknown`: it is shown as such, never guessed.
"""

from __future__ import annotations

from enum import StrEnum


class Residency(StrEnum):
    NORWAY = "norway"
    EEA = "eea"  # in the EEA, outside Norway
    NON_EEA = "non_eea"
    UNKNOWN = "unknown"


# EU member states and the EFTA states in the EEA (Iceland, Liechtenstein, Norway).
EEA_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)

_AZURE = {
    "norwayeast": "NO", "norwaywest": "NO", "swedencentral": "SE", "swedensouth": "SE",
    "northeurope": "IE", "westeurope": "NL", "germanywestcentral": "DE", "germanynorth": "DE",
    "francecentral": "FR", "francesouth": "FR", "italynorth": "IT", "polandcentral": "PL",
    "spaincentral": "ES", "austriaeast": "AT", "belgiumcentral": "BE", "denmarkeast": "DK",
    "finlandcentral": "FI", "switzerlandnorth": "CH", "switzerlandwest": "CH", "uksouth": "GB",
    "ukwest": "GB", "eastus": "US", "eastus2": "US", "centralus": "US", "northcentralus": "US",
    "southcentralus": "US", "westcentralus": "US", "westus": "US", "westus2": "US",
    "westus3": "US", "canadacentral": "CA", "canadaeast": "CA", "brazilsouth": "BR",
    "eastasia": "HK", "southeastasia": "SG", "japaneast": "JP", "japanwest": "JP",
    "australiaeast": "AU", "australiasoutheast": "AU", "centralindia": "IN", "koreacentral": "KR",
    "uaenorth": "AE", "southafricanorth": "ZA", "israelcentral": "IL", "qatarcentral": "QA",
}  # fmt: skip
_AWS = {
    "eu-north-1": "SE", "eu-west-1": "IE", "eu-west-2": "GB", "eu-west-3": "FR",
    "eu-central-1": "DE", "eu-central-2": "CH", "eu-south-1": "IT", "eu-south-2": "ES",
    "us-east-1": "US", "us-east-2": "US", "us-west-1": "US", "us-west-2": "US",
    "ca-central-1": "CA", "sa-east-1": "BR", "ap-northeast-1": "JP", "ap-northeast-2": "KR",
    "ap-southeast-1": "SG", "ap-southeast-2": "AU", "ap-south-1": "IN", "ap-east-1": "HK",
    "me-central-1": "AE", "me-south-1": "BH", "il-central-1": "IL", "af-south-1": "ZA",
}  # fmt: skip
_GOOGLE = {
    "europe-north1": "FI", "europe-north2": "SE", "europe-west1": "BE", "europe-west2": "GB",
    "europe-west3": "DE", "europe-west4": "NL", "europe-west6": "CH", "europe-west8": "IT",
    "europe-west9": "FR", "europe-west10": "DE", "europe-west12": "IT", "europe-central2": "PL",
    "europe-southwest1": "ES", "us-central1": "US", "us-east1": "US", "us-east4": "US",
    "us-east5": "US", "us-west1": "US", "us-west2": "US", "us-south1": "US",
    "northamerica-northeast1": "CA", "southamerica-east1": "BR", "asia-northeast1": "JP",
    "asia-southeast1": "SG", "asia-south1": "IN", "australia-southeast1": "AU",
    "me-central1": "QA", "me-west1": "IL",
}  # fmt: skip
_ORACLE = {
    "eu-stockholm-1": "SE", "eu-frankfurt-1": "DE", "eu-amsterdam-1": "NL", "eu-paris-1": "FR",
    "eu-marseille-1": "FR", "eu-milan-1": "IT", "eu-madrid-1": "ES", "eu-zurich-1": "CH",
    "uk-london-1": "GB", "uk-cardiff-1": "GB", "us-ashburn-1": "US", "us-phoenix-1": "US",
    "us-sanjose-1": "US", "us-chicago-1": "US", "ca-toronto-1": "CA", "ap-tokyo-1": "JP",
    "ap-singapore-1": "SG", "ap-sydney-1": "AU",
}  # fmt: skip
_SYNTHETIC = {"osl-1": "NO", "bgo-1": "NO"}

REGION_COUNTRY: dict[str, str] = {**_GOOGLE, **_ORACLE, **_AWS, **_AZURE, **_SYNTHETIC}


def country(region_id: str | None) -> str | None:
    """ISO 3166 alpha-2 country of a RegionId, or None when unknown."""
    if not region_id:
        return None
    return REGION_COUNTRY.get(region_id.strip().lower())


def residency(region_id: str | None) -> Residency:
    code = country(region_id)
    if code is None:
        return Residency.UNKNOWN
    if code == "NO":
        return Residency.NORWAY
    return Residency.EEA if code in EEA_COUNTRIES else Residency.NON_EEA
