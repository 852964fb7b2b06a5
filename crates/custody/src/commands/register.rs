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
        atomic_write(&path, new.as_bytes()).map_err(|e| Failure::io("write", &path, &e))?;
        // The registration is a state change: log it if there is a store.
        if let Ok(ws) = workspace::load(g)
            && let Ok(mut store) = workspace::open_store(g, &ws)
        {
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
