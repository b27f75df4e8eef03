//! `svcreport`: parse arguments, run one command, exit with its code.
use std::alloc::{GlobalAlloc, Layout, System};
use std::process::ExitCode;

use clap::Parser;

/// The system allocator; in an ingest worker process a failed allocation (the worker's
/// memory limit reached) ends the process with `EXIT_OUT_OF_MEMORY`, so the run can say why
/// the file was not read instead of seeing an abort.
struct Alloc;

fn out_of_memory() {
    if svcreport::ingest::worker::IN_WORKER.load(std::sync::atomic::Ordering::Relaxed) {
        // SAFETY: `_exit` ends the process at once without running any Rust or C code (no
        // allocation, no lock), so it is sound inside the allocator.
        unsafe { libc::_exit(svcreport::ingest::worker::EXIT_OUT_OF_MEMORY) }
    }
}

// SAFETY: every method forwards to `System` unchanged; a null result is still returned as
// null (the standard abort follows) except in a worker, which exits at once.
unsafe impl GlobalAlloc for Alloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            out_of_memory();
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            out_of_memory();
        }
        p
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            out_of_memory();
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Alloc = Alloc;

fn main() -> ExitCode {
    // `svcreport compute … | head`: a closed pipe ends the process quietly, as for any Unix
    // tool, instead of a panic in `println!` (Rust ignores SIGPIPE by default).
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = svcreport::cli::Cli::parse();
    let (global, command) = cli.into_app();
    // Runs read workbooks in worker processes of this very binary.
    if let Ok(exe) = std::env::current_exe() {
        svcreport::ingest::worker::set_binary(exe);
    }
    match svcreport::app::run(&global, command) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!(
                "error: {}",
                svcreport::chars::for_terminal_lines(&format!("{err:#}"))
            );
            ExitCode::from(svcreport::app::exit_code_of(&err))
        }
    }
}
