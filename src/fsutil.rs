//! Atomic file output and the workspace lock.
//!
//! Every published file is written to a hidden temporary name in the same
//! folder (`.<name>.<pid>.<n>.tmp`), synced, then renamed: a reader (or a run
//! killed half-way) never sees a half-written file; [`remove_stale_temps`]
//! sweeps the temporaries a killed run left behind. [`write_new`] is the
//! write-once variant (never replaces an existing file). [`WorkspaceLock`]
//! serialises the commands that write a workspace (`std::fs::File::try_lock`
//! on `.svcreport/lock`, released by the OS when the process dies).
//! Depends on nothing else in the crate; no clock (waiting uses `Instant`).

use std::io::Write;
use std::path::{Path, PathBuf};

/// Where a user-given output path may be written: a file's folder must exist,
/// and a folder may be created only as the last component (its parent must
/// exist). The tool never creates a chain of folders from a mistyped path.
#[derive(Debug, thiserror::Error)]
pub enum OutputPathError {
    #[error("{path}: the folder {folder} does not exist (create it first, or give another path)")]
    NoFolder { path: PathBuf, folder: PathBuf },
    #[error("{path}: {folder} is not a folder")]
    NotAFolder { path: PathBuf, folder: PathBuf },
}

/// Check a user-given output path before anything is written: `is_dir` for a
/// folder to write into (it may not exist yet), else a file.
pub fn check_output_path(path: &Path, is_dir: bool) -> Result<(), OutputPathError> {
    if is_dir && path.is_dir() {
        return Ok(());
    }
    if is_dir && path.exists() {
        return Err(OutputPathError::NotAFolder {
            path: path.to_path_buf(),
            folder: path.to_path_buf(),
        });
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        // A bare name: the current folder, which exists.
        _ => return Ok(()),
    };
    if folder.is_dir() {
        Ok(())
    } else if folder.exists() {
        Err(OutputPathError::NotAFolder {
            path: path.to_path_buf(),
            folder,
        })
    } else {
        Err(OutputPathError::NoFolder {
            path: path.to_path_buf(),
            folder,
        })
    }
}

/// Write `bytes` to `path` atomically: `path.<pid>.<n>.tmp` in the same folder,
/// fsync, rename over `path`. Creates missing parent folders.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = write_temp(path, bytes)?;
    let result = std::fs::rename(&tmp, path);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Write `bytes` to `path` only if `path` does not exist yet, atomically
/// (temporary file + hard link, which fails if the name is taken). The error
/// kind is `AlreadyExists` when it does.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = write_temp(path, bytes)?;
    let result = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    result
}

/// Write and fsync `bytes` to a fresh temporary name beside `path` (creating
/// missing parent folders); on failure nothing is left behind.
fn write_temp(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = temp_name(path);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn temp_name(path: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// Mark a file read-only (approved documents).
pub fn make_read_only(path: &Path) -> std::io::Result<()> {
    let mut perm = std::fs::metadata(path)?.permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(path, perm)
}

/// True for the temporary names [`write_atomic`] uses.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// Remove temporaries left by a killed writer under `dir` (recursively).
/// Call it only while holding the [`WorkspaceLock`]. Returns how many were removed.
pub fn remove_stale_temps(dir: &Path) -> std::io::Result<usize> {
    let mut n = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for e in entries {
        let e = e?;
        let ty = e.file_type()?;
        let name = e.file_name().to_string_lossy().into_owned();
        if ty.is_dir() {
            n += remove_stale_temps(&e.path())?;
        } else if ty.is_file() && is_temp_name(&name) {
            std::fs::remove_file(e.path())?;
            n += 1;
        }
    }
    Ok(n)
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{path}: cannot open the workspace lock: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: another svcreport command is working on this workspace; gave up after waiting {waited_secs} s (try again when it has finished)"
    )]
    Busy { path: PathBuf, waited_secs: u64 },
}

/// An exclusive lock on a workspace, held until dropped (or the process dies).
#[derive(Debug)]
pub struct WorkspaceLock {
    _file: std::fs::File,
    path: PathBuf,
}

impl WorkspaceLock {
    /// Lock file path of a workspace.
    pub fn path_for(ws_root: &Path) -> PathBuf {
        ws_root.join(".svcreport").join("lock")
    }

    /// Take the lock, waiting up to `wait` for another command to finish;
    /// `on_wait` is called once when we have to wait (to say so).
    pub fn acquire(
        ws_root: &Path,
        wait: std::time::Duration,
        on_wait: &dyn Fn(&Path),
    ) -> Result<WorkspaceLock, LockError> {
        let path = Self::path_for(ws_root);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).map_err(io)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io)?;
        let start = std::time::Instant::now();
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(WorkspaceLock { _file: file, path }),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if start.elapsed() >= wait {
                        return Err(LockError::Busy {
                            path,
                            waited_secs: wait.as_secs(),
                        });
                    }
                    if !told {
                        on_wait(&path);
                        told = true;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_are_never_created_beyond_the_last_folder() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // A file in an existing folder, a bare name, a new last folder: fine.
        check_output_path(&d.join("f.xlsx"), false).unwrap();
        check_output_path(Path::new("f.xlsx"), false).unwrap();
        check_output_path(&d.join("new"), true).unwrap();
        check_output_path(d, true).unwrap();
        // Missing folders are never created.
        let e = check_output_path(&d.join("nope/f.xlsx"), false).unwrap_err();
        assert!(matches!(e, OutputPathError::NoFolder { .. }), "{e}");
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(check_output_path(&d.join("a/b"), true).is_err());
        // A file where a folder should be.
        std::fs::write(d.join("plain"), b"x").unwrap();
        assert!(check_output_path(&d.join("plain/f.xlsx"), false).is_err());
        assert!(check_output_path(&d.join("plain"), true).is_err());
    }

    #[test]
    fn write_new_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x/a.pdf");
        write_new(&p, b"one").unwrap();
        let e = write_new(&p, b"two").unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        // No temporary left behind.
        assert_eq!(std::fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn stale_temps_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("out/2026-10")).unwrap();
        std::fs::write(dir.path().join("out/2026-10/.a.pdf.123.0.tmp"), b"half").unwrap();
        std::fs::write(dir.path().join("out/2026-10/a.pdf"), b"whole").unwrap();
        assert_eq!(remove_stale_temps(&dir.path().join("out")).unwrap(), 1);
        let names: Vec<_> = std::fs::read_dir(dir.path().join("out/2026-10"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["a.pdf"]);
        assert_eq!(remove_stale_temps(&dir.path().join("missing")).unwrap(), 0);
    }

    #[test]
    fn lock_is_exclusive_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let a = WorkspaceLock::acquire(dir.path(), std::time::Duration::ZERO, &|_| {}).unwrap();
        let waited = std::cell::Cell::new(false);
        let e = WorkspaceLock::acquire(dir.path(), std::time::Duration::from_millis(250), &|_| {
            waited.set(true)
        })
        .unwrap_err();
        assert!(matches!(e, LockError::Busy { .. }), "{e}");
        assert!(waited.get());
        drop(a);
        WorkspaceLock::acquire(dir.path(), std::time::Duration::ZERO, &|_| {}).unwrap();
    }

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/out.txt");
        super::write_atomic(&p, b"one").unwrap();
        super::write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }
}
