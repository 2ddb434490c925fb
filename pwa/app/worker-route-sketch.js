// The day plan's sketch (worker-day-plan.js): an SVG drawn from the stops' coordinates, no map
// tiles and nothing from another origin.

import { t } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";

/**
 * The route drawn from coordinates: the start point, then each stop numbered and joined by lines,
 * scaled to fit (longitude narrowed by the latitude's cosine, so distances look right). No map
 * tiles; decorative to screen readers — the ordered list says the same in words.
 */
export function routeSketch(plan) {
  const points = [[plan.start_latitude, plan.start_longitude],
    ...plan.stops.map((stop) => [stop.latitude, stop.longitude])];
  const width = 320;
  const height = 240;
  const pad = 48; // room for the start's label beside it
  const cos = Math.cos((plan.start_latitude * Math.PI) / 180);
  const xs = points.map(([, lng]) => lng * cos);
  const ys = points.map(([lat]) => lat);
  const spanX = Math.max(...xs) - Math.min(...xs);
  const spanY = Math.max(...ys) - Math.min(...ys);
  const scale = Math.min((width - 2 * pad) / (spanX || 1e-9), (height - 2 * pad) / (spanY || 1e-9));
  const x0 = (width - spanX * (spanX ? scale : 0)) / 2;
  const y0 = (height - spanY * (spanY ? scale : 0)) / 2;
  const at = (index) => [x0 + (xs[index] - Math.min(...xs)) * (spanX ? scale : 0),
    height - (y0 + (ys[index] - Math.min(...ys)) * (spanY ? scale : 0))];
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.classList.add("route-svg");
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", points.map((point, index) => at(index).map((value) => value.toFixed(1)).join(",")).join(" "));
  line.classList.add("route-line");
  svg.append(line);
  points.forEach((point, index) => {
    const [x, y] = at(index);
    const mark = document.createElementNS(SVG, index === 0 ? "rect" : "circle");
    if (index === 0) {
      mark.setAttribute("x", (x - 9).toFixed(1));
      mark.setAttribute("y", (y - 9).toFixed(1));
      mark.setAttribute("width", "18");
      mark.setAttribute("height", "18");
    } else {
      mark.setAttribute("cx", x.toFixed(1));
      mark.setAttribute("cy", y.toFixed(1));
      mark.setAttribute("r", "13");
    }
    mark.classList.add(index === 0 ? "route-start" : "route-stop-mark");
    svg.append(mark);
    const label = document.createElementNS(SVG, "text");
    label.classList.add(index === 0 ? "route-start-label" : "route-label");
    label.textContent = index === 0 ? t("worker.dayplan.start_mark") : String(index);
    if (index === 0) {
      // Beside the square, on the side with more room, clear of the line leaving it.
      const right = x < width / 2;
      label.setAttribute("x", (right ? x + 14 : x - 14).toFixed(1));
      label.setAttribute("text-anchor", right ? "start" : "end");
      label.setAttribute("y", (y + 6).toFixed(1));
    } else {
      label.setAttribute("x", x.toFixed(1));
      label.setAttribute("y", (y + 6).toFixed(1));
      label.setAttribute("text-anchor", "middle");
    }
    svg.append(label);
  });
  return svg;
}
