"""One colour per actor, the same in every figure.

Okabe-Ito colours (safe for the common colour-vision deficiencies) for the main actors, Paul Tol's
"muted" scheme for the rest, greys for the two status codes. Unknown actor ids get a grey and a
warning-free fallback so a new actor never breaks a figure.
"""
from __future__ import annotations

ACTOR_COLOURS = {
    "syrian_government": "#D55E00",         # vermillion
    "hts": "#009E73",                       # bluish green
    "sna": "#E69F00",                       # orange
    "sdf": "#CC79A7",                       # reddish purple
    "southern_operations_room": "#56B4E9",  # sky blue
    "sweida_factions": "#0072B2",           # blue
    "syrian_free_army": "#F0E442",          # yellow
    "israel": "#000000",
    "russia": "#882255",
    "usa": "#332288",
    "turkey": "#44AA99",
    "hezbollah": "#999933",
    "iran": "#117733",
    "isis": "#661100",
    "contested": "#BBBBBB",
    "unknown": "#E5E5E5",
}
FALLBACK = "#888888"
RESOLUTION_STYLES = {"earliest": ":", "midpoint": "-", "latest": "--"}


def colour(actor: str) -> str:
    return ACTOR_COLOURS.get(str(actor), FALLBACK)


def actor_order(actors) -> list[str]:
    """Actors in palette order (stable legends), unknown ids last in alphabetical order."""
    known = [a for a in ACTOR_COLOURS if a in set(actors)]
    return known + sorted(set(map(str, actors)) - set(known))
