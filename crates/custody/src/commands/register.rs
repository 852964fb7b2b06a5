//! `custody register SYSTEM --asset GLOB --service NAME`: declare what a system uses.

use crate::failure::{CmdResult, Failure, Outcome};
use crate::fsutil::atomic_write;
use crate::output::Output;
use crate::workspace;
use custody_cli::{GlobalArgs, RegisterArgs};

pub fn run(g: &GlobalArgs, args: &RegisterArgs, out: &mut Output) -> CmdResult {
    if args.assets.is_empty() && args.services.is_empty() {
        return Err(Failure::with_hint("nothing to register", "pass --asset GLOB and/or --service NAME"));
    }
    let path = workspace::locate(g)?;
    // Validates size, encoding and content before we touch anything.
    workspace::read_config(&path)?;
    let text = std::fs::read_to_string(&path).map_err(|e| Failure::io("read", &path, &e))?;
    let (new, added) =
        custody_core::config::register(&text, &path.display().to_string(), &args.system, &args.assets, &args.services)?;
    if added > 0 {
        // The registration is a state change: with a store, it is logged. Open the store first,
        // so one that cannot take the entry (no audit key, unsealed entries) leaves the
        // configuration as it was instead of changing it unlogged.
        let ws = workspace::load(g)?;
        let mut store = match workspace::open_store(g, &ws) {
            Ok(s) => Some(s),
            Err(_) if workspace::store_location(g, &ws.config_path, &ws.config).is_ok_and(|l| !l.exists()) => None,
            Err(e) => return Err(e),
        };
        atomic_write(&path, new.as_bytes()).map_err(|e| Failure::io("write", &path, &e))?;
        if let Some(store) = store.as_mut() {
            let payload = serde_json::json!({ "system": args.system, "assets": args.assets, "services": args.services, "added": added });
            store.log_event("config.register", &payload, None, &crate::clock::now()?)?;
        }
    }
    out.line(&format!(
        "{}: {} new entr{} for system `{}`",
        path.display(),
        added,
        if added == 1 { "y" } else { "ies" },
        args.system
    ))?;
    Ok(Outcome::Ok)
}
