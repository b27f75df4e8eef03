//! Reading workbooks in worker processes, the second line of defence after bounded reading:
//! a file that still makes a reader abort (an allocation failure cannot be caught on stable
//! Rust), crash or hang takes only its worker down. The run sees `ingest.unreadable` with the
//! reason ([`WorkerFailure`]) and goes on with the other files.
//!
//! Depends on the rest of `ingest` (a worker reads a file exactly as the run itself would,
//! `read_path`) and on [`super::wire`] for the records; no other stage. The run
//! starts at most one worker per thread of its pool, each reading one file at a time and
//! kept for the next file; a worker that failed is replaced for the next file.
//!
//! Protocol (private to one binary, so no versioning beyond the wire format's): the run
//! writes one JSON line with the catalogue's names and the options (`Setup`), then one JSON
//! line per file (`Job`); the worker answers each file with one frame: a 4-byte
//! little-endian length, then the findings, counts and id columns (postcard, the typed
//! messages as they are) and the records in the wire format ([`super::wire`]). A worker limits its own data segment (`RLIMIT_DATA`, which unlike
//! `RLIMIT_AS` does not count the address space glibc reserves per thread) and exits with
//! [`EXIT_OUT_OF_MEMORY`] when an allocation fails (the binary's allocator does that in a
//! worker, see `main.rs`); the run kills a worker that takes longer than its timeout.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::rows::{Refs, RefsData};
use super::wire::{self, Dec, Enc};
use super::{FileRead, IdColumn, IngestOptions};
use crate::findings::{FileCount, Finding, Message, WireFinding, WorkerFailure};
use crate::model::period::Period;

/// The exit code of a worker whose allocation failed (its memory limit was reached).
pub const EXIT_OUT_OF_MEMORY: i32 = 86;

/// Set in a worker process: the binary's allocator then exits with [`EXIT_OUT_OF_MEMORY`]
/// instead of aborting when an allocation fails.
pub static IN_WORKER: AtomicBool = AtomicBool::new(false);

/// The binary a run starts as its workers, set once by `main` (the one place that knows
/// which executable is `svcreport`: under `cargo test` the current executable is the test
/// binary, so the library never guesses).
static BINARY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Make runs in this process read in worker processes of `exe` (the `svcreport` binary).
pub fn set_binary(exe: PathBuf) {
    let _ = BINARY.set(exe);
}

/// The isolation of a run in workspace `ws`: workers of the binary `main` set, with the
/// workspace's memory limit and timeout; `None` (read in this process) when no binary was
/// set or `SVCREPORT_INGEST_WORKERS=0` (for debugging, and for the fuzz harness, which
/// wants an abort to show as one).
pub fn isolation_for(ws: &crate::workspace::Workspace) -> Option<Isolation> {
    if std::env::var_os("SVCREPORT_INGEST_WORKERS").is_some_and(|v| v == "0" || v == "off") {
        return None;
    }
    Some(Isolation {
        exe: BINARY.get()?.clone(),
        memory_limit: ws.worker_memory_bytes,
        timeout: ws.worker_timeout,
    })
}

/// How the run isolates its reads.
#[derive(Debug, Clone)]
pub struct Isolation {
    /// The `svcreport` binary to start as a worker (passed explicitly: under `cargo test`
    /// the current executable is the test binary).
    pub exe: PathBuf,
    /// Data segment limit of a worker (`RLIMIT_DATA`), bytes.
    pub memory_limit: u64,
    /// The longest one file may take; a worker still reading is killed.
    pub timeout: Duration,
}

/// The first line a worker reads.
#[derive(Serialize, Deserialize)]
struct Setup {
    refs: RefsData,
    period: Option<String>,
    max_uncompressed_bytes: u64,
    /// The workspace's timezone (IANA name): times with an offset are converted to it.
    timezone: String,
    /// The import profiles (the workspace's and the built-in ones).
    #[serde(default)]
    profiles: Option<super::profile::Profiles>,
}

/// One file to read.
#[derive(Serialize, Deserialize)]
struct Job {
    /// The path's bytes (paths need not be UTF-8).
    path: Vec<u8>,
    name: String,
    split: bool,
}

/// One file's read, as JSON (the records follow in the wire format).
#[derive(Serialize, Deserialize)]
struct Reply {
    findings: Vec<WireFinding>,
    count: FileCount,
    id_columns: Vec<WireIdColumn>,
    /// The worker's peak resident memory so far, KiB.
    peak_kib: u64,
    /// The period the instructions sheet declares.
    declared: Option<crate::model::period::Period>,
}

#[derive(Serialize, Deserialize)]
struct WireIdColumn {
    file: String,
    sheet: String,
    dataset: String,
    col: u32,
    header: String,
}

fn path_bytes(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes().to_vec()
}

fn bytes_path(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

/// Limit this process's data segment to `bytes` (`RLIMIT_DATA`), or to the limit it
/// inherited if that is lower.
fn limit_memory(bytes: u64) -> std::io::Result<()> {
    let mut cur = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit` writes the struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_DATA, &mut cur) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let want = (bytes as libc::rlim_t).min(cur.rlim_max);
    let lim = libc::rlimit {
        rlim_cur: want,
        rlim_max: want,
    };
    // SAFETY: `setrlimit` reads the struct we pass and changes only this process's limit.
    let r = unsafe { libc::setrlimit(libc::RLIMIT_DATA, &lim) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The worker's side: set the memory limit, read the setup, then answer every job on
/// standard input until it closes. Returns the process's exit code.
pub fn serve(memory_limit: u64) -> u8 {
    IN_WORKER.store(true, Ordering::SeqCst);
    if limit_memory(memory_limit).is_err() {
        return 2;
    }
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut line = String::new();
    if input.read_line(&mut line).is_err() {
        return 2;
    }
    let Ok(setup) = serde_json::from_str::<Setup>(&line) else {
        return 2;
    };
    let refs = Refs::from_data(&setup.refs);
    let Ok(timezone) = setup.timezone.parse::<chrono_tz::Tz>() else {
        return 2;
    };
    let opts = IngestOptions {
        period: setup.period.as_deref().and_then(|p| Period::parse(p).ok()),
        max_uncompressed_bytes: setup.max_uncompressed_bytes,
        timezone,
        profiles: setup.profiles.as_ref(),
        ..IngestOptions::default()
    };
    let _quiet = super::QuietPanics::install();
    loop {
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => return 0,
            Ok(_) => {}
        }
        let Ok(job) = serde_json::from_str::<Job>(&line) else {
            return 2;
        };
        let path = bytes_path(&job.path);
        let r = super::read_one(&job.name, &path, &refs, &opts, job.split);
        let frame = encode_reply(&r);
        if out.write_all(&(frame.len() as u32).to_le_bytes()).is_err()
            || out.write_all(&frame).is_err()
            || out.flush().is_err()
        {
            return 2;
        }
    }
}

fn encode_reply(r: &FileRead) -> Vec<u8> {
    let reply = Reply {
        findings: r.findings.iter().map(WireFinding::from).collect(),
        count: r.count.clone(),
        id_columns: r
            .id_columns
            .iter()
            .map(|c| WireIdColumn {
                file: c.file.clone(),
                sheet: c.sheet.clone(),
                dataset: c.dataset.to_string(),
                col: c.col,
                header: c.header.clone(),
            })
            .collect(),
        peak_kib: peak_kib(),
        declared: r.declared,
    };
    let mut e = Enc::new();
    // Serialising plain data cannot fail.
    let head = postcard::to_allocvec(&reply).unwrap_or_default();
    e.bytes(&head);
    wire::encode_dataset(&mut e, &r.dataset);
    e.buf
}

fn decode_reply(frame: &[u8]) -> Result<(FileRead, u64), wire::WireError> {
    let mut x = Dec::new(frame);
    let reply: Reply =
        postcard::from_bytes(x.bytes()?).map_err(|_| wire::WireError("bad findings"))?;
    let dataset = wire::decode_dataset(&mut x)?;
    let mut id_columns = Vec::with_capacity(reply.id_columns.len());
    for c in reply.id_columns {
        let dataset = super::schema::DATASETS
            .iter()
            .find(|d| d.name == c.dataset)
            .map(|d| d.name)
            .ok_or(wire::WireError("unknown dataset"))?;
        id_columns.push(IdColumn {
            file: c.file,
            sheet: c.sheet,
            dataset,
            col: c.col,
            header: c.header,
        });
    }
    let read = FileRead {
        dataset,
        findings: reply.findings.into_iter().map(Finding::from).collect(),
        count: reply.count,
        id_columns,
        // When the file arrived is the run's to say (the ledger, the file's time).
        delivery: Default::default(),
        declared: reply.declared,
        explained: Vec::new(),
    };
    Ok((read, reply.peak_kib))
}

/// This process's peak resident memory, KiB (`VmHWM`), or 0 where unknown.
pub fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            l.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// A running worker.
struct Worker {
    child: Arc<Mutex<Child>>,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// Deadlines to the watchdog: `Some` when a job starts, `None` when it is answered.
    watch: mpsc::Sender<Option<Instant>>,
    timed_out: Arc<AtomicBool>,
}

impl Worker {
    fn start(iso: &Isolation, setup: &[u8]) -> std::io::Result<Worker> {
        let mut child = Command::new(&iso.exe)
            .arg("ingest-worker")
            .arg("--memory-bytes")
            .arg(iso.memory_limit.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .env_remove("SVCREPORT_TIMINGS")
            .spawn()?;
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other("worker pipes missing"));
        };
        stdin.write_all(setup)?;
        stdin.flush()?;
        let child = Arc::new(Mutex::new(child));
        let timed_out = Arc::new(AtomicBool::new(false));
        let (watch, rx) = mpsc::channel::<Option<Instant>>();
        {
            let child = child.clone();
            let timed_out = timed_out.clone();
            std::thread::spawn(move || watchdog(&rx, &child, &timed_out));
        }
        Ok(Worker {
            child,
            stdin,
            stdout: BufReader::with_capacity(256 * 1024, stdout),
            watch,
            timed_out,
        })
    }

    /// Hand the worker a file (its deadline starts now). `false` when the worker is gone.
    fn send(&mut self, job: &[u8], timeout: Duration) -> bool {
        let _ = self.watch.send(Some(Instant::now() + timeout));
        self.stdin.write_all(job).is_ok() && self.stdin.flush().is_ok()
    }

    /// The answer to the file handed over last: its frame, or why the worker failed (it is
    /// then gone).
    fn receive(&mut self, timeout: Duration, limit: u64) -> Result<Vec<u8>, WorkerFailure> {
        let answer = self.frame();
        let _ = self.watch.send(None);
        answer.map_err(|()| self.failure(timeout, limit))
    }

    fn frame(&mut self) -> Result<Vec<u8>, ()> {
        let mut len = [0u8; 4];
        self.stdout.read_exact(&mut len).map_err(drop)?;
        let len = u32::from_le_bytes(len) as u64;
        let mut frame = Vec::new();
        (&mut self.stdout)
            .take(len)
            .read_to_end(&mut frame)
            .map_err(drop)?;
        if frame.len() as u64 != len {
            return Err(());
        }
        Ok(frame)
    }

    /// Why the worker stopped answering (it is reaped here).
    fn failure(&mut self, timeout: Duration, limit: u64) -> WorkerFailure {
        self.kill();
        let status = match self.child.lock() {
            Ok(mut c) => c.wait().ok(),
            Err(_) => None,
        };
        if self.timed_out.load(Ordering::SeqCst) {
            return WorkerFailure::TimedOut {
                seconds: timeout.as_secs(),
            };
        }
        use std::os::unix::process::ExitStatusExt;
        match status {
            Some(s) if s.code() == Some(EXIT_OUT_OF_MEMORY) => WorkerFailure::OutOfMemory {
                limit_mib: limit / (1024 * 1024),
            },
            Some(s) if s.signal().is_some() => WorkerFailure::Signal {
                signal: s.signal().unwrap_or(0),
            },
            Some(s) => WorkerFailure::Exit {
                code: s.code().unwrap_or(-1),
            },
            None => WorkerFailure::Garbled,
        }
    }

    fn kill(&mut self) {
        if let Ok(mut c) = self.child.lock() {
            let _ = c.kill();
        }
    }

    /// Close the worker's input (it exits) and reap it.
    fn close(self) {
        drop(self.stdin);
        drop(self.watch);
        if let Ok(mut c) = self.child.lock() {
            let _ = c.wait();
        }
    }
}

/// Make a write to a pipe whose reader is gone an error on this thread instead of a
/// `SIGPIPE` that ends the process: `main` restores `SIGPIPE`'s default (so that
/// `svcreport … | head` ends quietly), and a worker that dies between two files must cost
/// its file, not the run. A pending `SIGPIPE` of this thread is dropped when it ends.
fn ignore_broken_pipes_on_this_thread() {
    // SAFETY: `sigemptyset`/`sigaddset` fill the set we own; `pthread_sigmask` changes only
    // this thread's signal mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Kill the worker when a job's deadline passes before it is answered.
fn watchdog(rx: &mpsc::Receiver<Option<Instant>>, child: &Mutex<Child>, timed_out: &AtomicBool) {
    let mut deadline: Option<Instant> = None;
    loop {
        let msg = match deadline {
            None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
            Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())),
        };
        match msg {
            Ok(d) => deadline = d,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                timed_out.store(true, Ordering::SeqCst);
                if let Ok(mut c) = child.lock() {
                    let _ = c.kill();
                }
                deadline = None;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Peak resident memory of the workers of the last isolated read in this process, KiB.
pub static WORKER_PEAK_KIB: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Read `files` in worker processes (one per thread of the pool at most), in any order;
/// results come back by index. A worker that cannot be started makes its files read in
/// this process (bounded reading still holds there; only the containment is lost).
pub(super) fn read_files(
    files: &[(String, PathBuf)],
    refs: &Refs,
    refs_data: &RefsData,
    opts: &IngestOptions,
    iso: &Isolation,
    split: bool,
) -> Vec<FileRead> {
    let setup = Setup {
        refs: refs_data.clone(),
        period: opts.period.map(|p| p.to_string()),
        max_uncompressed_bytes: opts.max_uncompressed_bytes,
        timezone: opts.timezone.name().to_string(),
        profiles: opts.profiles.cloned(),
    };
    let mut setup_line = serde_json::to_vec(&setup).unwrap_or_default();
    setup_line.push(b'\n');
    let workers = rayon::current_num_threads().clamp(1, files.len().max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FileRead>>> =
        Mutex::new((0..files.len()).map(|_| None).collect());
    let job_line = |i: usize| -> Vec<u8> {
        let (name, path) = &files[i];
        let mut job = serde_json::to_vec(&Job {
            path: path_bytes(path),
            name: name.clone(),
            split,
        })
        .unwrap_or_default();
        job.push(b'\n');
        job
    };
    let next_job = || {
        let i = next.fetch_add(1, Ordering::SeqCst);
        (i < files.len()).then_some(i)
    };
    let store = |i: usize, r: FileRead| {
        if let Ok(mut res) = results.lock() {
            res[i] = Some(r);
        }
        let n = done.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(p) = opts.progress {
            p(n, files.len());
        }
    };
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                ignore_broken_pipes_on_this_thread();
                let mut w: Option<Worker> = None;
                let mut cur = next_job();
                // The file the worker is reading (handed over, not answered yet).
                let mut sent = false;
                while let Some(i) = cur {
                    let (name, path) = &files[i];
                    if !sent {
                        if w.is_none() {
                            w = Worker::start(iso, &setup_line).ok();
                        }
                        let Some(worker) = w.as_mut() else {
                            // No worker: read here.
                            store(i, super::read_one(name, path, refs, opts, split));
                            cur = next_job();
                            continue;
                        };
                        sent = worker.send(&job_line(i), iso.timeout);
                        if !sent {
                            // Gone before it could take the file: its reason, then a new one.
                            let failure = worker.receive(iso.timeout, iso.memory_limit);
                            if let Some(dead) = w.take() {
                                dead.close();
                            }
                            store(
                                i,
                                failed(name, path, failure.err().unwrap_or(WorkerFailure::Garbled)),
                            );
                            cur = next_job();
                            continue;
                        }
                    }
                    let Some(worker) = w.as_mut() else { break };
                    match worker.receive(iso.timeout, iso.memory_limit) {
                        Ok(frame) => {
                            // Hand over the next file before decoding this one, so the worker
                            // reads while this thread decodes.
                            let spent = worker.timed_out.load(Ordering::SeqCst);
                            let next = next_job();
                            sent = false;
                            if spent {
                                // Answered just as its time ran out: not used again.
                                if let Some(w) = w.take() {
                                    w.close();
                                }
                            } else if let (Some(n), Some(worker)) = (next, w.as_mut()) {
                                sent = worker.send(&job_line(n), iso.timeout);
                                if !sent && let Some(dead) = w.take() {
                                    dead.close();
                                }
                            }
                            let r = match decode_reply(&frame) {
                                Ok((r, peak)) => {
                                    WORKER_PEAK_KIB.fetch_max(peak, Ordering::Relaxed);
                                    r
                                }
                                Err(_) => failed(name, path, WorkerFailure::Garbled),
                            };
                            store(i, r);
                            cur = next;
                        }
                        Err(failure) => {
                            if let Some(dead) = w.take() {
                                dead.close();
                            }
                            store(i, failed(name, path, failure));
                            sent = false;
                            cur = next_job();
                        }
                    }
                }
                if let Some(worker) = w {
                    worker.close();
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .zip(files)
        .map(|(r, (name, path))| r.unwrap_or_else(|| failed(name, path, WorkerFailure::Garbled)))
        .collect()
}

/// The read of a file whose worker failed: the file's size and hash (read here, in one
/// streaming pass that allocates nothing from the file) and one `ingest.unreadable`.
fn failed(name: &str, path: &Path, failure: WorkerFailure) -> FileRead {
    let mut r = FileRead::default();
    r.count.file = name.to_string();
    if let Ok((sha, len)) = super::hash_file(path) {
        r.count.sha256 = sha;
        r.count.bytes = len;
    }
    r.findings
        .push(Finding::new(Message::WorkerFailed { failure }).file(name));
    r
}
