//! custody-modelsec must be total and bounded on any input: no panic, no hang, bounded
//! findings. `fuzz_one` decodes the input (name hint, whole file or prefix) exactly as the
//! regression test in crates/custody-modelsec/tests/fuzz_regressions.rs replays crashes.
//!     cargo fuzz run -s none modelsec
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| custody_modelsec::fuzz_one(data));
