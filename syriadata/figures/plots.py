"""Each function draws one figure from an analysis table and returns the matplotlib Figure.

Every figure carries a title, axis labels and a footer naming the source and the data version.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import require
from .palette import RESOLUTION_STYLES, Palette


def _setup():
    matplotlib = require("matplotlib", "analysis", "syriadata.figures")
    matplotlib.use("Agg")
    plt = require("matplotlib.pyplot", "analysis", "syriadata.figures")
    sns = require("seaborn", "analysis", "syriadata.figures")

    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"svg.hashsalt": "syriadata", "figure.dpi": 100, "savefig.dpi": 150,
                         "font.family": "DejaVu Sans"})
    return plt, sns


def footer(fig, version: str, note: str = "") -> None:
    """The footer: ``version`` names the data, e.g. 'syriadata 1.0.0 (CC-BY-4.0)'."""
    text = f"Data: {version}, sourced control events. {note}".strip()
    fig.text(0.01, 0.005, text, fontsize=7.5, color="#555555", ha="left", va="bottom")


def collapse_curve(curve: pd.DataFrame, *, version: str, start: pd.Timestamp, title: str, defender: str):
    """Step chart of cumulative places lost, midpoint line with the earliest..latest band, per group."""
    plt, sns = _setup()
    fig, ax = plt.subplots(figsize=(9, 5.2))
    palette = sns.color_palette("colorblind", n_colors=max(3, curve["group"].nunique()))
    for (group, sub), col in zip(curve.groupby("group", sort=True), palette):
        wide = sub.pivot(index="day", columns="resolution", values="fallen")
        ax.fill_between(wide.index, wide["latest"], wide["earliest"], step="post", alpha=0.25, color=col, linewidth=0)
        ax.step(wide.index, wide["midpoint"], where="post", color=col, lw=2,
                label=f"{group} (n={int(sub['at_risk'].iloc[0])})")
    ax.set_xlabel(f"Days since {start:%d %B %Y}")
    ax.set_ylabel(f"Places lost by {defender} (cumulative)")
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.legend(title="Place type (line: midpoint; band: earliest to latest)", fontsize=8, title_fontsize=8, loc="upper left")
    footer(fig, version, "Band: change dated to the start or the end of its date window.")
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
    ax.set_xlabel("Date")
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    present = palette.sort(spells["controller"].dropna().unique())
    handles = [Patch(color=palette.colour(a), label=palette.label(a)) for a in present]
    handles.append(Patch(facecolor="white", hatch="////", edgecolor="#777777", label="date window of a change"))
    ax.legend(handles=handles, fontsize=8, loc="lower left", bbox_to_anchor=(1.01, 0))
    footer(fig, version)
    fig.autofmt_xdate()
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def kaplan_meier(km: pd.DataFrame, *, version: str, start, title: str, defender: str):
    """Kaplan-Meier curves per group; midpoint solid, earliest and latest dotted and dashed."""
    plt, sns = _setup()
    fig, ax = plt.subplots(figsize=(8.5, 5))
    palette = dict(zip(sorted(km["group"].unique()), sns.color_palette("colorblind")))
    for (group, res), sub in km.groupby(["group", "resolution"], sort=True):
        ax.step(sub["day"], sub["survival"], where="post", color=palette[group], ls=RESOLUTION_STYLES[res],
                lw=2 if res == "midpoint" else 1.2, label=f"{group}, {res}")
        if res == "midpoint":
            ax.fill_between(sub["day"], sub["lower"], sub["upper"], step="post", color=palette[group], alpha=0.12)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"Days since {pd.Timestamp(start):%d %B %Y}")
    ax.set_ylabel(f"Share of places still held by {defender}")
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.legend(fontsize=7.5, ncol=2)
    footer(fig, version, "Kaplan-Meier (statsmodels SurvfuncRight); shaded: pointwise 95% interval, midpoint dating.")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def days_to_fall(table: pd.DataFrame, *, version: str, start, title: str, defender: str,
                 palette: Palette = Palette()):
    """Horizontal bars: days to fall at midpoint dating, with the earliest..latest range."""
    plt, _ = _setup()
    sub = table[table["fell"]].sort_values(["days_midpoint", "name"])
    fig, ax = plt.subplots(figsize=(8.5, 0.34 * len(sub) + 1.6))
    y = np.arange(len(sub))
    ax.barh(y, sub["days_midpoint"], color=[palette.colour(a) for a in sub["captured_by"]], height=0.7)
    ax.errorbar(sub["days_midpoint"], y, xerr=[sub["days_midpoint"] - sub["days_earliest"],
                                               sub["days_latest"] - sub["days_midpoint"]],
                fmt="none", ecolor="#333333", capsize=3, lw=1)
    ax.set_yticks(y, sub["name"])
    ax.invert_yaxis()
    ax.set_xlabel(f"Days from {pd.Timestamp(start):%d %B %Y} to the loss by {defender} (bar colour: who took it)")
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=palette.colour(a), label=palette.label(a))
                       for a in palette.sort(sub["captured_by"].dropna().unique())],
              fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    footer(fig, version, "Whiskers: the change's date window.")
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
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.1 * ncols, 2.9 * nrows + 1.0), squeeze=False)
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
    fig.tight_layout(rect=(0, 0.08, 1, 0.97))
    return fig


def control_shares(shares: pd.DataFrame, *, version: str, title: str, palette: Palette = Palette()):
    """Stacked areas: share of places and share of population by controller (midpoint dating)."""
    plt, _ = _setup()
    sub = shares[shares["resolution"] == "midpoint"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharex=True)
    for ax, value, label in [(axes[0], "share_places", "Share of places"),
                             (axes[1], "share_population", "Share of population of places with a known population")]:
        wide = sub.pivot_table(index="date", columns="controller", values=value, aggfunc="sum").fillna(0)
        order = palette.sort(wide.columns)
        ax.stackplot(wide.index, [wide[a] for a in order], colors=[palette.colour(a) for a in order],
                     labels=[palette.label(a) for a in order], linewidth=0)
        ax.set_ylim(0, 1)
        ax.set_ylabel(label)
        ax.set_xlabel("Date")
    axes[1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    fig.autofmt_xdate()
    footer(fig, version, "Midpoint dating of changes; places in the gazetteer, not area.")
    fig.tight_layout(rect=(0, 0.03, 1, 0.96))
    return fig


def episode_comparison(comparison: pd.DataFrame, *, version: str, title: str):
    """Dot-and-range chart of episode yardsticks across resolutions."""
    plt, _ = _setup()
    metrics = [("peak_changes_per_day", "Peak changes of control in one day"),
               ("t50_capitals", "T50: days until half its capitals were taken"),
               ("changes", "Changes of control")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(13, 0.45 * comparison["episode_id"].nunique() + 2), sharey=True)
    names = comparison.drop_duplicates("episode_id").sort_values("start")
    y = {e: i for i, e in enumerate(names["episode_id"])}
    for ax, (col, label) in zip(axes, metrics):
        for ep, sub in comparison.groupby("episode_id"):
            vals = sub.set_index("resolution")[col].astype("Float64")
            if vals.isna().all():
                continue
            ax.hlines(y[ep], vals.min(), vals.max(), color="#555555", lw=2)
            ax.plot(vals.get("midpoint"), y[ep], "o", color="#0072B2")
        ax.set_xlabel(label, fontsize=9)
    axes[0].set_yticks(list(y.values()), names["name"])
    axes[0].invert_yaxis()
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    footer(fig, version, "Dot: midpoint dating; line: earliest to latest.")
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    return fig


def save(fig, out_dir, stem: str) -> list[str]:
    """Write PNG and SVG without timestamps, so the same data gives the same bytes."""
    import matplotlib.pyplot as plt

    paths = []
    for ext, meta in [("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})]:
        path = f"{out_dir}/{stem}.{ext}"
        fig.savefig(path, metadata=meta, bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths
