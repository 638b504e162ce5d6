//! Who may import: sender patterns (`anna@example.com`, `*@hr.example.com`, `*`) and,
//! where configured, proof that the sender is who the From header says.
//!
//! A From header is easy to forge. With `senders.require_auth`, a sender is trusted only
//! when the `Authentication-Results` header that the receiving server added (the one
//! carrying `senders.authserv_id`, so a sender cannot bring their own) says `dkim=pass`
//! for the From domain or `spf=pass` for a mail-from in that domain.

use crate::config::SendersConfig;

/// Whether `address` matches `pattern`; case does not matter, `*` stands for any text.
pub fn matches(pattern: &str, address: &str) -> bool {
    let p = pattern.trim().to_lowercase();
    let a = address.trim().to_lowercase();
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == a;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !a.starts_with(first) || !a.ends_with(last) || a.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &a[first.len()..a.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

pub fn matches_any(patterns: &[String], address: &str) -> bool {
    patterns.iter().any(|p| matches(p, address))
}

/// Whether a mail's sender may import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Allowed; `hr` senders may correct earlier records.
    Trusted { hr: bool },
    /// The From address matches no `senders.allow` pattern (or there is none).
    NotAllowed,
    /// Allowed by pattern, but not proven by the receiving server.
    NotAuthenticated,
}

pub fn judge(from: Option<&str>, authentication_results: &[String], cfg: &SendersConfig) -> Trust {
    let Some(from) = from else {
        return Trust::NotAllowed;
    };
    if !matches_any(&cfg.allow, from) {
        return Trust::NotAllowed;
    }
    if cfg.require_auth {
        let domain = from
            .rsplit_once('@')
            .map(|(_, d)| d.to_lowercase())
            .unwrap_or_default();
        let server = cfg.authserv_id.as_deref().unwrap_or("");
        let proven = authentication_results
            .iter()
            .filter(|h| authserv_id(h).eq_ignore_ascii_case(server) && !server.is_empty())
            .any(|h| passes(h, &domain));
        if !proven {
            return Trust::NotAuthenticated;
        }
    }
    Trust::Trusted {
        hr: matches_any(&cfg.hr, from),
    }
}

/// The server that wrote an `Authentication-Results` header: its first token.
fn authserv_id(header: &str) -> &str {
    header
        .split(';')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .next()
        .unwrap_or("")
}

/// Whether a result says `dkim=pass` for `domain` (header.d / header.i) or `spf=pass`
/// with a mail-from in `domain`.
fn passes(header: &str, domain: &str) -> bool {
    header.split(';').skip(1).any(|result| {
        let words: Vec<String> = result
            .split_whitespace()
            .map(|w| w.to_lowercase())
            .collect();
        let Some(method) = words.first() else {
            return false;
        };
        let value = |key: &str| {
            words
                .iter()
                .find_map(|w| w.strip_prefix(key))
                .map(|v| v.trim_matches(|c| c == '"' || c == ';' || c == ')' || c == '('))
        };
        let in_domain = |v: &str| {
            let d = v.rsplit('@').next().unwrap_or(v);
            d == domain
        };
        match method.as_str() {
            "dkim=pass" => {
                value("header.d=").is_some_and(in_domain)
                    || value("header.i=").is_some_and(in_domain)
            }
            "spf=pass" => value("smtp.mailfrom=").is_some_and(in_domain),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(require_auth: bool) -> SendersConfig {
        SendersConfig {
            allow: vec!["terminal@example.com".into(), "*@hr.example.com".into()],
            hr: vec!["*@hr.example.com".into()],
            require_auth,
            authserv_id: Some("mx.example.com".into()),
            ..SendersConfig::default()
        }
    }

    #[test]
    fn allow_and_hr_patterns() {
        assert_eq!(
            judge(Some("terminal@example.com"), &[], &cfg(false)),
            Trust::Trusted { hr: false }
        );
        assert_eq!(
            judge(Some("lohn@hr.example.com"), &[], &cfg(false)),
            Trust::Trusted { hr: true }
        );
        assert_eq!(
            judge(Some("mallory@example.org"), &[], &cfg(false)),
            Trust::NotAllowed
        );
        assert_eq!(judge(None, &[], &cfg(false)), Trust::NotAllowed);
        assert_eq!(
            judge(Some("a@b.c"), &[], &SendersConfig::default()),
            Trust::NotAllowed,
            "an empty list trusts nobody"
        );
    }

    #[test]
    fn authentication_results_of_our_server_only() {
        let ok = "mx.example.com; dkim=pass header.d=example.com header.s=s1; spf=fail smtp.mailfrom=x@evil.org".to_string();
        assert_eq!(
            judge(Some("terminal@example.com"), &[ok], &cfg(true)),
            Trust::Trusted { hr: false }
        );
        let spf = "mx.example.com; spf=pass smtp.mailfrom=terminal@example.com".to_string();
        assert_eq!(
            judge(Some("terminal@example.com"), &[spf], &cfg(true)),
            Trust::Trusted { hr: false }
        );
        let forged = "evil.example.org; dkim=pass header.d=example.com".to_string();
        assert_eq!(
            judge(Some("terminal@example.com"), &[forged], &cfg(true)),
            Trust::NotAuthenticated
        );
        let other_domain = "mx.example.com; dkim=pass header.d=evil.org".to_string();
        assert_eq!(
            judge(Some("terminal@example.com"), &[other_domain], &cfg(true)),
            Trust::NotAuthenticated
        );
        let failed = "mx.example.com; dkim=fail header.d=example.com".to_string();
        assert_eq!(
            judge(Some("terminal@example.com"), &[failed], &cfg(true)),
            Trust::NotAuthenticated
        );
    }

    #[test]
    fn patterns() {
        assert!(matches("terminal@example.com", "Terminal@Example.com"));
        assert!(matches("*@hr.example.com", "anna@hr.example.com"));
        assert!(!matches(
            "*@hr.example.com",
            "anna@evil-hr.example.com.attacker.org"
        ));
        assert!(!matches("*@hr.example.com", "anna@xhr.example.com"));
        assert!(!matches("*@hr.example.com", "@hr.example.co"));
        assert!(matches("*", "x@y.z"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("a*b*c", "ac"));
        assert!(!matches(
            "terminal@example.com",
            "terminal@example.com.evil"
        ));
    }
}
