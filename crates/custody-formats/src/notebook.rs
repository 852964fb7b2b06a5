//! Jupyter notebooks (`.ipynb`): a JSON object with `cells` (nbformat 4; nbformat 3 has
//! `worksheets`) and `nbformat`. nbformat writes keys sorted, so `"cells"` comes first and the
//! version may lie beyond the head: sniffing accepts an object whose first key is `"cells"`
//! holding `"cell_type"` entries, or one mentioning both `"nbformat"` and `"cells"`/`"worksheets"`.
//! Inspection parses the JSON (up to [`limits::MAX_NOTEBOOK`], skipping cell contents and
//! outputs without keeping them) and reports the version, the kernel
//! and the cell counts. Nothing is executed or rendered.

use crate::util::{Sink, find, off};
use crate::{ModelMeta, limits};
use serde::Deserialize;

pub(crate) fn sniff(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else { return false };
    if head[start] != b'{' {
        return false;
    }
    let rest = &head[start + 1..];
    let first_key = rest.iter().position(|b| !b.is_ascii_whitespace()).map(|p| &rest[p..]);
    if first_key.is_some_and(|k| k.starts_with(b"\"cells\"")) && find(rest, b"\"cell_type\"").is_some() {
        return true;
    }
    find(rest, b"\"nbformat\"").is_some()
        && (find(rest, b"\"cells\"").is_some() || find(rest, b"\"worksheets\"").is_some())
}

#[derive(Deserialize)]
struct Nb {
    nbformat: Option<u64>,
    nbformat_minor: Option<u64>,
    #[serde(default)]
    metadata: Option<Md>,
    cells: Option<Vec<Cell>>,
    worksheets: Option<Vec<Worksheet>>,
}

#[derive(Deserialize)]
struct Md {
    kernelspec: Option<Kernel>,
    language_info: Option<Lang>,
}

#[derive(Deserialize)]
struct Kernel {
    name: Option<String>,
    language: Option<String>,
}

#[derive(Deserialize)]
struct Lang {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Worksheet {
    cells: Option<Vec<Cell>>,
}

#[derive(Deserialize)]
struct Cell {
    cell_type: Option<String>,
}

pub(crate) fn inspect(b: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    if b.len() > limits::MAX_NOTEBOOK {
        sink.limit(format!("notebook larger than {} bytes was not parsed", limits::MAX_NOTEBOOK), None);
        return;
    }
    let nb: Nb = match serde_json::from_slice(b) {
        Ok(v) => v,
        Err(e) => {
            sink.malformed(format!("notebook is not valid JSON: {e}"), off(0));
            return;
        }
    };
    if let Some(m) = nb.nbformat {
        meta.format_version = Some(match nb.nbformat_minor {
            Some(n) => format!("{m}.{n}"),
            None => m.to_string(),
        });
    } else {
        sink.malformed("no nbformat version", None);
    }
    if let Some(md) = &nb.metadata {
        if let Some(k) = md.kernelspec.as_ref().and_then(|k| k.name.as_deref()) {
            meta.set_extra("kernel", k);
        }
        let lang = md.language_info.as_ref().and_then(|l| l.name.as_deref());
        if let Some(l) = lang.or(md.kernelspec.as_ref().and_then(|k| k.language.as_deref())) {
            meta.set_extra("language", l);
        }
    }
    let cells: Vec<&Cell> = match &nb.cells {
        Some(c) => c.iter().collect(),
        None => nb.worksheets.iter().flatten().filter_map(|w| w.cells.as_ref()).flatten().collect(),
    };
    let code = cells.iter().filter(|c| c.cell_type.as_deref() == Some("code")).count();
    meta.set_extra("cells", cells.len().to_string());
    meta.set_extra("code_cells", code.to_string());
}
