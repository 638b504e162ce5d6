//! A throwaway Dovecot for the IMAP tests.
//!
//! Mocked IMAP servers agree with the client about whatever the client gets wrong, so the
//! IMAP source is tested against the real thing: Debian's Dovecot 2.3, configured entirely
//! inside a temp dir (its own ports, sockets, logs, mail and a test CA), started in the
//! foreground and killed on drop. Where Dovecot is not installed, `start` says so and
//! returns `None`, and the tests skip.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use tempfile::TempDir;

const DOVECOT: &str = "/usr/sbin/dovecot";
/// The one mail user.
pub const USER: &str = "zeiten";
/// Its password; the space checks that LOGIN quotes it.
pub const PASSWORD: &str = "Stempel uhr-7";

pub struct Dovecot {
    /// Plain IMAP (and STARTTLS).
    pub port: u16,
    /// Implicit TLS.
    pub tls_port: u16,
    /// The test CA that signed the server certificate for localhost and 127.0.0.1.
    pub ca_pem: String,
    dir: TempDir,
    conf: PathBuf,
    child: Mutex<Option<Child>>,
}

impl Dovecot {
    /// Configures and starts Dovecot; `None` when it is not installed.
    pub fn start() -> Option<Dovecot> {
        Dovecot::start_with("")
    }

    /// Like [`Dovecot::start`], with `extra` lines appended to the config.
    pub fn start_with(extra: &str) -> Option<Dovecot> {
        Dovecot::start_in(extra, None)
    }

    /// Like [`Dovecot::start`], also taking `AUTHENTICATE XOAUTH2` with tokens that the
    /// identity provider at `introspection_url` (RFC 7662, form POST) says are active for
    /// [`USER`]. Passwords keep working.
    pub fn start_oauth(introspection_url: &str) -> Option<Dovecot> {
        Dovecot::start_in("", Some(introspection_url))
    }

    fn start_in(extra: &str, introspection_url: Option<&str>) -> Option<Dovecot> {
        if !Path::new(DOVECOT).exists() {
            crate::util::server_missing(&format!("{DOVECOT} (package dovecot-imapd)"));
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        // Dovecot's unprivileged processes must be able to reach the mail and passwd file.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let (ca_pem, cert_pem, key_pem) = certificates();
        let root = dir.path();
        fs::write(root.join("ca.pem"), &ca_pem).unwrap();
        fs::write(root.join("cert.pem"), cert_pem).unwrap();
        fs::write(root.join("key.pem"), key_pem).unwrap();
        fs::write(root.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
        let ids = Identities::find(root);
        for sub in ["mail", "home", "run", "state"] {
            fs::create_dir(root.join(sub)).unwrap();
        }
        for sub in ["mail", "home"] {
            std::os::unix::fs::chown(root.join(sub), Some(ids.mail_uid), Some(ids.mail_gid))
                .unwrap();
        }
        let (port, tls_port) = (free_port(), free_port());
        let conf = root.join("dovecot.conf");
        let mut text = config(root, port, tls_port, &ids);
        if let Some(url) = introspection_url {
            text = text
                .replace(
                    "auth_mechanisms = plain login",
                    "auth_mechanisms = plain login xoauth2",
                )
                .replace(
                    "driver = passwd-file\n",
                    "driver = passwd-file\n  mechanisms = plain login\n",
                )
                // The oauth2 passdb cannot answer the user lookups of a static userdb.
                .replace("args = uid=", "args = allow_all_users=yes uid=");
            text += &oauth_passdb(root, url);
        }
        fs::write(&conf, text + extra).unwrap();
        let dovecot = Dovecot {
            port,
            tls_port,
            ca_pem,
            dir,
            conf,
            child: Mutex::new(None),
        };
        dovecot.start_again();
        Some(dovecot)
    }

    /// The test CA as a file, for `tls_ca_file`.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Starts the server (again) and waits until it lets the user log in.
    pub fn start_again(&self) {
        let mut child = self.child.lock().unwrap();
        assert!(child.is_none(), "Dovecot is already running");
        let out = fs::File::create(self.dir.path().join("dovecot.out")).unwrap();
        *child = Some(
            Command::new(DOVECOT)
                .arg("-F")
                .arg("-c")
                .arg(&self.conf)
                .stdin(Stdio::null())
                .stdout(out.try_clone().unwrap())
                .stderr(out)
                .spawn()
                .unwrap(),
        );
        drop(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.ready() {
            let exited = self.child.lock().unwrap().as_mut().unwrap().try_wait();
            if Instant::now() > deadline || exited.unwrap().is_some() {
                panic!("Dovecot did not come up:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Shuts the server down and ends every connection, as a service manager stopping
    /// the whole process group would: Dovecot's own shutdown leaves IMAP sessions running.
    pub fn stop(&self) {
        let Some(mut child) = self.child.lock().unwrap().take() else {
            return;
        };
        let workers = descendants(child.id());
        // The IMAP sessions first, so their clients see the connection drop.
        let sessions: Vec<u32> = workers
            .iter()
            .copied()
            .filter(|&pid| title(pid).starts_with("dovecot/imap") && !title(pid).contains("login"))
            .collect();
        signal("-KILL", &sessions);
        signal("-TERM", &[child.id()]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let left: Vec<u32> = workers
            .into_iter()
            .filter(|&pid| title(pid).starts_with("dovecot"))
            .collect();
        signal("-KILL", &left);
    }

    pub fn restart(&self) {
        self.stop();
        self.start_again();
    }

    /// Delivers a mail the way a local delivery agent would.
    pub fn append(&self, user: &str, folder: &str, raw: &[u8]) {
        let mut child = self
            .doveadm(&["save", "-u", user, "-m", folder])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(raw).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "doveadm save: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs `doveadm` with this server's config; panics when it fails.
    pub fn doveadm_ok(&self, args: &[&str]) {
        let out = self.doveadm(args).output().unwrap();
        assert!(
            out.status.success(),
            "doveadm {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The mails stored in a folder of the user, oldest first, as Dovecot keeps them
    /// (lines end in LF). `folder` is the name on disk: non-ASCII in modified UTF-7.
    pub fn messages(&self, folder: &str) -> Vec<Vec<u8>> {
        self.files(folder)
            .iter()
            .map(|path| fs::read(path).unwrap())
            .collect()
    }

    /// The maildir flags (`S` = \Seen, `T` = \Deleted, ...) of each mail in a folder.
    pub fn flags(&self, folder: &str) -> Vec<String> {
        self.files(folder)
            .iter()
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                name.split_once(":2,")
                    .map(|(_, flags)| flags.to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Whether the folder exists on disk.
    pub fn has_folder(&self, folder: &str) -> bool {
        self.maildir(folder).is_dir()
    }

    fn files(&self, folder: &str) -> Vec<PathBuf> {
        let dir = self.maildir(folder);
        let mut files: Vec<PathBuf> = ["new", "cur"]
            .iter()
            .filter_map(|sub| fs::read_dir(dir.join(sub)).ok())
            .flatten()
            .map(|entry| entry.unwrap().path())
            .collect();
        // Maildir names start with the delivery time, so this is delivery order.
        files.sort_by_key(|p| p.file_name().unwrap().to_owned());
        files
    }

    fn maildir(&self, folder: &str) -> PathBuf {
        let home = self.dir.path().join("mail").join(USER);
        if folder.eq_ignore_ascii_case("INBOX") {
            home
        } else {
            home.join(format!(".{folder}"))
        }
    }

    fn doveadm(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("doveadm");
        cmd.arg("-c").arg(&self.conf).args(args);
        cmd
    }

    /// Whether the user can log in (the auth process is up, not just the listener).
    fn ready(&self) -> bool {
        let Ok(stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        let login = format!("r1 LOGIN {USER} \"{PASSWORD}\"\r\nr2 LOGOUT\r\n");
        if writer.write_all(login.as_bytes()).is_err() {
            return false;
        }
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            if line.starts_with("r1 ") {
                return line.starts_with("r1 OK");
            }
            line.clear();
        }
        false
    }

    fn log(&self) -> String {
        let read = |name: &str| fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        format!("{}{}", read("dovecot.out"), read("dovecot.log"))
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends a signal to processes this test started (directly or through Dovecot).
fn signal(sig: &str, pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    let _ = Command::new("kill")
        .arg(sig)
        .args(pids.iter().map(u32::to_string))
        .stderr(Stdio::null())
        .status();
}

/// A process's title as Dovecot sets it (`dovecot/imap ...`); empty once it is gone.
fn title(pid: u32) -> String {
    fs::read(format!("/proc/{pid}/cmdline"))
        .map(|raw| String::from_utf8_lossy(&raw).replace('\0', " "))
        .unwrap_or_default()
}

/// The processes below `pid`, from `/proc`.
fn descendants(pid: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let stat = fs::read_to_string(entry.ok()?.path().join("stat")).ok()?;
            let (head, tail) = stat.rsplit_once(')')?;
            let me = head.split_whitespace().next()?.parse().ok()?;
            let parent = tail.split_whitespace().nth(1)?.parse().ok()?;
            Some((me, parent))
        })
        .collect();
    let mut found = vec![pid];
    let mut i = 0;
    while i < found.len() {
        let current = found[i];
        found.extend(parents.iter().filter(|p| p.1 == current).map(|p| p.0));
        i += 1;
    }
    found.split_off(1)
}

/// Who runs what: Dovecot refuses root for mail and login processes.
struct Identities {
    mail_uid: u32,
    mail_gid: u32,
    login_user: String,
    internal_user: String,
    internal_group: String,
    root: bool,
}

impl Identities {
    fn find(probe: &Path) -> Identities {
        let meta = fs::metadata(probe).unwrap();
        let users = table("/etc/passwd");
        let groups = table("/etc/group");
        let user = |name: &str| users.iter().find(|u| u.0 == name);
        let group = |gid: u32| groups.iter().find(|g| g.1 == gid).map(|g| g.0.clone());
        if meta.uid() != 0 {
            let name = users
                .iter()
                .find(|u| u.1 == meta.uid())
                .map(|u| u.0.clone())
                .or_else(|| std::env::var("USER").ok())
                .expect("the current user's name");
            return Identities {
                mail_uid: meta.uid(),
                mail_gid: meta.gid(),
                login_user: name.clone(),
                internal_group: group(meta.gid()).unwrap_or_else(|| name.clone()),
                internal_user: name,
                root: false,
            };
        }
        let (mail_uid, mail_gid) = user("nobody").map_or((65534, 65534), |u| (u.1, u.2));
        let (internal_user, internal_gid) =
            user("dovecot").map_or(("nobody", mail_gid), |u| (u.0.as_str(), u.2));
        Identities {
            mail_uid,
            mail_gid,
            login_user: user("dovenull").map_or("nobody", |u| u.0.as_str()).into(),
            internal_user: internal_user.into(),
            internal_group: group(internal_gid).unwrap_or_else(|| "nogroup".into()),
            root: true,
        }
    }
}

/// `/etc/passwd` or `/etc/group` as (name, uid or gid, gid or 0).
fn table(path: &str) -> Vec<(String, u32, u32)> {
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            let id = f.get(2)?.parse().ok()?;
            let gid = f.get(3).and_then(|g| g.parse().ok()).unwrap_or(0);
            Some((f[0].to_string(), id, gid))
        })
        .collect()
}

fn config(root: &Path, port: u16, tls_port: u16, ids: &Identities) -> String {
    let r = root.display();
    // Without root there is no chroot for the login and helper processes.
    let chroot = if ids.root { "" } else { "  chroot =\n" };
    format!(
        "base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = yes
ssl_cert = <{r}/cert.pem
ssl_key = <{r}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{r}/mail/%u
mailbox_idle_check_interval = 1 secs
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = {r}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={r}/home/%u
}}
service imap-login {{
{chroot}  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
{chroot}}}
",
        internal = ids.internal_user,
        internal_group = ids.internal_group,
        login = ids.login_user,
        uid = ids.mail_uid,
        gid = ids.mail_gid,
    )
}

/// A second passdb that checks XOAUTH2 tokens with the identity provider; each passdb
/// serves only its own mechanisms, so password logins never reach it.
fn oauth_passdb(root: &Path, introspection_url: &str) -> String {
    let args = root.join("oauth2.conf.ext");
    fs::write(
        &args,
        format!(
            "introspection_mode = post
introspection_url = {introspection_url}
username_attribute = username
active_attribute = active
active_value = true
"
        ),
    )
    .unwrap();
    format!(
        "passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {}
}}
",
        args.display()
    )
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A test CA and a server certificate it signed for localhost and 127.0.0.1, as PEM:
/// (CA certificate, server certificate, server key).
fn certificates() -> (String, String, String) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "zeitpost test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let mut leaf =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    let key = KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&key, &ca).unwrap();
    (ca.pem(), cert.pem(), key.serialize_pem())
}
