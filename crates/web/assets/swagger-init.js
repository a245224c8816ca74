// shenpi: starts the OpenAPI console on /api/docs.
// Loaded as a separate file (no inline script) after swagger-ui-bundle.js.
// persistAuthorization keeps the bearer token in localStorage, so it survives a reload.
// validatorUrl: null — never call the public online validator (no outside requests).
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("swagger-ui");
    var url = (el && el.getAttribute("data-url")) || "/api/openapi.json";
    window.ui = SwaggerUIBundle({
      url: url,
      dom_id: "#swagger-ui",
      persistAuthorization: true,
      deepLinking: true,
      validatorUrl: null
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
