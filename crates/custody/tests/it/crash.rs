//! `custody snapshot` and `custody restore` killed with SIGKILL at random points (a fixed seed,
//! a bounded number of runs): the store still opens and its audit log verifies (or reports only
//! that a command was interrupted), every stored object is whole, the restore target is always
//! the old complete copy or the new complete copy, and the next run removes what the killed ones
//! left. Kill points are picked from the duration of an uninterrupted run; nothing asserts on
//! time.
//!
//! Linux only: there restore swaps the old copy for the new one in one atomic
//! `renameat2(RENAME_EXCHANGE)`, so the target is never missing even for an instant. Elsewhere a
//! kill between two renames leaves the old copy aside for the next restore to put back.
#![cfg(target_os = "linux")]

use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common;
use common::{NOW, code, custody, text};

/// xorshift64*: deterministic kill points.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// A duration in [`lo` × `of`, `hi` × `of`].
    fn point(&mut self, of: Duration, lo: f64, hi: f64) -> Duration {
        of.mul_f64(lo + (hi - lo) * (self.next() % 1001) as f64 / 1000.0)
    }
}

fn spawn(dir: &Path, args: &[&str]) -> Child {
    common::command(dir, NOW, args)
        .env("CUSTODY_BUSY_TIMEOUT_MS", "2000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn custody")
}

/// Runs `custody ARGS` and SIGKILLs it (`Child::kill`) after `after`, if it is still running.
fn kill_after(dir: &Path, args: &[&str], after: Duration) {
    let mut child = spawn(dir, args);
    std::thread::sleep(after);
    let running = matches!(child.try_wait(), Ok(None));
    let _ = child.kill();
    let _ = child.wait();
    // Shown with --nocapture: which runs were interrupted and what they left.
    eprintln!(
        "{:?} killed after {after:?} (still running: {running}); beside the target: {:?}; in objects/tmp: {:?}",
        args.get(..2),
        leftovers(dir),
        std::fs::read_dir(dir.join(".custody/objects/tmp")).map(|r| r.count()).ok()
    );
}

fn snap(name: &str) -> [&str; 6] {
    ["snapshot", "model", "--name", name, "--private-key", "signing-key.pem"]
}

fn ok_timed(dir: &Path, args: &[&str]) -> Duration {
    let t = Instant::now();
    code_is(&custody(dir, args), 0);
    t.elapsed()
}

fn code_is(o: &std::process::Output, want: i32) {
    assert_eq!(code(o), want, "stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
}

/// A model of about 4 MB whose content depends on `seed`.
fn write_model(dir: &Path, seed: u64) {
    let m = dir.join("model");
    std::fs::create_dir_all(m.join("sub")).expect("mkdir");
    let mut r = Rng(seed | 1);
    let big: Vec<u8> = (0..3_000_000 / 8).flat_map(|_| r.next().to_le_bytes()).collect();
    std::fs::write(m.join("weights.bin"), &big).expect("w");
    let small: Vec<u8> = (0..1_000_000 / 8).flat_map(|_| r.next().to_le_bytes()).collect();
    std::fs::write(m.join("sub/extra.bin"), &small).expect("w");
    std::fs::write(m.join("config.json"), format!("{{\"seed\": {seed}}}\n")).expect("w");
}

/// The audit log verifies, or reports only entries appended by a command that was killed
/// before it signed its checkpoint.
fn audit_is_sound(dir: &Path) {
    let o = custody(dir, &["audit", "verify", "--format", "json"]);
    assert!(matches!(code(&o), 0 | 1), "store does not open: {}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    for p in v["problems"].as_array().expect("problems") {
        let p = p.as_str().unwrap_or_default();
        assert!(p.contains("a command was interrupted"), "audit: {p}");
    }
}

/// Every object in the store has the content its name says.
fn objects_are_whole(objects: &Path) {
    for sub in std::fs::read_dir(objects).expect("ls").filter_map(|e| e.ok()) {
        if sub.file_name() == "tmp" {
            continue;
        }
        for o in std::fs::read_dir(sub.path()).expect("ls").filter_map(|e| e.ok()) {
            let got = Sha256::digest(std::fs::read(o.path()).expect("read"));
            let hex: String = got.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(o.file_name().to_string_lossy(), hex, "partial or corrupt object {}", o.path().display());
        }
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // Whatever restore writes beside `target` is named `.target.…`.
        .filter(|n| n.starts_with(".target."))
        .collect()
}

#[test]
fn snapshot_and_restore_killed_at_random_points_lose_nothing_and_leave_nothing() {
    let d = tempfile::tempdir().expect("tmp");
    let dir = d.path();
    code_is(&custody(dir, &["init", "--org", "Acme", "--role", "developer", "--yes"]), 0);
    code_is(&custody(dir, &["keygen"]), 0);

    write_model(dir, 1);
    let a = common::tree(&dir.join("model"));
    let took_snapshot = ok_timed(dir, &snap("a"));
    write_model(dir, 2);
    let b = common::tree(&dir.join("model"));
    code_is(&custody(dir, &snap("b")), 0);
    code_is(&custody(dir, &["restore", "a", "target"]), 0);
    let took_restore = ok_timed(dir, &["restore", "b", "target", "--force"]);
    let mut current = b.clone();

    let mut rng = Rng(0x5eed_c057_0d1e_0001);
    let objects = dir.join(".custody/objects");
    // Snapshots of a model whose content changes each time, so new objects are being written.
    // Most of a snapshot's time is hashing; its objects are written at the end.
    for i in 0..10u64 {
        write_model(dir, 100 + i);
        kill_after(dir, &snap(&format!("k{i}")), rng.point(took_snapshot, 0.3, 1.1));
        audit_is_sound(dir);
        objects_are_whole(&objects);
    }
    // Restores flipping the target between the two snapshots.
    for _ in 0..8 {
        let (name, next) = if current == a { ("b", &b) } else { ("a", &a) };
        kill_after(dir, &["restore", name, "target", "--force"], rng.point(took_restore, 0.0, 1.1));
        assert!(dir.join("target").is_dir(), "the target went missing");
        let now = common::tree(&dir.join("target"));
        assert!(now == current || now == *next, "the target is neither the old nor the new complete copy");
        current = now;
        audit_is_sound(dir);
    }

    // The next complete runs remove what the killed ones left, and the audit log is whole again.
    code_is(&custody(dir, &["restore", "a", "target", "--force"]), 0);
    assert!(common::tree(&dir.join("target")) == a);
    assert_eq!(leftovers(dir), Vec::<String>::new());
    write_model(dir, 999);
    code_is(&custody(dir, &snap("final")), 0);
    let tmp: Vec<_> =
        std::fs::read_dir(objects.join("tmp")).expect("ls").filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert!(tmp.is_empty(), "{tmp:?}");
    objects_are_whole(&objects);
    code_is(&custody(dir, &["audit", "verify"]), 0);
    // Every snapshot the store holds restores and verifies.
    code_is(&custody(dir, &["restore", "final", "final-copy"]), 0);
    assert!(common::tree(&dir.join("final-copy")) == common::tree(&dir.join("model")));
}
