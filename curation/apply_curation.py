"""Apply the curators' evidence and provenance checks (curation/*.csv) to data/ (issue "Every row as
strong as its evidence"). Run once from the repository root: .venv/bin/python curation/apply_curation.py
It rewrites data/event_sources.csv, data/sources.csv and data/publishers.csv; the regrade of
control_events is done separately (curation/regrade.py). Run `syriadata tidy` afterwards.
"""
from __future__ import annotations

import glob
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CUR = ROOT / "curation"
DATA = ROOT / "data"


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_original(name):
    """The table as committed (so that the script can be re-run on its own output)."""
    import io
    import subprocess

    text = subprocess.run(["git", "show", f"HEAD:data/{name}.csv"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


WIKI = re.compile(r"wiki|kiwix|ipfs|pinocchiopedia|jablog|infokontak|wopular|5\.180\.24\.3|accionvegana|kihulane|"
                  r"know\.cf|movatter|clateway|askwiki", re.I)
# one id per outlet: names (slugged, parentheses dropped) -> publisher_id
ALIAS = {
    "syrian_observatory_for_human_rights": "sohr", "the_syrian_observatory_for_human_rights": "sohr",
    "sohr": "sohr", "sor": "sohr",
    "associated_press": "ap", "ap": "ap", "afp": "afp", "agence_france_presse": "afp", "reuters": "reuters",
    "anadolu": "anadolu", "anadolu_agency": "anadolu", "aa": "anadolu",
    "ynet": "ynetnews", "ynet_news": "ynetnews", "ynetnews": "ynetnews",
    "mehr_news": "mehr_news_agency", "mehr_news_agency": "mehr_news_agency",
    "shaam_network": "shaam_news_network", "shaam_news_network": "shaam_news_network",
    "the_new_arab": "al_araby_al_jadeed", "al_araby_al_jadeed": "al_araby_al_jadeed",
    "al_mayadeen_english": "al_mayadeen", "al_jazeera_net": "al_jazeera", "al_jazeera": "al_jazeera",
    "alhadath": "al_hadath", "al_hadath": "al_hadath",
    "haberler_com": "haberler", "haberler": "haberler", "southfront_maps": "southfront",
    "lbc_group": "lbci", "lbci": "lbci", "anha": "hawar_news_agency", "hawar_news_agency": "hawar_news_agency",
    "carnegie_endowment": "carnegie_endowment_for_international_peace",
    "al_ahed": "al_ahed_news", "al_ahed_news": "al_ahed_news", "dpa": "dpa", "trt_world": "trt_world",
    "ukrainska_pravda": "ukrainska_pravda", "mint": "mint", "friscotimes": "friscotimes",
    "friscotimes_org": "friscotimes", "arab_news_pakistan": "arab_news", "arab_news": "arab_news",
    "the_syrian_observer": "syrian_observer", "syrian_observer": "syrian_observer",
    "turkiye_today": "turkiye_today", "t_rkiye_today": "turkiye_today",
    "huria": "huria_news", "hawar_news": "hawar_news_agency", "suddeutsche_zeitung": "sueddeutsche_zeitung",
    "the_jerusalem_post": "jerusalem_post", "ammar_johmani_blog": "ammar_johmani", "foreign": "fcdo",
    "russia": "russia_islamic_world", "daily_post": "daily_post_nigeria",
}
# outlets named only as originators, and fixes of kind
EXTRA = {"cnn": ("CNN", "broadcaster"), "france_24": ("France 24", "broadcaster"),
         "the_guardian": ("The Guardian", "newspaper"), "the_hindu": ("The Hindu", "newspaper"),
         "npr": ("NPR", "broadcaster"), "le_monde": ("Le Monde", "newspaper"),
         "the_new_york_times": ("The New York Times", "newspaper"), "al_monitor": ("Al-Monitor", "online_outlet"),
         "al_hadath": ("Al Hadath", "broadcaster"), "trt_haber": ("TRT Haber", "broadcaster"),
         "zaman_al_wasl": ("Zaman al-Wasl", "online_outlet"), "sweida_24": ("Sweida 24", "online_outlet"),
         "l_orient_le_jour": ("L'Orient-Le Jour", "newspaper"), "azernews": ("AzerNews", "online_outlet"),
         "syrian_ministry_of_information": ("Syrian Ministry of Information", "government"),
         "lebanese_general_security": ("Lebanese General Security", "government"), "rntv": ("RNTV", "other"),
         "fcdo": ("Foreign, Commonwealth and Development Office (UK)", "government"),
         "times_of_israel": ("Times of Israel", "newspaper"), "institute_for_the_study_of_war":
         ("Institute for the Study of War", "think_tank"), "hawar_news_agency": ("Hawar News Agency (ANHA)", "news_agency"),
         "sueddeutsche_zeitung": ("Süddeutsche Zeitung", "newspaper")}
UNKNOWN_ORIGIN = re.compile(r"^(agencies|unnamed|unknown|news_247)")
# state or party media of an actor of the data (BRIEF.md): the outlet, or the agency whose text it carries
PARTY = {"anadolu": "turkey", "trt_world": "turkey", "trt_haber": "turkey", "tass": "russia", "rt": "russia",
         "sputnik": "russia", "irna": "iran", "mehr_news_agency": "iran", "kayhan": "iran", "tasnim_news_agency": "iran",
         "al_alam": "iran", "al_ahed_news": "hezbollah", "al_manar": "hezbollah", "hawar_news_agency": "sdf"}
AGENCIES = {"afp": ("Agence France-Presse (AFP)", "FRA"), "reuters": ("Reuters", "GBR"),
            "ap": ("Associated Press (AP)", "USA"), "anadolu": ("Anadolu Agency", "TUR"),
            "sana": ("Syrian Arab News Agency (SANA)", "SYR"), "sohr": ("Syrian Observatory for Human Rights", "GBR"),
            "dpa": ("Deutsche Presse-Agentur (dpa)", "DEU"), "xinhua": ("Xinhua", "CHN"), "tass": ("TASS", "RUS"),
            "epa": ("European Pressphoto Agency (EPA)", None), "ians": ("Indo-Asian News Service (IANS)", "IND"),
            "petra": ("Petra (Jordan News Agency)", "JOR"), "bloomberg": ("Bloomberg", "USA"),
            "anp": ("Algemeen Nederlands Persbureau (ANP)", "NLD"), "wikipedia": ("Wikipedia", None)}
KIND_OF_TYPE = {"news_agency": "news_agency", "newspaper": "newspaper", "broadcaster": "broadcaster",
                "news_website": "online_outlet", "monitor": "monitor", "government": "government",
                "international_organization": "other", "ngo": "ngo", "reference": "reference",
                "gazetteer": "reference", "academic": "academic"}
THINK_TANKS = re.compile(r"carnegie|institute|alma_research|arab_reform|combating_terrorism|long_war_journal|"
                         r"rojava_information_center")
AGGREGATORS = re.compile(r"menafn|devdiscourse|pledge_times|hathalyoum|sahafati|news_pravda|sauress|webjosh|"
                         r"newspub|exbulletin|zooll|information_streamer|wopular")


def name_to_id(name: str) -> tuple[str, str | None]:
    """(publisher_id, originator hint) from a publisher name such as "LBCI (AFP)" or "Le Monde (via Paudal)"."""
    if WIKI.search(name):
        return "wikipedia", "wikipedia"
    via = re.search(r"\(via ([^)]+)\)", name)
    paren = re.search(r"\(([^)]*)\)", name)
    base = re.split(r"\s*\(|,\s| - | via ", name)[0].strip()
    if via:  # "Le Monde (via Paudal)": the page is Paudal's copy of Le Monde
        return ALIAS.get(slug(via.group(1)), slug(via.group(1))), ALIAS.get(slug(base), slug(base))
    pid = ALIAS.get(slug(base), slug(base))
    hint = None
    if paren:
        inner = re.sub(r"^(republishing|reposting|relaying|citing|based on|quoting)\s+", "", paren.group(1), flags=re.I)
        inner = re.split(r"/| inputs|,", inner)[0].strip()
        cand = ALIAS.get(slug(inner), slug(inner))
        if cand in AGENCIES or cand in ALIAS.values():
            hint = cand
    if pid == "national_herald" or pid.endswith("_ians"):
        hint = "xinhua"
    return pid, hint


def originator_to_id(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if WIKI.search(text):
        return "wikipedia"
    first = re.split(r"\s*\(|\s*/\s*|;", text)[0].strip()
    sid = slug(first)
    if UNKNOWN_ORIGIN.match(sid):
        return None
    return ALIAS.get(sid, sid)


def yes(v: str):
    return {"yes": True, "no": False}.get(v.strip().lower())


def main():
    src = read_original("sources")
    links = read_original("event_sources")
    ev = pd.concat([read(f) for f in sorted(glob.glob(str(CUR / "evidence_*.csv")))], ignore_index=True)
    so = pd.concat([read(f).assign(part=Path(f).stem[-1]) for f in sorted(glob.glob(str(CUR / "sources_*.csv")))],
                   ignore_index=True)

    # 1. evidence on each link
    ev = ev.drop_duplicates(["event_id", "source_id"])
    m = links.merge(ev, on=["event_id", "source_id"], how="left")
    missing = m[m["evidence"].isna()]
    m.loc[m["evidence"].isna(), ["evidence", "note"]] = ["not_found", "not checked"]
    out = m[["event_id", "source_id", "evidence", "date_given", "note"]].fillna("")
    out.to_csv(DATA / "event_sources.csv", index=False, lineterminator="\n")
    print("links:", len(out), "missing from curation:", len(missing), list(zip(missing.event_id, missing.source_id)))

    # 2. provenance of each source
    rows, names = [], {}
    extra_notes = []
    for _, s in src.iterrows():
        sid = s["source_id"]
        cur = so[so["source_id"] == sid]
        seen = cur[cur["publisher_as_printed"] != ""]
        pid, hint = name_to_id(s["publisher"])
        printed = seen["publisher_as_printed"].iloc[0] if len(seen) else s["publisher"]
        origs = [o for o in (originator_to_id(x) for x in seen["originator"]) if o]
        if origs:
            counts = Counter(origs)
            top = max(counts.values())
            tied = [o for o in counts if counts[o] == top]
            other = [o for o in tied if o != pid]  # a tie: the relayed agency, not the page's own outlet
            originator = other[0] if other else tied[0]
        else:
            originator = hint or pid
        if pid == "wikipedia":
            originator = "wikipedia"
        mirror_votes = [yes(x) for x in seen["is_mirror"] if yes(x) is not None]
        mt_votes = [yes(x) for x in seen["machine_translated"] if yes(x) is not None]
        low = s["publisher"].lower()
        is_mirror = any(mirror_votes) if mirror_votes else bool(
            re.search(r"mirror|copy|republish|repost|reprint|via |proxy|ipfs|kiwix|translation", low))
        if pid == "wikipedia" and not mirror_votes:
            is_mirror = bool(re.search(r"mirror|copy|proxy|ipfs|kiwix|translation|derived|summary|quoting", low)) \
                or not low.startswith("wiki")
        mt = any(mt_votes) if mt_votes else bool(re.search(r"machine", low))
        party = next((p for p in seen["party_actor_id"] if p), "")
        date = s["date_published"]
        cur_dates = sorted({d for d in seen["date_published"] if d})
        dnotes = [re.sub(r"^reused provenance from sources_[a-d]:?\s*", "", n) for n in seen["date_note"]]
        dnotes = [n for n in dnotes if n]
        notes = s["notes"]
        if not party:
            if originator in PARTY:
                party = PARTY[originator]
            elif pid in PARTY:
                party = PARTY[pid]
            elif "sana" in (originator, pid) and date and date < "2024-12-08":
                party = "syrian_government"
        date_note = dnotes[0] if dnotes else ""
        if not date and len(cur_dates) == 1:
            date = cur_dates[0]
        elif not date and len(cur_dates) > 1:
            extra_notes.append(sid)
            notes = (notes + " " if notes else "") + f"Curators' check 2026-12: copies read show dates {', '.join(cur_dates)}; date_published left empty."
        elif date and cur_dates and cur_dates != [date]:
            extra_notes.append(sid)
            notes = (notes + " " if notes else "") + (
                f"Curators' check 2026-12: the page read shows {', '.join(cur_dates)}"
                + (f" ({date_note})" if date_note else "") + f"; date_published keeps the recorded {date}.")
        if not date and not date_note:
            if len(cur) and not len(seen):
                date_note = "page not found again in the 2026-12 check; no date recorded"
            elif len(seen):
                date_note = "no date on the stored page"
            elif re.search(r"date (is )?not shown|no date|not dated|undated", notes, re.I):
                date_note = "no date on the stored page (as recorded in notes; not rechecked)"
            else:
                date_note = "not rechecked"
        if sid == "nw014":  # same text as the AA-credited TRT World page nw013 (checked 2026-12 with the search tool)
            originator, party = "anadolu", "turkey"
            notes += (" Provenance check 2026-12: the stored page carries the same text as the Anadolu-credited"
                      " TRT World page nw013 (same sentences on the 50 villages and Khan Sheikhoun), so its"
                      " originator is recorded as Anadolu.")
        rows.append({"source_id": sid, "publisher": printed, "publisher_id": pid, "originator_id": originator,
                     "is_mirror": "true" if is_mirror else "false", "machine_translated": "true" if mt else "false",
                     "party_actor_id": party, "title": s["title"], "url": s["url"], "date_published": date,
                     "date_note": date_note, "language": s["language"], "source_type": s["source_type"],
                     "notes": notes})
        names.setdefault(pid, Counter())[printed] += 1
        names.setdefault(originator, Counter())
        names[pid][("type", s["source_type"])] += 1
        names[pid][("name", s["publisher"])] += 1
    out = pd.DataFrame(rows)
    out.to_csv(DATA / "sources.csv", index=False, lineterminator="\n")
    print("sources:", len(out), "date notes added:", extra_notes)

    # 3. publishers
    prow = []
    for pid, c in sorted(names.items()):
        printed = [k for k, _ in c.most_common() if isinstance(k, str)]
        types = [k[1] for k, _ in c.most_common() if isinstance(k, tuple) and k[0] == "type"]
        recorded = [k[1] for k, _ in c.most_common() if isinstance(k, tuple) and k[0] == "name"]
        name, country = AGENCIES.get(pid, (None, None))
        name = name or EXTRA.get(pid, (None,))[0] or (re.split(r"\s*\(", recorded[0])[0].strip() if recorded else
                                                     pid.replace("_", " "))
        if pid == "sohr":
            name = "Syrian Observatory for Human Rights"
        if pid == "wikipedia":
            kind = "reference"
        elif pid in EXTRA:
            kind = EXTRA[pid][1]
        elif AGGREGATORS.search(pid) or any(re.search(r"mirror|copy|republish|repost|reprint", p, re.I) for p in printed):
            kind = "aggregator"
        elif re.search(r"blog|substack", " ".join(printed) + pid, re.I):
            kind = "blog"
        elif THINK_TANKS.search(pid):
            kind = "think_tank"
        elif pid in AGENCIES:
            kind = "news_agency"
        elif pid in ("al_ahed_news", "al_manar"):
            kind = "party_media"
        elif types:
            kind = KIND_OF_TYPE[types[0]]
        else:
            kind = "other"
        note = ("names as printed: " + "; ".join(printed)) if printed else "named as the originator of a relayed report only"
        prow.append({"publisher_id": pid, "name": name, "kind": kind, "country": country or "", "notes": note})
    pd.DataFrame(prow).to_csv(DATA / "publishers.csv", index=False, lineterminator="\n")
    print("publishers:", len(prow))


if __name__ == "__main__":
    main()
