//! Every input the fuzzer (`fuzz/fuzz_targets/modelsec.rs`) ever crashed on, replayed through
//! the same decoding the target uses (`custody_modelsec::fuzz_one`).

#[test]
fn fuzz_crashes_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("tests/fuzz-regressions") {
        let data = std::fs::read(e.expect("entry").path()).expect("read");
        custody_modelsec::fuzz_one(&data);
        n += 1;
    }
    assert!(n > 0);
}
