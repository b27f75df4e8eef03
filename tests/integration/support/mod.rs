//! What the integration tests share: the binary, a fresh copy of the bundled
//! sample workspace, running a command on it at a fixed time, and reading its
//! output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The built `svcreport` binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_svcreport");

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copy a folder tree, leaving out hidden entries (the ledger) and earlier outputs.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') || name == "out" || name == "outbox" {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        if e.file_type().unwrap().is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// A fresh copy of the bundled sample workspace (`samples/demo`), or a freshly
/// generated one where the committed copy is absent.
pub fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = repo().join("samples/demo");
    if src.join("svcreport.toml").is_file() {
        copy_dir(&src, dir.path());
    } else {
        let out = Command::new(BIN)
            .args(["gen-sample", "--out"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "gen-sample: {}", text(&out));
    }
    dir
}

/// `svcreport --workspace WS --now NOW ARGS…`.
pub fn sv(ws: &Path, now: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--workspace")
        .arg(ws)
        .args(["--now", now])
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

/// Exit code and both streams, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The standard output of a command that must exit 0.
pub fn ok(o: Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The standard output of a command as JSON (it must be JSON whatever the exit code).
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", text(o)))
}

/// The absolute path of a demo key of the workspace (`keys/<id>`), for `--key`.
pub fn key(ws: &Path, id: &str) -> String {
    ws.join("keys").join(id).to_string_lossy().into_owned()
}

/// Whether the external program `name` can be run. Where it cannot: a note and
/// `false` on a developer's machine, but a failure when `CI=true` (CI installs
/// every tool the tests need, so a missing one is a broken CI, never a skip).
pub fn have_tool(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(name).is_file()));
    if !found {
        tool_missing(name);
    }
    found
}

/// Say that a check is skipped for want of `name`; under `CI=true`, fail instead.
pub fn tool_missing(name: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "`{name}` is not installed, and CI=true: .ci/run must install it"
    );
    eprintln!("note: `{name}` not installed; check skipped (CI installs it)");
}

/// Exit code, stdout and stderr of a command that must have run.
pub fn run_tool(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// A zip archive (deflated) of `(name, bytes)` entries: hand-made workbooks.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (n, b) in entries {
            z.start_file(*n, o).unwrap();
            std::io::Write::write_all(&mut z, b).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}
