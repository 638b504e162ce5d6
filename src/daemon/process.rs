//! One mail, from the inbox to its folder.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

use super::screen::{self, bare};
use super::{Daemon, DaemonError};
use crate::importer::{ImportError, Importer, exports_of};
use crate::lang::Lang;
use crate::ledger::{self, Cycle, MailFacts, MailState};
use crate::mail::{self, Mail};
use crate::report::mail::{ReportContext, compose};
use crate::report::{FileReport, RowStatus, counts};
use crate::senders::{self, Trust};
use crate::source::{Destination, MailKey, SourceError};
use crate::target::personio::PersonioError;
use crate::target::{Outcome, Policy};

/// What became of a mail.
struct Handled {
    failed: bool,
    summary: String,
    /// `None`: nobody is to be told.
    report: Option<(Vec<FileReport>, Option<String>)>,
    reply_to_sender: bool,
}

/// Why a mail is left in the inbox for the next cycle.
enum Later {
    /// Some records could not be written now (Personio unreachable).
    Deferred,
    Error(DaemonError),
}

impl Daemon {
    pub(super) async fn process(
        &mut self,
        key: &MailKey,
        totals: &mut Cycle,
    ) -> Result<(), DaemonError> {
        let source = self.source.as_mut().ok_or(DaemonError::NoSource)?;
        let raw = match source.fetch(key).await {
            Ok(r) => r,
            Err(SourceError::Gone(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let sha = ledger::sha256_hex(&raw);
        let parsed = mail::read(&raw, &self.settings.mail_limits);
        let (message_id, from, subject) = match &parsed {
            Ok(m) => (m.message_id.clone(), m.from.clone(), m.subject.clone()),
            Err(_) => (None, None, None),
        };
        let entry = self.ledger.mail_begin(&MailFacts {
            mailbox: &key.mailbox,
            key: &key.id,
            message_id: message_id.as_deref(),
            sha256: &sha,
            sender: from.as_deref(),
            subject: subject.as_deref(),
        })?;
        match entry.state {
            MailState::Done => return self.move_mail(key, entry.id, Destination::Processed).await,
            MailState::Failed => return self.move_mail(key, entry.id, Destination::Failed).await,
            MailState::Processing => {}
        }
        totals.mails += 1;
        let max = i64::from(self.config.import.mail_attempts.max(1));
        let lang = self.settings.lang;
        let handled = if entry.attempts > max {
            tracing::error!(
                mail = key.id,
                attempts = entry.attempts - 1,
                "giving up on the mail"
            );
            Ok(gave_up(entry.attempts - 1, lang))
        } else {
            let last_try = entry.attempts == max;
            let fut = self.handle(parsed.as_ref(), entry.id, &sha, key, last_try);
            match AssertUnwindSafe(fut).catch_unwind().await {
                Ok(r) => r,
                Err(_) => {
                    tracing::error!(
                        mail = key.id,
                        attempt = entry.attempts,
                        "processing the mail panicked; it is tried again"
                    );
                    Err(Later::Error(DaemonError::Source(SourceError::Protocol(
                        "internal error while processing".into(),
                    ))))
                }
            }
        };
        let handled = match handled {
            Ok(h) => h,
            Err(Later::Deferred) => {
                tracing::warn!(
                    mail = key.id,
                    "some records could not be written now; the mail is tried again"
                );
                return Ok(());
            }
            // Personio itself is unreachable or refuses the credentials: no mail can get
            // through now, so the cycle stops; other errors stay with this mail.
            Err(Later::Error(
                e @ DaemonError::Import(ImportError::Personio(
                    PersonioError::Unauthorized(_)
                    | PersonioError::Forbidden(_)
                    | PersonioError::Unavailable { .. }
                    | PersonioError::RateLimited,
                )),
            )) => return Err(e),
            Err(Later::Error(e)) => {
                tracing::error!(mail = key.id, "mail left for the next cycle: {e}");
                return Ok(());
            }
        };
        add_counts(
            totals,
            handled
                .report
                .as_ref()
                .map(|(f, _)| f.as_slice())
                .unwrap_or(&[]),
        );
        let composed = match (&handled.report, parsed.as_ref().ok()) {
            (Some((files, notice)), mail) => {
                self.compose(mail, files, notice.clone(), handled.reply_to_sender)
            }
            (None, _) => None,
        };
        let report = composed.as_ref().map(|c| {
            (
                c.sender.as_str(),
                c.recipients.as_slice(),
                c.message.as_slice(),
            )
        });
        self.ledger
            .mail_finish(entry.id, handled.failed, &handled.summary, None, report)?;
        tracing::info!(
            mail = key.id,
            from = from.as_deref().unwrap_or(""),
            "{}",
            handled.summary
        );
        let dest = if handled.failed {
            Destination::Failed
        } else {
            Destination::Processed
        };
        self.move_mail(key, entry.id, dest).await
    }

    async fn move_mail(
        &mut self,
        key: &MailKey,
        mail_id: i64,
        to: Destination,
    ) -> Result<(), DaemonError> {
        let source = self.source.as_mut().ok_or(DaemonError::NoSource)?;
        match source.finish(key, to).await {
            Ok(()) | Err(SourceError::Gone(_)) => {
                self.ledger.mail_moved(mail_id)?;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn handle(
        &mut self,
        parsed: Result<&Mail, &mail::MailError>,
        mail_id: i64,
        sha: &str,
        key: &MailKey,
        last_try: bool,
    ) -> Result<Handled, Later> {
        let lang = self.settings.lang;
        let mail = match parsed {
            Ok(m) => m,
            Err(e) => {
                return Ok(Handled {
                    failed: true,
                    summary: format!("unreadable: {e}"),
                    report: Some((vec![], Some(notice_unreadable(&e.to_string(), lang)))),
                    reply_to_sender: false,
                });
            }
        };
        for p in &mail.problems {
            tracing::warn!(mail = key.id, "{p}");
        }
        let own = self.config.report.from.as_deref().map(bare);
        if screen::is_own(mail, own.as_deref()) {
            return Ok(Handled {
                failed: false,
                summary: "own report, not answered".into(),
                report: None,
                reply_to_sender: false,
            });
        }
        let hr = match senders::judge(
            mail.from.as_deref(),
            &mail.authentication_results,
            &self.config.senders,
        ) {
            Trust::Trusted { hr } => hr,
            untrusted => {
                let who = mail.from.clone().unwrap_or_else(|| "?".into());
                tracing::warn!(
                    mail = key.id,
                    from = who,
                    "sender not trusted ({untrusted:?}); nothing imported"
                );
                let notice = self
                    .config
                    .senders
                    .notify_rejected
                    .then(|| notice_untrusted(&who, &untrusted, lang));
                return Ok(Handled {
                    failed: true,
                    summary: format!("sender {who} not trusted"),
                    report: notice.map(|n| (vec![], Some(n))),
                    reply_to_sender: false,
                });
            }
        };
        let reply = !screen::no_reply_to_sender(mail);
        if let Some(earlier) = self
            .ledger
            .earlier_mail(mail_id, mail.message_id.as_deref(), sha)
            .map_err(|e| Later::Error(e.into()))?
        {
            let on = ledger::day_of(&earlier.first_seen);
            return Ok(Handled {
                failed: false,
                summary: format!("already processed on {on}"),
                report: Some((vec![], Some(notice_already(&on, lang)))),
                reply_to_sender: reply,
            });
        }
        let mut reports = Vec::new();
        let inputs = exports_of(mail, "", &self.settings.mail_limits, lang, &mut reports);
        if inputs.is_empty() && reports.is_empty() {
            // An automatic mail without an export is an auto-reply, a bounce or the like:
            // telling anyone about it could start a loop with another automatic responder.
            return Ok(Handled {
                failed: true,
                summary: "no export attached".into(),
                report: reply.then(|| (vec![], Some(notice_no_export(lang)))),
                reply_to_sender: reply,
            });
        }
        let policy = Policy {
            corrections: hr && self.config.import.corrections == crate::config::Corrections::Update,
            dry_run: false,
        };
        let mut importer = Importer {
            settings: &self.settings,
            ledger: &mut self.ledger,
            target: &mut self.target,
            lang,
        };
        let source = format!("mail {}", mail.message_id.as_deref().unwrap_or(&key.id));
        reports.extend(
            importer
                .run(inputs, &source, policy)
                .await
                .map_err(|e| Later::Error(e.into()))?,
        );
        let deferred = reports
            .iter()
            .flat_map(|f| &f.rows)
            .any(|r| matches!(r.status, RowStatus::Target(Outcome::Deferred(_))));
        if deferred && !last_try {
            return Err(Later::Deferred);
        }
        // Still not all written after the last attempt: the mail goes to the failed folder;
        // the records already planned are finished by a later import.
        Ok(Handled {
            failed: deferred,
            summary: counts(&reports).summary(Lang::En),
            report: Some((reports, None)),
            reply_to_sender: reply,
        })
    }

    fn compose(
        &self,
        mail: Option<&Mail>,
        files: &[FileReport],
        notice: Option<String>,
        reply_to_sender: bool,
    ) -> Option<crate::report::mail::ComposedReport> {
        let from = self.config.report.from.as_deref()?;
        let mut to: Vec<String> = self.config.report.to.clone();
        if reply_to_sender && let Some(sender) = mail.and_then(|m| m.from.clone()) {
            to.push(sender);
        }
        if to.is_empty() {
            return None;
        }
        let ctx = ReportContext {
            from,
            to,
            original_message_id: mail.and_then(|m| m.message_id.as_deref()),
            original_references: mail.and_then(|m| m.references.as_deref()),
            original_subject: mail.and_then(|m| m.subject.as_deref()),
            lang: self.settings.lang,
            notice,
        };
        match compose(&ctx, files) {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::error!("report could not be composed: {e}");
                None
            }
        }
    }
}

fn add_counts(totals: &mut Cycle, files: &[FileReport]) {
    let c = counts(files);
    totals.imported += c.imported as i64;
    totals.rejected += c.rejected as i64;
    totals.duplicates += c.duplicate as i64;
    totals.conflicts += c.conflict as i64;
    totals.failed += (c.failed + c.unreadable_files) as i64;
}

fn gave_up(attempts: i64, lang: Lang) -> Handled {
    Handled {
        failed: true,
        summary: format!("failed {attempts} times, given up"),
        report: Some((
            vec![],
            Some(match lang {
                Lang::De => format!(
                    "Die Mail konnte nach {attempts} Versuchen nicht verarbeitet werden und liegt im Ordner für fehlgeschlagene Mails. Bitte die Dateien prüfen und erneut senden."
                ),
                Lang::En => format!(
                    "The mail could not be processed after {attempts} attempts and was moved to the failed folder. Please check the files and send them again."
                ),
            }),
        )),
        reply_to_sender: true,
    }
}

fn notice_unreadable(why: &str, lang: Lang) -> String {
    match lang {
        Lang::De => {
            format!("Eine Mail konnte nicht gelesen werden ({why}); nichts wurde importiert.")
        }
        Lang::En => format!("A mail could not be read ({why}); nothing was imported."),
    }
}

fn notice_untrusted(who: &str, trust: &Trust, lang: Lang) -> String {
    let why = match (trust, lang) {
        (Trust::NotAuthenticated, Lang::De) => {
            "der Absender konnte nicht bestätigt werden (DKIM/SPF)"
        }
        (Trust::NotAuthenticated, Lang::En) => "the sender could not be verified (DKIM/SPF)",
        (_, Lang::De) => "der Absender ist nicht freigegeben (senders.allow)",
        (_, Lang::En) => "the sender is not allowed (senders.allow)",
    };
    match lang {
        Lang::De => format!(
            "Eine Mail von {who} wurde nicht importiert: {why}. Der Absender erhält keine Antwort."
        ),
        Lang::En => {
            format!("A mail from {who} was not imported: {why}. The sender gets no answer.")
        }
    }
}

fn notice_already(on: &str, lang: Lang) -> String {
    match lang {
        Lang::De => {
            format!("Diese Mail wurde bereits am {on} verarbeitet; nichts wurde erneut importiert.")
        }
        Lang::En => format!("This mail was already processed on {on}; nothing was imported again."),
    }
}

fn notice_no_export(lang: Lang) -> String {
    lang.pick(
        "Die Mail enthält keine Exportdatei (CSV, XLSX, XLS oder ODS); nichts wurde importiert.",
        "The mail carries no export file (CSV, XLSX, XLS or ODS); nothing was imported.",
    )
    .to_string()
}
