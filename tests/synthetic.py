"""A small synthetic data package of another country, built with the bundled table schemas.

SYNTHETIC, for tests only: an invented five-city collapse in Afghanistan (the place names and
approximate city coordinates are real so that the coordinate check against the country's
outline applies; the actors, dates and sources are made up and say so). The days to fall are
chosen so that every headline number can be worked out by hand (see ``EXPECTED``).
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from syriadata.contract.files import bundled_root

SOURCE = "syn1"
SOURCES = ("syn1", "syn2")  # two invented outlets, so rows may be high confidence
PLACES = [  # place_id, name, place_type, admin1, lat, lon
    ("kabul", "Kabul", "national_capital", "AF01", 34.5553, 69.2075),
    ("kandahar", "Kandahar", "admin1_capital", "AF23", 31.6289, 65.7372),
    ("herat", "Herat", "admin1_capital", "AF30", 34.3482, 62.1997),
    ("mazar", "Mazar-i-Sharif", "admin1_capital", "AF20", 36.7090, 67.1109),
    ("jalalabad", "Jalalabad", "admin1_capital", "AF06", 34.4265, 70.4515),
    ("musa_qala", "Musa Qala", "town", "AF32", 32.3653, 64.7644),
]
# (event_id, place, start, end, before, after): the study starts on 1 August 2021 (day 0)
EVENTS = [(f"E9{i:03d}", p, "2021-07-01", "2021-07-01", None, "gov") for i, (p, *_rest) in enumerate(PLACES[:5], 1)]
EVENTS += [
    ("E9006", "musa_qala", "2021-07-01", "2021-07-01", None, "movement"),
    ("E9007", "herat", "2021-08-06", "2021-08-06", "gov", "movement"),        # day 5
    ("E9008", "kandahar", "2021-08-08", "2021-08-10", "gov", "movement"),     # day 7 .. 9 (midpoint 8)
    ("E9009", "mazar", "2021-08-14", "2021-08-14", "gov", "movement"),        # day 13
    ("E9010", "jalalabad", "2021-08-15", "2021-08-15", "gov", "movement"),    # day 14
    ("E9011", "kabul", "2021-08-15", "2021-08-15", "gov", "movement"),        # day 14
]
# worked out by hand from EVENTS: 5 places at risk (all focus places); falls on days
# earliest 5, 7, 13, 14, 14 and latest 5, 9, 13, 14, 14; T10 = 1st fall, T50 = 3rd, T90 = 5th;
# the largest one-day loss is 2 (day 14) under any dating
EXPECTED = {
    "places Test Government held at the start": (5, 5),
    "places lost by 15 August 2021": (5, 5),
    "T10: days until 10% of the focus places had fallen": (5, 5),
    "T50: days until 50% of the focus places had fallen": (13, 13),
    "T90: days until 90% of the focus places had fallen": (14, 14),
    "most places lost in one day": (2, 2),
    "most places lost in one day: exact range over every dating the windows allow": (2, 2),  # Kabul, Jalalabad
    "day of that peak (days since the start)": (14, 14),
    "days to the fall of Kandahar": (7, 9),
    "days to the fall of Kabul": (14, 14),
}  # (earliest, latest); the exact range row holds (lowest, highest)
STUDY = "collapse_2021"


def _csv(header: list[str], rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def build(folder: Path) -> Path:
    """Write the synthetic package into ``folder`` (created) and return it."""
    from syriadata.contract.tidy import tidy_package

    desc = json.loads((bundled_root() / "datapackage.json").read_text(encoding="utf-8"))
    desc.update(name="synthetic-afg", title="Synthetic test package (Afghanistan, invented)", version="0.0.1",
                homepage="https://example.org/synthetic", contributors=[{"title": "test suite", "roles": ["author"]}])
    for res in desc["resources"]:
        res.pop("bytes", None)
        res.pop("hash", None)
    headers = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in desc["resources"]}
    adm = {p[3] for p in PLACES}
    rows = {
        "admin1": [{"admin1_pcode": a, "country": "AFG", "name": a, "source_ids": SOURCE} for a in sorted(adm)],
        "places": [{"place_id": p, "name": n, "place_type": t, "country": "AFG", "admin1_pcode": a,
                    "latitude": lat, "longitude": lon, "coord_source_id": SOURCE} for p, n, t, a, lat, lon in PLACES],
        "actors": [{"actor_id": "contested", "name": "Contested", "actor_type": "status", "colour": "#BBBBBB"},
                   {"actor_id": "gov", "name": "Test Government", "actor_type": "government", "colour": "#D55E00"},
                   {"actor_id": "movement", "name": "Test Movement", "actor_type": "rebel_group", "colour": "#009E73"},
                   {"actor_id": "unknown", "name": "Unknown", "actor_type": "status", "colour": "#E5E5E5"}],
        "episodes": [{"episode_id": STUDY, "name": "Invented collapse", "country": "AFG", "date_start": "2021-08-01",
                      "date_end": "2021-08-15", "defender_actor_id": "gov", "initiator_actor_ids": "movement",
                      "focus_place_types": "admin1_capital;national_capital", "terminal_date": "2021-08-15",
                      "headline_place_ids": "kandahar;kabul", "default_study": "true", "source_ids": SOURCE}],
        "publishers": [{"publisher_id": f"test_outlet_{i}", "name": f"Test outlet {i}", "kind": "other"}
                       for i in (1, 2)],
        "sources": [{"source_id": sid, "publisher": f"Test outlet {i}", "publisher_id": f"test_outlet_{i}",
                     "originator_id": f"test_outlet_{i}", "is_mirror": "false", "machine_translated": "false",
                     "title": "Invented events for tests", "url": f"https://example.org/synthetic/{i}",
                     "date_published": "2021-09-01", "language": "en", "source_type": "reference"}
                    for i, sid in enumerate(SOURCES, 1)],
        "control_events": [{"event_id": e, "place_id": p, "date_start": s, "date_end": d,
                            "date_precision": "day" if s == d else "days", "controller_before": b or "",
                            "controller_after": a, "event_type": "baseline" if b is None else "capture",
                            "claim_status": "confirmed", "confidence": "high",
                            "episode_id": "" if b is None else STUDY} for e, p, s, d, b, a in EVENTS],
        "event_sources": [{"event_id": e[0], "source_id": sid,
                           "evidence": "names_place" if e[4] is None else "names_place_and_change"}
                          for e in EVENTS for sid in SOURCES],
    }
    folder = Path(folder)
    (folder / "data").mkdir(parents=True)
    for name, header in headers.items():
        (folder / "data" / f"{name}.csv").write_text(_csv(header, rows.get(name, [])), encoding="utf-8")
    (folder / "datapackage.json").write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tidy_package(folder)
    return folder


def copy_bundled(folder: Path) -> Path:
    """A copy of the bundled package, for tests parametrised over packages."""
    src = bundled_root()
    (folder / "data").mkdir(parents=True)
    shutil.copy(src / "datapackage.json", folder / "datapackage.json")
    for f in (src / "data").glob("*.csv"):
        shutil.copy(f, folder / "data" / f.name)
    return folder
