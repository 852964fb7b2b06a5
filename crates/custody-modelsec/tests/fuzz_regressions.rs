//! Every input the fuzzer (`fuzz/fuzz_targets/modelsec.rs`) ever crashed on, replayed the way
//! the target feeds it: the first byte picks the name hint and whole-or-prefix.

const NAMES: [&str; 16] = [
    "model.pkl",
    "pytorch_model.bin",
    "model.pt",
    "model.joblib",
    "weights.npy",
    "arrays.npz",
    "model.keras",
    "model.h5",
    "saved_model.pb",
    "model.onnx",
    "model.gguf",
    "model.safetensors",
    "tokenizer_config.json",
    "chat_template.jinja",
    "model.7z",
    "data",
];

#[test]
fn fuzz_crashes_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("tests/fuzz-regressions") {
        let data = std::fs::read(e.expect("entry").path()).expect("read");
        let Some((&selector, rest)) = data.split_first() else { continue };
        let name = NAMES[usize::from(selector) % NAMES.len()];
        let file_len = if selector & 0x80 != 0 { rest.len() as u64 * 3 + 1 } else { rest.len() as u64 };
        let a = custody_modelsec::analyze(name, rest, file_len);
        assert!(a.findings.len() <= custody_modelsec::MAX_FINDINGS + 1);
        n += 1;
    }
    assert!(n > 0);
}
