"""Build data 2.0.0 (issue "Data: the whole war, March 2011 to April 2026, and other collapses to compare
with") from the 1.1.0 tables and the curators' staging folders ``curation/stage/<part>/``.

Run from the repository root with a Python that has pandas and pycountry (``/tmp/curvenv/bin/python``,
or ``pip install pycountry`` into ``.venv``): ``python curation/merge_2026.py``, then ``syriadata tidy`` and
``syriadata validate``. It reads the 1.1.0 tables with ``git show`` (so it can be re-run on its own output)
and rewrites the tables of ``data/``. What it does, in order:

1. The state and the movement become different actors: ``syrian_transitional_government`` (the state under
   its new leadership) from 2025-01-29, the day HTS and the other factions announced their dissolution into
   the state at the Victory Conference; ``nusra_front`` for the lineage before HTS. Lineage and succession
   are dated relations; aliases move to the actor they name.
2. Rows after 2025-01-29 that name ``hts`` as a holder name the new government instead, and every place the
   chain shows held by ``hts`` at the end of 2025-01-28 gets a ``succession`` row on 2025-01-29.
3. The staged events, links, sources, publishers, places, coordinates, episodes, actors and admin1 units
   are added; event ids continue from the last 1.1.0 id.
4. A place whose chain now starts earlier (a staged baseline) keeps its 1.1.0 baseline of 2024-11-26 as an
   ``observation`` row (the same controller before and after, the same sources).
Every step prints what it changed; anything it cannot reconcile is listed, not guessed.
"""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA, STAGE = ROOT / "data", ROOT / "curation" / "stage"
BASE = "2ca2964"  # the commit whose data/ is release 1.1.0
PARTS = ["ne25", "sw25", "aleppo", "northwest", "east", "damascus", "south", "compare", "gazetteer", "corroborate", "corroborate2", "corroborate3"]
REVIEW = "review"  # the reviewer's folder: fixes.csv (part,event_id,field,value,why,release), its own sources and links
SUCCESSION_DAY = "2025-01-29"
NEW_STATE = "syrian_transitional_government"
STATE_SOURCES = ["ac076", "ac007", "ac006"]


def read_base(name: str) -> pd.DataFrame:
    text = subprocess.run(["git", "show", f"{BASE}:data/{name}.csv"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def read_stage(part: str, name: str) -> pd.DataFrame | None:
    path = STAGE / part / f"{name}.csv"
    if not path.exists() or not path.read_text(encoding="utf-8").strip():
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.columns = [c.strip() for c in frame.columns]
    return frame.apply(lambda col: col.str.strip())


def add_rows(table: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    return pd.concat([table, pd.DataFrame(rows, columns=table.columns, dtype=object).fillna("")], ignore_index=True)


# --- 1. actors -------------------------------------------------------------------------------------------

NEW_ACTORS = [
    dict(actor_id=NEW_STATE, name="Syrian government (transitional, from 2025)", name_ar="الحكومة السورية الانتقالية",
         actor_type="government", colour="#0072B2", founded=SUCCESSION_DAY,
         description="The Syrian state under the leadership that came out of the HTS-led Military Operations Command, "
                     "from the day the armed factions, HTS among them, announced their dissolution into the state.",
         source_ids="ac076;ac007;ac006;ac039",
         notes="founded: the dataset's day of succession (docs/succession.md): on 29 Jan 2025 the Victory Conference "
               "announced the dissolution of all revolutionary factions including HTS (ac076, ac007, ac006). A "
               "caretaker cabinet had run the ministries since 10 Dec 2024 (ac039); rows from 8 Dec 2024 to 28 Jan "
               "2025 keep hts, as the command that held the ground. Arabic name descriptive."),
    dict(actor_id="nusra_front", name="Jabhat al-Nusra (al-Nusra Front, Jabhat Fateh al-Sham)", name_ar="جبهة النصرة",
         actor_type="jihadist_group", colour="#332288", founded="2012-01-23", dissolved="2017-01-28",
         description="Al-Qaida's Syrian branch, public from January 2012, renamed Jabhat Fateh al-Sham in July 2016 "
                     "and merged into Hay'at Tahrir al-Sham in January 2017.",
         source_ids="ac003;ac004;ac002;ac001",
         notes="founded: public emergence 23 Jan 2012 (ac003); renamed 28 Jul 2016 (ac004); merged into HTS "
               "28 Jan 2017 (ac002; ac001 says late January 2017). Aliases moved here from hts in 2.0.0."),
    dict(actor_id="armed_opposition", name="Armed opposition (unnamed factions)", name_ar="فصائل المعارضة المسلحة",
         actor_type="rebel_coalition", colour="#56B4E9",
         description="Dataset category: Free Syrian Army-branded and other non-jihadist rebel factions, used when the "
                     "sources say only 'rebels' or 'the opposition' and name no group.",
         notes="Not one organisation; a row that names a group uses that group's id. Arabic descriptive."),
    dict(actor_id="tfsa", name="Turkish-backed Free Syrian Army factions", name_ar="",
         actor_type="rebel_coalition", colour="#F0B060", founded="2016-08-24", dissolved="2017-12-30",
         description="Opposition factions that fought with the Turkish army in Operation Euphrates Shield (2016-2017), "
                     "organised as the Syrian National Army from December 2017.",
         notes="founded: start of Euphrates Shield (24 Aug 2016) as the dataset's convention; dissolved: the SNA's "
               "formation (30 Dec 2017, see sna). Successor: sna (actor_relations.csv)."),
]
STAGED_ACTOR_COLOURS = {"isis": None}


def split_state(actors, aliases, relations):
    actors = add_rows(actors, NEW_ACTORS)
    # aliases of the state under its new leadership and of the lineage before HTS move to their own ids
    moved_state = aliases["alias"].isin(["Syrian transitional government", "حكومة التغيير والبناء"])
    aliases.loc[moved_state, "actor_id"] = NEW_STATE
    nusra = (aliases["actor_id"] == "hts") & (aliases["alias_type"] == "former_name") & (
        aliases["valid_to"].isin(["2016-07-28", "2017-01-28"]))
    aliases.loc[nusra, "actor_id"] = "nusra_front"
    aliases.loc[nusra, "alias_type"] = "name"
    caretaker = (aliases["actor_id"] == "hts") & aliases["alias"].isin(
        ["caretaker government", "interim government", "حكومة تصريف الأعمال", "الحكومة الانتقالية"])
    later = aliases[caretaker].copy()
    aliases.loc[caretaker, "valid_to"] = SUCCESSION_DAY
    later["actor_id"], later["valid_from"] = NEW_STATE, SUCCESSION_DAY
    later["notes"] = (later["notes"] + " " if later["notes"].ne("").any() else "") + \
        "Split in 2.0.0: the same body under hts to 2025-01-29, under the new government from then."
    aliases = pd.concat([aliases, later], ignore_index=True)
    print(f"aliases: {int(moved_state.sum())} moved to {NEW_STATE}, {int(nusra.sum())} to nusra_front, "
          f"{int(caretaker.sum())} split at {SUCCESSION_DAY}")
    hts_gov = (relations["actor_id"] == "hts") & (relations["relation_type"] == "successor_of") & (
        relations["related_actor_id"] == "syrian_government")
    relations.loc[hts_gov, "date_end"] = SUCCESSION_DAY
    relations.loc[hts_gov, "notes"] += " Ends 2025-01-29 (2.0.0): from then the state is syrian_transitional_government."
    relations = add_rows(relations, [
        dict(actor_id=NEW_STATE, relation_type="successor_of", related_actor_id="hts", date_start=SUCCESSION_DAY,
             source_ids="ac076;ac007;ac006",
             notes="Lineage: HTS announced its dissolution into the state at the 29 Jan 2025 Victory Conference (ac076, "
                   "ac007, ac006); its commanders led the new government and army. The dataset's day of succession."),
        dict(actor_id=NEW_STATE, relation_type="successor_of", related_actor_id="syrian_government",
             date_start=SUCCESSION_DAY, source_ids="ac076;ac077;ac011",
             notes="Succession of the state: the Assad government fell on 8 Dec 2024 (ac011); its army and security "
                   "services were declared dissolved on 29 Jan 2025 (ac076, ac077)."),
        dict(actor_id="hts", relation_type="successor_of", related_actor_id="nusra_front", date_start="2017-01-28",
             source_ids="ac002;ac001;ac004",
             notes="Lineage: Jabhat Fateh al-Sham (al-Nusra renamed in July 2016, ac004) merged with other factions "
                   "into HTS on 28 Jan 2017 (ac002; late January per ac001)."),
        dict(actor_id="sna", relation_type="successor_of", related_actor_id="tfsa", date_start="2017-12-30",
             source_ids="ac028;ac029",
             notes="The Euphrates Shield factions were organised as the SNA, announced 30 Dec 2017 in Azaz (ac028, ac029)."),
    ])
    return actors, aliases, relations


# --- 2. the succession of 2025-01-29 -----------------------------------------------------------------------

def relabel_after_succession(events):
    """Holders named hts in rows whose window reaches the day of succession are the new government: a takeover
    by "the new authorities" dated only to a window across that day is the government's under every reading
    that matters for later rows (its note says so)."""
    late = events["date_end"] >= SUCCESSION_DAY
    n = 0
    touched = late & ((events["controller_before"] == "hts") | (events["controller_after"] == "hts"))
    for col in ("controller_before", "controller_after"):
        hit = late & (events[col] == "hts")
        events.loc[hit, col] = NEW_STATE
        n += int(hit.sum())
    events.loc[touched, "notes"] = (events.loc[touched, "notes"] + " Holder id (2.0.0): the new authorities, whose rows reach "
                                    f"{SUCCESSION_DAY}, are {NEW_STATE} (was hts).").str.strip()
    print(f"relabelled {n} holder cells from hts to {NEW_STATE} in rows from {SUCCESSION_DAY}")
    return events


# (holder before, holder after, day, sources, what happened): an actor that became another without fighting
# (insert: add rows for places held by the old holder; else only retype the curators' own rows of the change)
SUCCESSIONS = [
    ("ypg", "sdf", "2015-10-10", ["ac025", "ac026"],
     "the YPG became the core of the Syrian Democratic Forces, founded on 10 Oct 2015 (ac025, ac026)", False),
    ("armed_opposition", "sna", "2017-12-30", ["ac028", "ac029"],
     "the factions of the area were organised as the Syrian National Army, announced on 30 Dec 2017 (ac028, ac029)",
     False),
    ("sweida_factions", "druze_national_guard", "2025-08-23", [],
     "the Druze factions of Sweida merged into the National Guard on 23 Aug 2025", False),
    ("nusra_front", "hts", "2017-01-28", ["ac002", "ac001"],
     "Jabhat Fateh al-Sham merged with other factions into HTS on 28 Jan 2017 (ac002; late January per ac001)", True),
    ("tfsa", "sna", "2017-12-30", ["ac028", "ac029"],
     "the Euphrates Shield factions were organised as the Syrian National Army, announced on 30 Dec 2017 (ac028, ac029)",
     True),
    ("hts", NEW_STATE, SUCCESSION_DAY, STATE_SOURCES,
     "HTS announced its dissolution into the state at the 29 Jan 2025 Victory Conference (ac076, ac007, ac006)", True),
]


def succession_rows(events, next_id, issues):
    """For each succession, one row per place the chain shows held by the old holder at the end of the day
    before; the next row of such a place, if it names the old holder, names the new one."""
    rows, links = [], []
    for old, new, day, sources, what, insert in SUCCESSIONS:
        live = events[events["claim_status"] != "retracted"].sort_values(["place_id", "date_start", "date_end",
                                                                           "event_id"])
        before = live[live["date_start"] < day].groupby("place_id").tail(1)
        held = before[before["controller_after"] == old]
        straddle = held[held["date_end"] >= day]
        if len(straddle):
            issues.append(f"windows straddle the succession {old} -> {new} on {day}: {', '.join(straddle['event_id'])}")
            held = held[held["date_end"] < day]
        after = live[live["date_start"] >= day].groupby("place_id").head(1)
        # a curator may have recorded the change already (old -> new on or after the day): it is a succession
        done = after[after["place_id"].isin(held["place_id"]) & (after["controller_before"] == old)
                     & (after["controller_after"] == new)]
        events.loc[done.index, "event_type"] = "succession"
        held = held[~held["place_id"].isin(done["place_id"])]
        if not insert:
            held = held.iloc[:0]
        fix = after[after["place_id"].isin(held["place_id"]) & (after["controller_before"] == old)]
        events.loc[fix.index, "controller_before"] = new
        for pid in sorted(held["place_id"]):
            eid = f"E{next_id:04d}"
            next_id += 1
            rows.append(dict(event_id=eid, place_id=pid, date_start=day, date_end=day, date_precision="day",
                             controller_before=old, controller_after=new, event_type="succession",
                             claim_status="inferred", confidence="low", episode_id="",
                             notes=f"Succession, not a movement of forces: {what}, so the forces holding the place "
                                   f"became {new}'s. No source names this place; see docs/succession.md."))
            links += [dict(event_id=eid, source_id=s, evidence="basis_of_inference", date_given=day,
                           note=f"announcement that {old} became {new}; the place is not named") for s in sources]
        print(f"succession {old} -> {new} on {day}: {len(held)} places added, {len(done)} recorded by curators")
    return add_rows(events, rows), rows, links, next_id


def fix_base(t, part: str = "base"):
    """The reviewer's corrections of rows by their final id (fixes.csv rows with part ``base`` for 1.1.0
    rows before the merge, ``final`` for any row after it), each with its reason."""
    fixes = read_stage(REVIEW, "fixes")
    ev = t["control_events"]
    for f in ([] if fixes is None else fixes[fixes["part"] == part].itertuples()):
        hit = ev["event_id"] == f.event_id
        if f.field == "notes":  # a note added to the row (its text says which pass)
            ev.loc[hit, "notes"] = ev.loc[hit, "notes"] + " " + f.value
            print(f"review: {f.event_id} note added")
            continue
        ev.loc[hit, f.field] = f.value
        ev.loc[hit, "notes"] = ev.loc[hit, "notes"] + f" Review ({f.release}): {f.field} set to {f.value}: {f.why}"
        print(f"review: {f.event_id} {f.field} = {f.value}")
    return t


# --- 3. staged rows ----------------------------------------------------------------------------------------

def merge_stage(t):
    events, links = t["control_events"], t["event_sources"]
    next_id = int(events["event_id"].str[1:].astype(int).max()) + 1
    known = {name: set(frame.iloc[:, 0]) for name, frame in t.items()}
    issues = []
    fixes = read_stage(REVIEW, "fixes")
    allids, moved, pending = {}, {}, []
    for part in PARTS + [REVIEW]:
        ev = read_stage(part, "events")
        if ev is None:
            print(f"{part}: nothing staged")
            ev = pd.DataFrame(columns=[*t["control_events"].columns])
        if fixes is not None:  # the reviewer's corrections of staged rows, by the curator's event id
            for f in fixes[fixes["part"] == part].itertuples():
                hit = ev["event_id"] == f.event_id
                if not hit.any():
                    issues.append(f"fix for unknown event {part}/{f.event_id}")
                if f.field == "_drop":  # a duplicate of another curator's row: dropped, its links moved there
                    ev = ev[~hit]
                    moved[f.event_id] = f.value
                    print(f"review: dropped {part}/{f.event_id} ({f.why}); its links go to {f.value}")
                elif f.field == "notes":
                    ev.loc[hit, "notes"] = ev.loc[hit, "notes"] + " Review (2.0.0): " + f.value
                else:
                    ev.loc[hit, f.field] = f.value
                    ev.loc[hit, "notes"] = ev.loc[hit, "notes"] + f" Review ({f.release}): {f.field} set to {f.value}: {f.why}"
        ev["_order"] = range(len(ev))
        ev = ev.sort_values(["place_id", "date_start", "date_end", "_order"])
        ids = {}
        for local in ev["event_id"]:
            ids[local] = f"E{next_id:04d}"
            next_id += 1
        ev["event_id"] = ev["event_id"].map(ids)
        allids.update(ids)
        events = pd.concat([events, ev[t["control_events"].columns]], ignore_index=True)
        ln = read_stage(part, "links")
        if ln is not None:
            pending.append((part, ln))
        counts = {"events": len(ev), "links": 0 if ln is None else len(ln)}
        for name, table, key in [("sources", "sources", "source_id"), ("publishers", "publishers", "publisher_id"),
                                 ("places", "places", "place_id"), ("episodes", "episodes", "episode_id"),
                                 ("actors", "actors", "actor_id"), ("admin1", "admin1", "admin1_pcode")]:
            new = read_stage(part, name)
            if new is None:
                continue
            missing = [c for c in t[table].columns if c not in new.columns]
            if missing:
                issues.append(f"{part}/{name}.csv lacks columns {missing}")
                for c in missing:
                    new[c] = ""
            dup = new[key].isin(known[table]) | new[key].duplicated()
            if dup.any():
                issues.append(f"{part}/{name}.csv: {int(dup.sum())} ids already present, kept the first: "
                              f"{', '.join(new.loc[dup, key][:8])}")
            if table == "places":  # the same new place staged twice: empty cells of the first from the second
                base = t[table].set_index(key)
                for row in new[dup & new[key].isin(base.index)].itertuples(index=False):
                    for col, val in row._asdict().items():
                        if col in base.columns and val and not base.at[getattr(row, key), col]:
                            base.at[getattr(row, key), col] = val
                t[table] = base.reset_index()[t[table].columns]
            new = new[~dup]
            known[table] |= set(new[key])
            t[table] = pd.concat([t[table], new[t[table].columns]], ignore_index=True)
            counts[name] = len(new)
        cu = read_stage(part, "coord_updates")
        if cu is not None:
            places = t["places"].set_index("place_id")
            for r in cu.itertuples():
                if r.place_id in DROP_COORDS:
                    print(f"review: coordinates of {r.place_id} not used: {DROP_COORDS[r.place_id]}")
                    continue
                if r.place_id not in places.index:
                    issues.append(f"{part}/coord_updates: unknown place {r.place_id}")
                    continue
                if places.at[r.place_id, "latitude"]:
                    issues.append(f"{part}/coord_updates: {r.place_id} already has coordinates, kept them")
                    continue
                places.loc[r.place_id, ["latitude", "longitude", "geonames_id", "coord_source_id"]] = [
                    r.latitude, r.longitude, getattr(r, "geonames_id", ""), r.coord_source_id]
                if getattr(r, "population", "") and not places.at[r.place_id, "population"]:
                    places.loc[r.place_id, ["population", "population_year", "population_source_id"]] = [
                        r.population, getattr(r, "population_year", ""), getattr(r, "population_source_id", "")]
                note = getattr(r, "note", "")
                if note:
                    old = places.at[r.place_id, "notes"]
                    places.at[r.place_id, "notes"] = (old + " " if old else "") + f"Coordinates (2.0.0): {note}"
            t["places"] = places.reset_index()
            counts["coord_updates"] = len(cu)
        print(f"{part}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    # links after all events, so that a link may follow a dropped duplicate to the row kept in another part
    for part, ln in pending:
        ln["event_id"] = ln["event_id"].map(lambda e: moved.get(e, e))
        # links may also name 1.1.0 rows or merged rows by their final id (the corroboration pass)
        base_ids = set(t["control_events"]["event_id"]) | set(allids.values())
        unknown = set(ln["event_id"]) - set(allids) - base_ids
        if unknown:
            issues.append(f"{part}: links to unknown events {sorted(unknown)[:5]}")
        ln = ln[ln["event_id"].isin(set(allids) | base_ids)].assign(
            event_id=lambda f: f["event_id"].map(lambda e: allids.get(e, e)))
        dup = ln.duplicated(["event_id", "source_id"]) | ln.set_index(["event_id", "source_id"]).index.isin(
            links.set_index(["event_id", "source_id"]).index)
        links = pd.concat([links, ln.loc[~dup, t["event_sources"].columns]], ignore_index=True)
    events = relabel_after_succession(events)
    events, _, new_links, next_id = succession_rows(events, next_id, issues)
    t["control_events"], t["event_sources"] = events, add_rows(links, new_links)
    return t, issues


KIND = {"news_agency": "news_agency", "newspaper": "newspaper", "broadcaster": "broadcaster",
        "news_website": "online_outlet", "monitor": "monitor", "government": "government",
        "international_organization": "other", "ngo": "ngo", "reference": "reference", "gazetteer": "reference",
        "academic": "academic"}


def publishers_for(t):
    """Canonical publisher ids (the 1.1.0 alias table), and a publishers row for every id a source uses that has
    none: named as the source prints it, its kind from the source's type."""
    sys.path.insert(0, str(ROOT / "curation"))
    from apply_curation import ALIAS

    src, pubs = t["sources"], t["publishers"]
    for col in ("publisher_id", "originator_id"):
        src[col] = src[col].map(lambda v: ALIAS.get(v, v))
    known = set(pubs["publisher_id"])
    rows = []
    for pid, group in src.groupby("publisher_id"):
        if pid not in known:
            first = group.iloc[0]
            rows.append(dict(publisher_id=pid, name=first["publisher"], kind=KIND.get(first["source_type"], "other"),
                             notes=f"names as printed: {'; '.join(sorted(set(group['publisher'])))} (added 2.0.0)"))
            known.add(pid)
    for oid in sorted(set(src["originator_id"]) - known):
        rows.append(dict(publisher_id=oid, name=oid.replace("_", " ").title() if len(oid) > 4 else oid.upper(),
                         kind="other", notes="originator named by a curator; display name from its id (added 2.0.0)"))
    t["publishers"] = add_rows(pubs, rows)
    print(f"publishers added from sources: {len(rows)}")
    return t


# actors the brief named for the curators; a row is added here only if no curator proposed one (with sources)
BRIEF_ACTORS = {
    "ahrar_al_sham": ("Ahrar al-Sham", "أحرار الشام", "rebel_group", "Salafist rebel movement of northern Syria."),
    "jaysh_al_islam": ("Jaysh al-Islam", "جيش الإسلام", "rebel_group", "Rebel group based in Douma and Eastern Ghouta."),
    "jaysh_al_fatah": ("Jaysh al-Fatah (Army of Conquest)", "جيش الفتح", "rebel_coalition",
                       "Coalition of Islamist factions, al-Nusra and Ahrar al-Sham among them, that took Idlib in 2015."),
    "druze_national_guard": ("Druze National Guard", "الحرس الوطني", "militia",
                             "Armed force of Druze factions in Sweida formed in August 2025."),
}
COLOURS = {"ahrar_al_sham": "#88CCEE", "jaysh_al_islam": "#117733", "jaysh_al_fatah": "#AA4499",
           "druze_national_guard": "#DDCC77", "afghan_government": "#CC6677", "taliban": "#225522",
           "iraqi_government": "#AA7744", "south_vietnam": "#EECC66", "north_vietnam": "#994455",
           "libyan_jamahiriya": "#77AADD", "ntc": "#EE8866", "kurdistan_regional_government": "#BBCC33"}


def brief_actors(t):
    actors = t["actors"]
    rows = [dict(actor_id=a, name=n, name_ar=ar, actor_type=k, description=d,
                 notes="Named in the curation brief; no source recorded for the actor itself (its rows cite their own).")
            for a, (n, ar, k, d) in BRIEF_ACTORS.items() if a not in set(actors["actor_id"])]
    actors = add_rows(actors, rows)
    for a, c in COLOURS.items():
        actors.loc[(actors["actor_id"] == a) & (actors["colour"] == ""), "colour"] = c
    t["actors"] = actors
    print(f"actors from the brief: {len(rows)}")
    return t


# --- 4. observations -----------------------------------------------------------------------------------------

def observations(events):
    """A place with two baselines keeps the earliest; the later one (the 1.1.0 baseline) becomes an observation."""
    base = events[events["event_type"] == "baseline"].sort_values(["place_id", "date_start", "event_id"])
    later = base[base.duplicated("place_id")]
    events.loc[later.index, "event_type"] = "observation"
    events.loc[later.index, "controller_before"] = events.loc[later.index, "controller_after"]
    events.loc[later.index, "notes"] = events.loc[later.index, "notes"] + (
        " Observation (2.0.0): this was the place's baseline of 2024-11-26; its chain now starts in March 2011.")
    print(f"observations: {len(later)} baselines of 2024-11-26 kept as observations")
    return events


ISO_SOURCE = dict(source_id="iso3166_2", publisher="pycountry (ISO 3166-2 subdivision codes)", publisher_id="pycountry",
                  originator_id="pycountry", is_mirror="false", machine_translated="false", party_actor_id="",
                  title="pycountry: ISO 3166-1 and 3166-2 country and subdivision codes",
                  url="https://pypi.org/project/pycountry/", date_published="",
                  date_note="a software package, not a dated page; the codes were read with pycountry 26.2.16",
                  language="en", source_type="gazetteer",
                  notes="First-level units of the comparison countries (their admin1_pcode is the ISO 3166-2 code without "
                        "the hyphen) and their names. South Vietnam's 1975 provinces are mapped to today's provinces.")


# staged coordinates the reviewer does not use: place_id -> why
DROP_COORDS = {"conoco_gas_field": "the page's latitude is exactly Deir ez-Zor city's, and the point lies about 15 km "
                                   "east of the city where news reports put the field about 20 km north-east; left "
                                   "empty rather than risk a wrong point"}

# staged places the reviewer leaves out, with their rows and links: (place_id, why)
DROP_PLACES = [("al_seen_airbase", "no cited page gives its governorate or coordinates, both required to place it")]


def drop_places(t):
    for pid, why in DROP_PLACES:
        ev = t["control_events"]
        gone = set(ev.loc[ev["place_id"] == pid, "event_id"])
        t["control_events"] = ev[ev["place_id"] != pid]
        t["event_sources"] = t["event_sources"][~t["event_sources"]["event_id"].isin(gone)]
        t["places"] = t["places"][t["places"]["place_id"] != pid]
        print(f"review: left out place {pid} and its {len(gone)} rows: {why}")
    used = set(t["event_sources"]["source_id"]) | set(";".join(
        pd.concat([t[n]["source_ids"] for n in ("actors", "actor_aliases", "actor_relations", "admin1", "crossings",
                                                "crossing_status", "episodes")])).split(";"))
    used |= set(t["places"]["coord_source_id"]) | set(t["places"]["population_source_id"])
    orphan = t["sources"][~t["sources"]["source_id"].isin(used) & t["sources"]["source_id"].str.match(r"(review|sw25|gazetteer)_")]
    t["sources"] = t["sources"][~t["sources"]["source_id"].isin(orphan["source_id"])]
    if len(orphan):
        print(f"review: {len(orphan)} sources cited only by the rows left out: {', '.join(orphan['source_id'])}")
    return t


def normalise(t, issues):
    """Curators' values into the package's vocabulary: ISO 3166-1 alpha-3 publisher countries, the publisher
    kinds, month-only dates given by a page (kept in the note, the date left empty)."""
    import pycountry

    pubs = t["publishers"]
    def iso3(code):
        if len(code) == 2:
            c = pycountry.countries.get(alpha_2=code)
            return c.alpha_3 if c else ""
        return code
    pubs["country"] = pubs["country"].map(iso3)
    kinds = {"news_website": "online_outlet", "wire": "news_agency", "tv": "broadcaster", "magazine": "newspaper"}
    pubs["kind"] = pubs["kind"].map(lambda k: kinds.get(k, k))
    allowed = {"news_agency", "newspaper", "broadcaster", "online_outlet", "monitor", "ngo", "government", "party_media",
               "think_tank", "academic", "reference", "aggregator", "blog", "other"}
    bad = ~pubs["kind"].isin(allowed)
    pubs.loc[bad, "kind"] = "other"
    links = t["event_sources"]
    month = links["date_given"].str.fullmatch(r"\d{4}(-\d{2})?")
    links.loc[month, "note"] = "(the page gives only " + links.loc[month, "date_given"] + ") " + links.loc[month, "note"]
    links.loc[month, "date_given"] = ""
    places = t["places"]
    placeholder = places["population"] == "99999"  # GeoNames' figure for a few Damascus suburbs: not a count
    places.loc[placeholder, "notes"] = (places.loc[placeholder, "notes"] + " Population left empty (2.0.0): GeoNames "
                                        "gives 99999, a placeholder rather than a count.").str.strip()
    places.loc[placeholder, ["population", "population_source_id"]] = ""
    src = t["sources"]
    src.loc[src["source_type"].isin(["", "online_outlet"]), "source_type"] = "news_website"
    if "iso3166_2" not in set(src["source_id"]) and t["admin1"]["source_ids"].str.contains("iso3166_2").any():
        t["sources"] = add_rows(src, [ISO_SOURCE])
        t["publishers"] = add_rows(pubs, [dict(publisher_id="pycountry", name="pycountry", kind="reference",
                                               notes="Python package of ISO country and subdivision codes (added 2.0.0)")])
    print(f"normalise: {int(bad.sum())} publisher kinds set to other, {int(month.sum())} month-only dates moved to notes")
    return t


def regrade(t, new_ids):
    """The evidence rules of x-evidence-rules applied to the new rows: a grade their links do not support is
    lowered (never raised), with a note saying why. The same rules as the validator, written out in pandas
    because the validator reads only a package that already validates."""
    ev, links, src = t["control_events"], t["event_sources"], t["sources"].set_index("source_id")
    state = ev["event_type"].isin(["baseline", "observation"])
    kind = pd.Series(state.to_numpy(), index=ev["event_id"])
    ctrl = pd.Series(ev["controller_after"].to_numpy(), index=ev["event_id"])
    ln = links.assign(orig=links["source_id"].map(src["originator_id"]), party=links["source_id"].map(src["party_actor_id"]),
                      state=links["event_id"].map(kind), ctrl=links["event_id"].map(ctrl))
    ln["naming"] = (ln["evidence"] == "names_place_and_change") | (ln["state"] & (ln["evidence"] == "names_place"))
    ln["indep"] = ln["naming"] & ((ln["party"] == "") | (ln["party"] != ln["ctrl"]))
    ln["indep_other"] = ln["indep"] & (ln["orig"] != "wikipedia")
    ln["named"] = ~ln["evidence"].isin(["reports_area", "basis_of_inference", "not_found"])
    g = ln.groupby("event_id")
    naming = ln[ln["naming"]].groupby("event_id")
    summary = pd.DataFrame({"indep": g["indep"].any(), "indep_other": g["indep_other"].any(),
                            "named": g["named"].any(), "denied": g["evidence"].apply(lambda e: (e == "denies").any())})
    summary["originators"] = naming["orig"].nunique()
    summary["party_only"] = naming["party"].agg(lambda p: p.ne("").all() and p.nunique() == 1)
    summary = summary.fillna({"originators": 0, "party_only": False})
    changed = 0
    for i in ev.index[ev["event_id"].isin(new_ids)]:
        eid, status, conf = ev.at[i, "event_id"], ev.at[i, "claim_status"], ev.at[i, "confidence"]
        if status == "retracted" or eid not in summary.index:
            continue
        r, why = summary.loc[eid], []
        if r["denied"] and status != "disputed" and "settled:" not in ev.at[i, "notes"]:
            status, _ = "disputed", why.append("a linked source denies it")
        if not r["named"]:
            if conf != "low":
                conf, _ = "low", why.append("no source names the place")
            if status == "confirmed":
                status, _ = "inferred", why.append("no source names the place")
        if status == "confirmed" and not r["indep"]:
            status, _ = "claimed", why.append("only the media of the actor in control name it")
        if status == "confirmed" and not r["indep_other"]:
            status, _ = "reported", why.append("only Wikipedia or its mirrors name it")
        if status == "confirmed" and r["party_only"]:
            status, _ = "claimed", why.append("every naming source is one actor's media")
        if conf == "high" and r["originators"] < 2:
            conf, _ = "medium", why.append(f"{int(r['originators'])} originator(s) name it; high needs 2")
        if why:
            note = (f" Regrade 2.0.0: {ev.at[i, 'claim_status']}/{ev.at[i, 'confidence']} -> {status}/{conf}: "
                    + "; ".join(dict.fromkeys(why)) + ".")
            ev.at[i, "claim_status"], ev.at[i, "confidence"] = status, conf
            ev.at[i, "notes"] = (ev.at[i, "notes"] + note).strip()
            changed += 1
    print(f"regrade: {changed} new rows lowered to what their links support")
    return t


def main(out: Path = DATA):
    names = ["actors", "actor_aliases", "actor_relations", "admin1", "control_events", "crossing_status",
             "crossings", "episodes", "event_sources", "places", "publishers", "sources"]
    t = {n: read_base(n) for n in names}
    t["actors"], t["actor_aliases"], t["actor_relations"] = split_state(t["actors"], t["actor_aliases"],
                                                                        t["actor_relations"])
    t = fix_base(t)
    t, issues = merge_stage(t)
    t = fix_base(t, part="final")  # the reviewer's grades of merged rows, by final id, after corroboration
    t["control_events"] = observations(t["control_events"])
    t = publishers_for(t)
    t = brief_actors(t)
    t = normalise(t, [])
    t = drop_places(t)
    t = regrade(t, set(t["control_events"]["event_id"]))  # lowers only: valid 1.1.0 rows are left as they are
    for n, frame in t.items():
        frame.to_csv(out / f"{n}.csv", index=False, lineterminator="\n")
    print("\n".join(["", "to reconcile:", *issues]) if issues else "nothing to reconcile")


if __name__ == "__main__":
    # an optional folder to write to instead of data/ (a copy of the package, to check a merge first)
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA)
