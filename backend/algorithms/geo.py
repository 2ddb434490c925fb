"""Distances on the earth for matching: haversine, an index-friendly bounding box, GCJ-02 for map links.

Coordinates are WGS-84 degrees, as phones' GPS gives them and as the database stores them.
"""
import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius of the WGS-84 ellipsoid
# Widen the box by about a millimetre so a point exactly at the radius is never lost to rounding.
_BOX_MARGIN_DEG = 1e-8


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in km between two WGS-84 points, on a sphere of the mean radius."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class BoundingBox:
    """Latitude and longitude ranges (degrees) usable as index ranges in a WHERE clause."""

    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float

    def contains(self, lat: float, lng: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lng <= lng <= self.max_lng


def bounding_box(lat: float, lng: float, radius_km: float) -> BoundingBox:
    """The smallest latitude/longitude box holding every point within radius_km of (lat, lng).

    The longitude half-width is the widest point of the spherical cap, asin(sin(d) / cos(lat)),
    not d / cos(lat), which is too narrow at the cap's widest latitude. Latitude is clamped to
    ±90; a cap that reaches over a pole spans every longitude. Longitudes are not wrapped at the
    antimeridian (±180), which China never comes near: a box there would miss the far side.
    """
    if radius_km < 0 or math.isnan(radius_km):
        raise ValueError("radius_km must not be negative")
    angular = radius_km / EARTH_RADIUS_KM
    half_lat = math.degrees(angular) + _BOX_MARGIN_DEG
    min_lat, max_lat = lat - half_lat, lat + half_lat
    if max_lat >= 90 or min_lat <= -90 or angular >= math.pi / 2:
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)
    ratio = math.sin(angular) / math.cos(math.radians(lat))
    half_lng = (90.0 if ratio >= 1 else math.degrees(math.asin(ratio))) + _BOX_MARGIN_DEG
    return BoundingBox(min_lat, max_lat, lng - half_lng, lng + half_lng)


# GCJ-02 ("Mars coordinates"), the public formula used by Amap and Tencent maps: Krasovsky 1940
# ellipsoid parameters and two polynomial-plus-sine offset fields.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def _outside_china(lat: float, lng: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _lat_offset(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _lng_offset(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02 for map links (Amap); points outside mainland China's rough box are unchanged."""
    if _outside_china(lat, lng):
        return lat, lng
    dlat = _lat_offset(lng - 105.0, lat - 35.0)
    dlng = _lng_offset(lng - 105.0, lat - 35.0)
    rad_lat = math.radians(lat)
    magic = 1 - _GCJ_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_GCJ_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lat + dlat, lng + dlng
