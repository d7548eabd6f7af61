// Översikt, live: each `picture` event from /live updates its area's row (this week's occurrences, the trend,
// the level and the open actions) and its shape on the map. Without JavaScript the page still shows the area
// as it was when the page was loaded.
(function () {
  "use strict";
  var table = document.getElementById("overview");
  var status = document.getElementById("live-status");
  if (!table || !window.EventSource) { return; }
  // The words as the server wrote them (the table's data-trend-* and data-level-* attributes hold them).
  var trends = { up: table.dataset.trendUp, down: table.dataset.trendDown, flat: table.dataset.trendFlat };
  var levels = {
    green: table.dataset.levelGreen, yellow: table.dataset.levelYellow, red: table.dataset.levelRed,
    none: table.dataset.levelNone
  };

  function field(row, name) { return row.querySelector('[data-field="' + name + '"]'); }

  // The map's text alternative names each area's level ("Nivå per område: Centrum grön, ..."), as the
  // server wrote it from the same rows: rebuilt from the table when a level changes, the rest of it kept.
  var mapDescription = document.querySelector("svg.map > desc");
  function levelsInWords() {
    var said = [];
    document.querySelectorAll(".map__shape[data-area-id]").forEach(function (shape) {
      var row = table.querySelector('tr[data-area-id="' + CSS.escape(shape.getAttribute("data-area-id")) + '"]');
      if (!row) { return; }
      said.push(row.querySelector("th").textContent + " " + field(row, "level").textContent.trim().toLowerCase());
    });
    return "Nivå per område: " + said.join(", ") + ".";
  }
  var asLoaded = mapDescription ? levelsInWords() : "";
  var mapDescriptionRest = mapDescription && mapDescription.textContent.indexOf(asLoaded) === 0 ?
    mapDescription.textContent.slice(asLoaded.length) : null;  // null: not as expected, left alone

  function showLevel(row, areaId, code) {
    var word = levels[code];
    var level = field(row, "level");
    var badge = level && level.querySelector(".level");
    if (!badge || !word) { return; }
    badge.className = "level level--" + code;
    badge.textContent = word;
    // The map (if the area has a boundary): its shape's colour and tooltip, and its label's second line.
    var found = '[data-area-id="' + CSS.escape(areaId) + '"]';
    var shape = document.querySelector(".map__shape" + found);
    if (shape) {
      shape.setAttribute("class", "map__shape map__shape--" + code);
      var tooltip = shape.querySelector("title");
      if (tooltip) { tooltip.textContent = row.querySelector("th").textContent + ": " + word; }
    }
    var lines = document.querySelectorAll(".map__label" + found + " tspan");
    if (lines.length > 1) { lines[lines.length - 1].textContent = word; }
    if (shape && mapDescriptionRest !== null) { mapDescription.textContent = levelsInWords() + mapDescriptionRest; }
  }

  // The changes after the position the table was computed at: none made meanwhile is missed.
  var source = new EventSource("/live?after=" + encodeURIComponent(table.dataset.position || "0"));
  source.addEventListener("open", function () { table.dataset.live = "open"; });
  // The session has ended: the server closes the stream; do not reconnect.
  source.addEventListener("expired", function () {
    source.close();
    table.dataset.live = "closed";
    if (status) { status.textContent = "Sessionen har gått ut. Logga in igen för att se uppdateringar."; }
  });
  source.addEventListener("picture", function (message) {
    var change = JSON.parse(message.data);
    if (change.week !== table.dataset.week) { return; }
    var row = table.querySelector('tr[data-area-id="' + CSS.escape(change.area_id) + '"]');
    var cell = row && field(row, "occurrences");
    if (!cell) { return; }
    cell.textContent = String(change.occurrences);
    var trend = row.querySelector('[data-field="trend"] .trend');
    if (trend && trends[change.trend]) {
      trend.className = "trend trend--" + change.trend;
      trend.textContent = trends[change.trend];
    }
    showLevel(row, change.area_id, change.level || "none");
    var open = field(row, "open_actions");
    if (open && typeof change.open_actions === "number") { open.textContent = String(change.open_actions); }
    if (status) {
      var time = new Date().toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit" });
      var name = row.querySelector("th").textContent;
      status.textContent = "Uppdaterad " + time + ": " + name + " har " + change.occurrences +
        " förekomster denna vecka och nivån " + levels[change.level || "none"] + ".";
    }
  });
})();
