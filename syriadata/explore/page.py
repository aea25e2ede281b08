"""The explorer: one self-contained HTML page (Bokeh, inline resources) that works from ``file://``.

What is on it: a map of the places (longitude/latitude points) coloured by their controller at the
end of the chosen day; a day slider over the whole period the control events cover, with
play/pause and a ``YYYY-MM-DD`` box; a black ring on places whose day lies inside a change's date
window (uncertain); the legend from the ``actors`` table (its colours); the outline of the
countries of the places (simplified; first-order boundaries are not shipped); tooltips and, on a
tap, the place's names, chain of control and the sources (with links) of the change nearest the
day; filters by actor and by episode; the reading of date windows (earliest or latest); and the
share of places held by each controller under the map, with a marker that follows the slider.

The data is computed here once per reading with :func:`syriadata.panel` and stored compactly: for
each place only the days on which its state changes. One small documented callback
(``explorer.js``) recolours the map.
"""
from __future__ import annotations

import html
import re
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from .._atomic import output_dir
from ..errors import require

READINGS = ("earliest", "latest")
TOLERANCE = 0.02  # degrees: outline simplification (about 2 km), plenty for a page-sized map


def _days(events: pd.DataFrame) -> pd.DatetimeIndex:
    return pd.date_range(events["date_start"].min(), events["date_end"].max(), freq="D")


def _changes(panel: pd.DataFrame, place_ids: list[str], controllers: list[str], n_days: int) -> list[list[int]]:
    """Per place, a flat list ``[day, controller code, uncertain, ...]`` of the days its state changes."""
    code = {c: i for i, c in enumerate(controllers)}
    frame = panel.assign(place_id=panel["place_id"].astype(str))
    out = []
    grouped = dict(tuple(frame.groupby("place_id", sort=False)))
    for pid in place_ids:
        rows = grouped.get(pid)
        if rows is None:
            out.append([])
            continue
        ctrl = np.array([code.get(str(c), -1) if pd.notna(c) else -1 for c in rows["controller"].astype(object)])
        unc = rows["uncertain"].to_numpy().astype(int)
        state = ctrl * 2 + unc
        keep = np.flatnonzero(np.r_[True, state[1:] != state[:-1]])
        flat = []
        for k in keep:
            flat += [int(k), int(ctrl[k]), int(unc[k])]
        out.append(flat)
    return out


def _shares(panel: pd.DataFrame, controllers: list[str], days: pd.DatetimeIndex) -> dict:
    """Share of the places held by each controller on each day (columns: ``date`` and actor ids)."""
    held = panel.dropna(subset=["controller"])
    counts = pd.crosstab(pd.to_datetime(held["date"]), held["controller"].astype(str))
    counts = counts.reindex(index=days, columns=controllers, fill_value=0)
    total = panel.groupby(pd.to_datetime(panel["date"])).size().reindex(days).to_numpy()
    out = {c: np.round(counts[c].to_numpy() / total, 4).tolist() for c in controllers}
    out["date"] = [int(d.value // 10**6) for d in days]  # ms since the epoch, as Bokeh's datetime axis wants
    return out


def _outline(countries: list[str]) -> tuple[list, list]:
    """Simplified exterior rings of the countries' outlines, as Bokeh patches (xs, ys)."""
    from ..outlines import country_outline

    xs, ys = [], []
    for iso in countries:
        try:
            shape = country_outline(iso).simplify(TOLERANCE)
        except Exception:  # an unknown code has no outline; the map still works
            continue
        for poly in getattr(shape, "geoms", [shape]):
            x, y = poly.exterior.xy
            xs.append([round(v, 3) for v in x])
            ys.append([round(v, 3) for v in y])
    return xs, ys


def _date(value) -> str:
    return "?" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _window(a, b) -> str:
    a, b = _date(a), _date(b)
    return a if a == b else f"{a}..{b}"


def page_country(places: pd.DataFrame, episodes: pd.DataFrame, country: str | None) -> str:
    """The country the page shows: ``country`` if given (it must have places), else the country of the
    package's default study, else the country with the most places. One country a page keeps the day
    range to that country's record (a package may hold collapses decades apart)."""
    from ..domain import country_place_ids

    if country is not None:
        country_place_ids(places, country)  # raises if the package has no places of that country
        return country
    have = places["country"].astype(str).value_counts()
    if "default_study" in episodes.columns:
        default = episodes[episodes["default_study"].fillna(False).astype(bool)]
        if len(default):
            return str(default["country"].iloc[0])
    return str(have.index[0])


def _page_data(root, country: str | None = None) -> dict:
    """Everything the page needs, computed from the package at ``root``, for one country."""
    from ..engine.control import timeline
    from ..engine.vectorised import panel
    from ..figures.palette import Palette
    from ..loaders import load

    events, places, actors = load("control_events", root=root), load("places", root=root), load("actors", root=root)
    links, sources = load("event_sources", root=root), load("sources", root=root)
    country = page_country(places, load("episodes", root=root), country)
    places = places[places["country"].astype(str) == country]  # the page's places (page_country checked them)
    events = events[events["place_id"].astype(str).isin(set(places["place_id"].astype(str)))]
    days = _days(events)
    start, end = days[0], days[-1]
    panels = {r: panel(start, end, resolve=r, events=events) for r in READINGS}
    located = places.dropna(subset=["latitude", "longitude"])
    located = located[located["place_id"].astype(str).isin(set(events["place_id"].astype(str)))]
    ids = located["place_id"].astype(str).tolist()
    palette = Palette.from_actors(actors)
    present = set().union(*(set(p["controller"].dropna().astype(str)) for p in panels.values()))
    controllers = palette.sort(present)
    # chains of control and the sources of each change, as ready (escaped) HTML per place
    spells = timeline(events=events)
    spells["place_id"] = spells["place_id"].astype(str)
    src = sources.set_index(sources["source_id"].astype(str))
    by_event = links.assign(event_id=links["event_id"].astype(str), source_id=links["source_id"].astype(str))
    by_event = by_event.groupby("event_id")["source_id"].apply(list).to_dict()
    ev = events.assign(place_id=events["place_id"].astype(str))
    ev_groups = dict(tuple(ev.groupby("place_id", sort=False)))
    sp_groups = dict(tuple(spells.groupby("place_id", sort=False)))
    heads, chains, evlists, episodes = [], [], [], []
    names_ar = located["name_ar"] if "name_ar" in located.columns else pd.Series(pd.NA, index=located.index)
    for pid, name, name_ar in zip(ids, located["name"].astype(str), names_ar):
        ar = "" if pd.isna(name_ar) else f' <span dir="rtl" lang="ar">{html.escape(str(name_ar))}</span>'
        heads.append(f"<h3>{html.escape(name)}{ar}</h3><code>{html.escape(pid)}</code>")
        rows = sp_groups.get(pid, pd.DataFrame(columns=spells.columns))
        items = "".join(
            f"<li>{html.escape(palette.label(r.controller))}: from {_window(r.start_from, r.start_to)}"
            f"{'' if r.open else ' to ' + _window(r.end_from, r.end_to)}</li>" for r in rows.itertuples())
        chains.append(f"<p><b>chain of control</b></p><ol>{items}</ol>")
        place_events = ev_groups.get(pid, ev.iloc[:0])
        episodes.append(sorted({str(e) for e in place_events["episode_id"].dropna()}) if "episode_id" in ev else [])
        lst = []
        for e in place_events.itertuples():
            refs = []
            for sid in by_event.get(str(e.event_id), []):
                if sid not in src.index:
                    continue
                s = src.loc[sid]
                url = str(s["url"]) if pd.notna(s["url"]) else ""
                title = html.escape(f"{s['publisher']} ({_date(s['date_published']).replace('?', 'n.d.')}). {s['title']}")
                refs.append(f'<li><a href="{html.escape(url)}" target="_blank" rel="noopener">{title}</a></li>'
                            if url.startswith(("http://", "https://")) else f"<li>{title}</li>")
            text = (f"<p>{html.escape(str(e.event_id))}: {html.escape(palette.label(e.controller_before)) if pd.notna(e.controller_before) else 'baseline'}"
                    f" &rarr; {html.escape(palette.label(e.controller_after))}, {_window(e.date_start, e.date_end)}"
                    f" ({html.escape(str(e.claim_status))})</p><ul>{''.join(refs) or '<li>no source linked</li>'}</ul>")
            lst.append([int((e.date_start - start).days), int((e.date_end - start).days), text])
        evlists.append(lst)
    episode_ids = sorted({e for lst in episodes for e in lst})
    return {
        "days": [d.strftime("%Y-%m-%d") for d in days],
        "controllers": controllers,
        "colours": [palette.colour(c) for c in controllers],
        "labels": [palette.label(c) for c in controllers],
        "changes": {r: _changes(panels[r], ids, controllers, len(days)) for r in READINGS},
        "shares": {r: _shares(panels[r], controllers, days) for r in READINGS},
        "heads": heads, "spells": chains, "events": evlists, "episodes": episodes,
        "_ids": ids, "_x": located["longitude"].astype(float).round(5).tolist(),
        "_y": located["latitude"].astype(float).round(5).tolist(), "_names": located["name"].astype(str).tolist(),
        "_names_ar": ["" if pd.isna(v) else str(v) for v in names_ar],
        "_countries": sorted(places["country"].dropna().astype(str).unique()),
        "_unmapped": int(len(set(events["place_id"].astype(str))) - len(ids)),
        "_episodes": episode_ids,
        "_version": _version(root),
    }


def _version(root) -> str:
    from ..contract.descriptor import read_package

    return read_package(root).version


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MODEL_ID = re.compile(r'"p(\d{4,})"')  # Bokeh's model ids: "p1000", "p1001", ... in quotes


def _stable_ids(page: str) -> str:
    """Bokeh names the document and its elements with random UUIDs, and its models from a counter
    that runs on across pages built in one process; the report must give the same bytes for the
    same data, so both are renumbered in order of appearance (no Bokeh option does this)."""
    uuids: dict[str, str] = {}
    models: dict[str, str] = {}
    page = _UUID.sub(lambda m: uuids.setdefault(m.group(0), f"00000000-0000-4000-8000-{len(uuids):012d}"), page)
    return _MODEL_ID.sub(lambda m: models.setdefault(m.group(0), f'"p{1000 + len(models)}"'), page)


def build_page(*, root: str | Path | None = None, country: str | None = None) -> str:
    """The explorer as one HTML string (Bokeh's JavaScript inline: no network needed).

    Parameters
    ----------
    root : a data package folder; None for the bundled package.
    country : ISO 3166-1 alpha-3 code of the country to show; None for the default study's country.
    """
    require("bokeh", "explore", "the explorer page")
    from bokeh.document import Document
    from bokeh.embed import file_html
    from bokeh.events import DocumentReady
    from bokeh.layouts import column, row
    from bokeh.models import (Button, ColumnDataSource, CustomJS, Div, HoverTool, Legend, LegendItem, Select,
                              Slider, Span, TapTool, TextInput)
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    data = _page_data(root, country)
    meta = {k: data.pop(k) for k in list(data) if k.startswith("_")}
    days, n = data["days"], len(meta["_ids"])
    first = data["changes"]["latest"]
    codes = [c[1] if c and c[0] == 0 else -1 for c in first]
    src = ColumnDataSource({
        "place_id": meta["_ids"], "x": meta["_x"], "y": meta["_y"], "name": meta["_names"], "name_ar": meta["_names_ar"],
        "colour": [data["colours"][c] if c >= 0 else "#ffffff" for c in codes], "alpha": [0.95] * n,
        "ring": ["#ffffff"] * n, "ring_width": [0.8] * n,
        "who": [data["labels"][c] if c >= 0 else "no record" for c in codes]}, name="places")
    fig = figure(name="map", width=760, height=620, match_aspect=True, tools="pan,wheel_zoom,reset,tap",
                 active_scroll="wheel_zoom", x_axis_label="longitude", y_axis_label="latitude",
                 title="Controller of each place at the end of the chosen day")
    xs, ys = _outline(meta["_countries"])
    fig.patches(xs, ys, fill_color="#f4f1ea", line_color="#777777", line_width=1)
    dots = fig.scatter("x", "y", source=src, size=11, fill_color="colour", fill_alpha="alpha", line_alpha="alpha",
                       line_color="ring", line_width="ring_width", name="dots")
    dots.nonselection_glyph = None  # a tap shows details; it does not fade the other places
    fig.add_tools(HoverTool(renderers=[dots], tooltips=[("", "@name @name_ar"), ("held by", "@who")]))
    fig.select_one(TapTool).renderers = [dots]
    items = []
    for cid, colour, label in zip(data["controllers"], data["colours"], data["labels"]):
        swatch = fig.scatter([np.nan], [np.nan], size=11, fill_color=colour, line_color="#ffffff")
        items.append(LegendItem(label=label, renderers=[swatch]))
    ring = fig.scatter([np.nan], [np.nan], size=11, fill_color="#ffffff", line_color="#000000", line_width=3)
    items.append(LegendItem(label="ring: day inside a change's date window", renderers=[ring]))
    fig.add_layout(Legend(items=items, label_text_font_size="9pt", spacing=0), "right")
    fig.width = 1040

    share_src = ColumnDataSource(data["shares"]["latest"])
    share = figure(name="share", width=1040, height=240, x_axis_type="datetime", y_range=(0, 1),
                   title="Share of places held by each controller", tools="", toolbar_location=None)
    share.varea_stack(stackers=data["controllers"], x="date", source=share_src, color=data["colours"])
    span = Span(location=share_src.data["date"][0], dimension="height", line_color="#000000", line_width=2)
    share.add_layout(span)

    slider = Slider(start=0, end=len(days) - 1, value=0, step=1, title=f"day {days[0]}", width=620, name="day",
                    show_value=False)
    datebox = TextInput(value=days[0], title="day (YYYY-MM-DD)", width=140, name="datebox")
    play = Button(label="\u25B6 play", width=90, name="play")
    reading = Select(title="reading of date windows", value="latest", options=list(READINGS), width=170, name="reading")
    actor = Select(title="actor", value="all", name="actor", width=200,
                   options=[("all", "all")] + list(zip(data["controllers"], data["labels"])))
    episode = Select(title="episode", value="all", options=["all", *meta["_episodes"]], width=200, name="episode")
    info = Div(text="<p>Tap a place for its chain of control and sources.</p>", width=380, name="info",
               styles={"overflow-y": "auto", "max-height": "620px"})
    code = files(__package__).joinpath("explorer.js").read_text(encoding="utf-8")
    update = CustomJS(args=dict(D=data, src=src, slider=slider, datebox=datebox, play=play, reading=reading,
                                actor=actor, episode=episode, info=info, span=span, share=share_src), code=code)
    slider.js_on_change("value", update)
    datebox.js_on_change("value", update)
    for widget in (reading, actor, episode):
        widget.js_on_change("value", update)
    play.js_on_event("button_click", update)
    src.selected.js_on_change("indices", update)
    note = Div(width=1040, text=(
        f"<h2>syriadata {html.escape(meta['_version'])}: who held each place, day by day</h2>"
        f"<p>{days[0]} to {days[-1]}. Colour: the controller at the end of the day under the chosen reading "
        "(earliest or latest day of each change's date window); a black ring marks a day inside a change's window. "
        f"{n} places with coordinates are shown; {meta['_unmapped']} places without coordinates are not. "
        "The outline is the country's border (Natural Earth 1:10m, simplified); first-order administrative "
        "boundaries are not shipped with the package, so none are drawn.</p>"))
    doc = Document()
    doc.add_root(column(note, row(slider, datebox, play, reading, actor, episode), row(fig, info), share))
    doc.js_on_event(DocumentReady, update)
    doc.title = "syriadata explorer"
    return _stable_ids(file_html(doc, INLINE, "syriadata explorer"))


def write_explorer(folder: str | Path, *, root: str | Path | None = None, country: str | None = None) -> Path:
    """Write the explorer page as ``folder/index.html``; return ``folder``.

    ``country``: as for :func:`build_page`.

    ``folder`` must be new, empty or a previous explorer output (see :mod:`syriadata._atomic`);
    it is replaced atomically.
    """
    from ..contract.descriptor import read_package

    page = build_page(root=root, country=country)
    folder = Path(folder)
    with output_dir(folder, "explore", package_root=read_package(root).root) as work:
        (work / "index.html").write_text(page, encoding="utf-8")
    return folder
