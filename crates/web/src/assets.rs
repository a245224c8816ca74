//! Static assets embedded in the binary (no CDN): the stylesheet, htmx, the API console, and
//! the bpmn-js viewer for process diagrams (under `/assets/bpmn-js/`, see `VENDORED.md`).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// `(name, content type, bytes)` of every embedded asset.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/htmx.min.js"),
    ),
    (
        "swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/swagger-ui.css"),
    ),
    (
        "swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/swagger-ui-bundle.js"),
    ),
    (
        "swagger-init.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/swagger-init.js"),
    ),
    (
        "diagram.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/diagram.js"),
    ),
    (
        "forms.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/forms.js"),
    ),
];

/// The vendored bpmn-js viewer (`/assets/bpmn-js/{name}`). Pages ask for them with the version
/// in the query (`?v=18.31.1`), so they may be cached for a year.
const BPMN_JS: &[(&str, &str, &[u8])] = &[
    (
        "bpmn-viewer.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/bpmn-js/bpmn-viewer.production.min.js"),
    ),
    (
        "diagram-js.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/bpmn-js/diagram-js.css"),
    ),
    (
        "bpmn-js.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/bpmn-js/bpmn-js.css"),
    ),
    (
        "LICENSE-bpmn-js.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/bpmn-js/LICENSE-bpmn-js.txt"),
    ),
];

/// `GET /assets/bpmn-js/{name}`
pub async fn bpmn_js(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    match BPMN_JS.iter().find(|(n, _, _)| *n == name) {
        Some((_, ct, bytes)) => (
            [
                (header::CONTENT_TYPE, *ct),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// `GET /assets/{name}`
pub async fn asset(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, ct, bytes)) => (
            [
                (header::CONTENT_TYPE, *ct),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// `GET /api/docs` — the interactive API console (Swagger UI, embedded).
pub async fn api_docs() -> impl IntoResponse {
    axum::response::Html(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>shenpi API 文档 / API docs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/swagger-ui.css"></head>
<body><div id="swagger-ui" data-url="/api/openapi.json"></div>
<script src="/assets/swagger-ui-bundle.js"></script>
<script src="/assets/swagger-init.js"></script></body></html>"#,
    )
}
