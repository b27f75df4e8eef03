//! What the ingest and import benches share: the data generator's random numbers and
//! the reading of a measurement from a child process (`<bench> child …` prints its
//! figures on one line).

use std::path::Path;
use std::process::Command;

/// splitmix64: the same stream for the same seed on every host.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Run this bench's executable as `child ARGS… FILE` and return the fields it printed.
pub fn child_fields(args: &[&str], file: &Path) -> Vec<String> {
    let out = Command::new(std::env::current_exe().unwrap())
        .arg("child")
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}
