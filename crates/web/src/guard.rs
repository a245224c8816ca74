//! Authentication and the route-level authorization decision.
//!
//! Every route in [`crate::routes`] declares an [`Access`]. The guard resolves the caller
//! (bearer token for the API, session cookie for pages), asks [`shenpi_app::policy::authorize`]
//! whether the caller's roles allow the declared action, audits denials, and checks the CSRF
//! token of every page form. Use cases then check region scope and ownership.

use crate::error::ApiError;
use crate::telemetry::RequestId;
use crate::{AppState, pages};
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shenpi_app::policy::{Action, authorize};
use shenpi_app::{AppError, Principal, RequestMeta};
use shenpi_domain::error::ErrorCode;
use std::net::SocketAddr;

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A signed-in caller whose roles allow the action.
    Signed(Action),
}

/// The session cookie of pages.
pub const SESSION_COOKIE: &str = "shenpi_session";
/// The double-submit CSRF cookie used before sign-in (the login and registration forms).
pub const PRE_CSRF_COOKIE: &str = "shenpi_csrf";

/// A cookie value from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Request facts for the audit trail.
pub fn request_meta(state: &AppState, req: &Request) -> RequestMeta {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let forwarded = state
        .config
        .trust_proxy
        .then(|| {
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                // The right-most entry is the one our proxy appended; earlier ones are whatever
                // the client sent.
                .and_then(|v| v.rsplit(',').next())
                .map(|s| s.trim().to_string())
                .filter(|s| s.parse::<std::net::IpAddr>().is_ok())
        })
        .flatten();
    RequestMeta {
        client_ip: forwarded.unwrap_or(peer),
        trace_id: req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.trace_id.clone()),
    }
}

fn target_of(req: &Request) -> String {
    format!("{} {}", req.method(), req.uri().path())
}

async fn deny(
    state: &AppState,
    p: Option<&Principal>,
    action: Action,
    target: String,
    meta: &RequestMeta,
) {
    if let Err(e) = state
        .app
        .record_denial(p, action.as_str(), &target, meta)
        .await
    {
        tracing::error!(error = %e, "could not audit a permission denial");
    }
}

/// The API guard: bearer tokens.
pub async fn api_guard(
    State((state, access)): State<(AppState, Access)>,
    mut req: Request,
    next: Next,
) -> Response {
    let meta = request_meta(&state, &req);
    req.extensions_mut().insert(meta.clone());
    let Access::Signed(action) = access else {
        return next.run(req).await;
    };
    let Some(token) = bearer(req.headers()).map(str::to_string) else {
        return ApiError::of(ErrorCode::UNAUTHENTICATED).into_response();
    };
    let p = match state.app.authenticate(&token).await {
        Ok(p) => p,
        Err(e) => return ApiError::from(e).into_response(),
    };
    if let Err(e) = authorize(&p, action, None) {
        let target = target_of(&req);
        deny(&state, Some(&p), action, target, &meta).await;
        return ApiError::from(e).into_response();
    }
    req.extensions_mut().insert(p);
    next.run(req).await
}

/// The page guard: session cookie, sign-in redirect, HTML 403, CSRF on every form.
pub async fn page_guard(
    State((state, access)): State<(AppState, Access)>,
    mut req: Request,
    next: Next,
) -> Response {
    let meta = request_meta(&state, &req);
    req.extensions_mut().insert(meta.clone());
    let token = cookie(req.headers(), SESSION_COOKIE).map(str::to_string);
    let principal = match token {
        Some(t) => match state.app.authenticate(&t).await {
            Ok(p) => Some(p),
            Err(AppError::Store(e)) => {
                return pages::error_page(
                    &state,
                    req.headers(),
                    None,
                    *ApiError::from(AppError::Store(e)).0,
                );
            }
            Err(_) => None,
        },
        None => None,
    };
    if let Access::Signed(action) = access {
        let Some(p) = &principal else {
            let next_url = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            return pages::redirect_to_login(next_url);
        };
        if let Err(e) = authorize(p, action, None) {
            let target = target_of(&req);
            deny(&state, Some(p), action, target, &meta).await;
            return pages::error_page(&state, req.headers(), Some(p), *ApiError::from(e).0);
        }
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let expected = match &principal {
            Some(p) => Some(p.csrf_token.clone()),
            None => cookie(req.headers(), PRE_CSRF_COOKIE).map(str::to_string),
        };
        let (parts, body) = req.into_parts();
        let boundary = multipart_boundary(&parts.headers);
        // Signed-in applicants may send material files in a multipart form.
        let limit = if boundary.is_some() && principal.is_some() {
            state.config.body_limit.max(pages::apply::UPLOAD_FORM_LIMIT)
        } else {
            state.config.body_limit
        };
        let bytes = match to_bytes(body, limit).await {
            Ok(b) => b,
            Err(_) => return ApiError::of(ErrorCode::PAYLOAD_TOO_LARGE).into_response(),
        };
        let given = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| match &boundary {
                Some(b) => multipart_field(&bytes, b, "csrf"),
                None => form_field(&bytes, "csrf"),
            });
        let ok = matches!((&expected, &given), (Some(e), Some(g)) if !e.is_empty() && e == g);
        if !ok {
            return pages::error_page(
                &state,
                &parts.headers,
                principal.as_ref(),
                *ApiError::of(ErrorCode::CSRF_INVALID).0,
            );
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    if let Some(p) = principal {
        req.extensions_mut().insert(p);
    }
    next.run(req).await
}

/// The boundary of a `multipart/form-data` body.
fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    let mut parts = ct.split(';');
    if !parts
        .next()?
        .trim()
        .eq_ignore_ascii_case("multipart/form-data")
    {
        return None;
    }
    parts
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|b| !b.is_empty())
}

/// One text field of a `multipart/form-data` body (the first part named `name`).
fn multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let delimiter = format!("--{boundary}");
    let wanted = format!("name=\"{name}\"");
    let mut rest = body;
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        rest = &rest[at + delimiter.len()..];
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        let is_wanted = disposition.split(';').any(|p| p.trim() == wanted.as_str());
        if is_wanted && !disposition.contains("filename=") {
            let value = &rest[head_end + 4..];
            let end = find(value, format!("\r\n{delimiter}").as_bytes())?;
            return std::str::from_utf8(&value[..end]).ok().map(str::to_string);
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One field of an `application/x-www-form-urlencoded` body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_field_of_a_multipart_body_is_found() {
        let mut h = HeaderMap::new();
        h.insert(
            "content-type",
            "multipart/form-data; boundary=XyZ".parse().unwrap(),
        );
        let b = multipart_boundary(&h).unwrap();
        assert_eq!(b, "XyZ");
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"material-a\"; filename=\"csrf\"\r\n\r\nname=\"csrf\"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nt0k\r\n--XyZ--\r\n";
        assert_eq!(multipart_field(body, &b, "csrf").as_deref(), Some("t0k"));
        assert_eq!(multipart_field(body, &b, "region"), None);
        h.insert(
            "content-type",
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        assert_eq!(multipart_boundary(&h), None);
    }

    #[test]
    fn cookies_and_form_fields_are_found() {
        let mut h = HeaderMap::new();
        h.insert(
            "cookie",
            "a=1; shenpi_session=abc; lang=en".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "nope"), None);
        assert_eq!(
            form_field(b"username=x&csrf=t0k", "csrf").as_deref(),
            Some("t0k")
        );
    }
}
