//! `POST /v2/auth/token` and the bearer check on every other route.
//!
//! `personio-api.md` §1.2: an OAuth2 client-credentials grant, form-urlencoded only, with
//! scopes named `personio:<resource>:<read|write>`; a missing scope is 403 "Insufficient access
//! scope" in the v2 envelope.

use std::time::Instant;

use serde_json::{Map, Value, json};

use super::config::{
    SCOPE_ABSENCES_READ, SCOPE_ABSENCES_WRITE, SCOPE_ATTENDANCES_READ, SCOPE_ATTENDANCES_WRITE,
    SCOPE_PERSONS_READ, SCOPE_PERSONS_WRITE,
};
use super::faults::Route;
use super::reply::{self, Reply};
use super::state::{Ctx, State};

/// An issued access token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub scopes: Vec<String>,
    pub expires: Instant,
}

/// Handles the token endpoint.
pub(crate) fn issue(st: &mut State, ctx: &Ctx) -> Reply {
    let cfg = &st.config;
    if cfg.reject_accept_json_on_token
        && ctx
            .header("accept")
            .is_some_and(|a| a.to_ascii_lowercase().contains("application/json"))
    {
        return Reply::oauth_error(
            400,
            "invalid_request",
            "The Accept header application/json is not supported by this endpoint",
        );
    }
    let Some(params) = ctx.form() else {
        return Reply::oauth_error(
            400,
            "invalid_request",
            "The request body must be application/x-www-form-urlencoded",
        );
    };
    let Some(grant) = params.get("grant_type") else {
        return Reply::oauth_error(
            400,
            "invalid_request",
            "Required parameters missing: grant_type",
        );
    };
    if grant != "client_credentials" {
        return Reply::oauth_error(
            400,
            "unsupported_grant_type",
            "Only the client_credentials grant is supported",
        );
    }
    let (Some(id), Some(secret)) = (params.get("client_id"), params.get("client_secret")) else {
        return Reply::oauth_error(
            400,
            "invalid_request",
            "Required parameters missing: client_id, client_secret",
        );
    };
    if id != cfg.client_id {
        return Reply::oauth_error(
            cfg.bad_credentials_status,
            "invalid_client",
            "Client authentication failed",
        );
    }
    if secret != cfg.client_secret {
        return Reply::oauth_error(
            cfg.bad_credentials_status,
            "unauthorized_client",
            "Invalid client credentials",
        );
    }
    let asked: Vec<String> = params
        .get("scope")
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    if let Some(bad) = asked.iter().find(|s| !cfg.scopes.contains(s)) {
        return Reply::oauth_error(
            400,
            "invalid_scope",
            &format!("The scope {bad} is not granted to this client"),
        );
    }
    let scopes = if asked.is_empty() {
        cfg.scopes.clone()
    } else {
        asked
    };
    let access = format!("papi-{}", uuid::Uuid::new_v4().simple());
    let mut body = Map::new();
    body.insert("access_token".into(), json!(access));
    body.insert("token_type".into(), json!("Bearer"));
    if cfg.expires_in_field {
        body.insert("expires_in".into(), json!(cfg.token_ttl.as_secs()));
    }
    body.insert("scope".into(), json!(scopes.join(" ")));
    let expires = Instant::now() + cfg.token_ttl;
    st.tokens.insert(access, Token { scopes, expires });
    Reply::json(200, &Value::Object(body))
        .with_header("cache-control", "no-store")
        .with_header("pragma", "no-cache")
}

/// The scope a route needs.
fn needed_scope(route: Route) -> &'static str {
    match route {
        Route::Persons => SCOPE_PERSONS_READ,
        Route::CreatePerson | Route::PatchPerson => SCOPE_PERSONS_WRITE,
        Route::CreatePeriod | Route::PatchPeriod | Route::DeletePeriod => SCOPE_ATTENDANCES_WRITE,
        Route::ListAbsences | Route::GetAbsence | Route::AbsenceTypes => SCOPE_ABSENCES_READ,
        Route::CreateAbsence | Route::PatchAbsence | Route::DeleteAbsence => SCOPE_ABSENCES_WRITE,
        _ => SCOPE_ATTENDANCES_READ,
    }
}

/// Checks `Authorization: Bearer <token>`: 401 when missing, unknown or expired; 403 when the
/// token (or, since a `set_config`, the client) lacks the route's scope.
pub(crate) fn check(st: &State, ctx: &Ctx) -> Result<(), Reply> {
    let unauthorized = |detail: &str| reply::problem(401, "Unauthorized", detail);
    let Some(value) = ctx.header("authorization") else {
        return Err(unauthorized("Authorization is not provided"));
    };
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Err(unauthorized("Authorization must be a Bearer token")),
    };
    let Some(info) = st.tokens.get(token) else {
        return Err(unauthorized("The access token is invalid or has expired"));
    };
    if Instant::now() >= info.expires {
        return Err(unauthorized("The access token is invalid or has expired"));
    }
    let scope = needed_scope(ctx.route);
    if !info.scopes.iter().any(|s| s == scope) || !st.config.scopes.iter().any(|s| s == scope) {
        return Err(reply::problem(
            403,
            "Insufficient access scope",
            "Client scope insufficient to access resource",
        ));
    }
    Ok(())
}
