use super::*;

const FULL: &str = r#"
[state]
path = "/var/lib/zeitpost/zeitpost.db"

[source]
kind = "imap"
host = "imap.example.com"
port = 993
tls = "implicit"
username = "zeiten@example.com"
password = { env = "ZEITPOST_IMAP_PASSWORD" }
folder = "INBOX"
processed_folder = "Processed"
failed_folder = "Failed"
poll_interval = "60s"

[import]
overnight = "reject"
max_period = "16h"
corrections = "reject"

[senders]
allow = ["terminal@example.com", "*@hr.example.com"]
hr = ["*@hr.example.com"]

[personio]
base_url = "https://api.personio.de"
client_id = "..."
client_secret = { env = "ZEITPOST_PERSONIO_SECRET" }
skip_approval = true

[report]
kind = "smtp"
host = "smtp.example.com"
port = 587
tls = "starttls"
username = "zeiten@example.com"
password = { env = "ZEITPOST_SMTP_PASSWORD" }
from = "Zeiterfassung <zeiten@example.com>"
to = ["hr@example.com"]

[timr]
base_url = "https://api.timr.com/v0.2/"
token_url = "https://system.timr.com/id/oauth2/token"
client_id = "..."
client_secret = { env = "ZEITPOST_TIMR_SECRET" }
interval = "1h"
start_date = "2026-01-01"
lock = true
zeitausgleich = ["Zeitausgleich"]

[timetrack]
base_url = "https://testkonto.timetrackenterprise.com/api/v2/ext/"
api_key = "..."
api_secret = { env = "ZEITPOST_TIMETRACK_SECRET" }

[timetrack.employees]
enabled = true
interval = "1d"
direction = "personio_to_timetrack"

[timetrack.time_entries]
enabled = true
interval = "1h"
mode = "bidirectional"

[timetrack.absences]
enabled = true
interval = "1h"
master = "personio"
type_map = { "Urlaub" = "Paid vacation", "Krank" = "Sick leave" }
"#;

#[test]
fn the_documented_config_loads() {
    let c = Config::from_toml(FULL, "zeitpost.toml").unwrap();
    let source = c.source.unwrap();
    assert_eq!(source.kind, SourceKind::Imap);
    assert_eq!(source.poll_interval, Duration::from_secs(60));
    assert_eq!(c.import.max_period, Duration::from_secs(16 * 3600));
    assert_eq!(c.report.kind, ReportKind::Smtp);
    assert_eq!(
        c.timr.unwrap().start_date,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
    );
    let tt = c.timetrack.unwrap();
    assert_eq!(tt.employees.unwrap().interval, Duration::from_secs(86_400));
    assert_eq!(tt.absences.unwrap().type_map["Krank"], "Sick leave");
}

#[test]
fn an_empty_config_has_working_defaults() {
    let c = Config::from_toml("", "x").unwrap();
    assert_eq!(c.import.overnight, Overnight::Reject);
    assert_eq!(c.limits.file().file_bytes, 25 << 20);
    assert_eq!(c.report.language, Lang::De);
}

#[test]
fn errors_name_file_line_and_key() {
    let e = Config::from_toml(
        "[import]\nmax_period = \"16h\"\novernight = \"maybe\"\n",
        "/etc/z.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("/etc/z.toml"), "{e}");
    assert!(e.contains("line 3"), "{e}");
    assert!(e.contains("overnight"), "{e}");
    let e = Config::from_toml("[import]\novernigth = \"allow\"\n", "z.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("overnigth") && e.contains("line 2"), "{e}");
    let e = Config::from_toml("[source]\nkind = \"imap\"\n", "z.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("source.host"), "{e}");
    let e = Config::from_toml("[import]\nmax_period = \"sixteen\"\n", "z.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("max_period") && e.contains("not a duration"),
        "{e}"
    );
}

#[test]
fn debug_output_never_shows_secrets() {
    let c = Config::from_toml(
        "[personio]\nclient_id = \"id\"\nclient_secret = \"very-secret-value\"\n",
        "x",
    )
    .unwrap();
    assert!(!format!("{c:?}").contains("very-secret-value"));
}

#[test]
fn profiles_and_employee_map_are_checked() {
    let c = Config::from_toml(
        "[[profiles]]\nname = \"p\"\ncolumns = { date = 1, start = 2 }\n",
        "x",
    );
    assert!(c.unwrap_err().to_string().contains("profiles[0]"));
    let c = Config::from_toml("[employees]\nmap = { \"1001\" = \"kaputt\" }\n", "x");
    assert!(c.unwrap_err().to_string().contains("1001"));
    let c = Config::from_toml(
        "[employees]\nmap = { \"1001\" = \"Anna@Example.com\" }\n",
        "x",
    )
    .unwrap();
    let map = c.employee_map().unwrap();
    assert_eq!(map.len(), 1);
}

#[test]
fn the_example_config_in_the_repository_loads() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/zeitpost.example.toml");
    let c = Config::load(&path).unwrap();
    assert!(c.profile("zeitmaster").is_some());
    assert_eq!(c.limits.mail_depth, 16);
}

#[test]
fn literal_secrets_are_named_by_key() {
    let c = Config::from_toml(
        "[personio]\nclient_id = \"id\"\nclient_secret = \"in-the-file\"\n[report]\npassword = { env = \"X\" }\n",
        "x",
    )
    .unwrap();
    assert_eq!(c.literal_secrets(), ["personio.client_secret"]);
}

#[test]
fn the_timr_time_zone_must_exist() {
    let base = "[timr]\nclient_id = \"x\"\nclient_secret = \"y\"\n";
    let c = Config::from_toml(base, "x").unwrap();
    assert_eq!(c.timr.unwrap().timezone, "Europe/Berlin");
    let e = Config::from_toml(&format!("{base}timezone = \"Mars/Olympus\"\n"), "x").unwrap_err();
    assert!(e.to_string().contains("timr.timezone"), "{e}");
}

const OAUTH_SOURCE: &str = "[source]\nkind = \"imap\"\nhost = \"outlook.office365.com\"\nusername = \"zeiten@example.com\"\nauth = \"oauth2\"\n";
const OAUTH_BLOCK: &str = "token_url = \"https://login.microsoftonline.com/t/oauth2/v2.0/token\"\nclient_id = \"app\"\nclient_secret = \"in-the-file\"\n";

#[test]
fn oauth2_needs_its_block_and_no_password() {
    let c = Config::from_toml(
        &format!("{OAUTH_SOURCE}[source.oauth2]\n{OAUTH_BLOCK}"),
        "x",
    )
    .unwrap();
    let s = c.source.as_ref().unwrap();
    assert_eq!(s.auth, AuthMethod::OAuth2);
    assert!(s.password.is_none());
    let o = s.oauth2.as_ref().unwrap();
    assert_eq!(o.scope, "https://outlook.office365.com/.default");
    assert_eq!(c.literal_secrets(), ["source.oauth2.client_secret"]);

    let e = Config::from_toml(OAUTH_SOURCE, "x")
        .unwrap_err()
        .to_string();
    assert!(e.contains("key source.oauth2:"), "{e}");
    let e = Config::from_toml(
        &format!(
            "{}[source.oauth2]\n{OAUTH_BLOCK}",
            OAUTH_SOURCE.replace("auth = \"oauth2\"\n", "")
        ),
        "x",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("key source.auth:"), "{e}");
    let e = Config::from_toml(
        &format!("{OAUTH_SOURCE}[source.oauth2]\n{OAUTH_BLOCK}tenant = \"t\"\n"),
        "x",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("tenant"), "{e}");
    let e = Config::from_toml(
        &format!(
            "{OAUTH_SOURCE}[source.oauth2]\n{}",
            OAUTH_BLOCK.replace("https://login", "login")
        ),
        "x",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("key source.oauth2.token_url:"), "{e}");
}

#[test]
fn oauth2_for_reports_is_checked_alike() {
    let report = "[report]\nkind = \"smtp\"\nhost = \"smtp.office365.com\"\nfrom = \"zeiten@example.com\"\nauth = \"oauth2\"\n";
    let e = Config::from_toml(&format!("{report}[report.oauth2]\n{OAUTH_BLOCK}"), "x")
        .unwrap_err()
        .to_string();
    assert!(e.contains("key report.username:"), "{e}");
    let c = Config::from_toml(
        &format!("{report}username = \"zeiten@example.com\"\n[report.oauth2]\n{OAUTH_BLOCK}scope = \"https://mail.google.com/\"\n"),
        "x",
    )
    .unwrap();
    assert_eq!(
        c.report.oauth2.as_ref().unwrap().scope,
        "https://mail.google.com/"
    );
    assert_eq!(c.literal_secrets(), ["report.oauth2.client_secret"]);
}
