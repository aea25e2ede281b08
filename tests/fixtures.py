"""Small hand-made event tables whose answers can be worked out by hand."""
from __future__ import annotations

import pandas as pd

from syriadata.contract.descriptor import read_package
from syriadata.contract.schema import dtypes

EVENT_DTYPES = dtypes(read_package().fields("control_events"))


def events(rows: list[tuple]) -> pd.DataFrame:
    """rows: (event_id, place_id, date_start, date_end, before, after[, claim_status])."""
    records = []
    for row in rows:
        eid, place, start, end, before, after, *rest = row
        status = rest[0] if rest else "confirmed"
        width = (pd.Timestamp(end) - pd.Timestamp(start)).days
        records.append({
            "event_id": eid, "place_id": place, "date_start": start, "date_end": end,
            "date_precision": "day" if width == 0 else "days" if width <= 5 else "month",
            "controller_before": before, "controller_after": after,
            "event_type": "baseline" if before is None else "capture", "claim_status": status,
            "confidence": "high", "episode_id": None, "notes": None,
        })
    frame = pd.DataFrame(records)
    for col, dtype in EVENT_DTYPES.items():
        frame[col] = pd.to_datetime(frame[col]) if str(dtype).startswith("datetime") else frame[col]
        frame[col] = frame[col].astype(dtype)
    return frame


# Hama-like: government from the baseline, captured on 5 December (certain day);
# Daraa-like: captured on 6 or 7 December (window); a retracted claim on Homs.
TOY = events([
    ("E0001", "hama", "2024-11-26", "2024-11-26", None, "syrian_government"),
    ("E0002", "daraa", "2024-11-26", "2024-11-26", None, "syrian_government"),
    ("E0003", "homs", "2024-11-26", "2024-11-26", None, "syrian_government"),
    ("E0004", "hama", "2024-12-05", "2024-12-05", "syrian_government", "hts"),
    ("E0005", "daraa", "2024-12-06", "2024-12-07", "syrian_government", "southern_operations_room"),
    ("E0006", "homs", "2024-12-06", "2024-12-06", "syrian_government", "hts", "retracted"),
    ("E0007", "homs", "2024-12-07", "2024-12-08", "syrian_government", "hts"),
])
