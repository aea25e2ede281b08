"""Each function draws one figure from an analysis table and returns the matplotlib Figure.

Every figure carries a title, axis labels and a footer naming the source and the data version.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import require
from .palette import Palette

DATING_STYLES = {"earliest": ":", "latest": "--", "imputed": "-"}


def _setup():
    matplotlib = require("matplotlib", "analysis", "syriadata.figures")
    matplotlib.use("Agg")
    plt = require("matplotlib.pyplot", "analysis", "syriadata.figures")
    sns = require("seaborn", "analysis", "syriadata.figures")

    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"svg.hashsalt": "syriadata", "figure.dpi": 100, "savefig.dpi": 150,
                         "font.family": "DejaVu Sans", "svg.fonttype": "none"})  # SVG text stays text
    return plt, sns


def footer(fig, version: str, note: str = "") -> None:
    """The footer: ``version`` names the data, e.g. 'syriadata 1.0.0 (CC-BY-4.0)'."""
    text = f"Data: {version}, sourced control events. {note}".strip()
    fig.text(0.01, 0.005, text, fontsize=7.5, color="#555555", ha="left", va="bottom")


def _date_axis(ax) -> None:
    """Dates on the x axis, labelled concisely so they never overlap."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def collapse_curve(curve: pd.DataFrame, *, version: str, start: pd.Timestamp, title: str, defender: str):
    """Step chart of cumulative places lost by date: the imputed median with its 2.5-97.5% band,
    and the earliest and latest readings (the bounds) as thin lines, per group."""
    plt, sns = _setup()
    fig, ax = plt.subplots(figsize=(9, 5.2))
    palette = sns.color_palette("colorblind", n_colors=max(3, curve["group"].nunique()))
    for (group, sub), col in zip(curve.groupby("group", sort=True), palette):
        for dating, part in sub.groupby("dating"):
            part = part.sort_values("date")
            # a step drawn "post" needs an end: the last day is drawn to its own end
            part = pd.concat([part, part.tail(1).assign(date=part["date"].iloc[-1] + pd.Timedelta(days=1))])
            if dating == "imputed":
                ax.fill_between(part["date"], part["low"], part["high"], step="post", alpha=0.22, color=col, lw=0)
                ax.step(part["date"], part["fallen"], where="post", color=col, lw=2,
                        label=f"{group} (n={int(part['at_risk'].iloc[0])})")
            else:
                ax.step(part["date"], part["fallen"], where="post", color=col, lw=0.9, ls=DATING_STYLES[dating])
    _date_axis(ax)
    ax.set_xlabel("Date")
    ax.set_ylabel(f"Places lost by {defender} (cumulative)")
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.legend(title="Kind of place (line: imputed median; band: 95% of draws; dotted/dashed: earliest/latest)",
              fontsize=8, title_fontsize=7.5, loc="upper left")
    footer(fig, version, "Earliest and latest: every change on the first or last day of its window.")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def control_timeline(spells: pd.DataFrame, *, names: dict, version: str, start, end, title: str,
                     palette: Palette = Palette()):
    """One bar per place, coloured by controller; hatched where the start of a spell is uncertain."""
    plt, _ = _setup()
    from matplotlib.patches import Patch

    start, end = pd.Timestamp(start), pd.Timestamp(end)
    order = sorted(spells["place_id"].unique(), key=lambda p: spells.loc[spells["place_id"] == p, "end_to"].min()
                   if spells.loc[spells["place_id"] == p, "end_to"].notna().any() else pd.Timestamp.max, reverse=True)
    fig, ax = plt.subplots(figsize=(10, 0.38 * len(order) + 1.6))
    for y, place in enumerate(order):
        for s in spells[spells["place_id"] == place].itertuples():
            a = max(s.start_to, start)
            b = min(s.end_from if pd.notna(s.end_from) else end, end)
            if b > a:
                ax.barh(y, (b - a).days, left=a, color=palette.colour(s.controller), edgecolor="white", height=0.75)
            if pd.notna(s.end_from) and s.end_to > s.end_from:  # the change's window: hatched
                ax.barh(y, (s.end_to - s.end_from).days, left=s.end_from, color="white", hatch="////",
                        edgecolor="#777777", height=0.75, linewidth=0)
    ax.set_yticks(range(len(order)), [names.get(p, p) for p in order])
    ax.set_xlim(start, end)
    _date_axis(ax)
    ax.set_xlabel("Date")
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    present = palette.sort(spells["controller"].dropna().unique())
    handles = [Patch(color=palette.colour(a), label=palette.label(a)) for a in present]
    handles.append(Patch(facecolor="white", hatch="////", edgecolor="#777777", label="date window of a change"))
    ax.legend(handles=handles, fontsize=8, loc="lower left", bbox_to_anchor=(1.01, 0))
    footer(fig, version)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def kaplan_meier(km: pd.DataFrame, *, version: str, start, title: str, defender: str):
    """Kaplan-Meier curves per group by date under the earliest (dotted) and latest (dashed)
    readings, which bound them; shaded: the pointwise 95% interval under the latest reading."""
    plt, sns = _setup()
    fig, ax = plt.subplots(figsize=(8.5, 5))
    palette = dict(zip(sorted(km["group"].unique()), sns.color_palette("colorblind")))
    start = pd.Timestamp(start)
    for (group, dating), sub in km.groupby(["group", "dating"], sort=True):
        dates = start + pd.to_timedelta(sub["day"], unit="D")
        ax.step(dates, sub["survival"], where="post", color=palette[group], ls=DATING_STYLES[dating], lw=1.6,
                label=f"{group}, {dating}")
        if dating == "latest":
            ax.fill_between(dates, sub["lower"], sub["upper"], step="post", color=palette[group], alpha=0.12)
    ax.set_ylim(0, 1.02)
    _date_axis(ax)
    ax.set_xlabel("Date")
    ax.set_ylabel(f"Share of places still held by {defender}")
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.legend(fontsize=7.5, ncol=2)
    footer(fig, version, "Kaplan-Meier (statsmodels SurvfuncRight); shaded: pointwise 95% interval, latest reading.")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def days_to_fall(table: pd.DataFrame, *, version: str, start, title: str, defender: str,
                 palette: Palette = Palette()):
    """One bar per place: the span of dates its loss may have happened (earliest to latest reading),
    coloured by who took it."""
    plt, _ = _setup()
    start = pd.Timestamp(start)
    sub = table[table["fell"]].sort_values(["days_earliest", "days_latest", "name"])
    fig, ax = plt.subplots(figsize=(8.5, 0.34 * len(sub) + 1.6))
    y = np.arange(len(sub))
    left = start + pd.to_timedelta(sub["days_earliest"], unit="D")
    width = (sub["days_latest"] - sub["days_earliest"] + 1).to_numpy()
    ax.barh(y, width, left=left, color=[palette.colour(a) for a in sub["captured_by"]], height=0.7)
    ax.set_yticks(y, sub["name"])
    ax.invert_yaxis()
    _date_axis(ax)
    ax.set_xlabel(f"Date of the loss by {defender} (bar: the days its date window allows; colour: who took it)")
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=palette.colour(a), label=palette.label(a))
                       for a in palette.sort(sub["captured_by"].dropna().unique())],
              fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    footer(fig, version)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def _extent(country: str | None, data: pd.DataFrame):
    """Map bounds: the country's outline if known, else the points, padded by a twentieth."""
    if country:
        from ..outlines import country_outline

        x0, y0, x1, y1 = country_outline(country).bounds
    else:
        x0, x1 = data["longitude"].min(), data["longitude"].max()
        y0, y1 = data["latitude"].min(), data["latitude"].max()
    pad = max(x1 - x0, y1 - y0, 0.5) / 20
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _draw_outlines(ax, country: str | None, bounds) -> None:
    """The study's country (mid grey) and its neighbours within the map (light grey), unfilled."""
    from ..outlines import countries_within

    import shapely

    for iso, geom in countries_within(bounds):
        for poly in shapely.get_parts(geom):
            if poly.geom_type != "Polygon":
                continue
            xy = np.asarray(poly.exterior.coords)
            ax.plot(xy[:, 0], xy[:, 1], color="#999999" if iso == country else "#DDDDDD", lw=0.7, zorder=1)


def control_maps(panel: pd.DataFrame, places: pd.DataFrame, *, version: str, title: str, ncols: int = 4,
                 palette: Palette = Palette(), country: str | None = None):
    """Small multiples: one map per date, places as points coloured by controller, on country outlines."""
    plt, _ = _setup()
    from matplotlib.lines import Line2D

    geo = places.set_index(places["place_id"].astype("string"))[["latitude", "longitude"]].astype(float)
    data = panel.assign(latitude=panel["place_id"].astype("string").map(geo["latitude"]).to_numpy(),
                        longitude=panel["place_id"].astype("string").map(geo["longitude"]).to_numpy()).dropna(subset=["latitude"])
    dates = sorted(data["date"].unique())
    nrows = int(np.ceil(len(dates) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.1 * ncols, 3.2 * nrows + 1.0), squeeze=False,
                             gridspec_kw={"hspace": 0.35})
    x0, y0, x1, y1 = _extent(country, data)
    for ax, day in zip(axes.flat, dates):
        _draw_outlines(ax, country, (x0, y0, x1, y1))
        snap = data[data["date"] == day]
        unc = snap["uncertain"].astype(bool)
        ax.scatter(snap["longitude"], snap["latitude"], s=16, c=[palette.colour(a) for a in snap["controller"]],
                   edgecolors=np.where(unc, "#000000", "none"), linewidths=0.8, zorder=3)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(1 / np.cos(np.radians((y0 + y1) / 2)))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(pd.Timestamp(day).strftime("%d %b %Y"), fontsize=10)
    for ax in list(axes.flat)[len(dates):]:
        ax.axis("off")
    present = palette.sort(data["controller"].dropna().unique())
    handles = [Line2D([], [], marker="o", ls="", color=palette.colour(a), label=palette.label(a)) for a in present]
    handles.append(Line2D([], [], marker="o", ls="", color="white", markeredgecolor="black", label="inside a date window"))
    fig.legend(handles=handles, loc="lower center", ncol=min(6, len(handles)), fontsize=8, bbox_to_anchor=(0.5, 0.02))
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    footer(fig, version, "Outlines: Natural Earth 1:10m (public domain); points are places, not areas of control.")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.92, bottom=0.1, hspace=0.3, wspace=0.05)
    return fig


def control_shares(shares: pd.DataFrame, *, version: str, title: str, palette: Palette = Palette()):
    """Stacked areas: share of places and share of population by controller (midpoint dating)."""
    plt, _ = _setup()
    sub = shares[shares["dating"] == "latest"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharex=True)
    for ax, value, label in [(axes[0], "share_places", "Share of places"),
                             (axes[1], "share_population", "Share of population (places with a known one)")]:
        wide = sub.pivot_table(index="date", columns="controller", values=value, aggfunc="sum").fillna(0)
        order = palette.sort(wide.columns)
        ax.stackplot(wide.index, [wide[a] for a in order], colors=[palette.colour(a) for a in order],
                     labels=[palette.label(a) for a in order], linewidth=0)
        ax.set_ylim(0, 1)
        ax.set_ylabel(label, labelpad=8)
        ax.set_xlabel("Date")
        _date_axis(ax)
    axes[1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    footer(fig, version, "Latest reading of every date window; places in the gazetteer, not area.")
    fig.tight_layout(rect=(0, 0.03, 1, 0.96))
    return fig


def episode_comparison(comparison: pd.DataFrame, *, version: str, title: str):
    """Dot-and-range chart of study yardsticks: the two readings as the ends of each line."""
    plt, _ = _setup()
    metrics = [("t50", "T50: days until half its focus places fell"),
               ("days_to_national_capital", "Days to the national capital"),
               ("fell", "Places lost")]
    names = comparison.drop_duplicates("episode_id").sort_values("start")
    fig, axes = plt.subplots(1, len(metrics), figsize=(13, 0.5 * len(names) + 2), sharey=True, squeeze=False)
    y = {e: i for i, e in enumerate(names["episode_id"])}
    for ax, (col, label) in zip(axes[0], metrics):
        for ep, sub in comparison.groupby("episode_id"):
            vals = pd.to_numeric(sub[col], errors="coerce")
            if vals.isna().all():
                continue
            ax.hlines(y[ep], vals.min(), vals.max(), color="#555555", lw=2)
            ax.plot(vals, [y[ep]] * len(vals), "o", color="#0072B2")
        ax.set_xlabel(label, fontsize=9)
    axes[0][0].set_yticks(list(y.values()), names["name"])
    axes[0][0].invert_yaxis()
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    footer(fig, version, "Line: from the earliest to the latest reading of the date windows.")
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    return fig


def save(fig, out_dir, stem: str) -> list[str]:
    """Write PNG and SVG without timestamps, so the same data gives the same bytes."""
    import matplotlib.pyplot as plt

    paths = []
    titles = ([fig._suptitle.get_text()] if fig._suptitle is not None else []) + \
        [a.get_title("left") or a.get_title() for a in fig.axes]
    titles = [t for t in titles if t]
    title = titles[0] if titles else stem.replace("_", " ")
    for ext, meta in [("png", {"Software": None, "Title": title}), ("svg", {"Date": None, "Creator": None, "Title": title})]:
        path = f"{out_dir}/{stem}.{ext}"
        fig.savefig(path, metadata=meta, bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths
