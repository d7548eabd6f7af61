"""Granskning's words (web app): what was read, which event, why the chain did not hold; times and summaries as text."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from domain.weeks import SWEDEN

READ_KINDS = {
    "report": "en rapport",
    "reports": "rapporter",
    "action": "en insats",
    "actions": "insatser",
    "picture": "ett områdes lägesbild",
    "overview": "översikten",
    "lagesbild": "veckans lägesbild",
    "audit": "granskningsloggen",
    "audit_reads": "läsloggen",
    "audit_verify": "kedjans kontroll",
    "stream": "liveuppdateringar",
}
"""What was read, in words (the read log's kinds)."""
EVENTS = {
    ("Report", "Submitted"): "Rapport skickad",
    ("Report", "Corrected"): "Rapport rättad",
    ("Report", "Retracted"): "Rapport återkallad",
    ("Report", "RetractedAfterRedaction"): "Rapport återkallad efter maskning",
    ("Report", "Redacted"): "Rapport maskad",
    ("Action", "Planned"): "Insats planerad",
    ("Action", "Started"): "Insats påbörjad",
    ("Action", "Completed"): "Insats avslutad",
    ("Action", "Cancelled"): "Insats inställd",
    ("Action", "FollowedUp"): "Insats följd upp",
    ("Action", "Redacted"): "Insats maskad",
    ("Area", "Defined"): "Område skapat",
    ("Area", "Renamed"): "Område omdöpt",
    ("Area", "Retired"): "Område avvecklat",
    ("Category", "Added"): "Kategori tillagd",
    ("Assessment", "Drafted"): "Bedömning påbörjad",
    ("Assessment", "DraftSaved"): "Utkast till bedömning sparat",
    ("Assessment", "Published"): "Bedömning publicerad",
}
"""An entry's event in words (aggregate type, event type); another is shown by its names."""
CHAIN_PROBLEMS = {
    "the chain no longer passes the last verified link": "Kedjan går inte genom den senast kontrollerade länken.",
    "the event at this position is missing": "Händelsen på den positionen saknas.",
    "the stored record does not match its link": "Den lagrade händelsen stämmer inte med sin länk.",
    "an event was stored without a link": "En händelse har lagrats utan länk.",
    "the stored head is not where the chain ends": "Kedjans sparade slut stämmer inte med var kedjan slutar.",
}
"""Why a verification did not hold (service/store/chain.py), in words; another reason is shown as it is."""


def local_time(moment: datetime) -> str:
    """A moment in Swedish time, to the second."""
    return moment.astimezone(SWEDEN).strftime("%Y-%m-%d %H:%M:%S")


def summary_text(summary: Any) -> str:
    """An entry's summary as one line: `field: value`, separated by semicolons."""
    if not isinstance(summary, dict):
        return "" if summary is None else str(summary)
    return "; ".join(
        f"{key}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)}"
        for key, value in summary.items()
    )
