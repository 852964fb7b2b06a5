//! `custody keygen | sign | verify | snapshot | restore | diff`: OpenSSF model-signing
//! signatures, known-good snapshots and byte-exact restore. The work is in `custody-attest`;
//! this module reads files, renders, records evidence and picks exit codes (0 ok, 1 the model
//! does not verify or has drifted, 2 error).

use crate::clock;
use crate::failure::{CmdResult, Failure, Outcome};
use crate::output::{Output, Style};
use crate::workspace;
use custody_attest::snapshot::{self, Guard, ObjectStore, TargetRules};
use custody_attest::verify::{self as av, Trust};
use custody_attest::{
    AttestError, Bundle, Change, Difference, HashAlg, Manifest, Method, PrivateKey, PublicKey, SignOptions,
    VerifyReport, fsutil, keys, sign, x509,
};
use custody_cli::{
    DiffArgs, Format, GlobalArgs, KeygenArgs, RestoreArgs, SignArgs, SignHash, SignMethod, SnapshotArgs, VerifyArgs,
};
use custody_core::IntegrityKind;
use custody_core::Outcome as EventOutcome;
use custody_core::hex;
use custody_store::{AttestEvent, SnapshotFileRow, SnapshotRecord, Store};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn fail(e: AttestError) -> Failure {
    Failure::Error { message: e.to_string(), hint: e.hint() }
}

fn threads(n: Option<usize>) -> usize {
    n.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())).max(1)
}

/// `PATH/model.sig` for a directory, `PATH.sig` for a file.
fn default_signature(model: &Path) -> PathBuf {
    if model.is_dir() {
        model.join("model.sig")
    } else {
        let mut s = model.as_os_str().to_owned();
        s.push(".sig");
        PathBuf::from(s)
    }
}

fn read_pem(path: &Path, what: &'static str) -> Result<Vec<u8>, Failure> {
    fsutil::read_limited(path, keys::MAX_PEM_BYTES as u64, what).map_err(fail)
}

fn read_signature(path: &Path) -> Result<Vec<u8>, Failure> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::with_hint(
                format!("no signature file {}", path.display()),
                "sign the model first (`custody sign`), or pass --signature FILE",
            ));
        }
        _ => {}
    }
    fsutil::read_limited(path, custody_attest::bundle::MAX_BUNDLE_BYTES, "model signature").map_err(fail)
}

fn canonical(p: &Path) -> String {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()).to_string_lossy().into_owned()
}

fn human(bytes: u64) -> String {
    custody_core::text::size(bytes, custody_core::text::SizeUnits::Decimal, 2)
}

fn ser_json(m: &Manifest) -> Value {
    let s = &m.serialization;
    let mut v = json!({"method": match s.method { Method::Files => "files", Method::Shards { .. } => "shards" }, "hash_type": s.hash.as_str()});
    if let Method::Shards { shard_size } = s.method {
        v["shard_size"] = json!(shard_size);
    }
    v["ignore_paths"] = json!(s.ignore_paths);
    v
}

/// The store named by --db or custody.toml, when there is one (sign and verify work without).
fn optional_store(g: &GlobalArgs, out: &Output) -> Option<Box<dyn Store>> {
    let opened = match workspace::explicit_db(g) {
        Ok(Some(_)) => required_store(g),
        Ok(None) if workspace::locate(g).is_ok() => required_store(g),
        Ok(None) => return None,
        Err(e) => Err(e),
    };
    match opened {
        Ok(s) => Some(s),
        Err(Failure::Error { message, .. }) => {
            out.warn(&format!("not recorded in the store: {message}"));
            None
        }
        Err(Failure::BrokenPipe) => None,
    }
}

/// The store named by --db or custody.toml, opened for writing with the same actor, role and
/// audit key whichever names it; snapshots need one.
fn required_store(g: &GlobalArgs) -> Result<Box<dyn Store>, Failure> {
    if let Some(db) = workspace::explicit_db(g)? {
        let org = workspace::load(g).map(|ws| ws.config.organisation.name).unwrap_or_default();
        return workspace::open_store_at(g, &db, &org);
    }
    let ws = workspace::load(g)?;
    workspace::open_store(g, &ws)
}

fn record(store: &mut Option<Box<dyn Store>>, out: &Output, e: AttestEvent) {
    if let Some(s) = store
        && let Err(err) = s.record_attest_event(&e)
    {
        out.warn(&format!("the {} was not recorded in the store: {err}", e.kind));
    }
}

fn event(
    kind: IntegrityKind,
    subject: &Path,
    snapshot: Option<&str>,
    ok: bool,
    root: Option<String>,
    detail: Value,
) -> Result<AttestEvent, Failure> {
    Ok(AttestEvent {
        at: clock::now()?,
        kind,
        subject: canonical(subject),
        snapshot: snapshot.map(str::to_string),
        outcome: EventOutcome::of(ok),
        root_digest: root,
        detail_json: detail.to_string(),
    })
}

fn now_unix() -> Result<u64, Failure> {
    let s = clock::now()?;
    let t = time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| Failure::new(format!("cannot read the clock: {e}")))?;
    Ok(u64::try_from(t.unix_timestamp()).unwrap_or(0))
}

/// The trust material for verification: a public key, or CA certificates.
fn trust_from(public_key: Option<&Path>, ca: &[PathBuf]) -> Result<(Trust, &'static str, String), Failure> {
    if let Some(p) = public_key {
        let key = PublicKey::from_pem(&p.display().to_string(), &read_pem(p, "public key")?).map_err(fail)?;
        let pem = key.to_pem().map_err(fail)?;
        return Ok((Trust::PublicKey(key), "public-key", pem));
    }
    if ca.is_empty() {
        return Err(Failure::with_hint("nothing to verify the signature with", "pass --public-key KEY or --ca CA.pem"));
    }
    let mut anchors = Vec::new();
    let mut pem = String::new();
    for p in ca {
        let bytes = read_pem(p, "CA certificate file")?;
        anchors.extend(x509::load_certificates(&p.display().to_string(), &bytes).map_err(fail)?);
        pem.push_str(&String::from_utf8_lossy(&bytes));
    }
    Ok((Trust::Ca { anchors, now: now_unix()? }, "ca", pem))
}

fn trust_of_record(r: &SnapshotRecord) -> Result<Trust, Failure> {
    match r.trust_kind.as_str() {
        "public-key" => Ok(Trust::PublicKey(
            PublicKey::from_pem("the snapshot's public key", r.trust_pem.as_bytes()).map_err(fail)?,
        )),
        _ => Ok(Trust::Ca {
            anchors: x509::load_certificates("the snapshot's CA", r.trust_pem.as_bytes()).map_err(fail)?,
            now: now_unix()?,
        }),
    }
}

pub fn keygen(args: &KeygenArgs, out: &mut Output) -> CmdResult {
    for p in [&args.private_key, &args.public_key] {
        if p.exists() && !args.force {
            return Err(Failure::with_hint(
                format!("{} exists already", p.display()),
                "pass --force to overwrite it, or choose other paths with --private-key / --public-key",
            ));
        }
    }
    let key = PrivateKey::generate();
    let private = key.to_pem().map_err(fail)?;
    let public = key.public().to_pem().map_err(fail)?;
    let hint = key.public().hint().map_err(fail)?;
    fsutil::atomic_write(&args.private_key, private.as_bytes(), Some(0o600)).map_err(fail)?;
    fsutil::atomic_write(&args.public_key, public.as_bytes(), Some(0o644)).map_err(fail)?;
    match args.format {
        Format::Json => out.json(&json!({
            "schema": "custody.keygen/v1",
            "algorithm": "ecdsa-p256-sha256",
            "private_key": args.private_key.display().to_string(),
            "public_key": args.public_key.display().to_string(),
            "hint": hint,
        }))?,
        Format::Table => {
            out.line(&format!(
                "wrote {} (private, PKCS#8) and {} (public) — ECDSA P-256",
                args.private_key.display(),
                args.public_key.display()
            ))?;
            out.note(&format!("key hint sha256:{hint}; keep the private key secret, publish the public key"));
        }
    }
    Ok(Outcome::Ok)
}

/// `--ignore` paths relative to the model directory (absolute ones made relative to it).
fn ignores(model: &Path, given: &[String]) -> Result<Vec<String>, Failure> {
    let root = std::fs::canonicalize(model).map_err(|e| Failure::io("read", model, &e))?;
    given
        .iter()
        .map(|p| {
            let path = Path::new(p);
            if path.is_absolute() {
                let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                abs.strip_prefix(&root).map(|r| r.to_string_lossy().replace('\\', "/")).map_err(|_| {
                    Failure::with_hint(
                        format!("--ignore {p} is outside the model directory"),
                        "give a path inside the model, relative to it",
                    )
                })
            } else {
                Ok(p.clone())
            }
        })
        .collect()
}

pub fn sign(g: &GlobalArgs, args: &SignArgs, out: &mut Output) -> CmdResult {
    let t0 = Instant::now();
    let key_path = &args.private_key;
    let key =
        PrivateKey::from_pem(&key_path.display().to_string(), &read_pem(key_path, "private key")?).map_err(fail)?;
    let chain = match &args.certificate {
        None => None,
        Some(c) => {
            let mut ders = Vec::new();
            let leaf = x509::load_certificates(&c.display().to_string(), &read_pem(c, "certificate")?).map_err(fail)?;
            let Some(first) = leaf.first() else {
                return Err(Failure::new(format!("{} holds no certificate", c.display())));
            };
            let leaf_key = x509::certificate_key(first).map_err(|d| Failure::new(format!("{}: {d}", c.display())))?;
            if leaf_key != key.public() {
                return Err(Failure::with_hint(
                    format!("the certificate {} is not for the private key {}", c.display(), key_path.display()),
                    "pass the certificate issued for this key",
                ));
            }
            for cert in &leaf {
                ders.push(x509::to_der(cert).map_err(fail)?);
            }
            for p in &args.certificate_chain {
                for cert in x509::load_certificates(&p.display().to_string(), &read_pem(p, "certificate chain")?)
                    .map_err(fail)?
                {
                    ders.push(x509::to_der(&cert).map_err(fail)?);
                }
            }
            Some(ders)
        }
    };
    let method = match (args.method, args.shard_size) {
        (Some(SignMethod::Files), Some(_)) => {
            return Err(Failure::with_hint(
                "--shard-size needs --method shards",
                "drop --shard-size, or use --method shards",
            ));
        }
        (Some(SignMethod::Files), None) | (None, None) => Method::Files,
        (_, size) => Method::Shards { shard_size: size.unwrap_or(custody_attest::DEFAULT_SHARD_SIZE) },
    };
    let hash = match args.hash {
        SignHash::Sha256 => HashAlg::Sha256,
        SignHash::Blake3 => HashAlg::Blake3,
    };
    let signature = args.signature.clone().unwrap_or_else(|| default_signature(&args.path));
    let opts = SignOptions {
        method,
        hash,
        ignore: ignores(&args.path, &args.ignore)?,
        ignore_git_paths: !args.no_ignore_git_paths,
        threads: threads(args.threads),
        use_cache: !args.no_cache,
        chain,
    };
    let mut store = optional_store(g, out);
    let signed = sign::sign(&args.path, &signature, &key, &opts).map_err(fail)?;
    let root = hex::encode(&signed.manifest.root_digest());
    let cache = match &signed.cache {
        custody_attest::CacheUse::Off => "off".to_string(),
        custody_attest::CacheUse::None => "none".to_string(),
        custody_attest::CacheUse::Rejected(why) => format!("not used: {why}"),
        custody_attest::CacheUse::Used { reused } => format!("reused {reused} files"),
    };
    let s = &signed.stats;
    let detail = json!({
        "signature": canonical(&signature),
        "serialization": ser_json(&signed.manifest),
        "resources": signed.manifest.resources.len(),
        "files": s.files, "bytes": s.bytes, "files_hashed": s.files_hashed, "bytes_hashed": s.bytes_hashed,
        "files_reused": s.files_reused,
    });
    record(&mut store, out, event(IntegrityKind::Sign, &args.path, None, true, Some(root.clone()), detail.clone())?);
    match args.format {
        Format::Json => {
            let mut v = json!({"schema": "custody.sign/v1", "model": args.path.display().to_string(), "root_digest": root, "cache": cache});
            if let (Value::Object(a), Value::Object(b)) = (&mut v, detail) {
                a.extend(b);
            }
            v["seconds"] = json!(t0.elapsed().as_secs_f64());
            out.json(&v)?;
        }
        Format::Table => {
            out.line(&format!(
                "signed {} → {} ({} files, {}, {}; {} resources)",
                args.path.display(),
                signature.display(),
                s.files,
                human(s.bytes),
                signed.manifest.serialization.key(),
                signed.manifest.resources.len()
            ))?;
            out.line(&format!("root digest sha256:{root}"))?;
            out.note(&format!(
                "hashed {} files ({}), cache: {cache}; {:.2} s",
                s.files_hashed,
                human(s.bytes_hashed),
                t0.elapsed().as_secs_f64()
            ));
        }
    }
    Ok(Outcome::Ok)
}

fn differences_json(ds: &[Difference]) -> Value {
    Value::Array(
        ds.iter()
            .map(|d| {
                let mut v = json!({"path": d.path, "change": d.change.as_str()});
                if !d.shards.is_empty() {
                    v["shards"] = d
                        .shards
                        .iter()
                        .map(|s| json!({"start": s.start, "end": s.end, "change": s.change.as_str()}))
                        .collect();
                }
                if let Some(x) = &d.detail {
                    v["detail"] = json!(x);
                }
                v
            })
            .collect(),
    )
}

fn print_differences(out: &mut Output, ds: &[Difference]) -> Result<(), Failure> {
    for d in ds {
        let style = match d.change {
            Change::Added => Style::Yellow,
            Change::Removed | Change::Modified => Style::Red,
        };
        let mut line = format!("  {:<9} {}", out.paint(d.change.as_str(), style), d.path);
        if let Some(x) = &d.detail {
            line.push_str(&format!(" ({x})"));
        }
        out.line(&line)?;
        for s in d.shards.iter().take(20) {
            out.line(&format!("      shard {}..{} {}", s.start, s.end, s.change.as_str()))?;
        }
        if d.shards.len() > 20 {
            out.line(&format!("      … and {} more shards", d.shards.len() - 20))?;
        }
    }
    Ok(())
}

fn report_json(schema: &str, model: &Path, r: &VerifyReport) -> Value {
    let (valid, signer) = match &r.signature {
        av::SignatureStatus::Valid { signer } => (true, Some(signer.clone())),
        av::SignatureStatus::Invalid { .. } => (false, None),
    };
    let mut v = json!({
        "schema": schema,
        "model": model.display().to_string(),
        "verified": r.ok(),
        "signature_valid": valid,
        "signer": signer,
        "failure": r.failure(),
    });
    if let Some(m) = &r.manifest {
        v["root_digest"] = json!(hex::encode(&m.root_digest()));
        v["serialization"] = ser_json(m);
        v["resources"] = json!(m.resources.len());
    }
    v["files"] = json!(r.stats.files);
    v["bytes"] = json!(r.stats.bytes);
    v["differences"] = differences_json(&r.differences);
    v
}

fn print_report(out: &mut Output, verb: &str, model: &Path, r: &VerifyReport) -> Result<(), Failure> {
    if r.ok() {
        let signer = match &r.signature {
            av::SignatureStatus::Valid { signer } => signer.clone(),
            av::SignatureStatus::Invalid { .. } => String::new(),
        };
        let m = r.manifest.as_ref().map(|m| m.serialization.key()).unwrap_or_default();
        out.line(&format!(
            "{verb} {} ({} files, {}, {m}); signed by {signer}",
            model.display(),
            r.stats.files,
            human(r.stats.bytes)
        ))?;
    } else {
        let why = r.failure().unwrap_or_default();
        out.line(&format!("{} {}: {why}", out.paint("FAILED", Style::Red), model.display()))?;
        print_differences(out, &r.differences)?;
    }
    Ok(())
}

pub fn verify(g: &GlobalArgs, args: &VerifyArgs, out: &mut Output) -> CmdResult {
    let signature = args.signature.clone().unwrap_or_else(|| default_signature(&args.path));
    let bytes = read_signature(&signature)?;
    let (trust, _, _) = trust_from(args.public_key.as_deref(), &args.ca)?;
    let mut store = optional_store(g, out);
    let rel = sign::relative_inside(&args.path, &signature);
    let what = signature.display().to_string();
    let report = av::verify(&args.path, &what, &bytes, &trust, rel.as_deref(), threads(args.threads)).map_err(fail)?;
    let root = report.manifest.as_ref().map(|m| hex::encode(&m.root_digest()));
    let detail = report_json("custody.verify/v1", &args.path, &report);
    record(&mut store, out, event(IntegrityKind::Verify, &args.path, None, report.ok(), root, detail.clone())?);
    match args.format {
        Format::Json => out.json(&detail)?,
        Format::Table => print_report(out, "verified", &args.path, &report)?,
    }
    Ok(if report.ok() { Outcome::Ok } else { Outcome::PolicyFailure })
}

fn objects_dir(store: &dyn Store, given: Option<&Path>) -> PathBuf {
    if let Some(d) = given {
        return d.to_path_buf();
    }
    store.location().objects()
}

/// Tells what a run removed of what interrupted runs left.
fn report_swept(out: &Output, what: &str, swept: &snapshot::Swept) {
    if swept.removed > 0 {
        out.note(&format!(
            "removed {} temporar{} of interrupted {what} ({})",
            swept.removed,
            if swept.removed == 1 { "y" } else { "ies" },
            human(swept.bytes)
        ));
    }
    for p in &swept.put_back {
        out.warn(&format!("put {} back where it was: an interrupted restore had moved it aside", p.display()));
    }
}

pub fn snapshot(g: &GlobalArgs, args: &SnapshotArgs, out: &mut Output) -> CmdResult {
    let t0 = Instant::now();
    snapshot::check_name(&args.name).map_err(fail)?;
    let store = required_store(g)?;
    if store.snapshot(&args.name)?.is_some() {
        return Err(Failure::with_hint(
            format!("a snapshot called `{}` exists already", args.name),
            "snapshots are never replaced: choose another --name",
        ));
    }
    let threads = threads(args.threads);
    let objects_path = objects_dir(store.as_ref(), args.objects.as_deref());
    let (manifest, bundle, trust_kind, trust_pem, signature_name) = if let Some(kp) = &args.private_key {
        let key = PrivateKey::from_pem(&kp.display().to_string(), &read_pem(kp, "private key")?).map_err(fail)?;
        let opts = SignOptions {
            method: Method::Files,
            hash: HashAlg::Sha256,
            ignore: ignores(&args.path, &args.ignore)?,
            ignore_git_paths: true,
            threads,
            use_cache: false,
            chain: None,
        };
        let (ser, ignore) = sign::plan(&args.path, None, &opts).map_err(fail)?;
        let model = custody_attest::hashing::enumerate(&args.path, &ignore).map_err(fail)?;
        let signed = sign::sign_model(&model, &ser, &key, &opts, &Default::default()).map_err(fail)?;
        (signed.manifest, signed.bundle, "public-key", key.public().to_pem().map_err(fail)?, None)
    } else {
        let signature = args.signature.clone().unwrap_or_else(|| default_signature(&args.path));
        let bytes = read_signature(&signature)?;
        let (trust, kind, pem) = trust_from(args.public_key.as_deref(), &args.ca)?;
        let rel = sign::relative_inside(&args.path, &signature);
        let what = signature.display().to_string();
        let report = av::verify(&args.path, &what, &bytes, &trust, rel.as_deref(), threads).map_err(fail)?;
        if !report.ok() {
            let detail = report_json("custody.verify/v1", &args.path, &report);
            let mut s = Some(store);
            record(
                &mut s,
                out,
                event(IntegrityKind::Snapshot, &args.path, Some(&args.name), false, None, detail.clone())?,
            );
            match args.format {
                Format::Json => out.json(&json!({"schema": "custody.snapshot/v1", "name": args.name, "stored": false, "verification": detail}))?,
                Format::Table => {
                    print_report(out, "verified", &args.path, &report)?;
                    out.note("nothing was stored: only a model that verifies becomes a known-good snapshot");
                }
            }
            return Ok(Outcome::PolicyFailure);
        }
        let Some(m) = report.manifest else {
            return Err(Failure::new("verification returned no manifest"));
        };
        (m, bytes, kind, pem, rel)
    };
    let objects = ObjectStore::open_or_create(&objects_path).map_err(fail)?;
    match objects.clean_leftovers() {
        Ok(swept) => report_swept(out, "snapshots", &swept),
        Err(e) => out.warn(&format!("leftovers of interrupted snapshots were not removed: {e}")),
    }
    let (files, stats) =
        snapshot::ingest(&args.path, &manifest, signature_name.as_deref(), &objects, threads).map_err(fail)?;
    let root = hex::encode(&manifest.root_digest());
    let model_is_file = args.path.is_file();
    let rec = SnapshotRecord {
        name: args.name.clone(),
        created_at: clock::now()?,
        source: canonical(&args.path),
        objects_dir: canonical(objects.dir()),
        single_file: model_is_file,
        serialization: manifest.serialization.key(),
        root_digest: root.clone(),
        bundle,
        trust_kind: trust_kind.into(),
        trust_pem,
        signature_name,
        total_bytes: stats.bytes,
        files: files
            .iter()
            .map(|f| SnapshotFileRow { path: f.path.clone(), size: f.size, mode: f.mode, object: f.object.clone() })
            .collect(),
    };
    store.record_snapshot(&rec)?;
    let detail = json!({
        "files": stats.files, "bytes": stats.bytes, "new_objects": stats.new_objects, "new_bytes": stats.new_bytes,
        "objects": rec.objects_dir, "serialization": rec.serialization,
    });
    let mut s = Some(store);
    record(
        &mut s,
        out,
        event(IntegrityKind::Snapshot, &args.path, Some(&args.name), true, Some(root.clone()), detail.clone())?,
    );
    match args.format {
        Format::Json => {
            let mut v = json!({"schema": "custody.snapshot/v1", "name": args.name, "stored": true, "model": args.path.display().to_string(), "root_digest": root});
            if let (Value::Object(a), Value::Object(b)) = (&mut v, detail) {
                a.extend(b);
            }
            out.json(&v)?;
        }
        Format::Table => {
            out.line(&format!(
                "snapshot `{}` of {}: {} files, {} ({} new objects, {} written) in {}",
                args.name,
                args.path.display(),
                stats.files,
                human(stats.bytes),
                stats.new_objects,
                human(stats.new_bytes),
                objects.dir().display()
            ))?;
            out.line(&format!("root digest sha256:{root}"))?;
            out.note(&format!("{:.2} s", t0.elapsed().as_secs_f64()));
        }
    }
    Ok(Outcome::Ok)
}

fn load_snapshot(store: &dyn Store, name: &str) -> Result<SnapshotRecord, Failure> {
    match store.snapshot(name)? {
        Some(s) => Ok(s.record),
        None => {
            let known: Vec<String> = store.snapshots()?.into_iter().map(|s| s.record.name).collect();
            let hint = if known.is_empty() {
                "take one first: custody snapshot PATH --name NAME --public-key KEY".to_string()
            } else {
                format!("known snapshots: {}", known.join(", "))
            };
            Err(Failure::with_hint(format!("no snapshot called `{name}`"), hint))
        }
    }
}

/// What restore must never replace, and where the store knows copies of models are.
fn guard(g: &GlobalArgs, store: &dyn Store, rec: &SnapshotRecord, objects: &ObjectStore) -> Result<Guard, Failure> {
    let db = PathBuf::from(store.describe());
    let store_dir = fsutil::parent_of(&db).to_path_buf();
    let location = store.location();
    let mut keep = vec![db.clone(), location.audit_key(), location.audit_checkpoint()];
    if let Ok(config) = workspace::locate(g) {
        keep.push(workspace::root_of(&config).to_path_buf());
        keep.push(config);
    }
    let keep_inside = vec![objects.dir().to_path_buf(), PathBuf::from(&rec.objects_dir), store_dir.join("objects")];
    let mut known = vec![PathBuf::from(&rec.source)];
    known.extend(
        store
            .attest_events()?
            .into_iter()
            .filter(|e| e.kind == IntegrityKind::Restore && e.outcome == EventOutcome::Ok)
            .map(|e| PathBuf::from(e.subject)),
    );
    Ok(Guard { keep, keep_inside, known })
}

pub fn restore(g: &GlobalArgs, args: &RestoreArgs, out: &mut Output) -> CmdResult {
    let t0 = Instant::now();
    let mut store = required_store(g)?;
    let rec = load_snapshot(store.as_ref(), &args.name)?;
    let objects = ObjectStore::open(args.objects.as_deref().unwrap_or(Path::new(&rec.objects_dir))).map_err(fail)?;
    match snapshot::clean_restore_leftovers(&args.target) {
        Ok(swept) => report_swept(out, "restores", &swept),
        Err(e) => out.warn(&format!("leftovers of interrupted restores were not removed: {e}")),
    }
    let files: Vec<custody_attest::SnapshotFile> = rec
        .files
        .iter()
        .map(|f| custody_attest::SnapshotFile {
            path: f.path.clone(),
            size: f.size,
            mode: f.mode,
            object: f.object.clone(),
        })
        .collect();
    let guard = guard(g, store.as_ref(), &rec, &objects)?;
    let rules = TargetRules {
        force: args.force,
        guard: &guard,
        files: &files,
        signature_name: rec.signature_name.as_deref(),
        single_file: rec.single_file,
    };
    snapshot::check_target(&args.target, &rules).map_err(fail)?;
    let trust = trust_of_record(&rec)?;
    // Dropping `staged` on any early return removes the staging copy.
    let staged = snapshot::stage(&files, &objects, &args.target, rec.single_file).map_err(fail)?;
    let staging = staged.path();
    let stats = staged.stats.clone();
    if let (Some(sig), false) = (&rec.signature_name, rec.single_file) {
        fsutil::atomic_write(&staging.join(sig), &rec.bundle, Some(0o644)).map_err(fail)?;
    }
    let what = format!("the signature of snapshot `{}`", rec.name);
    let report = av::verify(&staging, &what, &rec.bundle, &trust, rec.signature_name.as_deref(), threads(args.threads))
        .map_err(fail)?;
    let mut s = Some(store);
    if !report.ok() {
        drop(staged);
        let detail = report_json("custody.verify/v1", &args.target, &report);
        record(&mut s, out, event(IntegrityKind::Restore, &args.target, Some(&rec.name), false, None, detail.clone())?);
        match args.format {
            Format::Json => out.json(
                &json!({"schema": "custody.restore/v1", "name": rec.name, "restored": false, "verification": detail}),
            )?,
            Format::Table => {
                print_report(out, "verified", &args.target, &report)?;
                out.note(&format!("{} was not touched", args.target.display()));
            }
        }
        return Ok(Outcome::PolicyFailure);
    }
    snapshot::commit(staged, &args.target, &rules).map_err(fail)?;
    store = s.take().ok_or_else(|| Failure::new("store lost"))?;
    let detail = json!({"files": stats.files, "bytes": stats.bytes, "objects": objects.dir().display().to_string()});
    let mut s = Some(store);
    record(
        &mut s,
        out,
        event(IntegrityKind::Restore, &args.target, Some(&rec.name), true, Some(rec.root_digest.clone()), detail)?,
    );
    match args.format {
        Format::Json => out.json(&json!({
            "schema": "custody.restore/v1", "name": rec.name, "restored": true, "target": args.target.display().to_string(),
            "root_digest": rec.root_digest, "files": stats.files, "bytes": stats.bytes, "verified": true,
        }))?,
        Format::Table => {
            out.line(&format!(
                "restored `{}` to {} ({} files, {}), verified against its signature",
                rec.name,
                args.target.display(),
                stats.files,
                human(stats.bytes)
            ))?;
            out.note(&format!("{:.2} s", t0.elapsed().as_secs_f64()));
        }
    }
    Ok(Outcome::Ok)
}

pub fn diff(g: &GlobalArgs, args: &DiffArgs, out: &mut Output) -> CmdResult {
    let store = required_store(g)?;
    let rec = load_snapshot(store.as_ref(), &args.name)?;
    let trust = trust_of_record(&rec)?;
    let what = format!("the signature of snapshot `{}`", rec.name);
    let bundle = Bundle::parse(&what, &rec.bundle).map_err(fail)?;
    let (status, manifest, problem) = av::verified_manifest(&what, &bundle, &trust).map_err(fail)?;
    let (Some(manifest), None) = (manifest, problem.clone()) else {
        let why = match status {
            av::SignatureStatus::Invalid { reason } => reason,
            av::SignatureStatus::Valid { .. } => problem.unwrap_or_default(),
        };
        return Err(Failure::with_hint(
            format!("the stored signature of snapshot `{}` does not verify: {why}", rec.name),
            "the store was modified; take a new snapshot from a verified copy",
        ));
    };
    let sig_rel = if rec.single_file { None } else { rec.signature_name.clone() };
    let (hashed, stats) =
        av::hash_like(&args.path, &manifest, sig_rel.as_deref(), threads(args.threads)).map_err(fail)?;
    let ds = av::compare(&manifest, &hashed);
    let detail = json!({
        "schema": "custody.diff/v1",
        "name": rec.name,
        "model": args.path.display().to_string(),
        "snapshot_root_digest": rec.root_digest,
        "same": ds.is_empty(),
        "files": stats.files,
        "bytes": stats.bytes,
        "differences": differences_json(&ds),
    });
    let mut s = Some(store);
    record(
        &mut s,
        out,
        event(
            IntegrityKind::Diff,
            &args.path,
            Some(&rec.name),
            ds.is_empty(),
            Some(rec.root_digest.clone()),
            detail.clone(),
        )?,
    );
    match args.format {
        Format::Json => out.json(&detail)?,
        Format::Table => {
            if ds.is_empty() {
                out.line(&format!(
                    "{} matches snapshot `{}` ({} files, {})",
                    args.path.display(),
                    rec.name,
                    stats.files,
                    human(stats.bytes)
                ))?;
            } else {
                out.line(&format!("{} has drifted from snapshot `{}`:", args.path.display(), rec.name))?;
                print_differences(out, &ds)?;
                out.note(&format!("to return to the known-good state: custody restore {} TARGET", rec.name));
            }
        }
    }
    Ok(if ds.is_empty() { Outcome::Ok } else { Outcome::PolicyFailure })
}
