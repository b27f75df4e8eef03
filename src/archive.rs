//! The archive: a content-addressed store of every input, catalogue, settings
//! and template file a document was built from, and the write-once store of
//! approved documents.
//!
//! - Objects live at `<workspace>/.svcreport/archive/<sha256[0..2]>/<sha256>`.
//!   An object is written once, atomically (`fsutil::write_atomic`), and its
//!   hash is verified on every read, so `audit` can recompute a document from
//!   exactly the bytes it was built from even after the inbox and the
//!   catalogue have changed.
//! - Approved documents' files live at
//!   `<workspace>/.svcreport/documents/<doc_number>/v<version>/<file>` and are
//!   never overwritten or deleted: writing a different file to an existing
//!   name is an error (writing the very same bytes again is accepted, so an
//!   approval interrupted after its files were written can be repeated).
//!
//! Depends only on `fsutil` and `sha2`; it knows nothing of reports or the ledger.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::ledger::STATE_DIR;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: archived object is corrupt (expected SHA-256 {expected}, found {found})")]
    Corrupt {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error("{path}: not in the archive (SHA-256 {sha256})")]
    Missing { path: PathBuf, sha256: String },
    #[error("{path}: an approved document file exists already and is never overwritten")]
    ApprovedExists { path: PathBuf },
    #[error("\"{0}\" is not a SHA-256 in hex")]
    BadHash(String),
    #[error("\"{0}\" cannot be used as a file or folder name")]
    BadName(String),
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<(String, u64), ArchiveError> {
    let io = |source| ArchiveError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(io)?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    let mut s = String::with_capacity(64);
    for b in h.finalize() {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
    }
    Ok((s, n))
}

fn valid_hash(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// An ASCII-safe single path component from text that may come from the
/// catalogue or from inputs: keeps `[A-Za-z0-9._-@+]`, maps everything else
/// (separators, `..`, control and non-ASCII characters) to `_`, never returns
/// `.`/`..`/empty or a name starting with a dot.
pub fn sanitize_component(s: &str) -> String {
    let mut out: String = s
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // No hidden names and no `..` runs that could read as a parent reference.
    while out.contains("..") {
        out = out.replace("..", "_");
    }
    let out = out.trim_start_matches('.').to_string();
    if out.is_empty() || out.chars().all(|c| c == '_') {
        // Keep distinct inputs distinct even when nothing printable survives.
        let h = sha256_hex(s.as_bytes());
        return format!("x{}", &h[..12]);
    }
    out.chars().take(120).collect()
}

/// The archive of one workspace.
#[derive(Debug, Clone)]
pub struct Archive {
    root: PathBuf,
}

impl Archive {
    /// The archive of the workspace at `ws_root` (created lazily on the first store).
    pub fn new(ws_root: &Path) -> Archive {
        Archive {
            root: ws_root.to_path_buf(),
        }
    }

    /// Where an object of hash `sha256` lives.
    pub fn object_path(&self, sha256: &str) -> Result<PathBuf, ArchiveError> {
        if !valid_hash(sha256) {
            return Err(ArchiveError::BadHash(sha256.to_string()));
        }
        Ok(self
            .root
            .join(STATE_DIR)
            .join("archive")
            .join(&sha256[..2])
            .join(sha256))
    }

    /// Store bytes; returns their SHA-256. Writes once: an existing object is
    /// verified and kept.
    pub fn store(&self, bytes: &[u8]) -> Result<String, ArchiveError> {
        let sha = sha256_hex(bytes);
        let p = self.object_path(&sha)?;
        if p.exists() {
            match self.load(&sha) {
                Ok(_) => return Ok(sha),
                // A corrupt object is replaced by the good bytes.
                Err(ArchiveError::Corrupt { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        crate::fsutil::write_atomic(&p, bytes).map_err(|source| ArchiveError::Io {
            path: p.clone(),
            source,
        })?;
        Ok(sha)
    }

    /// Store a file's bytes; returns (sha256, size).
    pub fn store_file(&self, path: &Path) -> Result<(String, u64), ArchiveError> {
        let bytes = std::fs::read(path).map_err(|source| ArchiveError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let sha = self.store(&bytes)?;
        Ok((sha, bytes.len() as u64))
    }

    /// True when the object is present (not verified).
    pub fn contains(&self, sha256: &str) -> bool {
        self.object_path(sha256).is_ok_and(|p| p.is_file())
    }

    /// Read an object back, verifying its hash.
    pub fn load(&self, sha256: &str) -> Result<Vec<u8>, ArchiveError> {
        let p = self.object_path(sha256)?;
        let bytes = match std::fs::read(&p) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ArchiveError::Missing {
                    path: p,
                    sha256: sha256.to_string(),
                });
            }
            Err(source) => return Err(ArchiveError::Io { path: p, source }),
        };
        let found = sha256_hex(&bytes);
        if found != sha256 {
            return Err(ArchiveError::Corrupt {
                path: p,
                expected: sha256.to_string(),
                found,
            });
        }
        Ok(bytes)
    }

    /// The folder of an approved document version.
    pub fn document_dir(&self, doc_number: &str, version: &str) -> PathBuf {
        self.root
            .join(STATE_DIR)
            .join("documents")
            .join(sanitize_component(doc_number))
            .join(format!("v{}", sanitize_component(version)))
    }

    /// Keep an approved document's file, write-once. Returns its path. Fails
    /// with [`ArchiveError::ApprovedExists`] when a different file is there.
    pub fn keep_approved(
        &self,
        doc_number: &str,
        version: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<PathBuf, ArchiveError> {
        let name = sanitize_component(file_name);
        let p = self.document_dir(doc_number, version).join(name);
        match std::fs::read(&p) {
            Ok(old) if old == bytes => return Ok(p),
            Ok(_) => return Err(ArchiveError::ApprovedExists { path: p }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(ArchiveError::Io { path: p, source }),
        }
        crate::fsutil::write_new(&p, bytes).map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                ArchiveError::ApprovedExists { path: p.clone() }
            } else {
                ArchiveError::Io {
                    path: p.clone(),
                    source,
                }
            }
        })?;
        crate::fsutil::make_read_only(&p).map_err(|source| ArchiveError::Io {
            path: p.clone(),
            source,
        })?;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn store_load_and_detect_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let sha = a.store(b"abc").unwrap();
        let p = a.object_path(&sha).unwrap();
        assert!(p.ends_with(
            ".svcreport/archive/ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        ));
        assert_eq!(a.load(&sha).unwrap(), b"abc");
        // Storing again is a no-op.
        assert_eq!(a.store(b"abc").unwrap(), sha);
        assert_eq!(std::fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
        // Tampering is detected on read, and healed by storing the good bytes.
        std::fs::write(&p, b"abd").unwrap();
        let e = a.load(&sha).unwrap_err();
        assert!(matches!(e, ArchiveError::Corrupt { .. }), "{e}");
        a.store(b"abc").unwrap();
        assert_eq!(a.load(&sha).unwrap(), b"abc");
        let missing = "0".repeat(64);
        assert!(matches!(
            a.load(&missing),
            Err(ArchiveError::Missing { .. })
        ));
        assert!(matches!(
            a.load("../../etc/passwd"),
            Err(ArchiveError::BadHash(_))
        ));
    }

    #[test]
    fn approved_files_are_write_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let p = a
            .keep_approved(
                "SR-ACME-2026-10",
                "1.0",
                "SR-ACME-2026-10_2026-10_v1.0.pdf",
                b"one",
            )
            .unwrap();
        assert!(p.ends_with(
            ".svcreport/documents/SR-ACME-2026-10/v1.0/SR-ACME-2026-10_2026-10_v1.0.pdf"
        ));
        // Same bytes again: fine (an interrupted approval can be repeated).
        a.keep_approved(
            "SR-ACME-2026-10",
            "1.0",
            "SR-ACME-2026-10_2026-10_v1.0.pdf",
            b"one",
        )
        .unwrap();
        let e = a
            .keep_approved(
                "SR-ACME-2026-10",
                "1.0",
                "SR-ACME-2026-10_2026-10_v1.0.pdf",
                b"two",
            )
            .unwrap_err();
        assert!(matches!(e, ArchiveError::ApprovedExists { .. }), "{e}");
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        assert!(std::fs::metadata(&p).unwrap().permissions().readonly());
    }

    #[test]
    fn sanitize_neutralises_traversal() {
        for (input, want) in [
            ("it-director@acme.example", "it-director@acme.example"),
            ("../../etc/passwd", "____etc_passwd"),
            ("a/b\\c", "a_b_c"),
            (".hidden", "hidden"),
            ("王敏 <wm@x.cn>", "____wm@x.cn_"),
            ("C:\\Windows", "C__Windows"),
        ] {
            assert_eq!(sanitize_component(input), want, "{input}");
        }
        // Nothing printable left: a stable hash name, distinct per input.
        let dots = sanitize_component("..");
        assert!(dots.starts_with('x') && dots.len() == 13, "{dots}");
        assert_ne!(sanitize_component("//"), sanitize_component("\\\\"));
        assert_eq!(sanitize_component(".."), dots);
    }
}
