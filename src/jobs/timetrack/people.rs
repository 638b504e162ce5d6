//! Employees as both systems hold them, the rule for new TimeTrack usernames, and which
//! employees a company chose to sync.

use std::collections::HashSet;

use super::reconcile::Content;
use crate::config::UsernameRule;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Lower-case e-mail address: the key on both sides.
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub active: bool,
}

impl Content for Person {
    fn fingerprint(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.email,
            self.first_name.trim(),
            self.last_name.trim(),
            if self.active { "active" } else { "inactive" }
        )
    }
}

/// Folds a name into TimeTrack's safe username letters: umlauts spelled out, accents
/// dropped, anything but `a-z0-9._-` left out.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.to_lowercase().chars() {
        match c {
            'ä' | 'æ' => out.push_str("ae"),
            'ö' | 'ø' | 'œ' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'à' | 'á' | 'â' | 'ã' | 'å' => out.push('a'),
            'ç' | 'č' | 'ć' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' | 'ń' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' => out.push('o'),
            'š' | 'ś' => out.push('s'),
            'ù' | 'ú' | 'û' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'ž' | 'ź' | 'ż' => out.push('z'),
            'a'..='z' | '0'..='9' | '.' | '_' | '-' | '@' => out.push(c),
            _ => {}
        }
    }
    out
}

/// The username a new TimeTrack user gets: by the rule, then `2`, `3`, … appended until
/// no existing username (compared without case) has it.
pub fn username_for(rule: UsernameRule, email: &str, taken: &HashSet<String>) -> String {
    let base = match rule {
        UsernameRule::EmailLocal => fold(email.split('@').next().unwrap_or(email)).replace('@', ""),
        UsernameRule::Email => fold(email),
    };
    let base = if base.is_empty() {
        "user".to_string()
    } else {
        base
    };
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|u| !taken.contains(u))
        .unwrap_or(base)
}

/// Whether an address matches one of the patterns (`*` matches any text, case ignored).
/// No patterns select everyone.
pub fn selected(email: &str, patterns: &[String]) -> bool {
    patterns.is_empty()
        || patterns
            .iter()
            .any(|p| glob(&p.to_lowercase(), &email.to_lowercase()))
}

fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(tail) = text.strip_prefix(head) else {
                return false;
            };
            (0..=tail.len())
                .filter(|i| tail.is_char_boundary(*i))
                .any(|i| glob(rest, &tail[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_documented_rule() {
        let mut taken = HashSet::new();
        assert_eq!(
            username_for(UsernameRule::EmailLocal, "Jörg.Groß@example.com", &taken),
            "joerg.gross"
        );
        taken.insert("joerg.gross".to_string());
        taken.insert("joerg.gross2".to_string());
        assert_eq!(
            username_for(UsernameRule::EmailLocal, "joerg.gross@other.de", &taken),
            "joerg.gross3"
        );
        assert_eq!(
            username_for(UsernameRule::Email, "Anna.M@Example.com", &taken),
            "anna.m@example.com"
        );
        assert_eq!(
            username_for(UsernameRule::EmailLocal, "ŽŽ+tag@x.de", &HashSet::new()),
            "zztag"
        );
        assert_eq!(
            username_for(UsernameRule::EmailLocal, "+++@x.de", &HashSet::new()),
            "user"
        );
    }

    #[test]
    fn patterns_select_addresses() {
        let p = vec!["*@werk1.example.com".to_string(), "chef@example.com".into()];
        assert!(selected("anna@werk1.example.com", &p));
        assert!(selected("CHEF@example.com", &p));
        assert!(!selected("anna@werk2.example.com", &p));
        assert!(selected("anyone@x.de", &[]));
        assert!(selected("a.b@x.de", &["a*b@*".to_string()]));
    }

    #[test]
    fn names_are_compared_without_surrounding_blanks() {
        let a = Person {
            email: "a@x.de".into(),
            first_name: "Anna ".into(),
            last_name: "M".into(),
            active: true,
        };
        let b = Person {
            first_name: "Anna".into(),
            ..a.clone()
        };
        assert_eq!(a.fingerprint(), b.fingerprint());
        let c = Person { active: false, ..b };
        assert_ne!(a.fingerprint(), c.fingerprint());
    }
}
