//! How zeitpost logs in to the mailbox and the SMTP server: a password, or an OAuth2 token
//! from the client-credentials grant.
//!
//! Microsoft 365 no longer takes passwords for IMAP and SMTP, so a company there can only
//! connect with a token that an app registration obtains for itself (no user present).

use serde::Deserialize;

use super::Secret;

/// `auth` in `[source]` and `[report]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// `username` and `password` (IMAP LOGIN / AUTHENTICATE PLAIN, SMTP AUTH).
    #[default]
    Password,
    /// SASL XOAUTH2 with a token from `[*.oauth2]`.
    OAuth2,
}

/// `[source.oauth2]` and `[report.oauth2]`: where the token comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Config {
    /// The token endpoint, e.g. `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`.
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Microsoft 365 wants the `.default` scope of Exchange Online for both IMAP and SMTP.
    #[serde(default = "default_scope")]
    pub scope: String,
}

fn default_scope() -> String {
    "https://outlook.office365.com/.default".into()
}

/// The checks for one section (`section` is `source` or `report`); returns the key at fault.
pub(super) fn check(
    section: &str,
    auth: AuthMethod,
    oauth2: Option<&OAuth2Config>,
    username: Option<&str>,
) -> Result<(), (String, String)> {
    let key = |k: &str| format!("{section}.{k}");
    match (auth, oauth2) {
        (AuthMethod::OAuth2, None) => Err((
            key("oauth2"),
            "required with auth = \"oauth2\": token_url, client_id and client_secret".into(),
        )),
        (AuthMethod::Password, Some(_)) => Err((
            key("auth"),
            "set auth = \"oauth2\" to use the oauth2 block, or remove the block".into(),
        )),
        (AuthMethod::OAuth2, Some(_)) if username.is_none_or(|u| u.trim().is_empty()) => Err((
            key("username"),
            "required with auth = \"oauth2\": the mailbox address the token acts for".into(),
        )),
        (AuthMethod::OAuth2, Some(o)) => {
            let url = o.token_url.trim();
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err((
                    key("oauth2.token_url"),
                    format!("{url:?} is not an http(s) URL"),
                ));
            }
            if o.client_id.trim().is_empty() {
                return Err((key("oauth2.client_id"), "must not be empty".into()));
            }
            if o.scope.trim().is_empty() {
                return Err((key("oauth2.scope"), "must not be empty".into()));
            }
            Ok(())
        }
        (AuthMethod::Password, None) => Ok(()),
    }
}
