//! The OAuth2 token endpoint and the bearer check on every API route.
//!
//! `sources.md` §3.2: client credentials, form POST with `grant_type`, `client_id`,
//! `client_secret` and the default scope `timrclient openid`; the answer has `access_token` and
//! maybe `expires_in`. The spec's bearer format is `uuid`, so tokens are UUIDs.

use std::time::Instant;

use serde_json::{Map, Value, json};

use super::reply::{Problem, Reply};
use super::state::{Ctx, State};

/// Scopes a client may ask for.
const SCOPES: [&str; 2] = ["timrclient", "openid"];

/// Handles `POST /id/oauth2/token`.
pub(crate) fn issue(st: &mut State, ctx: &Ctx) -> Reply {
    let Some(params) = ctx.form() else {
        return Reply::oauth_error(
            400,
            "invalid_request",
            "The body must be application/x-www-form-urlencoded",
        );
    };
    match params.get("grant_type") {
        Some("client_credentials") => {}
        Some(_) => {
            return Reply::oauth_error(
                400,
                "unsupported_grant_type",
                "Only client_credentials is supported",
            );
        }
        None => return Reply::oauth_error(400, "invalid_request", "grant_type is missing"),
    }
    let cfg = &st.config;
    if params.get("client_id") != Some(cfg.client_id.as_str())
        || params.get("client_secret") != Some(cfg.client_secret.as_str())
    {
        return Reply::oauth_error(401, "invalid_client", "Client authentication failed");
    }
    let scope = params
        .get("scope")
        .unwrap_or("timrclient openid")
        .to_owned();
    if let Some(bad) = scope.split_whitespace().find(|s| !SCOPES.contains(s)) {
        return Reply::oauth_error(400, "invalid_scope", &format!("Unknown scope {bad}"));
    }
    let token = uuid::Uuid::new_v4().to_string();
    let mut body = Map::new();
    body.insert("access_token".into(), json!(token));
    body.insert("token_type".into(), json!("Bearer"));
    if cfg.expires_in_field {
        body.insert("expires_in".into(), json!(cfg.token_ttl.as_secs()));
    }
    body.insert("scope".into(), json!(scope));
    let expires = Instant::now() + cfg.token_ttl;
    st.tokens.insert(token, expires);
    Reply::json(200, &Value::Object(body)).with_header("cache-control", "no-store")
}

/// Checks `Authorization: Bearer <token>`: 401 when missing, unknown or expired.
pub(crate) fn check(st: &State, ctx: &Ctx) -> Result<(), Reply> {
    let token = ctx
        .header("authorization")
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    let valid = token
        .and_then(|t| st.tokens.get(t))
        .is_some_and(|expires| Instant::now() < *expires);
    if valid {
        return Ok(());
    }
    let p = Problem::new(
        401,
        "auth/unauthorized",
        "The access token is missing, invalid or expired",
    );
    Err(st
        .err(&p)
        .with_header("www-authenticate", "Bearer error=\"invalid_token\""))
}
