//! `svcreport`: parse arguments, run one command, exit with its code.
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
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
