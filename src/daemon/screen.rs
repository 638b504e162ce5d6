//! Which mails get an answer, and who gets it.
//!
//! Reports go to `report.to` and to the sender, except where answering would start a mail
//! loop or send backscatter: our own reports, bounces and delivery reports, auto-replies,
//! list and bulk mail. The terminal's own exports are automatic mail too; they are still
//! imported, only the terminal gets no answer.

use crate::mail::Mail;

/// The header zeitpost puts on its own reports.
pub const X_LOOP: &str = "zeitpost";

/// Whether the mail is one of our own reports (sent back, forwarded in, or looping).
pub fn is_own(mail: &Mail, own_address: Option<&str>) -> bool {
    mail.x_loop
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case(X_LOOP))
        || matches!((&mail.from, own_address), (Some(f), Some(o)) if f.eq_ignore_ascii_case(o))
}

/// Whether the sender must not get an answer.
pub fn no_reply_to_sender(mail: &Mail) -> bool {
    let auto = mail
        .auto_submitted
        .as_deref()
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("no"));
    let bounce = mail
        .return_path
        .as_deref()
        .is_some_and(|r| r.trim() == "<>")
        || mail.content_type.as_deref() == Some("multipart/report");
    let bulk = mail
        .precedence
        .as_deref()
        .is_some_and(|p| matches!(p, "bulk" | "list" | "junk" | "auto_reply"));
    auto || bounce || bulk || mail.from.is_none()
}

/// The bare address in `Name <addr>` or `addr`.
pub fn bare(address: &str) -> String {
    match (address.rfind('<'), address.rfind('>')) {
        (Some(a), Some(b)) if a < b => address[a + 1..b].trim().to_lowercase(),
        _ => address.trim().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> Mail {
        Mail {
            from: Some("terminal@example.com".into()),
            ..Mail::default()
        }
    }

    #[test]
    fn loops_and_automatic_mail_are_recognised() {
        assert!(!no_reply_to_sender(&mail()));
        assert!(no_reply_to_sender(&Mail {
            auto_submitted: Some("auto-generated".into()),
            ..mail()
        }));
        assert!(!no_reply_to_sender(&Mail {
            auto_submitted: Some("no".into()),
            ..mail()
        }));
        assert!(no_reply_to_sender(&Mail {
            return_path: Some("<>".into()),
            ..mail()
        }));
        assert!(no_reply_to_sender(&Mail {
            content_type: Some("multipart/report".into()),
            ..mail()
        }));
        assert!(no_reply_to_sender(&Mail {
            precedence: Some("bulk".into()),
            ..mail()
        }));
        assert!(is_own(
            &Mail {
                x_loop: Some("zeitpost".into()),
                ..mail()
            },
            None
        ));
        assert!(is_own(&mail(), Some("terminal@example.com")));
        assert!(!is_own(&mail(), Some("zeiten@example.com")));
        assert_eq!(
            bare("Zeiterfassung <Zeiten@Example.com>"),
            "zeiten@example.com"
        );
    }
}
