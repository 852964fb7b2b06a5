//! Writes the tiny model files of the example project (examples/acme-bank) with the fixture
//! writers, so the committed bytes can be regenerated and reviewed:
//! `cargo run -p custody-formats --features fixtures --example make-example-models -- examples/acme-bank`

use custody_formats::fixtures::{self, GgufValue as V, OnnxModel};
use std::path::Path;

fn write(root: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    let p = root.join(rel);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(&p, bytes)?;
    println!("{rel}: {} bytes", bytes.len());
    Ok(())
}

fn main() -> std::io::Result<()> {
    let root = std::env::args().nth(1).unwrap_or_else(|| "examples/acme-bank".into());
    let root = Path::new(&root);
    // The base classifier: a one-layer llama-shaped model.
    let base = fixtures::safetensors(
        &[
            ("model.embed_tokens.weight", "F32", &[16, 8]),
            ("model.layers.0.self_attn.q_proj.weight", "F32", &[8, 8]),
            ("model.layers.0.self_attn.v_proj.weight", "F32", &[8, 8]),
            ("score.weight", "F32", &[2, 8]),
        ],
        &[("format", "pt")],
    );
    write(root, "fraud-scoring/models/base/model.safetensors", &base)?;
    // The LoRA adapter over it.
    let adapter = fixtures::safetensors(
        &[
            ("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", "F32", &[8, 8]),
            ("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", "F32", &[8, 8]),
        ],
        &[],
    );
    write(root, "fraud-scoring/models/fraud-adapter/adapter_model.safetensors", &adapter)?;
    // The exported scorer.
    write(root, "fraud-scoring/models/fraud-scorer.onnx", &fixtures::onnx(&OnnxModel::example()))?;
    // An analyst's quantised chat model that no system registers (shadow AI).
    let gguf = fixtures::gguf(
        &[
            ("general.architecture", V::str("llama")),
            ("general.name", V::str("TinyLlama 1.1B Chat")),
            ("general.license", V::str("apache-2.0")),
            ("general.file_type", V::U32(15)),
            (
                "tokenizer.chat_template",
                V::str("{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}"),
            ),
        ],
        &[("token_embd.weight", 12, &[256, 8]), ("output.weight", 12, &[256, 8])],
    );
    write(root, "experiments/tinyllama-q4_k_m.gguf", &gguf)?;
    Ok(())
}
