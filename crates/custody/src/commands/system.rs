//! `custody system add NAME --exposure E --use TEXT`: declare a system in custody.toml.

use crate::failure::{CmdResult, Outcome};
use crate::fsutil::atomic_write;
use crate::output::Output;
use crate::workspace;
use custody_cli::{GlobalArgs, SystemAddArgs, SystemCommand};
use custody_core::config::System;

pub fn run(g: &GlobalArgs, cmd: &SystemCommand, out: &mut Output) -> CmdResult {
    match cmd {
        SystemCommand::Add(args) => add(g, args, out),
    }
}

fn add(g: &GlobalArgs, args: &SystemAddArgs, out: &mut Output) -> CmdResult {
    let path = workspace::locate(g)?;
    // Validates size, encoding and content before we touch anything.
    workspace::read_config(&path)?;
    let text = std::fs::read_to_string(&path).map_err(|e| crate::failure::Failure::io("read", &path, &e))?;
    let system = System {
        name: args.name.clone(),
        description: args.description.clone(),
        intended_use: args.intended_use.clone(),
        exposure: args.exposure,
        ..System::default()
    };
    let new = custody_core::config::add_system(&text, &path.display().to_string(), &system)?;
    // A state change: with a store, it is logged. Open the store first, so one that cannot take
    // the entry leaves the configuration as it was instead of changing it unlogged.
    let ws = workspace::load(g)?;
    let mut store = match workspace::open_store(g, &ws) {
        Ok(s) => Some(s),
        Err(_) if workspace::store_location(g, &ws.config_path, &ws.config).is_ok_and(|l| !l.exists()) => None,
        Err(e) => return Err(e),
    };
    atomic_write(&path, new.as_bytes()).map_err(|e| crate::failure::Failure::io("write", &path, &e))?;
    if let Some(store) = store.as_mut() {
        let payload = serde_json::json!({
            "system": system.name,
            "exposure": system.exposure.as_str(),
            "intended_use": system.intended_use,
            "description": system.description,
        });
        store.log_event("config.system.add", &payload, None, &crate::clock::now()?)?;
    }
    out.line(&format!("{}: added system `{}` ({})", path.display(), system.name, system.exposure))?;
    Ok(Outcome::Ok)
}
