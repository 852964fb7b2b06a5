//! Table-driven tests: every entry of every detection table is turned into a tiny snippet and
//! must be detected with the right provider and category. Failures are collected so one run
//! lists every broken entry.

use crate::tables::{
    ASSET_EXTS, CARGO, CREDENTIALS, Charset, DATASET_BUILDERS, ENV_SEGMENTS, ENV_VARS, GO, Gate, HF_TASKS, HOSTS,
    IMAGES, LOADERS, LOCAL_DIRS, LOCAL_PORTS, MAVEN, MODELS, NPM, NUGET, PLACEHOLDER_WORDS, PYPI_ALIASES, PYTHON, Rule,
    SK_CONTEXT, Sdk,
};
use crate::{Hit, HitKind, literal, mask, scan_code, scan_config, scan_manifest, secrets};

struct Failures(Vec<String>);

impl Failures {
    fn new() -> Self {
        Failures(Vec::new())
    }
    fn expect(
        &mut self,
        ctx: &str,
        hits: &[Hit],
        kind: HitKind,
        name: Option<&str>,
        provider: Option<&str>,
        cat: &str,
    ) {
        let ok = hits.iter().any(|h| {
            h.kind == kind && name.is_none_or(|n| h.name == n) && h.provider.as_deref() == provider && h.category == cat
        });
        if !ok {
            self.0.push(format!("{ctx:?}: expected {kind:?} {name:?} {provider:?} {cat}, got {hits:#?}"));
        }
    }
    fn expect_none(&mut self, ctx: &str, hits: &[Hit], kind: HitKind) {
        if hits.iter().any(|h| h.kind == kind) {
            self.0.push(format!("{ctx:?}: expected no {kind:?}, got {hits:#?}"));
        }
    }
    fn done(self) {
        assert!(self.0.is_empty(), "{} failures:\n{}", self.0.len(), self.0.join("\n"));
    }
}

fn family_instance(pkg: &str) -> String {
    pkg.replace('*', "foo")
}

#[test]
fn every_table_entry_is_well_formed() {
    for table in crate::tables::ALL_SDK_TABLES {
        for sdk in *table {
            assert!(crate::category::ALL.contains(&sdk.cat), "{sdk:?}");
            assert_eq!(sdk.provider, sdk.provider.to_ascii_lowercase(), "{sdk:?}");
            assert!(sdk.eco != crate::tables::Eco::PyPI || !sdk.code.is_empty(), "{sdk:?}");
        }
    }
    for h in HOSTS {
        assert!(crate::category::ALL.contains(&h.cat), "{h:?}");
        assert!(h.pat.matches('*').count() <= 1, "{h:?}");
        assert_eq!(h.pat, h.pat.to_ascii_lowercase());
    }
    for v in ENV_VARS {
        assert!(crate::category::ALL.contains(&v.cat), "{v:?}");
        assert_eq!(v.name, v.name.to_ascii_uppercase());
    }
    for m in MODELS {
        assert!(crate::category::ALL.contains(&m.cat), "{m:?}");
        assert!(!m.examples.is_empty(), "{m:?}");
    }
    assert!(literal::models_compiled(), "a model shape does not compile");
}

// ------------------------------------------------------------------------------------------------
// SDKs and dependencies

fn py_import_snippet(sdk: &Sdk, code: &str) -> (String, String) {
    let module = code.replace('*', "foo");
    let pkg = if sdk.is_family() { module.replace('_', "-") } else { sdk.pkg.to_string() };
    match sdk.rule {
        Rule::NeedsNames(names) => (format!("from {module} import {}\n", names.first().unwrap()), pkg),
        Rule::NeedsBedrock => (format!("import {module}\nc = {module}.client(\"bedrock-runtime\")\n"), "boto3".into()),
        _ => (format!("import {module}\n"), pkg),
    }
}

#[test]
fn table_python_imports() {
    let mut f = Failures::new();
    for sdk in PYTHON {
        for code in sdk.code {
            let (src, name) = py_import_snippet(sdk, code);
            let hits = scan_code("t.py", &src);
            f.expect(&src, &hits, HitKind::Sdk, Some(&name), sdk.provider(), sdk.cat);
            if sdk.rule == Rule::Ambiguous
                && !hits.iter().any(|h| h.detail.as_deref().unwrap_or("").contains("low confidence"))
            {
                f.0.push(format!("{src:?}: ambiguous module not marked low confidence"));
            }
            // also as a `from X import Y` statement and inside a notebook-free dotted form
            if matches!(sdk.rule, Rule::Plain | Rule::Ambiguous) {
                let module = code.replace('*', "foo");
                let src2 = format!("from {module}.sub import Thing\n");
                f.expect(&src2, &scan_code("t.py", &src2), HitKind::Sdk, Some(&name), sdk.provider(), sdk.cat);
            }
        }
    }
    f.done();
}

#[test]
fn table_python_dependencies() {
    let mut f = Failures::new();
    for sdk in PYTHON {
        let pkg = family_instance(sdk.pkg);
        let src = format!("{pkg}>=1.0\n");
        let hits = scan_manifest("requirements.txt", &src);
        if sdk.rule == Rule::NeedsBedrock {
            f.expect_none(&src, &hits, HitKind::Dependency);
        } else {
            f.expect(&src, &hits, HitKind::Dependency, Some(&pkg), sdk.provider(), sdk.cat);
            let toml = format!("[project]\ndependencies = [\"{pkg}[extra]~=2.0\"]\n");
            f.expect(
                &toml,
                &scan_manifest("pyproject.toml", &toml),
                HitKind::Dependency,
                Some(&pkg),
                sdk.provider(),
                sdk.cat,
            );
        }
    }
    for (alias, canonical) in PYPI_ALIASES {
        let sdk = PYTHON.iter().find(|s| s.pkg == *canonical).expect("alias target exists");
        let src = format!("{alias}==1\n");
        f.expect(
            &src,
            &scan_manifest("requirements.txt", &src),
            HitKind::Dependency,
            Some(alias),
            sdk.provider(),
            sdk.cat,
        );
    }
    f.done();
}

#[test]
fn table_npm() {
    let mut f = Failures::new();
    for sdk in NPM {
        let pkg = family_instance(sdk.pkg);
        for src in [
            format!("import x from \"{pkg}\";\n"),
            format!("const x = require('{pkg}/sub/path');\n"),
            format!("export {{ y }} from \"{pkg}\";\n"),
            format!("const m = await import(\"{pkg}\");\n"),
        ] {
            f.expect(&src, &scan_code("t.ts", &src), HitKind::Sdk, Some(&pkg), sdk.provider(), sdk.cat);
        }
        let json = format!("{{\"devDependencies\": {{\"{pkg}\": \"^1.0.0\"}}}}");
        f.expect(
            &json,
            &scan_manifest("package.json", &json),
            HitKind::Dependency,
            Some(&pkg),
            sdk.provider(),
            sdk.cat,
        );
    }
    f.done();
}

fn maven_artifact(glob: &str) -> String {
    if glob == "*" { "core".to_string() } else { glob.replace('*', "") }
}

#[test]
fn table_maven() {
    let mut f = Failures::new();
    for sdk in MAVEN {
        let (g, a) = sdk.pkg.split_once(':').unwrap();
        let a = maven_artifact(a);
        for code in sdk.code {
            let java = format!("package x;\nimport {code}.Foo;\nclass A {{}}\n");
            f.expect(&java, &scan_code("A.java", &java), HitKind::Sdk, None, sdk.provider(), sdk.cat);
            let kt = format!("package x\nimport {code}.Foo\n");
            f.expect(&kt, &scan_code("A.kt", &kt), HitKind::Sdk, None, sdk.provider(), sdk.cat);
        }
        let coord = format!("{g}:{a}");
        let pom = format!(
            "<project><dependencies>\n<dependency>\n<groupId>{g}</groupId>\n<artifactId>{a}</artifactId>\n</dependency>\n</dependencies></project>"
        );
        f.expect(&pom, &scan_manifest("pom.xml", &pom), HitKind::Dependency, Some(&coord), sdk.provider(), sdk.cat);
        let kts = format!("dependencies {{\n  implementation(\"{g}:{a}:1.0\")\n}}\n");
        f.expect(
            &kts,
            &scan_manifest("build.gradle.kts", &kts),
            HitKind::Dependency,
            Some(&coord),
            sdk.provider(),
            sdk.cat,
        );
        let groovy = format!("dependencies {{\n  implementation '{g}:{a}:1.0'\n}}\n");
        f.expect(
            &groovy,
            &scan_manifest("build.gradle", &groovy),
            HitKind::Dependency,
            Some(&coord),
            sdk.provider(),
            sdk.cat,
        );
    }
    f.done();
}

#[test]
fn table_go() {
    let mut f = Failures::new();
    for sdk in GO {
        let codes: Vec<&str> = if sdk.code.is_empty() { vec![sdk.pkg] } else { sdk.code.to_vec() };
        for code in codes {
            for src in [
                format!("package main\nimport \"{code}\"\n"),
                format!("package main\nimport (\n\tx \"{code}/v2/sub\"\n)\n"),
            ] {
                f.expect(&src, &scan_code("m.go", &src), HitKind::Sdk, Some(sdk.pkg), sdk.provider(), sdk.cat);
            }
        }
        for m in [
            format!("module m\nrequire {}/v2 v2.0.0\n", sdk.pkg),
            format!("module m\nrequire (\n\t{} v1.0.0\n)\n", sdk.pkg),
        ] {
            f.expect(&m, &scan_manifest("go.mod", &m), HitKind::Dependency, Some(sdk.pkg), sdk.provider(), sdk.cat);
        }
    }
    f.done();
}

#[test]
fn table_cargo() {
    let mut f = Failures::new();
    for sdk in CARGO {
        for lib in sdk.code {
            let src = format!("use {lib}::Thing;\nfn main() {{}}\n");
            f.expect(&src, &scan_code("m.rs", &src), HitKind::Sdk, Some(sdk.pkg), sdk.provider(), sdk.cat);
        }
        for toml in [
            format!("[dependencies]\n{} = \"1\"\n", sdk.pkg),
            format!("[dev-dependencies]\nrenamed = {{ package = \"{}\", version = \"1\" }}\n", sdk.pkg),
        ] {
            f.expect(
                &toml,
                &scan_manifest("Cargo.toml", &toml),
                HitKind::Dependency,
                Some(sdk.pkg),
                sdk.provider(),
                sdk.cat,
            );
        }
    }
    f.done();
}

#[test]
fn table_nuget() {
    let mut f = Failures::new();
    for sdk in NUGET {
        for ns in sdk.code {
            let src = format!("using System;\nusing {ns};\nclass A {{}}\n");
            f.expect(&src, &scan_code("A.cs", &src), HitKind::Sdk, None, sdk.provider(), sdk.cat);
        }
        for xml in [
            format!(
                "<Project><ItemGroup>\n<PackageReference Include=\"{}\" Version=\"1.0\" />\n</ItemGroup></Project>",
                sdk.pkg
            ),
            format!("<packages>\n<package id=\"{}\" version=\"1.0\" />\n</packages>", sdk.pkg),
        ] {
            let path = if xml.starts_with("<packages") { "packages.config" } else { "App.csproj" };
            f.expect(&xml, &scan_manifest(path, &xml), HitKind::Dependency, Some(sdk.pkg), sdk.provider(), sdk.cat);
        }
    }
    f.done();
}

// ------------------------------------------------------------------------------------------------
// endpoints

fn host_instance(pat: &str) -> String {
    pat.replace('*', "us-east-1")
}

#[test]
fn table_hosts() {
    let mut f = Failures::new();
    for h in HOSTS {
        let host = host_instance(h.pat);
        let py = format!("URL = \"https://{host}/v1/chat\"\n");
        f.expect(&py, &scan_code("t.py", &py), HitKind::Endpoint, Some(&host), crate::tables::opt(h.provider), h.cat);
        let env = format!("SOME_URL=https://{host}/v1\n");
        f.expect(
            &env,
            &scan_config(".env", &env),
            HitKind::Endpoint,
            Some(&host),
            crate::tables::opt(h.provider),
            h.cat,
        );
    }
    for p in LOCAL_PORTS {
        let name = format!("localhost:{}", p.port);
        let src = format!("u = \"http://localhost:{}/v1/chat/completions\"\n", p.port);
        f.expect(
            &src,
            &scan_code("t.py", &src),
            HitKind::Endpoint,
            Some(&name),
            crate::tables::opt(p.provider),
            "local-inference",
        );
        let bare = format!("u = \"http://localhost:{}/health\"\n", p.port);
        if p.needs_v1 {
            f.expect_none(&bare, &scan_code("t.py", &bare), HitKind::Endpoint);
        } else {
            f.expect(
                &bare,
                &scan_code("t.py", &bare),
                HitKind::Endpoint,
                Some(&name),
                crate::tables::opt(p.provider),
                "local-inference",
            );
        }
    }
    f.done();
}

// ------------------------------------------------------------------------------------------------
// environment variables

#[test]
fn table_env_vars() {
    let mut f = Failures::new();
    for v in ENV_VARS {
        let name = v.name.replace('*', "EXTRA_SETTING");
        let p = crate::tables::opt(v.provider);
        for (path, src) in [
            ("t.py", format!("import os\nx = os.getenv(\"{name}\")\n")),
            ("t.py", format!("import os\nx = os.environ[\"{name}\"]\n")),
            ("t.ts", format!("const x = process.env.{name};\n")),
            ("t.go", format!("package m\nfunc f() {{ x := os.Getenv(\"{name}\") }}\n")),
            ("t.rs", format!("fn f() {{ let x = std::env::var(\"{name}\"); }}\n")),
            ("T.java", format!("class T {{ String x = System.getenv(\"{name}\"); }}\n")),
            ("T.cs", format!("var x = Environment.GetEnvironmentVariable(\"{name}\");\n")),
        ] {
            f.expect(&src, &scan_code(path, &src), HitKind::EnvVar, Some(&name), p, v.cat);
        }
        for (path, src) in [
            (".env", format!("{name}=1\n")),
            ("compose.yaml", format!("services:\n  a:\n    environment:\n      - {name}=${{{name}}}\n")),
            ("k8s.yaml", format!("env:\n  - name: {name}\n    value: x\n")),
            ("Dockerfile", format!("FROM python\nENV {name}=1\n")),
        ] {
            f.expect(&src, &scan_config(path, &src), HitKind::EnvVar, Some(&name), p, v.cat);
        }
    }
    for (segs, provider, cat) in ENV_SEGMENTS {
        let name = format!("MY_APP_{}_API_KEY", segs.join("_"));
        let src = format!("x = os.getenv(\"{name}\")\n");
        f.expect(&src, &scan_code("t.py", &src), HitKind::EnvVar, Some(&name), Some(provider), cat);
    }
    f.done();
}

// ------------------------------------------------------------------------------------------------
// model ids

#[test]
fn table_models() {
    let mut f = Failures::new();
    for m in MODELS {
        let p = crate::tables::opt(m.provider);
        for ex in m.examples {
            let ctx = format!("r = client.create(model=\"{ex}\")\n");
            let hits = scan_code("t.py", &ctx);
            f.expect(&ctx, &hits, HitKind::ModelId, Some(ex), p, m.cat);
            if !hits.iter().any(|h| h.kind == HitKind::ModelId && h.detail.as_deref() == Some(m.label)) {
                f.0.push(format!("{ctx:?}: matched by another shape than {:?}: {hits:?}", m.label));
            }
            let yaml = format!("llm:\n  model: {ex}\n");
            f.expect(&yaml, &scan_config("app.yaml", &yaml), HitKind::ModelId, Some(ex), p, m.cat);
            let bare = format!("x = \"{ex}\"\n");
            let hits = scan_code("t.py", &bare);
            if m.context {
                f.expect_none(&bare, &hits, HitKind::ModelId);
            } else {
                f.expect(&bare, &hits, HitKind::ModelId, Some(ex), p, m.cat);
            }
        }
    }
    f.done();
}

// ------------------------------------------------------------------------------------------------
// credentials

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn body(&mut self, cs: Charset, len: usize) -> String {
        let alphabet: &[u8] = match cs {
            Charset::Alnum => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            Charset::Token => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
            Charset::UpperDigit => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            Charset::Hex => b"0123456789abcdef",
        };
        (0..len).map(|_| char::from(alphabet[(self.next() % alphabet.len() as u64) as usize])).collect()
    }
}

/// A random-looking key of `shape` (the body avoids placeholder patterns).
pub(crate) fn fake_key(shape: &crate::tables::CredShape, seed: u64) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    loop {
        let len = shape.min.max(shape.max.min(48));
        let body = if shape.gate == Gate::OpenAiLegacy {
            format!("{}T3BlbkFJ{}", rng.body(shape.charset, 20), rng.body(shape.charset, 20))
        } else {
            let mut b = rng.body(shape.charset, len);
            // a clean boundary: no trailing '-' / '_'
            while b.ends_with(['-', '_']) || b.starts_with(['-', '_']) {
                b = rng.body(shape.charset, len);
            }
            b
        };
        if !secrets::placeholder(&body) {
            return format!("{}{}", shape.prefix, body);
        }
    }
}

#[test]
fn table_credentials() {
    let mut f = Failures::new();
    for (n, shape) in CREDENTIALS.iter().enumerate() {
        let key = fake_key(shape, n as u64 + 1);
        let lead = match shape.gate {
            Gate::FileMentions(w) => format!("# client for {w}\n"),
            _ => String::new(),
        };
        for (path, src) in [
            ("t.py", format!("{lead}KEY = \"{key}\"\n")),
            ("t.py", format!("{lead}# pasted: {key}\n")),
            ("t.ts", format!("{lead}const k = `{key}`;\n")),
            (".env", format!("{lead}ANY_VAR={key}\n")),
        ] {
            let hits = if path == ".env" { scan_config(path, &src) } else { scan_code(path, &src) };
            f.expect(
                &src,
                &hits,
                HitKind::Credential,
                Some(&mask(&key)),
                crate::tables::opt(shape.provider),
                shape.cat,
            );
            if format!("{hits:?}").contains(&key) {
                f.0.push(format!("raw key leaked in {hits:?}"));
            }
        }
        if let Gate::FileMentions(_) = shape.gate {
            let src = format!("KEY = \"{key}\"\n");
            f.expect_none(&src, &scan_code("t.py", &src), HitKind::Credential);
        }
    }
    f.done();
}

#[test]
fn table_placeholder_words_block_credentials() {
    let mut f = Failures::new();
    let shape = CREDENTIALS.iter().find(|c| c.prefix == "sk-proj-").unwrap();
    for (n, w) in PLACEHOLDER_WORDS.iter().enumerate() {
        let key = fake_key(shape, n as u64 + 100);
        let body = key.strip_prefix("sk-proj-").unwrap();
        let (a, b) = body.split_at(20);
        let fakeish = format!("sk-proj-{a}{}{b}", w.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
        let src = format!("KEY = \"{fakeish}\"\n");
        f.expect_none(&src, &scan_code("t.py", &src), HitKind::Credential);
    }
    f.done();
}

#[test]
fn table_sk_context() {
    let mut f = Failures::new();
    let shape = CREDENTIALS.iter().find(|c| c.prefix == "sk-").unwrap();
    for (n, (word, provider)) in SK_CONTEXT.iter().enumerate() {
        let mut rng = Rng(n as u64 * 7919 + 3);
        let mut body = rng.body(Charset::Hex, 32);
        while secrets::placeholder(&body) {
            body = rng.body(Charset::Hex, 32);
        }
        let key = format!("sk-{body}");
        let src = format!("client = Client(api_key=\"{key}\", base_url=URL)  # {word}\n");
        f.expect(&src, &scan_code("t.py", &src), HitKind::Credential, Some(&mask(&key)), Some(provider), shape.cat);
    }
    f.done();
}

// ------------------------------------------------------------------------------------------------
// loaders, files, images

#[test]
fn table_loaders() {
    let mut f = Failures::new();
    for l in LOADERS {
        let repo = if l.dataset { "acme/data-1" } else { "acme/model-1" };
        let args =
            if l.name == "pipeline" { format!("\"text-generation\", \"{repo}\"") } else { format!("\"{repo}\"") };
        let src = format!("m = lib.{}({args})\n", l.name);
        let hits = scan_code("t.py", &src);
        f.expect(&src, &hits, HitKind::HubDownload, Some(repo), Some("huggingface"), "model-hub");
        if !hits.iter().any(|h| h.kind == HitKind::HubDownload && h.pinned == Some(false)) {
            f.0.push(format!("{src:?}: expected unpinned"));
        }
    }
    for task in HF_TASKS {
        let src = format!("p = pipeline(\"{task}\", \"acme/model-1\")\n");
        f.expect(
            &src,
            &scan_code("t.py", &src),
            HitKind::HubDownload,
            Some("acme/model-1"),
            Some("huggingface"),
            "model-hub",
        );
    }
    for b in DATASET_BUILDERS {
        let src = format!("d = load_dataset(\"{b}\", data_files=\"train.jsonl\")\n");
        f.expect_none(&src, &scan_code("t.py", &src), HitKind::HubDownload);
    }
    for d in LOCAL_DIRS {
        let src = format!("m = AutoModel.from_pretrained(\"{d}/adapter\")\n");
        let hits = scan_code("t.py", &src);
        f.expect_none(&src, &hits, HitKind::HubDownload);
        f.expect(&src, &hits, HitKind::PathLiteral, Some(&format!("{d}/adapter")), None, "file");
    }
    f.done();
}

#[test]
fn table_asset_extensions() {
    let mut f = Failures::new();
    for a in ASSET_EXTS {
        let path = if a.prompt_only { format!("prompts/system.{}", a.ext) } else { format!("assets/file-1.{}", a.ext) };
        let src = format!("p = \"{path}\"\n");
        f.expect(&src, &scan_code("t.py", &src), HitKind::PathLiteral, Some(&path), None, "file");
        if a.prompt_only {
            let other = format!("p = \"docs/readme.{}\"\n", a.ext);
            f.expect_none(&other, &scan_code("t.py", &other), HitKind::PathLiteral);
        }
    }
    f.done();
}

#[test]
fn table_images() {
    let mut f = Failures::new();
    for i in IMAGES {
        let repo = i.repo.replace('*', "thing");
        for (path, src) in [
            ("docker-compose.yml", format!("services:\n  a:\n    image: {repo}:1.0\n")),
            ("Dockerfile", format!("FROM {repo}:1.0 AS base\n")),
        ] {
            f.expect(
                &src,
                &scan_config(path, &src),
                HitKind::Dependency,
                Some(&repo),
                crate::tables::opt(i.provider),
                i.cat,
            );
        }
    }
    f.done();
}
