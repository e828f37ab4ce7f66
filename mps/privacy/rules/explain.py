"""Plain-language explanation of a hop's verdict in Norwegian bokmål and English.

Written from the same facts the rules used, so the text cannot drift from the verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mps.privacy.rules.model import Explanation, Hop
from mps.privacy.rules.refdata import ReferenceData

if TYPE_CHECKING:
    from mps.privacy.rules.engine import Facts

_DPF_REASONS = {
    "inactive": ("oppføringen er ikke aktiv", "the entry is not active"),
    "no_due_date": ("oppføringen mangler neste fornyelsesdato", "the entry has no next due date"),
    "overdue": ("fristen for årlig fornyelse er passert", "the yearly re-certification is overdue"),
    "hr_not_covered": ("HR-opplysninger er ikke dekket", "HR data is not covered"),
    "non_hr_not_covered": ("opplysninger utenom HR er ikke dekket", "non-HR data is not covered"),
}


def _where(hop: Hop, ref: ReferenceData) -> tuple[str, str]:
    if hop.international_organisation is not None:
        return (
            f"{hop.entity} (internasjonal organisasjon)",
            f"{hop.entity} (international organisation)",
        )
    name_nb = ref.country_names_nb.get(hop.country, hop.country)
    name_en = ref.country_names.get(hop.country, hop.country)
    return (f"{hop.entity} ({name_nb}, {hop.country})", f"{hop.entity} ({name_en}, {hop.country})")


def _main(
    hop: Hop, rule: str, module: int | None, facts: Facts, ref: ReferenceData
) -> tuple[list[str], list[str]]:
    who_nb, who_en = _where(hop, ref)
    nb: list[str] = []
    en: list[str] = []
    if rule == "R-EEA":
        nb.append(f"{who_nb} er innenfor EØS; dette er ingen overføring til tredjeland (art. 44).")
        en.append(
            f"{who_en} is inside the EEA; this is not a transfer to a third country (Art. 44)."
        )
    elif rule in ("R-ADEQ", "R-ADEQ-SCOPE") and facts.adequacy is not None:
        d = facts.adequacy.decision
        nb.append(
            f"Overføringen til {who_nb} bygger på EU-kommisjonens beslutning om tilstrekkelig beskyttelsesnivå ({d}, art. 45)."
        )
        en.append(
            f"The transfer to {who_en} relies on the Commission's adequacy decision ({d}, Art. 45)."
        )
        if rule == "R-ADEQ-SCOPE":
            note = facts.adequacy.scope_note or ""
            nb.append(
                f"Beslutningen dekker bare en del av mottakerne ({note}); bekreft at mottakeren er omfattet."
            )
            en.append(
                f"The decision covers only some recipients ({note}); confirm the recipient falls within it."
            )
    elif rule == "R-DPF" and facts.dpf_match and facts.dpf_match.entry:
        entry = facts.dpf_match.entry
        due = entry.next_due.isoformat() if entry.next_due else "?"
        nb.append(
            f"{who_nb} er aktivt sertifisert under EU–US Data Privacy Framework som «{facts.dpf_match.listed_name}» (neste fornyelse {due}); art. 45 og beslutning (EU) 2023/1795."
        )
        en.append(
            f"{who_en} is actively certified under the EU-US Data Privacy Framework as '{facts.dpf_match.listed_name}' (next due {due}); Art. 45 and Decision (EU) 2023/1795."
        )
    elif rule in ("R-BCR", "R-BCR-TIA"):
        nb.append(
            f"Overføringen til {who_nb} skjer innad i konsernet med bindende virksomhetsregler (BCR, art. 46(2)(b) og 47)."
        )
        en.append(
            f"The transfer to {who_en} is intra-group under binding corporate rules (BCR, Art. 46(2)(b) and 47)."
        )
    elif rule in ("R-SCC", "R-SCC-TIA"):
        nb.append(
            f"Overføringen til {who_nb} bygger på EUs standardavtaler (SCC) modul {module} (art. 46(2)(c))."
        )
        en.append(
            f"The transfer to {who_en} relies on the EU standard contractual clauses (SCC) module {module} (Art. 46(2)(c))."
        )
    elif rule == "R-DEROG":
        nb.append(
            f"For {who_nb} finnes bare et unntak etter art. 49(1); det er siste utvei, bare for sporadiske overføringer, og må dokumenteres."
        )
        en.append(
            f"For {who_en} only an Art. 49(1) derogation is in place; it is a last resort, for occasional transfers only, and must be documented."
        )
    else:
        nb.append(
            f"Det finnes ikke noe gyldig overføringsgrunnlag for {who_nb}; overføringen er ikke lovlig (art. 44)."
        )
        en.append(
            f"There is no valid transfer ground for {who_en}; the transfer is not lawful (Art. 44)."
        )
        alt_nb = [f"SCC modul {module} med vedlegg I–III og en vurdering av overføringen (TIA)"]
        alt_en = [f"SCC module {module} with Annexes I-III and a transfer impact assessment (TIA)"]
        if hop.intra_group:
            alt_nb.append("BCR")
            alt_en.append("BCR")
        if facts.dpf_decision_in_force:
            alt_nb.append("en aktiv DPF-sertifisering som dekker opplysningene")
            alt_en.append("an active DPF certification covering the data")
        nb.append("Det kan gjøres lovlig med " + " eller ".join(alt_nb) + ".")
        en.append("It can be made lawful with " + " or ".join(alt_en) + ".")
    if rule in ("R-SCC-TIA", "R-BCR-TIA"):
        nb.append("Vurderingen av overføringen (TIA, EDPBs anbefalinger 01/2020) mangler.")
        en.append("The transfer impact assessment (TIA, EDPB Recommendations 01/2020) is missing.")
    return nb, en


def _why_not(hop: Hop, facts: Facts, ref: ReferenceData) -> tuple[list[str], list[str]]:
    nb: list[str] = []
    en: list[str] = []
    if facts.adequacy_expired is not None:
        d = facts.adequacy_expired
        nb.append(
            f"Beslutningen om tilstrekkelig beskyttelsesnivå ({d.decision}) gjaldt ikke på vurderingsdatoen."
        )
        en.append(f"The adequacy decision ({d.decision}) was not in force on the assessment date.")
    if facts.adequacy_out_of_scope:
        nb.append("Mottakeren er oppgitt å falle utenfor beslutningens virkeområde.")
        en.append("The recipient is declared to fall outside the decision's scope.")
    if (
        facts.dpf_decision_in_force
        and facts.dpf_match is not None
        and facts.dpf_match.entry is None
    ):
        nb.append(
            f"«{hop.dpf_entity or hop.entity}» står ikke på DPF-listen med nøyaktig dette navnet."
        )
        en.append(
            f"'{hop.dpf_entity or hop.entity}' is not on the DPF list under exactly this name."
        )
    if facts.dpf_verdict is not None and not facts.dpf_verdict.valid:
        nb.append(
            "DPF er ikke grunnlag: "
            + ", ".join(_DPF_REASONS[r][0] for r in facts.dpf_verdict.reasons)
            + "."
        )
        en.append(
            "DPF is no ground: "
            + ", ".join(_DPF_REASONS[r][1] for r in facts.dpf_verdict.reasons)
            + "."
        )
    return nb, en


def _flags(
    hop: Hop, flags: tuple[str, ...], facts: Facts, ref: ReferenceData
) -> tuple[list[str], list[str]]:
    nb: list[str] = []
    en: list[str] = []
    for flag in flags:
        if flag == "dpf_only_ground":
            nb.append(
                "DPF er eneste grunnlag: faller rammeverket, må overføringen stanses. Vurder SCC i tillegg."
            )
            en.append(
                "DPF is the only ground: should the framework fall, the transfer must stop. Consider SCCs as well."
            )
        elif flag == "dpf_due_within_60_days" and facts.dpf_verdict is not None:
            days = facts.dpf_verdict.days_to_due
            nb.append(f"DPF-sertifiseringen skal fornyes om {days} dager; følg med.")
            en.append(f"The DPF certification is due for renewal in {days} days; keep watch.")
        elif flag == "dpf_entity_name_mismatch":
            names = (
                ", ".join(facts.dpf_match.near_names)
                if facts.dpf_match and facts.dpf_match.near_names
                else (hop.dpf_entity or "")
            )
            nb.append(
                f"Oppgitt virksomhet «{hop.entity}» har ikke samme navn som DPF-oppføringen ({names}); en person må bekrefte at det er samme juridiske enhet."
            )
            en.append(
                f"The declared entity '{hop.entity}' differs from the DPF entry ({names}); a person must confirm it is the same legal entity."
            )
        elif flag == "remote_access_third_country":
            nb.append("Fjerntilgang fra et land utenfor EØS er også en overføring.")
            en.append("Remote access from outside the EEA is a transfer too.")
        elif flag == "clear_text_parent_third_country":
            code = hop.parent_country or ""
            parent_nb = ref.country_names_nb.get(code, code)
            parent_en = ref.country_names.get(code, code)
            nb.append(
                f"Opplysningene er i klartekst hos en virksomhet med morselskap i {parent_nb}; myndigheter der kan kreve tilgang, også når data ligger i EØS."
            )
            en.append(
                f"Data is in clear at an entity whose parent is in {parent_en}; authorities there may compel access, even when data stays in the EEA."
            )
        elif flag == "special_categories_or_national_id":
            nb.append(
                "Særlige kategorier (art. 9/10), fødselsnummer eller taushetsbelagte opplysninger inngår; risikoen er høyere."
            )
            en.append(
                "Special categories (Art. 9/10), national identity numbers or confidential data are involved; the risk is higher."
            )
        elif flag == "adequacy_eea_incorporation_pending":
            nb.append("Beslutningen er ennå ikke tatt inn i EØS-avtalen.")
            en.append("The decision is not yet incorporated into the EEA Agreement.")
        elif flag == "derogation_barred_art49_3":
            nb.append(
                "Unntakene i art. 49(1)(a)–(c) kan ikke brukes av offentlige myndigheter som utøver offentlig myndighet (art. 49(3))."
            )
            en.append(
                "Derogations in Art. 49(1)(a)-(c) are not available to public authorities exercising public powers (Art. 49(3))."
            )
        elif flag == "bcr_not_intra_group":
            nb.append(
                "BCR gjelder bare overføringer innad i konsernet og kan ikke brukes her (art. 47)."
            )
            en.append("BCR cover only intra-group transfers and cannot be used here (Art. 47).")
    if "encryption_eea_keys" in hop.safeguards and hop.access == "storage" and not facts.eea:
        nb.append(
            "Kryptering med nøkler holdt i EØS er et effektivt tilleggstiltak for ren lagring."
        )
        en.append(
            "Encryption with keys held in the EEA is an effective supplementary measure for storage only."
        )
    return nb, en


def explain(
    hop: Hop,
    mechanism: str,
    rule: str,
    module: int | None,
    facts: Facts,
    flags: tuple[str, ...],
    ref: ReferenceData,
) -> Explanation:
    main_nb, main_en = _main(hop, rule, module, facts, ref)
    why_nb, why_en = (
        _why_not(hop, facts, ref) if mechanism in ("none", "derogation", "scc", "bcr") else ([], [])
    )
    flag_nb, flag_en = _flags(hop, flags, facts, ref)
    return Explanation(
        nb=" ".join([*main_nb, *why_nb, *flag_nb]),
        en=" ".join([*main_en, *why_en, *flag_en]),
    )
