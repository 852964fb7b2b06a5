//! One file: what it is (by content first, extension second), its digest and metadata, and the
//! AI use in it. Never executes or loads what it reads; anything unreadable is a finding.

use crate::codes::{FmtCode, TextCode, WalkCode};
use crate::hash::{hash_file, sha256_hex};
use crate::text::{self, TextRole};
use crate::walk::WalkedFile;
use crate::{AssetKind, CodeUse, FileAsset, FileRecord, FileResult, INSPECT_LIMIT, TEXT_LIMIT};
use custody_core::{Finding, Location};
use custody_formats::{Format, Inspection};
use custody_shadow::{Hit, HitKind};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;

const HEAD: usize = 64 << 10;

/// Files that describe a model rather than configure an application: their values (`model_type:
/// llama`) are not AI use.
const MODEL_SIDE_FILES: &[&str] = &[
    "config.json",
    "generation_config.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "special_tokens_map.json",
    "adapter_config.json",
    "preprocessor_config.json",
    "dataset_info.json",
    "dataset_dict.json",
    "state.json",
];

/// Tail formats up to this size are read whole for inspection; larger ones are reported as not
/// fully inspected (the same limit as `custody inspect`'s).
const TAIL_LIMIT: u64 = custody_modelsec::ANALYSIS_LIMIT;

/// How much of a large file to read for its metadata: the safetensors header exactly, GGUF
/// metadata (vocabularies run to megabytes), protobuf and pickle formats up to the inspection
/// limit. Formats with their directory at the end are read whole up to [`TAIL_LIMIT`].
fn inspect_window(format: Format, head: &[u8], size: u64) -> u64 {
    let w = match format {
        Format::Safetensors => head
            .get(..8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(8, |b| u64::from_le_bytes(b).saturating_add(8))
            .min(100_000_008),
        Format::Gguf => 32 << 20,
        // Read whole when small enough: the directory is at the end.
        f if f.directory_at_end() && size <= TAIL_LIMIT => size,
        f if f.directory_at_end() => 0,
        // Pickles are analysed as far as `custody inspect` reads them.
        Format::Pickle | Format::TorchLegacy => custody_modelsec::ANALYSIS_LIMIT,
        _ => INSPECT_LIMIT,
    };
    w.min(size)
}

/// Extensions models are saved under that say nothing about the format (`torch.save` writes a
/// zip or a pickle under any of them).
const AMBIGUOUS_MODEL_EXTENSIONS: &[&str] = &["pt", "pth", "bin", "ckpt", "model", "weights", "mar", "pt2", "nemo"];

/// Extensions that promise something other than a model; model content under them is hiding.
const INNOCENT_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "bmp", "webp", "ico", "svg", "txt", "md", "json", "yaml", "yml", "csv", "pdf", "html",
    "js", "py", "mp3", "mp4", "wav", "css", "xml", "log",
];

use custody_modelsec::EXTENSION_ONLY;

pub fn process(_root: &Path, f: &WalkedFile) -> FileRecord {
    let mut res = FileResult::default();
    let cacheable = inspect_file(f, &mut res);
    FileRecord {
        path: f.rel.clone(),
        size: f.size,
        mtime_ns: f.mtime_ns,
        inode: f.inode,
        ctime_ns: f.ctime_ns,
        result: Arc::new(res),
        cached: false,
        cacheable,
    }
}

/// Fills `res`; returns whether the result may be cached (false when the file changed or could
/// not be read whole).
fn inspect_file(f: &WalkedFile, res: &mut FileResult) -> bool {
    let mut cacheable = true;
    let name = f.rel.rsplit('/').next().unwrap_or(&f.rel).to_string();
    let ext = text::ext_of(&name);

    // Small files are read whole (they are text to scan, or small enough to inspect whole);
    // large ones only by their head until we know they are assets.
    let whole = f.size <= TEXT_LIMIT;
    let (bytes, mut after) = match read_start(&f.abs, if whole { TEXT_LIMIT as usize + 1 } else { HEAD }) {
        Ok(b) => b,
        Err(e) => {
            res.findings.push(read_error(&f.rel, &e));
            cacheable = false;
            return cacheable;
        }
    };
    let head = &bytes[..bytes.len().min(HEAD)];
    let content = custody_formats::sniff(head);
    let claimed = custody_formats::format_for_extension(&ext);

    if let Some((kind, format)) = classify(&f.rel, &name, &ext, content, claimed, head, f.size) {
        // Hash: from memory when we hold the whole file, else by streaming it; read only the
        // part of a large file its format keeps its metadata in.
        let (sha, inspect_bytes) = if whole && bytes.len() as u64 == f.size {
            (sha256_hex(&bytes), None)
        } else {
            let parse_as = content.or(claimed);
            let want = parse_as.map_or(0, |p| inspect_window(p, head, f.size));
            let prefix = if want > bytes.len() as u64 {
                match read_start(&f.abs, usize::try_from(want).unwrap_or(usize::MAX)) {
                    Ok((b, _)) => Some(b),
                    Err(e) => {
                        res.findings.push(read_error(&f.rel, &e));
                        cacheable = false;
                        return cacheable;
                    }
                }
            } else {
                None
            };
            match hash_file(&f.abs) {
                Ok(h) => {
                    if h.len != f.size {
                        cacheable = false;
                    }
                    after = h.after;
                    (h.sha256, prefix)
                }
                Err(e) => {
                    res.findings.push(read_error(&f.rel, &e));
                    cacheable = false;
                    return cacheable;
                }
            }
        };
        let data: &[u8] = inspect_bytes.as_deref().unwrap_or(&bytes);
        let truncated = (data.len() as u64) < f.size;
        let mut meta = serde_json::Value::Null;
        let mut format = format;
        let mut actual = content;
        let parse_as = content.or(claimed.filter(|c| EXTENSION_ONLY.contains(c)));
        if format == "ollama-modelfile" {
            let t = String::from_utf8_lossy(data);
            meta = serde_json::to_value(custody_formats::ollama::parse_modelfile(&t)).unwrap_or_default();
        } else if let Some(pf) = parse_as.filter(|p| !(truncated && p.directory_at_end())) {
            let ins: Inspection = if truncated {
                custody_formats::inspect_prefix_as(data, pf, f.size)
            } else {
                custody_formats::inspect_as(data, pf)
            };
            // The zip family is decided by the central directory, not the first header.
            if let Some(refined) = ins.format.filter(|r| Some(*r) != content && content.is_some()) {
                actual = Some(refined);
                if format == pf.as_str() {
                    format = refined.as_str().to_string();
                }
            }
            for i in &ins.issues {
                res.findings.push(
                    Finding::new(
                        i.code,
                        i.message.clone(),
                        Location { offset: i.offset, ..Location::file(f.rel.clone()) },
                    )
                    .with_evidence(format!("{format} parser")),
                );
            }
            meta = serde_json::to_value(&ins.meta).unwrap_or(serde_json::Value::Null);
        } else if parse_as.is_some() {
            // Zip-family and footer formats keep their directory at the end of the file.
            meta = serde_json::json!({ "extra": { "inspected": "no: the format's directory is at the end of a file larger than the inspection window" } });
        }
        findings_for_claims(&f.rel, &ext, actual, claimed, res);
        // Security analysis of model files: code execution and tampering, without loading.
        // Every asset the analysis recognises as a serialisation it reads (a NumPy array, a
        // joblib or zip container, a pickle behind a data extension …) is analysed as
        // `custody inspect` would: what hides under a data name is found too.
        let sec = custody_modelsec::analyze(&f.rel, data, f.size);
        if matches!(kind, AssetKind::Model | AssetKind::Adapter | AssetKind::ChatTemplate)
            || actual == Some(Format::Pickle)
            || claimed.is_some_and(|c| c.is_model() || c == Format::Pickle)
            || sec.format.is_some()
            || custody_modelsec::is_template_source(&name, data)
        {
            // One merge for `custody scan` and `custody inspect` (custody_modelsec::examine).
            // A template source custody reads as no format is named as `custody inspect` names it.
            let label = match parse_as.or(claimed) {
                None if custody_modelsec::is_template_source(&name, data) => "chat template",
                _ => format.as_str(),
            };
            custody_modelsec::merge(&f.rel, data.len(), f.size, claimed, label, &sec, &mut res.findings);
        }
        if matches!(actual, Some(Format::SevenZip | Format::Gzip)) {
            res.findings.push(Finding::new(
                FmtCode::Uninspectable,
                format!("{format} archive under a model extension: custody cannot look inside, so it is not known to be safe"),
                Location::file(f.rel.clone()),
            ));
        }
        res.sha256 = Some(sha);
        res.asset = Some(FileAsset { kind, format, meta });
    } else {
        if whole {
            // Not an asset: hash what we read anyway (it is in memory), for directory digests.
            res.sha256 = Some(sha256_hex(&bytes));
        }
        // Not an asset, but what a loader may still open: an archive (a renamed PyTorch zip, a
        // zip of pickles) or a chat template (a template file, a JSON or YAML config with a
        // `chat_template`) that is rendered. Analysed as
        // `custody inspect` would, so a scan never misses what inspect finds.
        let container = matches!(content, Some(Format::Zip | Format::Gzip | Format::SevenZip));
        let template = custody_modelsec::is_template_source(&name, &bytes);
        if container || template {
            let read = if whole {
                None
            } else {
                let want = usize::try_from(custody_modelsec::ANALYSIS_LIMIT.min(f.size)).unwrap_or(usize::MAX);
                match read_start(&f.abs, want) {
                    Ok((b, _)) => Some(b),
                    Err(e) => {
                        res.findings.push(read_error(&f.rel, &e));
                        return false;
                    }
                }
            };
            let data: &[u8] = read.as_deref().unwrap_or(&bytes);
            let shown = custody_modelsec::format_label(&name, data, content.or(claimed));
            let claims = claims(&f.rel, &ext, content, claimed);
            let e = custody_modelsec::examine(&f.rel, data, f.size, content, claimed, shown, claims);
            if !e.findings.is_empty() {
                res.findings.extend(e.findings);
            }
        }
    }

    if whole
        && bytes.len() as u64 == f.size
        && let Ok(t) = std::str::from_utf8(&bytes)
    {
        let side_file = MODEL_SIDE_FILES.contains(&name.as_str()) || name.ends_with(".index.json");
        if let Some(role) = text::text_role(&f.rel, &name, &ext)
            && !text::in_vendor_dir(&f.rel)
            && !side_file
        {
            scan_text(&f.rel, role, t, res);
        }
        res.aux = aux(&name, t);
    }

    // An empty file under a model's name is reported as such, not as a malformed header.
    if f.size == 0
        && (claimed.is_some_and(|c| c.is_model() || c == Format::Pickle)
            || AMBIGUOUS_MODEL_EXTENSIONS.contains(&ext.as_str()))
    {
        res.findings.retain(|x| x.code != FmtCode::Malformed);
        res.findings.push(Finding::new(
            FmtCode::Empty,
            format!("empty .{ext} file: 0 bytes, no model in it"),
            Location::file(f.rel.clone()),
        ));
    }

    // The file must be the same after reading as before.
    let m = after;
    let (mtime_ns, ctime_ns) = crate::walk::times_ns(&m);
    if m.len() != f.size
        || mtime_ns != f.mtime_ns
        || ctime_ns != f.ctime_ns
        || m.ino() != f.inode
        || bytes.len() as u64 > f.size
    {
        cacheable = false;
        res.findings.push(Finding::new(
            WalkCode::Changed,
            "file changed while it was being read; its digest and metadata may not match its content",
            Location::file(f.rel.clone()),
        ));
    }
    cacheable
}

/// Reads up to `limit` bytes from the start of `path`, and the file's metadata as it was when
/// reading ended (from the open handle: no second path lookup).
fn read_start(path: &Path, limit: usize) -> std::io::Result<(Vec<u8>, std::fs::Metadata)> {
    let mut f = std::fs::File::open(path)?;
    let mut buf = Vec::with_capacity(limit.min(1 << 16));
    (&mut f).take(limit as u64).read_to_end(&mut buf)?;
    let after = f.metadata()?;
    Ok((buf, after))
}

fn read_error(rel: &str, e: &std::io::Error) -> Finding {
    if e.kind() == std::io::ErrorKind::NotFound {
        Finding::new(WalkCode::Changed, "file vanished during the scan", Location::file(rel))
    } else {
        Finding::new(WalkCode::Unreadable, format!("cannot read: {e}"), Location::file(rel))
    }
}

/// Extension vs content.
fn findings_for_claims(rel: &str, ext: &str, content: Option<Format>, claimed: Option<Format>, res: &mut FileResult) {
    res.findings.extend(claims(rel, ext, content, claimed));
}

/// What a file's name claims against what its content is (`CUS-CLS-001`, `CUS-FMT-001`), the
/// same for `custody scan` and `custody inspect`.
pub fn claim_findings(rel: &str, content: Option<Format>, claimed: Option<Format>) -> Vec<Finding> {
    let name = rel.rsplit(['/', '\\']).next().unwrap_or(rel);
    claims(rel, &text::ext_of(name), content, claimed)
}

fn claims(rel: &str, ext: &str, content: Option<Format>, claimed: Option<Format>) -> Vec<Finding> {
    let mut out = Vec::new();
    match (claimed, content) {
        (Some(cl), Some(c)) if !custody_formats::extension_matches(ext, c) => out.push(
            Finding::new(
                WalkCode::ExtensionMismatch,
                format!("named .{ext} ({}) but the content is {}", cl.as_str(), c.as_str()),
                Location::file(rel),
            )
            .with_evidence(format!("content sniffed as {}", c.as_str())),
        ),
        // A model under an innocent-looking name (a pickle called picture.png).
        (None, Some(c)) if (c.is_model() || c == Format::Pickle) && INNOCENT_EXTENSIONS.contains(&ext) => out.push(
            Finding::new(
                WalkCode::ExtensionMismatch,
                format!("named .{ext} but the content is {}", c.as_str()),
                Location::file(rel),
            )
            .with_evidence(format!("content sniffed as {}", c.as_str())),
        ),
        (Some(cl), None) if !EXTENSION_ONLY.contains(&cl) => out.push(Finding::new(
            FmtCode::Malformed,
            format!("named .{ext} but the content does not look like {}", cl.as_str()),
            Location::file(rel),
        )),
        _ => {}
    }
    out
}

/// Decides whether a file is an AI asset, and which. Content first, then extension, then name.
fn classify(
    rel: &str,
    name: &str,
    ext: &str,
    content: Option<Format>,
    claimed: Option<Format>,
    head: &[u8],
    size: u64,
) -> Option<(AssetKind, String)> {
    let lower = name.to_ascii_lowercase();
    let kind_of = |f: Format| {
        if f == Format::Faiss {
            AssetKind::VectorStore
        } else if f.is_dataset() {
            AssetKind::Dataset
        } else if lower.starts_with("adapter_model") {
            AssetKind::Adapter
        } else {
            AssetKind::Model
        }
    };
    if let Some(c) = content {
        return match c {
            Format::Notebook => None,
            // Generic containers are AI assets only where the name says so.
            Format::Zip | Format::Gzip | Format::SevenZip => {
                let model_name = claimed.is_some_and(|cl| cl.is_model() || cl.is_dataset())
                    || AMBIGUOUS_MODEL_EXTENSIONS.contains(&ext);
                model_name.then(|| (claimed.map_or(AssetKind::Model, kind_of), c.as_str().to_string()))
            }
            c if c.is_model() || c.is_dataset() || c == Format::Faiss => {
                let label = if c == Format::Safetensors && head_mentions(head, b"\"mlx\"") {
                    "mlx-safetensors"
                } else {
                    c.as_str()
                };
                Some((kind_of(c), label.to_string()))
            }
            _ => None,
        };
    }
    if let Some(cl) = claimed {
        // `.pth` is also Python's path-configuration file; `.bin` is anything. Text under those
        // names is not a model.
        let texty = std::str::from_utf8(head).is_ok();
        let weak = matches!(ext, "pth" | "bin") && (texty || size < 4096);
        if !weak && (cl.is_model() || cl.is_dataset() || cl == Format::Faiss) && cl != Format::Notebook {
            return Some((kind_of(cl), cl.as_str().to_string()));
        }
    }
    if matches!(ext, "csv" | "tsv" | "jsonl" | "ndjson")
        && let Some(f) = text::looks_like_data(ext, head)
    {
        return Some((AssetKind::Dataset, f.to_string()));
    }
    if text::is_webdataset_shard(&lower) {
        return Some((AssetKind::Dataset, "webdataset-shard".into()));
    }
    if lower == "modelfile" || lower.starts_with("modelfile.") || ext == "modelfile" {
        return Some((AssetKind::Model, "ollama-modelfile".into()));
    }
    if ext == "xml" && head_mentions(head, b"<net ") {
        return Some((AssetKind::Model, "openvino-ir".into()));
    }
    let as_text = std::str::from_utf8(head).unwrap_or("");
    if text::is_chat_template(name, ext, as_text) {
        return Some((AssetKind::ChatTemplate, "jinja".into()));
    }
    if text::is_prompt(rel, name, ext) {
        return Some((AssetKind::Prompt, if ext.is_empty() { "text".into() } else { ext.to_string() }));
    }
    None
}

fn head_mentions(head: &[u8], needle: &[u8]) -> bool {
    let n = head.len().min(8192);
    head[..n].windows(needle.len()).any(|w| w == needle)
}

/// Repository side files that describe a directory asset.
fn aux(name: &str, text: &str) -> Option<serde_json::Value> {
    let v = match name {
        "config.json" => serde_json::to_value(custody_formats::hf::parse_config_json(text)).ok()?,
        "adapter_config.json" => serde_json::to_value(custody_formats::hf::parse_adapter_config(text)).ok()?,
        "tokenizer_config.json" => {
            serde_json::json!({ "chat_template": custody_formats::hf::parse_tokenizer_config(text).is_some() })
        }
        "README.md" | "readme.md" if text.starts_with("---") => {
            serde_json::to_value(custody_formats::hf::parse_card(text)).ok()?
        }
        "MLmodel" => serde_json::to_value(custody_formats::mlflow::parse_mlmodel(text)).ok()?,
        _ => return None,
    };
    Some(v)
}

fn kind_str(k: HitKind) -> &'static str {
    match k {
        HitKind::Sdk => "sdk",
        HitKind::Dependency => "dependency",
        HitKind::Endpoint => "endpoint",
        HitKind::EnvVar => "env-var",
        HitKind::ModelId => "model-id",
        HitKind::HubDownload => "hub-download",
        HitKind::Credential => "credential",
        HitKind::PathLiteral => "path-literal",
    }
}

fn scan_text(rel: &str, role: TextRole, t: &str, res: &mut FileResult) {
    let hits: Vec<Hit> = match role {
        TextRole::Code(_) => custody_shadow::scan_code(rel, t),
        TextRole::Manifest => custody_shadow::scan_manifest(rel, t),
        TextRole::Notebook => custody_shadow::scan_notebook(rel, t),
        TextRole::Config => custody_shadow::scan_config(rel, t),
    };
    for h in hits {
        let loc = Location::at_line(rel, h.line, h.column);
        match h.kind {
            HitKind::Credential => res.findings.push(
                Finding::new(
                    TextCode::Credential,
                    format!("hard-coded {} credential", h.provider.as_deref().unwrap_or("AI service")),
                    loc.clone(),
                )
                .with_evidence(h.name.clone()),
            ),
            HitKind::HubDownload if h.pinned == Some(false) => res.findings.push(
                Finding::new(
                    TextCode::UnpinnedDownload,
                    format!("`{}` is downloaded without a pinned revision", h.name),
                    loc.clone(),
                )
                .with_evidence(h.detail.clone().unwrap_or_default()),
            ),
            _ => {}
        }
        res.uses.push(CodeUse {
            path: rel.to_string(),
            line: h.line,
            column: h.column,
            kind: kind_str(h.kind).to_string(),
            provider: h.provider,
            category: h.category.to_string(),
            name: h.name,
            detail: h.detail,
            pinned: h.pinned,
        });
    }
}
