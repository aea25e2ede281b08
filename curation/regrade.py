"""Regrade control_events under x-evidence-rules (issue "Every row as strong as its evidence").
Run from the repository root after apply_curation.py and `syriadata tidy`; prints before/after counts."""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pandas as pd

from syriadata.contract.checks import evidence_summary
from syriadata.contract.descriptor import read_package
from syriadata.contract.tables import read_tables

ROOT = Path(__file__).resolve().parent.parent
TAG = "Regrade 2026-12:"
# rows whose grade the curators' notes lower beyond the generic rules (reasons in the row's note)
MANUAL = {
    "E0235": ("claimed", "low", "no cited page credits the Southern Operations Room: the pages say 'opposition' or "
              "'Sunni rebels', and the entry was announced by Hassan Abdel Ghani of the HTS-led Military Operations "
              "Command (so081, so047); controller kept pending a source naming the faction."),
    "E0080": (None, "low", "so086 (Qasioun citing Ahrar Houran, Oct 2024) puts regime checkpoints around Jasim, not "
              "inside it; the government hold was nominal. Controller not changed: no page names another holder."),
    "E0047": (None, "low", "so073 names the 8th Brigade (under the regime's Military Security) as the holder, not the "
              "army: a nominal government hold. Controller not changed: the brigade was formally a government unit."),
}


def main():
    pkg = read_package(ROOT)
    t = read_tables(pkg)
    spec = pkg.resource("control_events")["x-evidence-rules"]
    s = evidence_summary(pkg, t, "control_events", spec)
    path = ROOT / "data" / "control_events.csv"
    ev = pd.read_csv(path, dtype=str, keep_default_na=False)
    old = pd.read_csv(io.StringIO(subprocess.run(["git", "show", "HEAD:data/control_events.csv"], cwd=ROOT,
                                                 capture_output=True, text=True, check=True).stdout),
                      dtype=str, keep_default_na=False)
    ev = old.copy()  # regrade from the committed grades, so the script can be re-run
    rank = {"low": 0, "medium": 1, "high": 2}
    changed = []
    for i, r in ev.iterrows():
        x = s.loc[r.event_id]
        status, conf, why = r.claim_status, r.confidence, []
        if r.claim_status == "retracted":
            continue
        if x["denied"] and status != "disputed" and "settled:" not in r.notes:
            status = "disputed"
            why.append("a cited source denies the row (see event_sources notes)")
        if not x["any_naming"]:
            if rank[conf] > 0:
                conf = "low"
            if status == "confirmed":
                status = "claimed"
            why.append("no cited source names the place (only area reports or inference)")
        if status == "confirmed":
            if not x["independent"]:
                status = "claimed"
                why.append("no source naming the place is independent of the actor in control")
            elif not x["independent_other"]:
                status = "claimed"
                why.append("only Wikipedia or its mirrors name the place")
            elif x["party_only"]:
                status = "claimed"
                why.append("every source naming the place is the media of one actor")
        if conf == "high" and x["originators"] < 2:
            conf = "medium"
            why.append(f"{int(x['originators'])} originator(s) name the place; high needs 2 independent ones")
        if r.event_id in MANUAL:
            mstatus, mconf, mwhy = MANUAL[r.event_id]
            if mstatus and status == "confirmed":
                status = mstatus
            if mconf and rank[conf] > rank[mconf]:
                conf = mconf
            why.append(mwhy)
        if (status, conf) != (r.claim_status, r.confidence) or r.event_id in MANUAL:
            grade = f"{r.claim_status}/{r.confidence} -> {status}/{conf}"
            note = f"{TAG} {grade}: " + "; ".join(dict.fromkeys(why)) + "."
            ev.at[i, "claim_status"], ev.at[i, "confidence"] = status, conf
            ev.at[i, "notes"] = (r.notes + " " if r.notes else "") + note
            changed.append(r.event_id)
    ev.to_csv(path, index=False, lineterminator="\n")
    for col in ("confidence", "claim_status"):
        print(col, "before", old[col].value_counts().to_dict(), "after", ev[col].value_counts().to_dict())
    print(pd.crosstab(old.confidence, old.claim_status), pd.crosstab(ev.confidence, ev.claim_status), sep="\n")
    print("regraded", len(changed), " ".join(changed))


if __name__ == "__main__":
    main()
