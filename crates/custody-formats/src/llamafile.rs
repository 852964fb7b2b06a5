//! llamafile (Mozilla-Ocho/llamafile): an Actually Portable Executable (Cosmopolitan) that is at
//! once a shell script, a PE and an ELF, starting `MZqFpD='` (variants `jartsr='`,
//! `APEDBG='`). Weights (`*.gguf`) and an optional `.args` file are appended as uncompressed,
//! page-aligned ZIP64 members. [`crate::sniff`] reports any APE as `Llamafile` (it only sees the
//! head); inspection lists the zip members, reads `.args`, and inspects the first stored
//! `.gguf` member in place, so the model's metadata (architecture, chat template...) shows up.
//! `extra["weights"]` is `embedded` or `none` (a llamafile may expect `-m` at run time).

use crate::util::{Sink, short};
use crate::{ModelMeta, gguf, zip};

pub(crate) fn is_ape(head: &[u8]) -> bool {
    head.starts_with(b"MZqFpD='") || head.starts_with(b"jartsr='") || head.starts_with(b"APEDBG='")
}

pub(crate) fn inspect(b: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    if !is_ape(b) {
        sink.malformed("no Actually-Portable-Executable header (MZqFpD=')", 0);
        return;
    }
    meta.set_extra("executable", "ape");
    let arch = match zip::read(b) {
        Ok(a) => a,
        Err(_) => {
            meta.set_extra("weights", "none");
            return;
        }
    };
    sink.extend(arch.issues.clone());
    let _ = zip::describe(b, &arch, meta, sink);
    if let Some(args) = arch.entries.iter().find(|e| e.name == ".args")
        && let Ok(a) = zip::read_member(b, args, 64 * 1024)
    {
        let line: Vec<String> = String::from_utf8_lossy(&a).lines().take(64).map(short).collect();
        meta.set_extra("args", line.join(" "));
    }
    let weights = arch.entries.iter().find(|e| e.name.ends_with(".gguf") && e.method == 0);
    match weights.and_then(|e| zip::raw_data(b, e).map(|d| (e, d))) {
        Some((e, data)) => {
            meta.set_extra("weights", "embedded");
            meta.set_extra("gguf_member", &e.name);
            let mut inner = Sink::default();
            gguf::inspect(data, meta, &mut inner);
            for i in inner.issues {
                sink.push(
                    i.code,
                    format!("{}: {}", short(&e.name), i.message),
                    i.offset.map(|o| o + e.data_offset.unwrap_or(0)),
                );
            }
        }
        None => meta.set_extra("weights", "none"),
    }
}
