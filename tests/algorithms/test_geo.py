"""Distances, the candidate search box and GCJ-02 map coordinates (no app, no database)."""
import math

import pytest

from backend.algorithms.geo import EARTH_RADIUS_KM, bounding_box, haversine_km, wgs84_to_gcj02

HANGZHOU = (30.2741, 120.1551)  # West Lake side of the city centre
SHANGHAI = (31.2304, 121.4737)  # People's Square


def destination(lat: float, lng: float, bearing_deg: float, km: float) -> tuple[float, float]:
    """The point km away on a great circle leaving at the given bearing (longitude kept in ±180)."""
    angular, bearing = km / EARTH_RADIUS_KM, math.radians(bearing_deg)
    phi1, lambda1 = math.radians(lat), math.radians(lng)
    phi2 = math.asin(math.sin(phi1) * math.cos(angular) + math.cos(phi1) * math.sin(angular) * math.cos(bearing))
    lambda2 = lambda1 + math.atan2(math.sin(bearing) * math.sin(angular) * math.cos(phi1),
                                   math.cos(angular) - math.sin(phi1) * math.sin(phi2))
    return math.degrees(phi2), (math.degrees(lambda2) + 540) % 360 - 180


def test_hangzhou_to_shanghai_is_about_165_km():
    assert haversine_km(*HANGZHOU, *SHANGHAI) == pytest.approx(164.9, abs=0.2)


def test_known_distances_on_the_sphere():
    assert haversine_km(0, 0, 90, 0) == pytest.approx(math.pi / 2 * EARTH_RADIUS_KM)
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert haversine_km(30, 120, 31, 120) == pytest.approx(111.195, abs=0.001)
    assert haversine_km(*HANGZHOU, *HANGZHOU) == 0.0


def test_haversine_is_symmetric():
    assert haversine_km(*HANGZHOU, *SHANGHAI) == pytest.approx(haversine_km(*SHANGHAI, *HANGZHOU))


@pytest.mark.parametrize("lat, lng", [HANGZHOU, (0.0, 0.0), (-33.87, 151.21), (53.5, 123.0), (70.0, 20.0),
                                      (85.0, -40.0)])
@pytest.mark.parametrize("radius_km", [0.05, 2.0, 5.0, 50.0, 800.0])
def test_bounding_box_holds_every_point_at_the_radius(lat, lng, radius_km):
    box = bounding_box(lat, lng, radius_km)
    for tenth_degree in range(0, 3600, 5):
        point = destination(lat, lng, tenth_degree / 10, radius_km)
        assert haversine_km(lat, lng, *point) == pytest.approx(radius_km, rel=1e-9)
        assert box.contains(*point), (tenth_degree / 10, point, box)
        inside = destination(lat, lng, tenth_degree / 10, radius_km * 0.5)
        assert box.contains(*inside)


def test_bounding_box_is_tight_enough_to_exclude_points_just_beyond():
    box = bounding_box(*HANGZHOU, 2.0)
    for bearing in (0, 90, 180, 270):
        assert not box.contains(*destination(*HANGZHOU, bearing, 2.02))
    # about 2 km either way: 0.036° of latitude, 0.0417° of longitude at Hangzhou
    assert box.max_lat - box.min_lat == pytest.approx(0.03597, abs=1e-4)
    assert box.max_lng - box.min_lng == pytest.approx(0.04165, abs=1e-4)


def test_bounding_box_over_a_pole_is_clamped_and_spans_every_longitude():
    box = bounding_box(89.95, 10.0, 20.0)
    assert box.max_lat == 90.0
    assert (box.min_lng, box.max_lng) == (-180.0, 180.0)
    assert bounding_box(-89.95, 10.0, 20.0).min_lat == -90.0


def test_bounding_box_of_zero_radius_is_the_point_and_negative_is_refused():
    box = bounding_box(*HANGZHOU, 0.0)
    assert box.contains(*HANGZHOU)
    assert not box.contains(HANGZHOU[0] + 1e-6, HANGZHOU[1])
    with pytest.raises(ValueError):
        bounding_box(*HANGZHOU, -1.0)


@pytest.mark.parametrize("wgs, gcj", [
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
])
def test_gcj02_matches_the_published_formula(wgs, gcj):
    lat, lng = wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=1e-9)
    assert lng == pytest.approx(gcj[1], abs=1e-9)


def test_gcj02_shifts_hangzhou_by_a_few_hundred_metres():
    assert 0.2 < haversine_km(*HANGZHOU, *wgs84_to_gcj02(*HANGZHOU)) < 0.8


@pytest.mark.parametrize("point", [(35.6812, 139.7671), (48.8566, 2.3522), (-33.87, 151.21), (55.75, 37.62)])
def test_points_outside_mainland_china_are_unchanged(point):
    assert wgs84_to_gcj02(*point) == point
