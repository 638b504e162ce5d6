//! The whole import for a set of files: parse, validate, write to the target, report.
//!
//! Files are parsed first and their records written as one batch, so a batch costs one
//! person look-up and one read of the persons' periods, however many files it spans.

use crate::config::{Config, ConfigError, SecretError};
use crate::ingest::{self, Settings};
use crate::lang::Lang;
use crate::ledger::{self, Ledger, LedgerError};
use crate::mail;
use crate::records::Outcome as RowOutcome;
use crate::report::{FileReport, RowReport, RowStatus};
use crate::target::outbox::{Outbox, OutboxError};
use crate::target::personio::{self, PersonioError, PersonioTarget};
use crate::target::{Item, Policy};

/// Where records go.
pub enum Target {
    Personio(Box<PersonioTarget>),
    Outbox(Outbox),
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("personio.client_secret: {0}")]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Personio(#[from] PersonioError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
}

impl Target {
    /// Personio when `[personio]` is configured, else the outbox.
    pub fn from_config(config: &Config) -> Result<Target, ImportError> {
        Ok(match &config.personio {
            Some(p) => {
                let client = personio::Client::new(personio::Settings {
                    base_url: p.base_url.clone(),
                    client_id: p.client_id.clone(),
                    client_secret: p.client_secret.resolve()?,
                    partner_id: p.partner_id.clone(),
                    app_id: p.app_id.clone(),
                    skip_approval: p.skip_approval,
                    max_rps: p.max_rps,
                    timeout: p.timeout,
                    attempts: p.attempts,
                })?;
                Target::Personio(Box::new(PersonioTarget::new(
                    client,
                    p.break_mode,
                    p.day_end,
                )))
            }
            None => Target::Outbox(Outbox::new(&config.outbox_dir())),
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Target::Personio(_) => personio::TARGET,
            Target::Outbox(_) => crate::target::outbox::TARGET,
        }
    }

    async fn write(
        &mut self,
        ledger: &mut Ledger,
        items: &[Item],
        policy: Policy,
    ) -> Result<Vec<crate::target::Outcome>, ImportError> {
        Ok(match self {
            Target::Personio(t) => t.import(ledger, items, policy).await?,
            Target::Outbox(o) => o.import(ledger, items, policy)?,
        })
    }
}

/// One file to import, with a label for the report.
pub struct Input {
    pub label: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Splits mails into their export attachments; other files pass through.
pub fn inputs_from(
    label: &str,
    bytes: Vec<u8>,
    limits: &mail::MailLimits,
    lang: Lang,
    reports: &mut Vec<FileReport>,
) -> Vec<Input> {
    let name = label.rsplit('/').next().unwrap_or(label).to_string();
    if !ingest::looks_like_mail(label, &bytes) {
        return vec![Input {
            label: label.to_string(),
            name,
            bytes,
        }];
    }
    match mail::read(&bytes, limits) {
        Ok(m) => {
            let inputs = exports_of(&m, &format!("{label}/"), limits, lang, reports);
            if inputs.is_empty() && !m.attachments.iter().any(|a| a.is_export()) {
                reports.push(FileReport {
                    name: label.to_string(),
                    error: Some(no_export(lang)),
                    ..FileReport::default()
                });
            }
            inputs
        }
        Err(e) => {
            reports.push(FileReport {
                name: label.to_string(),
                error: Some(e.to_string()),
                ..FileReport::default()
            });
            Vec::new()
        }
    }
}

/// The export attachments of a mail as inputs; one too large to read gets a report of
/// its own instead.
pub fn exports_of(
    mail: &mail::Mail,
    prefix: &str,
    limits: &mail::MailLimits,
    lang: Lang,
    reports: &mut Vec<FileReport>,
) -> Vec<Input> {
    let mut inputs = Vec::new();
    for a in mail.attachments.iter().filter(|a| a.is_export()) {
        let label = format!("{prefix}{}", a.name);
        if a.oversized {
            let e = crate::parse::FileError::TooLarge {
                size: limits.attachment_bytes + 1,
                limit: limits.attachment_bytes,
            };
            reports.push(FileReport {
                name: label,
                error: Some(e.reason(lang)),
                ..FileReport::default()
            });
            continue;
        }
        inputs.push(Input {
            label,
            name: a.name.clone(),
            bytes: a.bytes.clone(),
        });
    }
    inputs
}

fn no_export(lang: Lang) -> String {
    lang.pick(
        "Die Mail enthält keine Exportdatei (CSV, XLSX, XLS oder ODS).",
        "The mail carries no export file (CSV, XLSX, XLS or ODS).",
    )
    .to_string()
}

pub struct Importer<'a> {
    pub settings: &'a Settings,
    pub ledger: &'a mut Ledger,
    pub target: &'a mut Target,
    pub lang: Lang,
}

impl Importer<'_> {
    /// Imports the files as one batch; `source` says where they came from (for the ledger).
    pub async fn run(
        &mut self,
        inputs: Vec<Input>,
        source: &str,
        policy: Policy,
    ) -> Result<Vec<FileReport>, ImportError> {
        let mut reports = Vec::with_capacity(inputs.len());
        let mut items = Vec::new();
        // (file index, row index) of each item's row in `reports`.
        let mut places = Vec::new();
        let mut shas = Vec::with_capacity(inputs.len());
        for input in &inputs {
            let sha = ledger::sha256_hex(&input.bytes);
            let seen_before = self
                .ledger
                .file_seen(&sha)?
                .map(|(_, at)| ledger::day_of(&at));
            let mut report = FileReport {
                name: input.label.clone(),
                seen_before,
                ..FileReport::default()
            };
            let file_index = reports.len();
            let read = ingest::read_file(
                &input.name,
                &input.bytes,
                self.settings,
                None,
                &mut |row, outcome| {
                    let status = RowStatus::from_parse(&outcome);
                    let (employee, date, cells) = match &outcome {
                        RowOutcome::Ok(r) | RowOutcome::Duplicate { record: r, .. } => {
                            (Some(r.employee.clone()), Some(r.date), Vec::new())
                        }
                        RowOutcome::Rejected(r) => {
                            if report.header.is_none() && !r.header.is_empty() {
                                report.header = Some(r.header.clone());
                            }
                            (r.employee.clone(), r.date, r.cells.clone())
                        }
                    };
                    if let RowOutcome::Ok(record) = outcome {
                        places.push((file_index, report.rows.len()));
                        items.push(Item {
                            row: row.clone(),
                            record,
                            file_sha256: sha.clone(),
                        });
                    }
                    report.rows.push(RowReport {
                        row,
                        employee,
                        date,
                        // Filled in once the target has spoken.
                        status: status.unwrap_or(RowStatus::Target(
                            crate::target::Outcome::Deferred(String::new()),
                        )),
                        cells,
                    });
                },
            );
            if let Err(e) = read {
                report.error = Some(e.reason(self.lang));
            }
            shas.push((sha, input.label.clone(), report.error.is_none()));
            reports.push(report);
        }
        if !items.is_empty() {
            let outcomes = self.target.write(self.ledger, &items, policy).await?;
            for ((file, row), outcome) in places.into_iter().zip(outcomes) {
                reports[file].rows[row].status = RowStatus::Target(outcome);
            }
        }
        // A file is noted as received once it went through; a file with records still
        // waiting for Personio comes again and must not be called "already received".
        let deferred = reports.iter().flat_map(|f| &f.rows).any(|r| {
            matches!(
                r.status,
                RowStatus::Target(crate::target::Outcome::Deferred(_))
            )
        });
        if !policy.dry_run && !deferred {
            for (sha, label, readable) in shas {
                if readable {
                    self.ledger.note_file(&sha, &label, source)?;
                }
            }
        }
        Ok(reports)
    }
}
