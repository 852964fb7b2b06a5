//! `custody init`: write custody.toml and create the store. Safe to run twice: an existing
//! configuration is kept unless --force, and an existing store is opened (and upgraded), never
//! recreated.

use crate::clock;
use crate::failure::{CmdResult, Failure, Outcome};
use crate::fsutil::atomic_write;
use crate::output::Output;
use crate::prompt::ask;
use crate::workspace::{self, CONFIG_FILE};
use custody_cli::{Format, GlobalArgs, InitArgs};
use custody_core::config::StoreConfig;
use custody_core::{Config, Exposure, Organisation, Role, System};
use custody_store::Opened;
use serde_json::json;
use std::io::IsTerminal;
use std::path::PathBuf;

pub fn run(g: &GlobalArgs, args: &InitArgs, out: &mut Output) -> CmdResult {
    let config_path = g.config.clone().unwrap_or_else(|| PathBuf::from(CONFIG_FILE));
    if config_path.is_dir() {
        return Err(Failure::new(format!("{} is a directory, not a configuration file", config_path.display())));
    }
    let exists = config_path.exists();
    let systems = args.systems.iter().map(|s| parse_system(s)).collect::<Result<Vec<_>, _>>()?;
    let flags_given = args.org.is_some() || !args.roles.is_empty() || !args.systems.is_empty();
    let (cfg, write) = if exists && !args.force {
        let cfg = workspace::read_config(&config_path)?;
        if flags_given {
            out.warn(&format!(
                "{} exists, so --org, --role and --system were not applied; pass --force to overwrite it",
                config_path.display()
            ));
        }
        (cfg, false)
    } else {
        let interactive = !args.yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        (build(args, systems, interactive)?, true)
    };

    // Open (or create) the store before writing the configuration, so a store that cannot be
    // used leaves the directory as it was.
    let location = workspace::store_location(g, &config_path, &cfg)?;
    let (store, opened) = custody_store::open_or_create(&location, &workspace::open_options())?;
    let store = workspace::writer_for(g, store.as_ref(), &location, &cfg.organisation.name)?;
    if write {
        atomic_write(&config_path, cfg.to_toml().as_bytes()).map_err(|e| Failure::io("write", &config_path, &e))?;
    }
    let now = clock::now()?;
    let changes = store.record_organisation(&cfg.organisation.name, &cfg.organisation.roles, &cfg.systems, &now)?;
    let version = store.schema_version()?;

    let store_state = match &opened {
        Opened::Created => "created".to_string(),
        Opened::Existing { upgraded_from: Some(v) } => format!("upgraded from schema v{v}"),
        Opened::Existing { upgraded_from: None } => "existing".to_string(),
    };
    match args.format {
        Format::Json => out.json(&json!({
            "schema": "custody.init/v1",
            "config": config_path.display().to_string(),
            "config_written": write,
            "store": location.to_string(),
            "store_state": store_state,
            "store_schema_version": version,
            "organisation": cfg.organisation.name,
            "roles": cfg.organisation.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "systems": cfg.systems.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            "changes": changes.iter().map(|c| json!({"kind": c.kind, "subject": c.subject, "detail": c.detail})).collect::<Vec<_>>(),
        }))?,
        Format::Table => {
            let roles: Vec<&str> = cfg.organisation.roles.iter().map(|r| r.as_str()).collect();
            let what = format!(
                "organisation {}; roles {}; {} AI system{}",
                cfg.organisation.name,
                roles.join(", "),
                cfg.systems.len(),
                if cfg.systems.len() == 1 { "" } else { "s" }
            );
            if write {
                out.line(&format!("wrote {} ({what})", config_path.display()))?;
            } else {
                out.line(&format!("kept {} ({what})", config_path.display()))?;
            }
            out.line(&format!("store {location}: {store_state}, schema v{version}"))?;
            if !changes.is_empty() {
                out.line(&format!("recorded {} change{} to the declared organisation", changes.len(), if changes.len() == 1 { "" } else { "s" }))?;
            }
            out.note("next: `custody applicable` lists what your roles oblige you to do");
        }
    }
    Ok(Outcome::Ok)
}

fn build(args: &InitArgs, mut systems: Vec<System>, interactive: bool) -> Result<Config, Failure> {
    let default_name = std::env::current_dir()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "my-organisation".into());
    let name = match &args.org {
        Some(n) if !n.trim().is_empty() => n.trim().to_string(),
        Some(_) => return Err(Failure::new("--org is empty")),
        None if interactive => ask("Organisation name", Some(&default_name))?,
        None if args.yes => default_name,
        None => return Err(non_interactive("--org NAME")),
    };
    let mut roles = args.roles.clone();
    if roles.is_empty() {
        if !interactive {
            return Err(Failure::with_hint(
                "no role given: custody needs to know which roles of ETSI EN 304 223 you hold",
                format!("pass --role once per role; valid roles: {}", Role::valid_list()),
            ));
        }
        roles = ask_roles()?;
    }
    roles.sort();
    roles.dedup();
    if systems.is_empty() && interactive {
        systems = ask_systems()?;
    }
    let cfg = Config {
        organisation: Organisation { name, roles },
        systems,
        store: StoreConfig::default(),
        evidence: Default::default(),
        gate: Default::default(),
        audit: Default::default(),
    };
    // Whatever we write must read back: check it with the same parser `custody` uses later.
    Config::parse(&cfg.to_toml(), CONFIG_FILE)?;
    Ok(cfg)
}

fn non_interactive(missing: &str) -> Failure {
    Failure::with_hint(
        format!("missing {missing}, and custody cannot ask because this is not a terminal"),
        "pass --org NAME and --role ROLE (repeatable), or --yes to accept defaults",
    )
}

fn ask_roles() -> Result<Vec<Role>, Failure> {
    for _ in 0..3 {
        let answer = ask(&format!("Roles you hold, comma-separated ({})", Role::valid_list()), None)?;
        let parsed: Result<Vec<Role>, String> =
            answer.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Role::parse).collect();
        match parsed {
            Ok(r) if !r.is_empty() => return Ok(r),
            Ok(_) => eprintln!("give at least one role"),
            Err(e) => eprintln!("{}", custody_core::text::escape_controls(&e)),
        }
    }
    Err(Failure::with_hint("no valid role given", format!("valid roles: {}", Role::valid_list())))
}

fn ask_systems() -> Result<Vec<System>, Failure> {
    let mut systems: Vec<System> = Vec::new();
    loop {
        let name = ask("AI system name (empty to finish)", None)?;
        if name.is_empty() {
            return Ok(systems);
        }
        if systems.iter().any(|s| s.name == name) {
            eprintln!("system `{}` is already declared", custody_core::text::escape_controls(&name));
            continue;
        }
        let description = ask("  description", None)?;
        let intended_use = ask("  intended use", None)?;
        let exposure = loop {
            match Exposure::parse(&ask("  exposure (internal, external-api, public)", Some("internal"))?) {
                Ok(e) => break e,
                Err(e) => eprintln!("{}", custody_core::text::escape_controls(&e)),
            }
        };
        systems.push(System { name, description, intended_use, exposure, ..System::default() });
    }
}

/// `NAME`, or `name=NAME;exposure=...;use=...;description=...`.
pub fn parse_system(spec: &str) -> Result<System, Failure> {
    let hint = "write --system NAME, or --system 'name=NAME;exposure=internal|external-api|public;use=INTENDED USE;description=TEXT'";
    if !spec.contains('=') {
        let name = spec.trim();
        if name.is_empty() {
            return Err(Failure::with_hint("--system is empty", hint));
        }
        return Ok(System {
            name: name.into(),
            description: String::new(),
            intended_use: String::new(),
            exposure: Exposure::Internal,
            ..System::default()
        });
    }
    let mut sys = System {
        name: String::new(),
        description: String::new(),
        intended_use: String::new(),
        exposure: Exposure::Internal,
        ..System::default()
    };
    for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(Failure::with_hint(format!("--system `{spec}`: `{part}` is not key=value"), hint));
        };
        let v = v.trim().to_string();
        match k.trim() {
            "name" => sys.name = v,
            "exposure" => {
                sys.exposure =
                    Exposure::parse(&v).map_err(|e| Failure::with_hint(format!("--system `{spec}`: {e}"), hint))?
            }
            "use" | "intended_use" | "intended-use" => sys.intended_use = v,
            "description" => sys.description = v,
            other => {
                return Err(Failure::with_hint(
                    format!("--system `{spec}`: unknown key `{other}`; keys are name, exposure, use, description"),
                    hint,
                ));
            }
        }
    }
    if sys.name.is_empty() {
        return Err(Failure::with_hint(format!("--system `{spec}` has no name"), hint));
    }
    Ok(sys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_specs() {
        let s = parse_system("fraud").expect("bare");
        assert_eq!((s.name.as_str(), s.exposure), ("fraud", Exposure::Internal));
        let s = parse_system("name=chat; exposure=public; use=answer customers; description=a bot").expect("full");
        assert_eq!(
            (s.name.as_str(), s.exposure, s.intended_use.as_str()),
            ("chat", Exposure::Public, "answer customers")
        );
        for bad in ["", "exposure=public", "name=x;exposure=web", "name=x;colour=red", "name=x;oops"] {
            assert!(parse_system(bad).is_err(), "{bad}");
        }
    }
}
