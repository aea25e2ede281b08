"""A large synthetic data package that validates, for benchmarks and scale tests.

SYNTHETIC: the bundled package plus ``n_places`` invented places (at the coordinates of bundled
places, so the coordinate check applies) with ``n_events // n_places`` dated changes each, every
change cited by one bundled independent source. Written with the bundled table schemas, sorted
as ``syriadata tidy`` sorts, without ``bytes``/``hash`` in the descriptor (``tidy`` would add them).
Some notes hold quoted newlines, as real notes do. The notes repeat a few texts, unless
``distinct_notes`` gives every event and link a note of its own (about 90 and 40 characters), as
real notes are: then no text column of the new rows but the holders and places has few values.

    python benchmarks/synthetic_package.py OUT_FOLDER [--places 10000] [--events 1000000] [--distinct-notes]
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from syriadata.contract.files import bundled_root
from syriadata.contract.tidy import canonical_csv

ACTORS = ("syrian_government", "hts", "sdf", "sna")
SOURCE = "so002"  # Reuters: independent of every actor, not a mirror, not Wikipedia


def build(folder: str | Path, n_places: int = 10_000, n_events: int = 1_000_000, seed: int = 0,
          distinct_notes: bool = False) -> Path:
    """Write the package into ``folder`` (created; must not exist) and return it."""
    rng = np.random.default_rng(seed)
    src, folder = bundled_root(), Path(folder)
    (folder / "data").mkdir(parents=True)
    desc = json.loads((src / "datapackage.json").read_text(encoding="utf-8"))
    for res in desc["resources"]:
        res.pop("bytes", None)
        res.pop("hash", None)
    (folder / "datapackage.json").write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    read = lambda name: pd.read_csv(src / "data" / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    base_places = read("places")
    base_places = base_places[(base_places["place_type"] != "crossing") & (base_places["country"] == "SYR")
                              & (base_places["latitude"] != "")].reset_index(drop=True)

    per = max(n_events // max(n_places, 1), 1)
    pick = rng.integers(0, len(base_places), n_places)
    like = base_places.iloc[pick].reset_index(drop=True)
    pid = np.char.add("gp", np.char.zfill(np.arange(n_places).astype(str), 6))
    places = pd.DataFrame({c: "" for c in base_places.columns}, index=range(n_places))
    places["place_id"] = pid
    places["name"] = np.char.add("Synthetic place ", np.arange(n_places).astype(str))
    places["place_type"] = "town"
    places["country"] = "SYR"
    places["admin1_pcode"] = like["admin1_pcode"].to_numpy()
    places["latitude"] = like["latitude"].to_numpy()
    places["longitude"] = like["longitude"].to_numpy()
    places["coord_source_id"] = like["coord_source_id"].to_numpy()

    n = n_places * per
    place_of = np.repeat(pid, per)
    k = np.tile(np.arange(per), n_places)          # position in the place's chain; 0 is the baseline
    width = rng.choice([0, 0, 0, 1, 2], n) * (k > 0)
    start = np.datetime64("2000-01-01") + 3 * k
    ctrl = np.array(ACTORS)[(k + rng.integers(0, 2, n_places).repeat(per)) % 2]  # alternate two actors
    before = np.where(k > 0, np.roll(ctrl, 1), "")
    eid = np.char.add("E9", np.char.zfill(np.arange(n).astype(str), 9))
    notes = np.where(k % 50 == 7, "SYNTHETIC change, two lines:\nsecond line, with a comma", "SYNTHETIC")
    link_notes = ""
    if distinct_notes:
        notes = pd.Series(notes).str.cat([pd.Series(eid), pd.Series(place_of), pd.Series(before), pd.Series(ctrl),
                                          pd.Series(start.astype(str))], sep=" ")
        notes = ("SYNTHETIC note of " + notes + ": a change of holder invented for the benchmarks").to_numpy()
        link_notes = np.char.add("SYNTHETIC: the source names the place of ", eid)
    events = pd.DataFrame({
        "event_id": eid, "place_id": place_of,
        "date_start": start.astype(str), "date_end": (start + width).astype(str),
        "date_precision": np.where(width == 0, "day", "days"),
        "controller_before": before, "controller_after": ctrl,
        "event_type": np.where(k == 0, "baseline", "capture"),
        "claim_status": "confirmed", "confidence": "medium", "episode_id": "", "notes": notes,
    })
    links = pd.DataFrame({"event_id": eid, "source_id": SOURCE,
                          "evidence": np.where(k == 0, "names_place", "names_place_and_change"),
                          "date_given": "", "note": link_notes})
    extra = {"places": places, "control_events": events, "event_sources": links}
    for res in desc["resources"]:
        name, path = res["name"], folder / res["path"]
        if name not in extra:
            shutil.copy(src / res["path"], path)
            continue
        frame = pd.concat([read(name), extra[name]], ignore_index=True)
        pk = res["schema"]["primaryKey"]
        frame = frame.sort_values([pk] if isinstance(pk, str) else pk, kind="stable")
        path.write_bytes(canonical_csv(frame))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--distinct-notes", action="store_true", help="a note of its own for every event and link")
    args = parser.parse_args()
    print(build(args.out, args.places, args.events, distinct_notes=args.distinct_notes))


if __name__ == "__main__":
    main()
