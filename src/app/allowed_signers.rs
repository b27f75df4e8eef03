//! `svcreport allowed-signers [--out FILE]`: the catalogue's keys as an
//! OpenSSH `allowed_signers` file (principal = person id, namespace
//! `svcreport-approval@v1`, `valid-after`/`valid-before` from the catalogue),
//! so that anyone can check a review or approval signature with
//! `ssh-keygen -Y verify` alone.

use std::path::Path;

use anyhow::{Context, bail};

use super::session::Env;
use super::{EXIT_OK, Global, OutputKind};
use crate::fsutil;
use crate::signing;

pub fn run(g: &Global, out: Option<&Path>) -> anyhow::Result<u8> {
    let env = Env::load(&g.workspace, g.now.as_deref())?;
    if !env.cat.persons.iter().any(|p| !p.keys.is_empty()) {
        bail!("the catalogue lists no [[person]] with keys: there is nothing to write");
    }
    let text = signing::allowed_signers(&env.cat, env.ws.timezone);
    match out {
        Some(p) => {
            fsutil::write_atomic(p, text.as_bytes())
                .with_context(|| format!("{}: cannot write", p.display()))?;
            if !g.quiet && g.format == OutputKind::Text {
                eprintln!("wrote {}", p.display());
            }
        }
        None if g.format == OutputKind::Json => {
            let lines: Vec<&str> = text.lines().collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "namespace": signing::NAMESPACE,
                    "allowed_signers": lines,
                }))?
            );
        }
        None => print!("{text}"),
    }
    Ok(EXIT_OK)
}
