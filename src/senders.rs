//! Sender patterns: `anna@example.com`, `*@hr.example.com`, `*`.

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

#[cfg(test)]
mod tests {
    use super::*;

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
