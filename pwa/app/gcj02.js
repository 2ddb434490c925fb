// WGS-84 → GCJ-02 for Amap links, the same public formula as backend/algorithms/geo.py
// (Krasovsky 1940 parameters and two offset fields); points outside mainland China's rough box
// are returned unchanged. Pure: no DOM, no network.

const A = 6378245.0;
const EE = 0.00669342162296594323;

function outsideChina(lat, lng) {
  return !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
}

function latOffset(x, y) {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320.0 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return ret;
}

function lngOffset(x, y) {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return ret;
}

/** [lat, lng] in GCJ-02 for a WGS-84 point. */
export function wgs84ToGcj02(lat, lng) {
  if (outsideChina(lat, lng)) {
    return [lat, lng];
  }
  let dlat = latOffset(lng - 105.0, lat - 35.0);
  let dlng = lngOffset(lng - 105.0, lat - 35.0);
  const radLat = (lat / 180.0) * Math.PI;
  const magic = 1 - EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  dlat = (dlat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dlng = (dlng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lat + dlat, lng + dlng];
}

/** An Amap link that marks the WGS-84 point (converted) with `name`. */
export function amapLink(lat, lng, name) {
  const [gLat, gLng] = wgs84ToGcj02(lat, lng);
  const query = new URLSearchParams({ position: `${gLng.toFixed(6)},${gLat.toFixed(6)}`, name, coordinate: "gaode", callnative: "1" });
  return `https://uri.amap.com/marker?${query}`;
}
