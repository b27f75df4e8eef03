//! Signed reviews and approvals: the statement a reviewer or an approver
//! signs, the SSH signature over it (OpenSSH's `sshsig` format, the one
//! `git` and `ssh-keygen -Y sign` use, through the `ssh-key` crate), the keys
//! that make it (a private key file, or an `ssh-agent`) and its verification
//! against the keys the catalogue lists for each person.
//!
//! Depends on `model` (people and their keys, document versions, formats and
//! statuses), the ledger's plain [`Step`] and `clock` (local time → instant) only; no I/O beyond reading a key
//! file, asking for its passphrase on the terminal and talking to the agent's
//! socket. No cryptography is written here: signing, verification, key
//! decryption and fingerprints are `ssh-key`'s; the agent code only frames
//! the agent protocol's messages (draft-miller-ssh-agent §4.5, §4.4).
//!
//! Invariants:
//! - a [`Statement`] has exactly one byte form ([`Statement::to_bytes`]), and
//!   [`Statement::parse`] accepts nothing else (`parse(b).to_bytes() == b`);
//! - every signature is made and checked under [`NAMESPACE`];
//! - a signature counts only when the key is listed for the person the
//!   statement names and the statement's time lies in the key's validity
//!   window ([`PersonKey::valid_at`], OpenSSH's `valid-after`/`valid-before`),
//!   so [`verify`] agrees with `ssh-keygen -Y verify -Overify-time=…` given
//!   the lines of [`allowed_signers`].

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use crate::ledger::Step;
use crate::model::catalogue::{Catalogue, OutputFormat, PersonKey};
use crate::model::document::{DocStatus, DocVersion};

/// The sshsig namespace of every svcreport statement (`ssh-keygen -Y … -n`).
pub const NAMESPACE: &str = "svcreport-approval@v1";

/// The first line of a statement (its format and version).
const HEADER: &str = "svcreport signed statement v1";

/// One document file a statement covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementFile {
    pub format: OutputFormat,
    /// The status the file shows (a review signs the draft's files, an approval the final ones).
    pub status: DocStatus,
    pub sha256: String,
    /// The file's name (ASCII, as published).
    pub name: String,
}

/// What a reviewer or an approver signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub step: Step,
    /// The person's id in the catalogue.
    pub person: String,
    /// Their name as the document prints it.
    pub name: String,
    pub doc_number: String,
    pub version: DocVersion,
    pub period: String,
    pub content_hash: String,
    pub files: Vec<StatementFile>,
    /// The signer's claimed time, with the workspace's UTC offset.
    pub at: DateTime<FixedOffset>,
    pub comment: Option<String>,
}

/// Why a statement's bytes do not read.
#[derive(Debug, thiserror::Error)]
#[error("the signed statement does not read: {0}")]
pub struct StatementError(String);

fn parse_format(s: &str) -> Option<OutputFormat> {
    [OutputFormat::Pdf, OutputFormat::Xlsx]
        .into_iter()
        .find(|f| f.extension() == s)
}

fn parse_step(s: &str) -> Option<Step> {
    [Step::Review, Step::Approve]
        .into_iter()
        .find(|x| x.as_str() == s)
}

/// JSON text of a string (quotes, escapes): one line whatever it holds.
fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

impl Statement {
    /// The canonical bytes that are signed (UTF-8, `\n` line ends, fixed order).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = String::new();
        s.push_str(HEADER);
        s.push('\n');
        let mut line = |k: &str, v: &str| {
            s.push_str(k);
            s.push_str(": ");
            s.push_str(v);
            s.push('\n');
        };
        line("namespace", NAMESPACE);
        line("step", self.step.as_str());
        line("person", &self.person);
        line("name", &quoted(&self.name));
        line("document", &quoted(&self.doc_number));
        line("version", &self.version.to_string());
        line("period", &self.period);
        line("content-sha256", &self.content_hash);
        for f in &self.files {
            line(
                "file",
                &format!(
                    "{} {} sha256:{} {}",
                    f.format.extension(),
                    f.status.as_str(),
                    f.sha256,
                    quoted(&f.name)
                ),
            );
        }
        line("time", &self.at.to_rfc3339());
        line(
            "comment",
            &match &self.comment {
                Some(c) => quoted(c),
                None => "null".into(),
            },
        );
        s.into_bytes()
    }

    /// Read a statement back; only its canonical form is accepted.
    pub fn parse(bytes: &[u8]) -> Result<Statement, StatementError> {
        let bad = |m: &str| StatementError(m.to_string());
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8"))?;
        let lines: Vec<&str> = text.split_terminator('\n').collect();
        if lines.first() != Some(&HEADER) {
            return Err(bad("it is not a svcreport statement (first line)"));
        }
        let mut i = 1;
        let mut field = |key: &str| -> Result<&str, StatementError> {
            let l = lines
                .get(i)
                .ok_or_else(|| StatementError(format!("\"{key}\" is missing")))?;
            i += 1;
            l.strip_prefix(key)
                .and_then(|r| r.strip_prefix(": "))
                .ok_or_else(|| StatementError(format!("expected \"{key}: …\", found \"{l}\"")))
        };
        let unquote = |v: &str, what: &str| -> Result<String, StatementError> {
            serde_json::from_str::<String>(v)
                .map_err(|_| StatementError(format!("{what} {v} is not a quoted string")))
        };
        if field("namespace")? != NAMESPACE {
            return Err(bad("another namespace"));
        }
        let step = parse_step(field("step")?).ok_or_else(|| bad("unknown step"))?;
        let person = field("person")?.to_string();
        let name = unquote(field("name")?, "name")?;
        let doc_number = unquote(field("document")?, "document")?;
        let version = DocVersion::parse(field("version")?).ok_or_else(|| bad("bad version"))?;
        let period = field("period")?.to_string();
        let content_hash = field("content-sha256")?.to_string();
        let mut files = Vec::new();
        while let Some(v) = lines.get(i).and_then(|l| l.strip_prefix("file: ")) {
            i += 1;
            let mut it = v.splitn(4, ' ');
            let (Some(fmt), Some(st), Some(sha), Some(nm)) =
                (it.next(), it.next(), it.next(), it.next())
            else {
                return Err(bad("a file line has fewer than four parts"));
            };
            files.push(StatementFile {
                format: parse_format(fmt).ok_or_else(|| bad("unknown file format"))?,
                status: DocStatus::parse(st).ok_or_else(|| bad("unknown file status"))?,
                sha256: sha
                    .strip_prefix("sha256:")
                    .ok_or_else(|| bad("file hash without sha256:"))?
                    .to_string(),
                name: unquote(nm, "file name")?,
            });
        }
        let mut field = |key: &str| -> Result<&str, StatementError> {
            let l = lines
                .get(i)
                .ok_or_else(|| StatementError(format!("\"{key}\" is missing")))?;
            i += 1;
            l.strip_prefix(key)
                .and_then(|r| r.strip_prefix(": "))
                .ok_or_else(|| StatementError(format!("expected \"{key}: …\", found \"{l}\"")))
        };
        let at =
            DateTime::parse_from_rfc3339(field("time")?).map_err(|_| bad("no readable time"))?;
        let comment = match field("comment")? {
            "null" => None,
            v => Some(unquote(v, "comment")?),
        };
        if i != lines.len() {
            return Err(bad("text after the comment"));
        }
        let st = Statement {
            step,
            person,
            name,
            doc_number,
            version,
            period,
            content_hash,
            files,
            at,
            comment,
        };
        if st.to_bytes() != bytes {
            return Err(bad("it is not in its canonical form"));
        }
        Ok(st)
    }

    /// The claimed time as the workspace's local wall-clock time.
    pub fn local_time(&self) -> NaiveDateTime {
        self.at.naive_local()
    }

    /// `-Overify-time=` for `ssh-keygen -Y verify` (UTC, `Z`).
    pub fn verify_time_arg(&self) -> String {
        self.at
            .with_timezone(&Utc)
            .format("%Y%m%d%H%M%SZ")
            .to_string()
    }
}

/// A local wall-clock time of `tz` with its UTC offset.
pub fn with_offset(local: NaiveDateTime, tz: Tz) -> DateTime<FixedOffset> {
    use chrono::Offset;
    let utc = crate::clock::RunTime::fixed(local, tz).utc;
    utc.with_timezone(&tz.offset_from_utc_datetime(&utc.naive_utc()).fix())
}

/// Problems with a key or a signature.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("{path}: cannot read the key: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is a public key: --key needs the private key file (the same name without .pub), which stays with its owner"
    )]
    PublicNotPrivate { path: PathBuf },
    #[error(
        "{path} is not an OpenSSH private key (expected \"-----BEGIN OPENSSH PRIVATE KEY-----\", as `ssh-keygen -t ed25519` writes){hint}"
    )]
    Format { path: PathBuf, hint: String },
    #[error("{path}: the key does not read: {message}")]
    Key { path: PathBuf, message: String },
    #[error(
        "{path}: key type {algorithm} is not supported; svcreport signs with ed25519 keys (ssh-keygen -t ed25519)"
    )]
    Algorithm { path: PathBuf, algorithm: String },
    #[error(
        "{path} is protected by a passphrase and there is no terminal to ask for it ({source}); run the command in a terminal, or add the key to ssh-agent"
    )]
    NoTerminal {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: wrong passphrase (the key does not decrypt)")]
    Passphrase { path: PathBuf },
    #[error("ssh-agent at {socket}: {message}")]
    Agent { socket: PathBuf, message: String },
    #[error("signing failed: {0}")]
    Sign(String),
}

/// Read an OpenSSH ed25519 private key file, asking `passphrase` for an
/// encrypted one. Every refusal names the file and says what to do.
pub fn load_key_file(
    path: &Path,
    passphrase: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<PrivateKey, SignError> {
    let bytes = std::fs::read(path).map_err(|source| SignError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let t = text.trim_start();
    if t.starts_with("ssh-") || t.starts_with("ecdsa-") || t.starts_with("sk-") {
        return Err(SignError::PublicNotPrivate {
            path: path.to_path_buf(),
        });
    }
    if !t.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----") {
        let hint = if t.starts_with("-----BEGIN RSA PRIVATE KEY-----")
            || t.starts_with("-----BEGIN EC PRIVATE KEY-----")
            || t.starts_with("-----BEGIN PRIVATE KEY-----")
        {
            "; this is a PEM/PKCS key: make an ed25519 key with ssh-keygen -t ed25519".to_string()
        } else if t.starts_with("PuTTY-User-Key-File") {
            "; this is a PuTTY key: export it in OpenSSH format (puttygen KEY -O private-openssh-new)"
                .to_string()
        } else {
            String::new()
        };
        return Err(SignError::Format {
            path: path.to_path_buf(),
            hint,
        });
    }
    let key = PrivateKey::from_openssh(t.as_bytes()).map_err(|e| SignError::Key {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if key.algorithm() != ssh_key::Algorithm::Ed25519 {
        return Err(SignError::Algorithm {
            path: path.to_path_buf(),
            algorithm: key.algorithm().to_string(),
        });
    }
    if !key.is_encrypted() {
        return Ok(key);
    }
    let pass = passphrase(path).map_err(|source| SignError::NoTerminal {
        path: path.to_path_buf(),
        source,
    })?;
    key.decrypt(pass.as_bytes())
        .map_err(|_| SignError::Passphrase {
            path: path.to_path_buf(),
        })
}

/// Ask for a key's passphrase on the terminal (`/dev/tty`, no echo).
pub fn ask_passphrase_on_terminal(path: &Path) -> std::io::Result<String> {
    rpassword::prompt_password(format!("Enter passphrase for {}: ", path.display()))
}

/// What makes a signature: a decrypted key file, or a key held by an agent.
pub enum Signer {
    Key { key: PrivateKey, path: PathBuf },
    Agent { socket: PathBuf, public: PublicKey },
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Signer {
    pub fn public(&self) -> &PublicKey {
        match self {
            Signer::Key { key, .. } => key.public_key(),
            Signer::Agent { public, .. } => public,
        }
    }
    /// `SHA256:…`.
    pub fn fingerprint(&self) -> String {
        self.public().fingerprint(HashAlg::Sha256).to_string()
    }
    /// Where the key is: its file, or `ssh-agent (socket)`.
    pub fn location(&self) -> String {
        match self {
            Signer::Key { path, .. } => path.display().to_string(),
            Signer::Agent { socket, .. } => format!("ssh-agent ({})", socket.display()),
        }
    }
    /// Where the key is, in an English sentence (`the key PATH`).
    pub fn describe(&self) -> String {
        match self {
            Signer::Key { path, .. } => format!("the key {}", path.display()),
            Signer::Agent { socket, .. } => format!("ssh-agent ({})", socket.display()),
        }
    }
    /// Sign `msg` under [`NAMESPACE`]; the armored signature (`-----BEGIN SSH SIGNATURE-----`).
    pub fn sign(&self, msg: &[u8]) -> Result<String, SignError> {
        let sig = match self {
            Signer::Key { key, .. } => key
                .sign(NAMESPACE, HashAlg::Sha512, msg)
                .map_err(|e| SignError::Sign(e.to_string()))?,
            Signer::Agent { socket, public } => {
                let data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, msg)
                    .map_err(|e| SignError::Sign(e.to_string()))?;
                let blob = agent::sign(socket, public, &data)?;
                SshSig::new(public.key_data().clone(), NAMESPACE, HashAlg::Sha512, blob)
                    .map_err(|e| SignError::Sign(e.to_string()))?
            }
        };
        sig.to_pem(LineEnding::LF)
            .map_err(|e| SignError::Sign(e.to_string()))
    }
}

/// The ed25519 keys an agent holds (those it offers that this tool can use).
pub fn agent_keys(socket: &Path) -> Result<Vec<PublicKey>, SignError> {
    agent::identities(socket)
}

/// A signature checked against the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub statement: Statement,
    /// The person the key belongs to (= the statement's person).
    pub person: String,
    /// `SHA256:…` of the key that made the signature.
    pub fingerprint: String,
}

/// Why a signature does not count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}")]
    Statement(String),
    #[error("the signature does not read: {0}")]
    Signature(String),
    #[error("the signature is under namespace \"{0}\", not {NAMESPACE}")]
    Namespace(String),
    #[error(
        "the key {fingerprint} that made the signature is not listed for anyone in the catalogue"
    )]
    UnknownKey { fingerprint: String },
    #[error(
        "the key {fingerprint} is listed for person \"{owner}\", but the statement names \"{named}\""
    )]
    WrongPerson {
        fingerprint: String,
        owner: String,
        named: String,
    },
    #[error(
        "the key {fingerprint} of \"{person}\" is not valid at the signature's time {at}: {window}"
    )]
    NotValidAt {
        fingerprint: String,
        person: String,
        at: NaiveDateTime,
        window: String,
    },
    #[error(
        "the signature does not verify over the statement with the key {fingerprint}: the statement's bytes are not the ones that were signed"
    )]
    BadSignature { fingerprint: String },
}

/// The validity window of a key, in words (`revoked 2026-11-01 00:00:00`).
pub fn window_text(k: &PersonKey) -> String {
    match (k.valid_after, k.valid_before) {
        (None, None) => "always valid".into(),
        (Some(a), None) => format!("valid from {a}"),
        (None, Some(b)) => format!("revoked at {b}"),
        (Some(a), Some(b)) => format!("valid from {a}, revoked at {b}"),
    }
}

/// Check an armored signature over `statement` bytes against the catalogue.
pub fn verify(cat: &Catalogue, statement: &[u8], signature: &str) -> Result<Verified, VerifyError> {
    let st = Statement::parse(statement).map_err(|e| VerifyError::Statement(e.to_string()))?;
    let sig = SshSig::from_pem(signature.as_bytes())
        .map_err(|e| VerifyError::Signature(e.to_string()))?;
    if sig.namespace() != NAMESPACE {
        return Err(VerifyError::Namespace(sig.namespace().to_string()));
    }
    let public = PublicKey::new(sig.public_key().clone(), "");
    let fingerprint = public.fingerprint(HashAlg::Sha256).to_string();
    let Some((owner, key)) = cat.key_owner(&fingerprint) else {
        return Err(VerifyError::UnknownKey { fingerprint });
    };
    if owner.id != st.person {
        return Err(VerifyError::WrongPerson {
            fingerprint,
            owner: owner.id.clone(),
            named: st.person.clone(),
        });
    }
    if !key.valid_at(st.local_time()) {
        return Err(VerifyError::NotValidAt {
            fingerprint,
            person: owner.id.clone(),
            at: st.local_time(),
            window: window_text(key),
        });
    }
    public
        .verify(NAMESPACE, statement, &sig)
        .map_err(|_| VerifyError::BadSignature {
            fingerprint: fingerprint.clone(),
        })?;
    Ok(Verified {
        person: owner.id.clone(),
        fingerprint,
        statement: st,
    })
}

/// OpenSSH `allowed_signers` lines for every key of the catalogue (principal
/// = person id, restricted to [`NAMESPACE`], validity converted to UTC), for
/// `ssh-keygen -Y verify -f FILE -I PERSON -n NAMESPACE -s SIG -Overify-time=…`.
pub fn allowed_signers(cat: &Catalogue, tz: Tz) -> String {
    let utc = |t: NaiveDateTime| {
        with_offset(t, tz)
            .with_timezone(&Utc)
            .format("%Y%m%d%H%M%SZ")
            .to_string()
    };
    let mut out = String::new();
    for p in &cat.persons {
        for k in &p.keys {
            let mut opts = vec![format!("namespaces=\"{NAMESPACE}\"")];
            if let Some(a) = k.valid_after {
                opts.push(format!("valid-after=\"{}\"", utc(a)));
            }
            if let Some(b) = k.valid_before {
                opts.push(format!("valid-before=\"{}\"", utc(b)));
            }
            out.push_str(&format!("{} {} {}\n", p.id, opts.join(","), k.openssh));
        }
    }
    out
}

/// The ssh-agent protocol, only the two requests a signer needs: list the
/// keys (`SSH2_AGENTC_REQUEST_IDENTITIES`) and sign
/// (`SSH2_AGENTC_SIGN_REQUEST`). Framing only: the agent does the signing.
mod agent {
    use super::*;
    use std::io::{Read, Write};

    const FAILURE: u8 = 5;
    const REQUEST_IDENTITIES: u8 = 11;
    const IDENTITIES_ANSWER: u8 = 12;
    const SIGN_REQUEST: u8 = 13;
    const SIGN_RESPONSE: u8 = 14;
    /// A reply larger than this is refused (an agent's answers are small).
    const MAX_REPLY: usize = 1 << 20;

    fn err(socket: &Path, message: impl Into<String>) -> SignError {
        SignError::Agent {
            socket: socket.to_path_buf(),
            message: message.into(),
        }
    }

    fn put_string(out: &mut Vec<u8>, s: &[u8]) {
        out.extend_from_slice(&(s.len() as u32).to_be_bytes());
        out.extend_from_slice(s);
    }

    /// A reader over a reply body.
    struct Body<'a>(&'a [u8]);
    impl<'a> Body<'a> {
        fn u32(&mut self) -> Option<u32> {
            let (h, t) = self.0.split_at_checked(4)?;
            self.0 = t;
            Some(u32::from_be_bytes(h.try_into().ok()?))
        }
        fn string(&mut self) -> Option<&'a [u8]> {
            let n = self.u32()? as usize;
            let (h, t) = self.0.split_at_checked(n)?;
            self.0 = t;
            Some(h)
        }
    }

    #[cfg(unix)]
    fn call(socket: &Path, request: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut s = std::os::unix::net::UnixStream::connect(socket)
            .map_err(|e| err(socket, format!("cannot connect: {e}")))?;
        let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(120)));
        let mut msg = Vec::with_capacity(request.len() + 4);
        put_string(&mut msg, request);
        s.write_all(&msg)
            .map_err(|e| err(socket, format!("cannot write: {e}")))?;
        let mut len = [0u8; 4];
        s.read_exact(&mut len)
            .map_err(|e| err(socket, format!("no reply: {e}")))?;
        let n = u32::from_be_bytes(len) as usize;
        if n == 0 || n > MAX_REPLY {
            return Err(err(socket, format!("a reply of {n} bytes")));
        }
        let mut body = vec![0u8; n];
        s.read_exact(&mut body)
            .map_err(|e| err(socket, format!("reply cut short: {e}")))?;
        Ok(body)
    }

    #[cfg(not(unix))]
    fn call(socket: &Path, _request: &[u8]) -> Result<Vec<u8>, SignError> {
        Err(err(
            socket,
            "ssh-agent is supported on Unix only; use --key",
        ))
    }

    pub fn identities(socket: &Path) -> Result<Vec<PublicKey>, SignError> {
        let reply = call(socket, &[REQUEST_IDENTITIES])?;
        let (&kind, rest) = reply
            .split_first()
            .ok_or_else(|| err(socket, "empty reply"))?;
        if kind != IDENTITIES_ANSWER {
            return Err(err(
                socket,
                format!("refused to list its keys (reply {kind})"),
            ));
        }
        let mut b = Body(rest);
        let n = b.u32().ok_or_else(|| err(socket, "malformed key list"))?;
        let mut keys = Vec::new();
        for _ in 0..n {
            let blob = b
                .string()
                .ok_or_else(|| err(socket, "malformed key list"))?;
            let _comment = b
                .string()
                .ok_or_else(|| err(socket, "malformed key list"))?;
            // Keys of types this build cannot read (RSA, certificates …) are skipped.
            if let Ok(k) = PublicKey::from_bytes(blob)
                && k.algorithm() == ssh_key::Algorithm::Ed25519
            {
                keys.push(k);
            }
        }
        Ok(keys)
    }

    pub fn sign(
        socket: &Path,
        public: &PublicKey,
        data: &[u8],
    ) -> Result<ssh_key::Signature, SignError> {
        let blob = public
            .to_bytes()
            .map_err(|e| err(socket, format!("cannot encode the key: {e}")))?;
        let mut req = vec![SIGN_REQUEST];
        put_string(&mut req, &blob);
        put_string(&mut req, data);
        req.extend_from_slice(&0u32.to_be_bytes());
        let reply = call(socket, &req)?;
        match reply.first() {
            Some(&SIGN_RESPONSE) => {}
            Some(&FAILURE) => {
                return Err(err(
                    socket,
                    "the agent refused to sign (a key that asks for confirmation was declined, or the key is gone)",
                ));
            }
            other => return Err(err(socket, format!("unexpected reply {other:?}"))),
        }
        let mut b = Body(&reply[1..]);
        let sig = b
            .string()
            .ok_or_else(|| err(socket, "malformed signature"))?;
        let mut s = Body(sig);
        let alg = s
            .string()
            .ok_or_else(|| err(socket, "malformed signature"))?;
        let bytes = s
            .string()
            .ok_or_else(|| err(socket, "malformed signature"))?;
        let alg = ssh_key::Algorithm::new(&String::from_utf8_lossy(alg))
            .map_err(|e| err(socket, format!("signature algorithm: {e}")))?;
        ssh_key::Signature::new(alg, bytes.to_vec())
            .map_err(|e| err(socket, format!("signature: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st() -> Statement {
        Statement {
            step: Step::Approve,
            person: "zhangwei".into(),
            name: "张伟".into(),
            doc_number: "SR-ACME-2026-10".into(),
            version: DocVersion::FIRST,
            period: "2026-10".into(),
            content_hash: "ab".repeat(32),
            files: vec![StatementFile {
                format: OutputFormat::Pdf,
                status: DocStatus::Approved,
                sha256: "cd".repeat(32),
                name: "SR-ACME-2026-10_2026-10_v1.0.pdf".into(),
            }],
            at: with_offset(
                NaiveDateTime::parse_from_str("2026-11-05 16:00:00", "%Y-%m-%d %H:%M:%S").unwrap(),
                chrono_tz::Asia::Shanghai,
            ),
            comment: Some("同意发布\n第二行 \"引号\"".into()),
        }
    }

    #[test]
    fn statement_round_trips_and_only_its_canonical_form_reads() {
        let s = st();
        let b = s.to_bytes();
        let text = String::from_utf8(b.clone()).unwrap();
        assert!(text.contains("time: 2026-11-05T16:00:00+08:00\n"), "{text}");
        assert!(
            text.contains("comment: \"同意发布\\n第二行 \\\"引号\\\"\"\n"),
            "{text}"
        );
        assert_eq!(Statement::parse(&b).unwrap(), s);
        assert_eq!(s.verify_time_arg(), "20261105080000Z");
        // Any change of form is refused, even where the meaning survives.
        let spaced = text.replace("step: approve", "step:  approve");
        assert!(Statement::parse(spaced.as_bytes()).is_err());
        let crlf = text.replace('\n', "\r\n");
        assert!(Statement::parse(crlf.as_bytes()).is_err());
        let none = Statement {
            comment: None,
            files: vec![],
            ..s
        };
        assert_eq!(Statement::parse(&none.to_bytes()).unwrap(), none);
    }

    #[test]
    fn a_public_key_or_a_foreign_format_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let no_pass =
            |_: &Path| -> std::io::Result<String> { Err(std::io::ErrorKind::NotFound.into()) };
        let p = dir.path().join("k.pub");
        std::fs::write(&p, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH5c x@y\n").unwrap();
        let e = load_key_file(&p, &no_pass).unwrap_err();
        assert!(e.to_string().contains("is a public key"), "{e}");
        let p = dir.path().join("k.pem");
        std::fs::write(&p, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n").unwrap();
        let e = load_key_file(&p, &no_pass).unwrap_err();
        assert!(e.to_string().contains("PEM/PKCS"), "{e}");
        let p = dir.path().join("missing");
        let e = load_key_file(&p, &no_pass).unwrap_err();
        assert!(e.to_string().contains("cannot read the key"), "{e}");
    }
}
