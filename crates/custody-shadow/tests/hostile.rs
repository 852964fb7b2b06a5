//! Hostile input: every scanner must finish in time linear in the input, never panic, and keep
//! its output bounded. The time limits are generous (debug build, shared machine); a quadratic
//! scanner would take minutes to hours on these inputs.

use std::time::{Duration, Instant};

use custody_shadow::{
    HitKind, MAX_HITS, scan_code, scan_config, scan_credentials, scan_file, scan_manifest, scan_notebook,
};

const LIMIT: Duration = Duration::from_secs(30);

const CODE_PATHS: &[&str] = &["a.py", "a.js", "a.ts", "A.java", "a.kt", "a.go", "a.rs", "A.cs"];
const CONFIG_PATHS: &[&str] =
    &[".env", "a.yaml", "a.json", "a.toml", "a.ini", "Dockerfile", "Modelfile", "unknown.cfgx"];
const MANIFEST_PATHS: &[&str] = &[
    "requirements.txt",
    "pyproject.toml",
    "Pipfile",
    "setup.cfg",
    "package.json",
    "go.mod",
    "Cargo.toml",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "libs.versions.toml",
    "A.csproj",
];

fn timed<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    let took = t.elapsed();
    if std::env::var_os("SHADOW_TIMINGS").is_some() {
        eprintln!("{label}: {took:?}");
    }
    assert!(took < LIMIT, "{label} took {took:?}");
    out
}

fn repeat_to(fragments: &[&str], bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 64);
    let mut i = 0;
    while s.len() < bytes {
        s.push_str(fragments[i % fragments.len()]);
        i += 1;
    }
    s
}

fn code_scanners(label: &str, input: &str) {
    for p in CODE_PATHS {
        let hits = timed(&format!("{label} {p}"), || scan_code(p, input));
        assert!(hits.len() <= MAX_HITS);
    }
    let hits = timed(&format!("{label} notebook"), || scan_notebook("a.ipynb", input));
    assert!(hits.len() <= MAX_HITS);
    let hits = timed(&format!("{label} credentials"), || scan_credentials(input));
    assert!(hits.len() <= MAX_HITS);
}

fn every_scanner(label: &str, input: &str) {
    code_scanners(label, input);
    for p in CONFIG_PATHS {
        let hits = timed(&format!("{label} {p}"), || scan_config(p, input));
        assert!(hits.len() <= MAX_HITS);
    }
    for p in MANIFEST_PATHS {
        let hits = timed(&format!("{label} {p}"), || scan_manifest(p, input));
        assert!(hits.len() <= MAX_HITS);
    }
}

const FRAGMENTS: &[&str] = &[
    "\"",
    "\\",
    "import ",
    "'",
    "\n",
    "`",
    "/*",
    "#",
    "from x import (",
    "r#\"",
    "${",
    "\"\"\"",
    "/",
    "@\"",
    "$\"",
    "require(",
    "using ",
    "{",
    "[",
    "pip install ",
    "<dependency>",
    "sk-",
    "hf_",
    "://",
    ".openai.azure.com",
    "\\u",
];

#[test]
fn five_megabytes_of_quotes_backslashes_and_import_fragments() {
    let input = repeat_to(FRAGMENTS, 5 * 1024 * 1024);
    code_scanners("fragments 5 MB", &input);
}

#[test]
fn one_megabyte_of_fragments_through_config_and_manifest_readers() {
    let input = repeat_to(FRAGMENTS, 1024 * 1024);
    every_scanner("fragments 1 MB", &input);
}

#[test]
fn one_megabyte_single_line() {
    let key_body = "Q7mZp2Xr9TbK4wLc8NvJ3hFs6GdY5aEu1RoMiWtB0nHqVxCzPkSjUeAlOfIgDy";
    let line = format!(
        "import x from 'openai';{}var k=\"sk-ant-api03-{key_body}{key_body}\";var u=\"https://api.openai.com\";",
        "var a=\"b\",c='d',e=`f${{g}}h`,i=/j\"k/;".repeat(30_000)
    );
    assert!(line.len() > 1_000_000);
    every_scanner("long line", &line);
    let hits = scan_code("bundle.js", &line);
    assert_eq!(hits.iter().filter(|h| h.kind == HitKind::Sdk).count(), 1);
    assert_eq!(hits.iter().filter(|h| h.kind == HitKind::Credential).count(), 1);
    assert_eq!(hits.iter().filter(|h| h.kind == HitKind::Endpoint).count(), 0);
}

#[test]
fn deep_nesting_and_unterminated_constructs() {
    for (label, input) in [
        ("brackets", "[".repeat(250000)),
        ("braces", "{".repeat(250000)),
        ("parens", "from_pretrained(".repeat(15000)),
        ("template", "`${".repeat(75000)),
        ("json keys", "{\"a\":".repeat(50000)),
        ("triple", format!("\"\"\"{}", "x".repeat(250000))),
        ("block comment", format!("/*{}", "/*".repeat(125000))),
        ("rust raw", format!("r{}\"", "#".repeat(250000))),
        ("rust raw hashes", "r##\"\"#".repeat(37500)),
        ("csharp raw", "\"\"\"\"\"\"\"\"\"\"x\"\"".repeat(20000)),
        ("lifetimes", "'a ".repeat(75000)),
        ("regex", "(/[".repeat(75000)),
        ("xml comments", "<!--".repeat(62500)),
        ("package refs", "<PackageReference Include=\"".repeat(10000)),
        ("pip", "RUN pip install a b c d e f g h \\\n".repeat(7500)),
        ("pip one line", "pip install openai ".repeat(12500)),
        ("hosts", "https://a.b.c.d.e.f.g:1/".repeat(10000)),
        ("env words", "OPENAI_A_KEY=".repeat(20000)),
    ] {
        every_scanner(label, &input);
    }
}

#[test]
fn many_credential_fragments() {
    let input = repeat_to(&["sk-", "sk-proj-", "hf_", "AIza", "x ", "sk-ant-", "\n", "gsk_abc "], 1024 * 1024);
    let hits = timed("sk fragments", || scan_credentials(&input));
    assert!(hits.is_empty());
    let body = "Q7mZp2Xr9TbK4wLc8NvJ3hFs6GdY5aEu1RoMiWtB0nHqVxCzPkSj";
    let many = format!("hf_{} ", &body[..34]).repeat(30_000);
    let hits = timed("many keys", || scan_credentials(&many));
    assert_eq!(hits.len(), MAX_HITS);
    let hits = timed("many keys file", || scan_file("a.py", &many));
    assert_eq!(hits.len(), MAX_HITS);
}

#[test]
fn control_characters_and_odd_unicode() {
    let input = repeat_to(
        &["\u{0}", "\r", "\r\n", "é", "🦀", "\u{2028}", "'\u{1F980}'", "\"\u{FEFF}\"", "\t", "ß"],
        512 * 1024,
    );
    every_scanner("unicode", &input);
    let hits = scan_code("t.py", "x = \"é\"; y = \"🦀\" ; m = \"gpt-4o\"\r\nimport openai\r\n");
    let m = hits.iter().find(|h| h.kind == HitKind::ModelId).unwrap();
    assert_eq!((m.line, m.column), (1, 25));
    let s = hits.iter().find(|h| h.kind == HitKind::Sdk).unwrap();
    assert_eq!((s.line, s.column), (2, 8));
}

/// Random short inputs built from the characters and words the scanners care about: no
/// scanner may panic on any of them.
#[test]
fn random_inputs_never_panic() {
    let pieces = [
        "\"",
        "'",
        "`",
        "\\",
        "/",
        "*",
        "#",
        "\n",
        "\r",
        " ",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ":",
        "=",
        ",",
        ";",
        "!",
        "@",
        "$",
        "%",
        "-",
        "_",
        ".",
        "<",
        ">",
        "é",
        "🦀",
        "\u{FEFF}",
        "import",
        "from",
        "require",
        "use",
        "using",
        "openai",
        "sk-",
        "sk-proj-",
        "hf_",
        "AIza",
        "r#",
        "\"\"\"",
        "https://",
        "api.openai.com",
        "localhost:11434/v1",
        "gpt-4o",
        "from_pretrained",
        "pipeline",
        "revision",
        "model",
        "cells",
        "source",
        "code",
        "cell_type",
        "<dependency>",
        "<groupId>",
        "<PackageReference Include=",
        "require (",
        "[dependencies]",
        "package =",
        "pip install ",
        "FROM ",
        "ENV ",
        "OPENAI_API_KEY",
        "${",
        "%%bash",
        "!pip",
        "\\u00e9",
        "\\\"",
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    // SHADOW_FUZZ_ITERS=100000 for a longer local run
    let iters = std::env::var("SHADOW_FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    for _ in 0..iters {
        let n = (next() % 60) as usize;
        let s: String = (0..n).map(|_| pieces[(next() % pieces.len() as u64) as usize]).collect();
        for p in CODE_PATHS {
            let _ = scan_code(p, &s);
        }
        for p in CONFIG_PATHS {
            let _ = scan_config(p, &s);
        }
        for p in MANIFEST_PATHS {
            let _ = scan_manifest(p, &s);
        }
        let _ = scan_notebook("a.ipynb", &s);
        let _ = scan_notebook(
            "a.ipynb",
            &format!("{{\"cells\": [{{\"cell_type\": \"code\", \"source\": [\"{}\"]}}]}}", s.replace('"', "\\\"")),
        );
    }
}
