//! `svcreport`: parse arguments, run one command, exit with its code.
use std::process::ExitCode;

use clap::Parser;

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
    match svcreport::app::run(&global, command) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(svcreport::app::exit_code_of(&err))
        }
    }
}
