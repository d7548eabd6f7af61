// Starts Swagger UI on the docs page (/schema). A file of its own, served by the service, so that the
// page's Content-Security-Policy allows no inline script; the page names the OpenAPI document in data-spec-url.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    // null: Swagger UI would otherwise send the document's address to an outside validator and show its badge
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
