// The explorer's one callback (run by Bokeh's CustomJS with the arguments named in page.py).
// D is the page's data (see page.py, _page_data): days (ISO), controllers (ids), colours, labels,
// and per reading "changes": for each place a flat list [day, controller code, uncertain, ...]
// of the days on which its state changes (not the full place-by-day matrix).
// It recolours the places for the slider's day, reading and filters; moves the share chart's
// marker; fills the details box for a tapped place; and writes the state into
// document.body.dataset (day, reading, controllers: {place id: controller}) for tests and scripts.
const day = Math.round(slider.value), iso = D.days[day], changes = D.changes[reading.value];
if (cb_obj === datebox) {                       // the date box: YYYY-MM-DD -> slider
  const i = D.days.indexOf(datebox.value.trim());
  if (i >= 0 && i !== day) { slider.value = i; return; }  // the slider's own change runs this again
  if (i < 0) { datebox.value = iso; return; }
}
if (cb_obj === play) {                          // play/pause: one day every 400 ms, stop at the end
  if (window._sdTimer) { clearInterval(window._sdTimer); window._sdTimer = null; play.label = "\u25B6 play"; }
  else {
    play.label = "\u23F8 pause";
    window._sdTimer = setInterval(() => {
      if (slider.value >= D.days.length - 1) { clearInterval(window._sdTimer); window._sdTimer = null; play.label = "\u25B6 play"; }
      else slider.value = slider.value + 1;
    }, 400);
  }
  return;
}
const n = src.data.place_id.length, colour = [], alpha = [], ring = [], width = [], who = [], held = {};
for (let p = 0; p < n; p++) {
  const c = changes[p]; let code = -1, unc = 0;
  for (let k = 0; k < c.length && c[k] <= day; k += 3) { code = c[k + 1]; unc = c[k + 2]; }
  const id = code < 0 ? "" : D.controllers[code];
  const shown = (actor.value === "all" || id === actor.value) &&
                (episode.value === "all" || D.episodes[p].includes(episode.value));
  held[src.data.place_id[p]] = id;
  who.push(code < 0 ? "no record" : D.labels[code]);
  colour.push(code < 0 ? "#ffffff" : D.colours[code]);
  alpha.push(shown ? 0.95 : 0.12);
  ring.push(unc ? "#000000" : "#ffffff");       // a black ring: the day lies inside a change's window
  width.push(unc ? 3 : 0.8);
}
src.data = Object.assign({}, src.data, {colour: colour, alpha: alpha, ring: ring, ring_width: width, who: who});
span.location = Date.parse(iso);
share.data = D.shares[reading.value];
if (datebox.value !== iso) datebox.value = iso;
slider.title = "day " + iso;
const sel = src.selected.indices;                // details of the tapped place: spells, nearest change's sources
if (sel.length) {
  const p = sel[0], ev = D.events[p];
  let best = null, dist = Infinity;
  for (const e of ev) { const d = day < e[0] ? e[0] - day : (day > e[1] ? day - e[1] : 0); if (d < dist) { dist = d; best = e; } }
  info.text = D.heads[p] + "<p><b>held by " + who[p] + " on " + iso + "</b></p>" + D.spells[p] +
              "<p><b>sources of the change nearest " + iso + ":</b></p>" + (best ? best[2] : "none");
}
document.body.dataset.day = iso;
document.body.dataset.reading = reading.value;
document.body.dataset.selected = sel.length ? src.data.place_id[sel[0]] : "";
document.body.dataset.controllers = JSON.stringify(held);
