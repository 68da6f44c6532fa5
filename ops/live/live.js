// The dispatch screen: vehicles and job sites drawn from their coordinates, moved
// as the feed's events arrive (EventSource resumes with Last-Event-ID by itself).
(function () {
  const svg = document.getElementById("map"), log = document.getElementById("log"), state = document.getElementById("state");
  const ns = "http://www.w3.org/2000/svg";
  const things = new Map(); // id → {lat, lon, kind, el, label}
  let box = null; // the bounds of everything seen, so the drawing fits them
  function fit(lat, lon) {
    if (!box) box = {minLat: lat, maxLat: lat, minLon: lon, maxLon: lon};
    box.minLat = Math.min(box.minLat, lat); box.maxLat = Math.max(box.maxLat, lat);
    box.minLon = Math.min(box.minLon, lon); box.maxLon = Math.max(box.maxLon, lon);
  }
  function xy(lat, lon) {
    const w = Math.max(box.maxLon - box.minLon, 0.01), h = Math.max(box.maxLat - box.minLat, 0.01);
    return [50 + 900 * (lon - box.minLon) / w, 550 - 500 * (lat - box.minLat) / h];
  }
  function redraw() {
    for (const t of things.values()) {
      const [x, y] = xy(t.lat, t.lon);
      if (t.kind === "vehicle") { t.el.setAttribute("cx", x); t.el.setAttribute("cy", y); }
      else { t.el.setAttribute("x", x - 5); t.el.setAttribute("y", y - 5); }
      t.label.setAttribute("x", x + 8); t.label.setAttribute("y", y + 4);
    }
  }
  function place(id, kind, lat, lon, name) {
    if (typeof lat !== "number" || typeof lon !== "number") return;
    let t = things.get(kind + id);
    if (!t) {
      const el = document.createElementNS(ns, kind === "vehicle" ? "circle" : "rect");
      if (kind === "vehicle") el.setAttribute("r", 6); else { el.setAttribute("width", 10); el.setAttribute("height", 10); }
      el.setAttribute("class", kind); el.setAttribute("id", kind + "-" + id);
      const label = document.createElementNS(ns, "text"); label.textContent = name || id;
      svg.appendChild(el); svg.appendChild(label);
      t = {el, label, kind};
      things.set(kind + id, t);
    }
    t.lat = lat; t.lon = lon; t.el.dataset.lat = lat; t.el.dataset.lon = lon;
    fit(lat, lon); redraw();
  }
  const es = new EventSource("events");
  es.onopen = () => { state.textContent = "live"; };
  es.onerror = () => { state.textContent = "reconnecting…"; };
  es.addEventListener("dispatch.geotab.position", (e) => {
    const p = JSON.parse(e.data);
    place(p.vehicle_id, "vehicle", p.latitude, p.longitude);
    log.textContent = "vehicle " + p.vehicle_id + " at " + p.latitude.toFixed(4) + ", " + p.longitude.toFixed(4);
  });
  // a job site is drawn where its assignment puts it, labelled with its request;
  // a zone no assignment placed, where a vehicle entered it
  es.addEventListener("dispatch.assignment", (e) => {
    const a = JSON.parse(e.data);
    place(a.zone_id, "site", a.site.latitude, a.site.longitude, a.service_request_id);
    log.textContent = "request " + a.service_request_id + ": vehicle " + a.vehicle_id + ", technician " + a.technician_id;
  });
  es.addEventListener("dispatch.geotab.geofence", (e) => {
    const g = JSON.parse(e.data), v = things.get("vehicle" + g.vehicle_id);
    if (g.kind === "entered" && v && !things.has("site" + g.zone_id)) place(g.zone_id, "site", v.lat, v.lon);
  });
})();
