// Översikt, live: each `picture` event from /live updates its area's count of this week's occurrences and its trend.
// Without JavaScript the page still shows the counts as they were when it was loaded.
(function () {
  "use strict";
  var table = document.getElementById("overview");
  var status = document.getElementById("live-status");
  if (!table || !window.EventSource) { return; }
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
    var cell = row && row.querySelector('[data-field="occurrences"]');
    if (!cell) { return; }
    cell.textContent = String(change.occurrences);
    // The trend in words, as the server wrote it (the table's data-trend-* attributes hold the words).
    var words = { up: table.dataset.trendUp, down: table.dataset.trendDown, flat: table.dataset.trendFlat };
    var trend = row.querySelector('[data-field="trend"] .trend');
    if (trend && words[change.trend]) {
      trend.className = "trend trend--" + change.trend;
      trend.textContent = words[change.trend];
    }
    if (status) {
      var time = new Date().toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit" });
      var name = row.querySelector("th").textContent;
      status.textContent = "Uppdaterad " + time + ": " + name + " har " + change.occurrences + " förekomster denna vecka.";
    }
  });
})();
