//! Everything custody-formats exposes must be total: no panic, bounded allocation, on any
//! input. The first byte picks the entry point so one target covers them all.
#![no_main]

use custody_formats::{Format, hf, inspect, inspect_as, mlflow, ollama, sniff};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let _ = sniff(rest);
    let _ = inspect(rest);
    let text = String::from_utf8_lossy(rest);
    match selector % 8 {
        0 => {
            let f = Format::ALL[usize::from(selector / 8) % Format::ALL.len()];
            let _ = inspect_as(rest, f);
        }
        1 => {
            let _ = hf::parse_config_json(&text);
            let _ = hf::parse_adapter_config(&text);
            let _ = hf::parse_weights_index(&text);
        }
        2 => {
            let _ = hf::parse_tokenizer_config(&text);
            let _ = hf::parse_tokenizer_chat_templates(&text);
        }
        3 => {
            let _ = hf::parse_card(&text);
            let _ = hf::parse_card(&format!("---\n{text}\n---\n"));
        }
        4 => {
            let _ = mlflow::parse_mlmodel(&text);
        }
        5 => {
            let _ = ollama::parse_modelfile(&text);
        }
        _ => {
            let _ = custody_formats::zip::read(rest);
        }
    }
});
