//! The public API per input format: languages, positions, manifests, notebooks, configuration,
//! hub downloads, masking and serialisation.

use custody_shadow::{
    Hit, HitKind, Language, MAX_HITS, is_config, is_manifest, is_notebook, language_of, mask, scan_code, scan_config,
    scan_credentials, scan_file, scan_manifest, scan_notebook,
};

fn of(hits: &[Hit], kind: HitKind) -> Vec<&Hit> {
    hits.iter().filter(|h| h.kind == kind).collect()
}

fn names(hits: &[Hit], kind: HitKind) -> Vec<String> {
    of(hits, kind).iter().map(|h| h.name.clone()).collect()
}

/// 1-based (line, column in characters) of the `nth` occurrence of `needle` in `text`.
fn pos(text: &str, needle: &str, nth: usize) -> (u32, u32) {
    let mut from = 0;
    let mut at = 0;
    for _ in 0..=nth {
        at = from + text[from..].find(needle).unwrap_or_else(|| panic!("{needle:?} not in text"));
        from = at + needle.len();
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u32, col as u32)
}

/// Every hit of `kind` named `name` is at the position of the `nth` occurrence of `needle`.
fn at(hits: &[Hit], kind: HitKind, name: &str, text: &str, needle: &str, nth: usize) {
    let h = hits
        .iter()
        .find(|h| h.kind == kind && h.name == name)
        .unwrap_or_else(|| panic!("no {kind:?} {name:?} in {hits:#?}"));
    assert_eq!((h.line, h.column), pos(text, needle, nth), "{kind:?} {name:?}");
}

fn real_looking(prefix: &str, len: usize, seed: u64) -> String {
    let alphabet = b"Q7mZp2Xr9TbK4wLc8NvJ3hFs6GdY5aEu1RoMiWtB0nHqVxCzPkSjUeAlOfIgDy";
    let mut x: u64 = seed | 1;
    let body: String = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(alphabet[(x % alphabet.len() as u64) as usize])
        })
        .collect();
    format!("{prefix}{body}")
}

// ------------------------------------------------------------------------------------------------
// paths and the API surface

#[test]
fn languages_by_extension() {
    let cases = [
        ("a.py", Some(Language::Python)),
        ("a.pyi", Some(Language::Python)),
        ("a.js", Some(Language::JavaScript)),
        ("a.mjs", Some(Language::JavaScript)),
        ("a.cjs", Some(Language::JavaScript)),
        ("a.jsx", Some(Language::JavaScript)),
        ("a.ts", Some(Language::TypeScript)),
        ("a.tsx", Some(Language::TypeScript)),
        ("a.mts", Some(Language::TypeScript)),
        ("A.java", Some(Language::Java)),
        ("a.kt", Some(Language::Kotlin)),
        ("build.gradle.kts", Some(Language::Kotlin)),
        ("a.go", Some(Language::Go)),
        ("a.rs", Some(Language::Rust)),
        ("A.cs", Some(Language::CSharp)),
        ("dir.d/A.PY", Some(Language::Python)),
        ("C:\\src\\main.GO", Some(Language::Go)),
        ("a.rb", None),
        ("Makefile", None),
        (".py", None),
        ("a.py.txt", None),
    ];
    for (p, want) in cases {
        assert_eq!(language_of(p), want, "{p}");
    }
    assert_eq!(scan_code("a.rb", "require 'openai'"), []);
}

#[test]
fn manifest_config_and_notebook_paths() {
    for p in [
        "requirements.txt",
        "requirements-dev.txt",
        "dev-requirements.txt",
        "requirements/base.txt",
        "requirements.in",
        "constraints.txt",
        "pyproject.toml",
        "Pipfile",
        "setup.cfg",
        "web/package.json",
        "go.mod",
        "Cargo.toml",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "gradle/libs.versions.toml",
        "src/App.csproj",
        "Lib.fsproj",
        "Directory.Packages.props",
        "packages.config",
    ] {
        assert!(is_manifest(p), "{p}");
    }
    for p in ["requirements.md", "package-lock.json", "notes.txt", "Cargo.lock", "setup.py"] {
        assert!(!is_manifest(p), "{p}");
    }
    for p in [
        ".env",
        ".env.local",
        "prod.env",
        "a.yaml",
        "b.yml",
        "c.json",
        "d.toml",
        "e.ini",
        "Dockerfile",
        "Dockerfile.gpu",
        "app.dockerfile",
        "Modelfile",
    ] {
        assert!(is_config(p), "{p}");
    }
    assert!(!is_config("main.py"));
    assert!(is_notebook("nb/Analysis.IPYNB"));
    assert!(!is_notebook("a.json"));
}

#[test]
fn hits_serialise_in_kebab_case() {
    let hits = scan_code("t.py", "import transformers\nm = AutoModel.from_pretrained(\"acme/m\")\n");
    let json = serde_json::to_value(&hits).unwrap();
    let h = &json[1];
    assert_eq!(h["kind"], "hub-download");
    assert_eq!(h["provider"], "huggingface");
    assert_eq!(h["category"], "model-hub");
    assert_eq!(h["pinned"], false);
    assert_eq!(json[0]["kind"], "sdk");
    assert_eq!(serde_json::to_value(HitKind::PathLiteral).unwrap(), "path-literal");
    assert_eq!(serde_json::to_value(HitKind::EnvVar).unwrap(), "env-var");
    assert_eq!(serde_json::to_value(HitKind::ModelId).unwrap(), "model-id");
    assert_eq!(serde_json::to_value(Language::CSharp).unwrap(), "c-sharp");
}

#[test]
fn masking() {
    assert_eq!(mask("sk-proj-abcdefghijklmnopqrstuvwxyz0123wxyz"), "sk-proj-\u{2026}wxyz");
    assert_eq!(mask("sk-ant-api03-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaAA12"), "sk-ant-\u{2026}AA12");
    assert_eq!(mask("hf_abcdefghijklmnopqrstuvwxyzabcdefgh"), "hf_\u{2026}efgh");
    assert_eq!(mask("AIzaSyA1234567890abcdefghijklmnopqrstu"), "AIza\u{2026}rstu");
    assert_eq!(mask("gsk_0123456789abcdefghij"), "gsk_\u{2026}ghij");
    // no known prefix: only the last 4, and only when at least 12 characters stay hidden
    assert_eq!(mask("0123456789abcdefXYZW"), "\u{2026}XYZW");
    assert_eq!(mask("0123456789abcde"), "\u{2026}");
    // a prefix on a short secret does not reveal anything
    assert_eq!(mask("sk-abc"), "\u{2026}");
    assert_eq!(mask(""), "\u{2026}");
    assert_eq!(mask("ключ-ключ-ключ-ключ-ключ"), "\u{2026}ключ");
    for s in ["sk-proj-abcdefghijklmnopqrstuvwxyz0123wxyz", "0123456789abcdefXYZW"] {
        let m = mask(s);
        let shown = m.rsplit('\u{2026}').next().unwrap();
        assert!(shown.chars().count() <= 4);
    }
}

// ------------------------------------------------------------------------------------------------
// positions and multi-language samples

#[test]
fn columns_count_characters_not_bytes() {
    let src = "x = \"héllo wörld\"; y = \"gpt-4o\"\n# ünïcode\nz = \"claude-3-opus-20240229\"\n";
    let hits = scan_code("t.py", src);
    at(&hits, HitKind::ModelId, "gpt-4o", src, "gpt-4o", 0);
    assert_eq!(of(&hits, HitKind::ModelId)[0].column, 25);
    at(&hits, HitKind::ModelId, "claude-3-opus-20240229", src, "claude", 0);
}

const PY_SAMPLE: &str = r#"#!/usr/bin/env python
"""Service module. Mentions gpt-4o only in this docstring."""
import os
import openai
from anthropic import Anthropic
from transformers import AutoModelForCausalLM, AutoTokenizer
import boto3

OPENAI_MODEL = os.getenv("OPENAI_MODEL", "gpt-4o-mini")
client = openai.OpenAI(base_url="https://api.openai.com/v1")
claude = Anthropic(api_key=os.environ["ANTHROPIC_API_KEY"])
bedrock = boto3.client("bedrock-runtime", region_name="us-east-1")
tok = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct", revision="main")
model = AutoModelForCausalLM.from_pretrained(
    "mistralai/Mistral-7B-v0.1",
    revision="26bca36bde8333b5d7f72e9ed20ccda6a618af24",
)
adapter = AutoModelForCausalLM.from_pretrained("./models/adapter")
with open("prompts/system.txt") as f:
    SYSTEM = f.read()
resp = claude.messages.create(model="claude-3-5-sonnet-20241022", max_tokens=10)
"#;

#[test]
fn python_sample() {
    let s = PY_SAMPLE;
    let hits = scan_code("svc/app.py", s);
    at(&hits, HitKind::Sdk, "openai", s, "openai", 0);
    at(&hits, HitKind::Sdk, "anthropic", s, "anthropic", 0);
    at(&hits, HitKind::Sdk, "transformers", s, "transformers", 0);
    at(&hits, HitKind::Sdk, "boto3", s, "bedrock-runtime", 0);
    at(&hits, HitKind::EnvVar, "OPENAI_MODEL", s, "OPENAI_MODEL\"", 0);
    at(&hits, HitKind::ModelId, "gpt-4o-mini", s, "gpt-4o-mini", 0);
    at(&hits, HitKind::Endpoint, "api.openai.com", s, "api.openai.com", 0);
    at(&hits, HitKind::EnvVar, "ANTHROPIC_API_KEY", s, "ANTHROPIC_API_KEY", 0);
    at(&hits, HitKind::HubDownload, "meta-llama/Llama-3.1-8B-Instruct", s, "meta-llama", 0);
    at(&hits, HitKind::HubDownload, "mistralai/Mistral-7B-v0.1", s, "mistralai/", 0);
    at(&hits, HitKind::PathLiteral, "./models/adapter", s, "./models", 0);
    at(&hits, HitKind::PathLiteral, "prompts/system.txt", s, "prompts/", 0);
    at(&hits, HitKind::ModelId, "claude-3-5-sonnet-20241022", s, "claude-3-5", 0);
    let pinned: Vec<_> = of(&hits, HitKind::HubDownload).iter().map(|h| (h.name.as_str(), h.pinned)).collect();
    assert_eq!(pinned, [("meta-llama/Llama-3.1-8B-Instruct", Some(false)), ("mistralai/Mistral-7B-v0.1", Some(true))]);
    // the docstring's gpt-4o is not there, and nothing else is
    assert_eq!(names(&hits, HitKind::ModelId), ["gpt-4o-mini", "claude-3-5-sonnet-20241022"]);
    assert_eq!(hits.len(), 13, "{hits:#?}");
}

const TS_SAMPLE: &str = r#"import OpenAI from "openai";
import { ChatAnthropic } from "@langchain/anthropic";
import { pipeline } from "@huggingface/transformers";
const { Pinecone } = require("@pinecone-database/pinecone");

const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: `https://${name}.openai.azure.com/openai` });
const llm = new ChatAnthropic({ model: "claude-3-haiku-20240307" });
const embed = await pipeline("feature-extraction", "Xenova/all-MiniLM-L6-v2", { revision: "main" });
const re = /["'`]/g; const url = 'https://api.pinecone.io';
"#;

#[test]
fn typescript_sample() {
    let s = TS_SAMPLE;
    let hits = scan_code("web/app.ts", s);
    at(&hits, HitKind::Sdk, "openai", s, "openai\"", 0);
    assert_eq!(of(&hits, HitKind::Sdk)[0].column, 21);
    at(&hits, HitKind::Sdk, "@langchain/anthropic", s, "@langchain", 0);
    at(&hits, HitKind::Sdk, "@huggingface/transformers", s, "@huggingface", 0);
    at(&hits, HitKind::Sdk, "@pinecone-database/pinecone", s, "@pinecone", 0);
    at(&hits, HitKind::EnvVar, "OPENAI_API_KEY", s, "OPENAI_API_KEY", 0);
    at(&hits, HitKind::Endpoint, "*.openai.azure.com", s, ".openai.azure.com", 0);
    at(&hits, HitKind::ModelId, "claude-3-haiku-20240307", s, "claude", 0);
    at(&hits, HitKind::HubDownload, "Xenova/all-MiniLM-L6-v2", s, "Xenova", 0);
    at(&hits, HitKind::Endpoint, "api.pinecone.io", s, "api.pinecone.io", 0);
    assert_eq!(of(&hits, HitKind::HubDownload)[0].pinned, Some(false));
    assert_eq!(of(&hits, HitKind::Sdk)[0].line, 1);
}

const JAVA_SAMPLE: &str = "package demo;\n\nimport com.openai.client.OpenAIClient;\nimport com.openai.client.okhttp.OpenAIOkHttpClient;\nimport java.util.List;\n\n/* import com.anthropic.client.AnthropicClient; */\npublic class App {\n    static final String MODEL = \"gpt-4.1\";\n    String key = System.getenv(\"OPENAI_API_KEY\");\n    String url = \"\"\"\n        https://api.anthropic.com/v1/messages\n        \"\"\";\n}\n";

#[test]
fn java_sample() {
    let s = JAVA_SAMPLE;
    let hits = scan_code("App.java", s);
    assert_eq!(names(&hits, HitKind::Sdk), ["com.openai:openai-java", "com.openai:openai-java"]);
    at(&hits, HitKind::Sdk, "com.openai:openai-java", s, "com.openai.client.OpenAIClient", 0);
    at(&hits, HitKind::ModelId, "gpt-4.1", s, "gpt-4.1", 0);
    at(&hits, HitKind::EnvVar, "OPENAI_API_KEY", s, "OPENAI_API_KEY", 0);
    at(&hits, HitKind::Endpoint, "api.anthropic.com", s, "api.anthropic.com", 0);
}

const KT_SAMPLE: &str = "import com.aallam.openai.client.OpenAI\nimport dev.langchain4j.model.ollama.OllamaChatModel\n\nval ollama = OllamaChatModel.builder().baseUrl(\"http://localhost:11434\").modelName(\"llama3.2\").build()\nval k = System.getenv(\"HF_TOKEN\")\nval s = \"\"\"gemini-2.0-flash\"\"\"\n";

#[test]
fn kotlin_sample() {
    let s = KT_SAMPLE;
    let hits = scan_code("Main.kt", s);
    assert_eq!(names(&hits, HitKind::Sdk), ["com.aallam.openai:openai-client", "dev.langchain4j:langchain4j-ollama"]);
    at(&hits, HitKind::Endpoint, "localhost:11434", s, "localhost", 0);
    at(&hits, HitKind::ModelId, "llama3.2", s, "llama3.2", 0);
    at(&hits, HitKind::EnvVar, "HF_TOKEN", s, "HF_TOKEN", 0);
    at(&hits, HitKind::ModelId, "gemini-2.0-flash", s, "gemini", 0);
}

const GO_SAMPLE: &str = "package main\n\nimport (\n\t\"context\"\n\n\topenai \"github.com/openai/openai-go/v2\"\n\t\"github.com/openai/openai-go/v2/option\"\n\tanthropic \"github.com/anthropics/anthropic-sdk-go\"\n)\n\n// import \"github.com/tmc/langchaingo\"\nfunc main() {\n\tc := openai.NewClient(option.WithAPIKey(os.Getenv(\"OPENAI_API_KEY\")))\n\tm := `claude-sonnet-4-20250514`\n\tu := \"https://api.x.ai/v1\"\n}\n";

#[test]
fn go_sample() {
    let s = GO_SAMPLE;
    let hits = scan_code("main.go", s);
    assert_eq!(
        names(&hits, HitKind::Sdk),
        ["github.com/openai/openai-go", "github.com/openai/openai-go", "github.com/anthropics/anthropic-sdk-go"]
    );
    at(&hits, HitKind::Sdk, "github.com/anthropics/anthropic-sdk-go", s, "github.com/anthropics", 0);
    at(&hits, HitKind::EnvVar, "OPENAI_API_KEY", s, "OPENAI_API_KEY", 0);
    at(&hits, HitKind::ModelId, "claude-sonnet-4-20250514", s, "claude", 0);
    at(&hits, HitKind::Endpoint, "api.x.ai", s, "api.x.ai", 0);
}

const RS_SAMPLE: &str = "use async_openai::{types::CreateChatCompletionRequestArgs, Client};\nuse std::env;\n\n// use ollama_rs::Ollama;\nfn main() {\n    let key = env::var(\"OPENAI_API_KEY\").unwrap();\n    let req = CreateChatCompletionRequestArgs::default().model(\"gpt-4o\").build();\n    let s: &'static str = r#\"https://api.deepseek.com/v1\"#;\n    let api = hf_hub::api::sync::Api::new().unwrap();\n    let repo = api.repo(Repo::with_revision(\"BAAI/bge-small-en-v1.5\".to_string(), RepoType::Model, \"5c38ec7c405ec4b44b94cc5a9bb96e735b38267a\".to_string()));\n    let w = \"model.safetensors\";\n}\n";

#[test]
fn rust_sample() {
    let s = RS_SAMPLE;
    let hits = scan_code("main.rs", s);
    assert_eq!(names(&hits, HitKind::Sdk), ["async-openai", "hf-hub"]);
    at(&hits, HitKind::EnvVar, "OPENAI_API_KEY", s, "OPENAI_API_KEY", 0);
    at(&hits, HitKind::ModelId, "gpt-4o", s, "gpt-4o", 0);
    at(&hits, HitKind::Endpoint, "api.deepseek.com", s, "api.deepseek.com", 0);
    at(&hits, HitKind::HubDownload, "BAAI/bge-small-en-v1.5", s, "BAAI", 0);
    assert_eq!(of(&hits, HitKind::HubDownload)[0].pinned, Some(true));
    at(&hits, HitKind::PathLiteral, "model.safetensors", s, "model.safetensors", 0);
}

const CS_SAMPLE: &str = "using System;\nusing Azure.AI.OpenAI;\nusing Microsoft.SemanticKernel;\n\nnamespace Demo;\n\nclass Program {\n    static void Main() {\n        var endpoint = new Uri(\"https://contoso.openai.azure.com/\");\n        var key = Environment.GetEnvironmentVariable(\"AZURE_OPENAI_API_KEY\");\n        var m = @\"gpt-4o-mini\";\n        using var http = new HttpClient();\n    }\n}\n";

#[test]
fn csharp_sample() {
    let s = CS_SAMPLE;
    let hits = scan_code("Program.cs", s);
    assert_eq!(names(&hits, HitKind::Sdk), ["Azure.AI.OpenAI", "Microsoft.SemanticKernel"]);
    at(&hits, HitKind::Endpoint, "contoso.openai.azure.com", s, "contoso", 0);
    at(&hits, HitKind::EnvVar, "AZURE_OPENAI_API_KEY", s, "AZURE_OPENAI_API_KEY", 0);
    at(&hits, HitKind::ModelId, "gpt-4o-mini", s, "gpt-4o-mini", 0);
}

// ------------------------------------------------------------------------------------------------
// hub downloads

#[test]
fn hub_downloads_and_pinning() {
    let sha = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    let src = format!(
        r#"
a = AutoModel.from_pretrained("org/a", revision="main")
b = AutoModel.from_pretrained("org/b", revision="{sha}")
c = AutoModel.from_pretrained("org/c")
d = AutoModel.from_pretrained("org/d", revision=REV)
e = AutoModel.from_pretrained("org/e", revision="v1.0")
f = hf_hub_download(repo_id="org/f", filename="model.gguf", revision="{sha}")
g = snapshot_download("org/g")
h = load_dataset("org/h", split="train")
i = load_dataset("squad")
j = pipeline(task="text-generation", model="org/j")
k = SentenceTransformer("all-MiniLM-L6-v2")
l = AutoModel.from_pretrained("./models/x")
m = AutoModel.from_pretrained("/opt/models/x")
n = AutoModel.from_pretrained("models/x")
o = AutoModel.from_pretrained(path)
p = torch.hub.load("pytorch/vision:{sha}", "resnet50")
q = torch.hub.load("ultralytics/yolov5", "yolov5s")
r = "https://huggingface.co/org/r/resolve/main/model.safetensors"
s = "https://huggingface.co/datasets/org/s/resolve/{sha}/data.parquet"
t = timm.create_model("hf_hub:org/t")
u = AutoModel.from_pretrained(f"{{org}}/u")
"#
    );
    let hits = scan_code("t.py", &src);
    let hub: Vec<_> =
        of(&hits, HitKind::HubDownload).iter().map(|h| (h.name.as_str(), h.pinned, h.provider.as_deref())).collect();
    let hf = Some("huggingface");
    assert_eq!(
        hub,
        [
            ("org/a", Some(false), hf),
            ("org/b", Some(true), hf),
            ("org/c", Some(false), hf),
            ("org/d", None, hf),
            ("org/e", Some(false), hf),
            ("org/f", Some(true), hf),
            ("org/g", Some(false), hf),
            ("org/h", Some(false), hf),
            ("squad", Some(false), hf),
            ("org/j", Some(false), hf),
            ("all-MiniLM-L6-v2", Some(false), hf),
            ("pytorch/vision", Some(true), Some("pytorch-hub")),
            ("ultralytics/yolov5", Some(false), Some("pytorch-hub")),
            ("org/r", Some(false), hf),
            ("org/s", Some(true), hf),
            ("org/t", Some(false), hf),
        ]
    );
    let paths = names(&hits, HitKind::PathLiteral);
    assert_eq!(paths, ["model.gguf", "./models/x", "/opt/models/x", "models/x"]);
    assert!(of(&hits, HitKind::HubDownload)[7].detail.as_deref().unwrap().contains("dataset"));
    // a hub id passed to a loader is a hub download, not also a model id
    assert!(of(&hits, HitKind::ModelId).iter().all(|h| h.name != "all-MiniLM-L6-v2"));
}

#[test]
fn transformers_js_pinning() {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let src = format!(
        "const a = await pipeline('sentiment-analysis', 'Xenova/a');\nconst b = await AutoModel.from_pretrained('Xenova/b', {{ revision: '{sha}', dtype: 'q8' }});\nconst c = await pipeline('text-generation', 'Xenova/c', {{ revision: 'main' }});\n"
    );
    let hits = scan_code("t.js", &src);
    let hub: Vec<_> = of(&hits, HitKind::HubDownload).iter().map(|h| (h.name.as_str(), h.pinned)).collect();
    assert_eq!(hub, [("Xenova/a", Some(false)), ("Xenova/b", Some(true)), ("Xenova/c", Some(false))]);
}

// ------------------------------------------------------------------------------------------------
// manifests

#[test]
fn requirements_txt() {
    let s = "# AI\nopenai==1.40.0\n  LangChain_Community>=0.2 ; python_version >= \"3.9\"\n-r base.txt\n--hash=sha256:abc\n-e git+https://github.com/huggingface/transformers@main#egg=transformers\ntorch @ https://download.pytorch.org/whl/torch-2.3.0.whl\nrequests[socks]\nsentence-transformers[onnx]~=3.0  # embeddings\n";
    let hits = scan_manifest("requirements.txt", s);
    assert_eq!(
        names(&hits, HitKind::Dependency),
        ["openai", "langchain-community", "transformers", "torch", "sentence-transformers"]
    );
    at(&hits, HitKind::Dependency, "langchain-community", s, "LangChain_Community", 0);
    at(&hits, HitKind::Dependency, "transformers", s, "transformers\ntorch", 0);
    assert!(hits.iter().all(|h| h.detail.as_deref().unwrap().starts_with("requirements")));
}

#[test]
fn pyproject_every_section() {
    let s = r#"[build-system]
requires = ["setuptools", "torch"]

[project]
name = "x"
dependencies = [
    "openai>=1",   # comment with "anthropic" in it
    "httpx",
]

[project.optional-dependencies]
local = ["llama-cpp-python", 'vllm']

[dependency-groups]
dev = ["langsmith"]

[tool.poetry.dependencies]
python = "^3.11"
mistralai = "^1.0"
"qdrant-client" = { version = "1" }

[tool.poetry.group.eval.dependencies]
ragas = "*"
deepspeed = "*"

[tool.uv]
dev-dependencies = ["wandb"]
"#;
    let hits = scan_manifest("pyproject.toml", s);
    let got: Vec<_> =
        of(&hits, HitKind::Dependency).iter().map(|h| (h.name.as_str(), h.detail.clone().unwrap())).collect();
    assert_eq!(
        got,
        [
            ("openai", "[project] dependencies".to_string()),
            ("llama-cpp-python", "[project.optional-dependencies] local".to_string()),
            ("vllm", "[project.optional-dependencies] local".to_string()),
            ("langsmith", "[dependency-groups] dev".to_string()),
            ("mistralai", "[tool.poetry.dependencies]".to_string()),
            ("qdrant-client", "[tool.poetry.dependencies]".to_string()),
            ("deepspeed", "[tool.poetry.group.eval.dependencies]".to_string()),
            ("wandb", "[tool.uv] dev-dependencies".to_string()),
        ]
    );
    at(&hits, HitKind::Dependency, "vllm", s, "vllm", 0);
}

#[test]
fn pipfile_and_setup_cfg() {
    let p = "[[source]]\nurl = \"https://pypi.org/simple\"\n[packages]\nopenai = \"*\"\nrequests = \"*\"\n[dev-packages]\n\"huggingface-hub\" = \"*\"\n";
    let hits = scan_manifest("Pipfile", p);
    assert_eq!(names(&hits, HitKind::Dependency), ["openai", "huggingface-hub"]);
    at(&hits, HitKind::Dependency, "huggingface-hub", p, "huggingface-hub", 0);
    let c = "[metadata]\nname = demo\n\n[options]\npackages = find:\ninstall_requires =\n    anthropic>=0.30\n    click\n    # comment\n    chromadb\n\n[options.extras_require]\ngpu = onnxruntime-gpu>=1.17\ntest =\n    pytest\n";
    let hits = scan_manifest("setup.cfg", c);
    assert_eq!(names(&hits, HitKind::Dependency), ["anthropic", "chromadb", "onnxruntime-gpu"]);
    at(&hits, HitKind::Dependency, "chromadb", c, "chromadb", 0);
}

#[test]
fn package_json_sections() {
    let s = "{\n  \"name\": \"openai-demo\",\n  \"scripts\": { \"openai\": \"node x\" },\n  \"dependencies\": {\n    \"openai\": \"^4.0.0\",\n    \"express\": \"^4\"\n  },\n  \"devDependencies\": { \"@ai-sdk/openai\": \"1\" },\n  \"peerDependencies\": { \"@langchain/core\": \"*\" },\n  \"optionalDependencies\": { \"onnxruntime-node\": \"1\" },\n  \"config\": { \"dependencies\": { \"groq-sdk\": \"1\" } }\n}\n";
    let hits = scan_manifest("package.json", s);
    let got: Vec<_> =
        of(&hits, HitKind::Dependency).iter().map(|h| (h.name.as_str(), h.detail.clone().unwrap(), h.line)).collect();
    assert_eq!(
        got,
        [
            ("openai", "dependencies".into(), 5),
            ("@ai-sdk/openai", "devDependencies".into(), 8),
            ("@langchain/core", "peerDependencies".into(), 9),
            ("onnxruntime-node", "optionalDependencies".into(), 10),
        ]
    );
    at(&hits, HitKind::Dependency, "openai", s, "openai\": \"^4", 0);
}

#[test]
fn go_mod_require_lines_and_blocks() {
    let s = "module example.com/app\n\ngo 1.23\n\nrequire github.com/sashabaranov/go-openai v1.32.0\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgoogle.golang.org/genai v1.0.0\n\tgithub.com/aws/aws-sdk-go-v2/service/bedrockruntime v1.20.0 // indirect\n)\n\nreplace github.com/tmc/langchaingo => ../langchaingo\n";
    let hits = scan_manifest("go.mod", s);
    let got: Vec<_> = of(&hits, HitKind::Dependency).iter().map(|h| (h.name.as_str(), h.line)).collect();
    assert_eq!(
        got,
        [
            ("github.com/sashabaranov/go-openai", 5),
            ("google.golang.org/genai", 9),
            ("github.com/aws/aws-sdk-go-v2/service/bedrockruntime", 10)
        ]
    );
    at(&hits, HitKind::Dependency, "google.golang.org/genai", s, "google.golang.org/genai", 0);
    assert!(of(&hits, HitKind::Dependency)[2].detail.as_deref().unwrap().contains("indirect"));
}

#[test]
fn cargo_toml_tables_and_renames() {
    let s = "[package]\nname = \"x\"\n\n[dependencies]\nasync-openai = \"0.24\"\nserde = { version = \"1\", features = [\"derive\"] }\ncandle = { package = \"candle-core\", version = \"0.6\" }\nort.workspace = true\n\n[dev-dependencies]\ntokenizers = \"0.19\"\n\n[target.'cfg(target_os = \"linux\")'.dependencies]\ntch = \"0.16\"\n\n[dependencies.hf-hub]\nversion = \"0.3\"\n\n[build-dependencies.tok]\npackage = \"safetensors\"\nversion = \"0.4\"\n\n[workspace.dependencies]\nollama-rs = \"0.2\"\n";
    let hits = scan_manifest("Cargo.toml", s);
    let got: Vec<_> = of(&hits, HitKind::Dependency).iter().map(|h| (h.name.as_str(), h.line)).collect();
    assert_eq!(
        got,
        [
            ("async-openai", 5),
            ("candle-core", 7),
            ("ort", 8),
            ("tokenizers", 11),
            ("tch", 14),
            ("hf-hub", 16),
            ("safetensors", 19),
            ("ollama-rs", 24)
        ]
    );
    at(&hits, HitKind::Dependency, "candle-core", s, "candle-core", 0);
}

#[test]
fn maven_and_gradle() {
    let pom = "<project>\n  <dependencies>\n    <!-- <dependency><groupId>com.anthropic</groupId><artifactId>anthropic-java</artifactId></dependency> -->\n    <dependency>\n      <groupId>com.openai</groupId>\n      <artifactId>openai-java</artifactId>\n      <version>2.0.0</version>\n    </dependency>\n    <dependency>\n      <groupId>org.slf4j</groupId>\n      <artifactId>slf4j-api</artifactId>\n    </dependency>\n    <dependency><groupId>ai.djl.huggingface</groupId><artifactId>tokenizers</artifactId></dependency>\n  </dependencies>\n</project>\n";
    let hits = scan_manifest("pom.xml", pom);
    assert_eq!(names(&hits, HitKind::Dependency), ["com.openai:openai-java", "ai.djl.huggingface:tokenizers"]);
    at(&hits, HitKind::Dependency, "com.openai:openai-java", pom, "openai-java", 0);
    let kts = "plugins { kotlin(\"jvm\") }\ndependencies {\n    implementation(\"dev.langchain4j:langchain4j-open-ai:0.35.0\")\n    // implementation(\"com.openai:openai-java:1\")\n    implementation(platform(\"org.springframework.ai:spring-ai-bom:1.0.0\"))\n    testImplementation(\"org.junit.jupiter:junit-jupiter:5.10.0\")\n}\n";
    let hits = scan_manifest("build.gradle.kts", kts);
    let got: Vec<_> =
        of(&hits, HitKind::Dependency).iter().map(|h| (h.name.as_str(), h.detail.clone().unwrap(), h.line)).collect();
    assert_eq!(
        got,
        [
            ("dev.langchain4j:langchain4j-open-ai", "implementation".into(), 3),
            ("org.springframework.ai:spring-ai-bom", "platform".into(), 5)
        ]
    );
    let groovy = "dependencies {\n    implementation 'com.google.genai:google-genai:1.0.0'\n    runtimeOnly group: 'com.microsoft.onnxruntime', name: 'onnxruntime', version: '1.18.0'\n}\n";
    let hits = scan_manifest("build.gradle", groovy);
    assert_eq!(
        names(&hits, HitKind::Dependency),
        ["com.google.genai:google-genai", "com.microsoft.onnxruntime:onnxruntime"]
    );
    at(&hits, HitKind::Dependency, "com.google.genai:google-genai", groovy, "google-genai", 0);
    let catalog = "[versions]\nlc4j = \"0.35.0\"\n\n[libraries]\nlangchain4j = { module = \"dev.langchain4j:langchain4j\", version.ref = \"lc4j\" }\nvertex = { group = \"com.google.cloud\", name = \"google-cloud-vertexai\", version = \"1.0\" }\nopenai = \"com.openai:openai-java:2.0.0\"\nguava = \"com.google.guava:guava:33.0\"\n";
    let hits = scan_manifest("gradle/libs.versions.toml", catalog);
    assert_eq!(
        names(&hits, HitKind::Dependency),
        ["dev.langchain4j:langchain4j", "com.google.cloud:google-cloud-vertexai", "com.openai:openai-java"]
    );
    at(&hits, HitKind::Dependency, "com.openai:openai-java", catalog, "openai-java", 0);
}

#[test]
fn dotnet_project_files() {
    let s = "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <ItemGroup>\n    <PackageReference Include=\"Azure.AI.OpenAI\" Version=\"2.1.0\" />\n    <PackageReference Include=\"Microsoft.SemanticKernel.Connectors.Ollama\" Version=\"1.0\" />\n    <PackageReference Include=\"Serilog\" Version=\"3\" />\n    <!-- <PackageReference Include=\"OpenAI\" /> -->\n    <PackageReference Update=\"LLamaSharp\" Version=\"0.1\" />\n  </ItemGroup>\n</Project>\n";
    let hits = scan_manifest("App.csproj", s);
    let got: Vec<_> =
        of(&hits, HitKind::Dependency).iter().map(|h| (h.name.as_str(), h.provider.as_deref(), h.line)).collect();
    assert_eq!(
        got,
        [
            ("Azure.AI.OpenAI", Some("azure-openai"), 3),
            ("Microsoft.SemanticKernel.Connectors.Ollama", None, 4),
            ("LLamaSharp", None, 7)
        ]
    );
    at(&hits, HitKind::Dependency, "Azure.AI.OpenAI", s, "Azure.AI.OpenAI", 0);
    let props = "<Project><ItemGroup><PackageVersion Include=\"OllamaSharp\" Version=\"5\" /></ItemGroup></Project>";
    assert_eq!(names(&scan_manifest("Directory.Packages.props", props), HitKind::Dependency), ["OllamaSharp"]);
}

// ------------------------------------------------------------------------------------------------
// notebooks

const NOTEBOOK: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": ["# Uses `import openai` and https://api.openai.com\n", "model gpt-4o"]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "%pip install -q openai \"langchain-anthropic>=0.1\"\n",
    "!pip install transformers\n",
    "import openai\n",
    "client = openai.OpenAI(base_url=\"https://api.groq.com/openai/v1\")\n",
    "r = client.chat.completions.create(model=\"gpt-4o\", messages=[{\"role\": \"user\", \"content\": \"\\u00e9t\u00e9\"}])"
   ]
  },
  {
   "cell_type": "code",
   "metadata": {},
   "outputs": [],
   "source": "from transformers import AutoModel\nm = AutoModel.from_pretrained(\"google/gemma-2-2b\", revision=\"main\")\n"
  },
  {
   "cell_type": "code",
   "metadata": {},
   "outputs": [],
   "source": ["%%bash\n", "pip install vllm\n", "echo import anthropic\n"]
  },
  {
   "cell_type": "raw",
   "metadata": {},
   "source": ["import anthropic\n"]
  }
 ],
 "metadata": {
  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

#[test]
fn notebook_hits_point_into_the_ipynb_file() {
    let s = NOTEBOOK;
    let hits = scan_notebook("analysis.ipynb", s);
    assert_eq!(names(&hits, HitKind::Dependency), ["openai", "langchain-anthropic", "transformers", "vllm"]);
    at(&hits, HitKind::Dependency, "openai", s, "openai \\\"", 0);
    at(&hits, HitKind::Dependency, "langchain-anthropic", s, "langchain-anthropic", 0);
    at(&hits, HitKind::Dependency, "vllm", s, "vllm", 0);
    assert_eq!(names(&hits, HitKind::Sdk), ["openai", "transformers"]);
    at(&hits, HitKind::Sdk, "openai", s, "openai\\n", 0);
    at(&hits, HitKind::Endpoint, "api.groq.com", s, "api.groq.com", 0);
    // after escaped quotes the column still counts what is written in the file
    at(&hits, HitKind::ModelId, "gpt-4o", s, "gpt-4o", 1);
    at(&hits, HitKind::Sdk, "transformers", s, "transformers import", 0);
    at(&hits, HitKind::HubDownload, "google/gemma-2-2b", s, "google/gemma", 0);
    assert_eq!(of(&hits, HitKind::HubDownload)[0].pinned, Some(false));
    let cells: Vec<_> = hits.iter().map(|h| h.detail.clone().unwrap()).collect();
    assert!(cells[0].ends_with("cell 2"), "{cells:?}");
    assert!(of(&hits, HitKind::HubDownload)[0].detail.as_deref().unwrap().ends_with("cell 3"));
    // markdown, raw cells and the %%bash cell's "import anthropic" are not code
    assert!(hits.iter().all(|h| h.name != "anthropic"));
    assert_eq!(hits.len(), 9, "{hits:#?}");
}

#[test]
fn notebooks_of_other_kernels_only_give_credentials() {
    let key = real_looking("hf_", 34, 99);
    let nb = format!(
        "{{\"cells\": [{{\"cell_type\": \"code\", \"source\": [\"library(openai)\\n\", \"import openai\\n\"], \"outputs\": [{{\"text\": \"{key}\"}}]}}], \"metadata\": {{\"kernelspec\": {{\"language\": \"R\"}}}}, \"nbformat\": 4}}"
    );
    let hits = scan_notebook("r.ipynb", &nb);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0].kind, HitKind::Credential);
    assert!(!format!("{hits:?}").contains(&key));
}

#[test]
fn broken_notebooks_do_not_panic() {
    for nb in [
        "",
        "{",
        "[",
        "{\"cells\": [",
        "{\"cells\": [{\"cell_type\": \"code\", \"source\": [\"import openai",
        "null",
        "{\"cells\": 5}",
        "\"\\u12\"",
    ] {
        let _ = scan_notebook("x.ipynb", nb);
    }
    let hits = scan_notebook(
        "x.ipynb",
        "{\"cells\": [{\"cell_type\": \"code\", \"source\": [\"import openai\\n\", \"import anthropic",
    );
    assert_eq!(names(&hits, HitKind::Sdk), ["openai", "anthropic"]);
}

// ------------------------------------------------------------------------------------------------
// configuration

#[test]
fn dotenv_file() {
    let cohere = real_looking("", 40, 7);
    let s = format!(
        "# OPENAI_API_KEY=sk-in-a-comment\nOPENAI_API_KEY=\"${{OPENAI_API_KEY}}\"\nexport COHERE_API_KEY='{cohere}'\nOPENAI_BASE_URL=http://localhost:1234/v1  # LM Studio\nDEFAULT_MODEL=gpt-4o-mini\nDATABASE_URL=postgres://db\n"
    );
    let hits = scan_config(".env.local", &s);
    let env: Vec<_> = of(&hits, HitKind::EnvVar).iter().map(|h| (h.name.as_str(), h.line)).collect();
    assert_eq!(env, [("OPENAI_API_KEY", 2), ("OPENAI_API_KEY", 2), ("COHERE_API_KEY", 3), ("OPENAI_BASE_URL", 4)]);
    let cred = of(&hits, HitKind::Credential);
    assert_eq!(cred.len(), 1);
    assert_eq!((cred[0].line, cred[0].column), pos(&s, &cohere, 0));
    assert_eq!(names(&hits, HitKind::Endpoint), ["localhost:1234"]);
    assert_eq!(of(&hits, HitKind::Endpoint)[0].provider.as_deref(), Some("lm-studio"));
    at(&hits, HitKind::ModelId, "gpt-4o-mini", &s, "gpt-4o-mini", 0);
}

#[test]
fn compose_and_kubernetes_yaml() {
    let compose = "services:\n  ollama:\n    image: ollama/ollama:0.4.0\n    ports: [\"11434:11434\"]\n  app:\n    image: registry.example.com/app:1\n    environment:\n      OLLAMA_HOST: http://ollama:11434\n      - HF_TOKEN=${HF_TOKEN}\n  # old: image: vllm/vllm-openai\n  vec:\n    image: \"qdrant/qdrant@sha256:abcd\"\n";
    let hits = scan_config("docker-compose.yml", compose);
    assert_eq!(names(&hits, HitKind::Dependency), ["ollama/ollama", "qdrant/qdrant"]);
    at(&hits, HitKind::Dependency, "ollama/ollama", compose, "ollama/ollama", 0);
    assert_eq!(names(&hits, HitKind::Endpoint), ["ollama:11434"]);
    assert_eq!(names(&hits, HitKind::EnvVar), ["OLLAMA_HOST", "HF_TOKEN", "HF_TOKEN"]);
    let k8s = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/huggingface/text-generation-inference:2.4\n          args: [\"--model-id\", \"meta-llama/Llama-3.1-8B-Instruct\"]\n          env:\n            - name: HUGGING_FACE_HUB_TOKEN\n              valueFrom:\n                secretKeyRef: {name: hf, key: token}\n            - name: ANTHROPIC_BASE_URL\n              value: \"https://api.anthropic.com\"\n";
    let hits = scan_config("deploy/k8s.yaml", k8s);
    assert_eq!(names(&hits, HitKind::Dependency), ["ghcr.io/huggingface/text-generation-inference"]);
    assert_eq!(names(&hits, HitKind::EnvVar), ["HUGGING_FACE_HUB_TOKEN", "ANTHROPIC_BASE_URL"]);
    assert_eq!(names(&hits, HitKind::ModelId), ["meta-llama/Llama-3.1-8B-Instruct"]);
    at(&hits, HitKind::Endpoint, "api.anthropic.com", k8s, "api.anthropic.com", 0);
}

#[test]
fn dockerfile() {
    let s = "# syntax=docker/dockerfile:1\nFROM --platform=$BUILDPLATFORM vllm/vllm-openai:v0.6.0 AS serve\nARG HF_TOKEN\nENV OPENAI_API_BASE=http://127.0.0.1:8000/v1 MODEL_NAME=qwen2.5-7b-instruct\nRUN pip install --no-cache-dir -r requirements.txt \\\n    sentence-transformers \\\n    && npm install -g @anthropic-ai/claude-code openai\nCMD [\"python\", \"serve.py\"]\n";
    let hits = scan_config("Dockerfile", s);
    assert_eq!(names(&hits, HitKind::Dependency), ["vllm/vllm-openai", "sentence-transformers", "openai"]);
    assert_eq!(names(&hits, HitKind::EnvVar), ["HF_TOKEN", "OPENAI_API_BASE"]);
    assert_eq!(names(&hits, HitKind::Endpoint), ["127.0.0.1:8000"]);
    assert_eq!(names(&hits, HitKind::ModelId), ["qwen2.5-7b-instruct"]);
    at(&hits, HitKind::Dependency, "sentence-transformers", s, "sentence-transformers", 0);
}

#[test]
fn json_toml_and_ini_config() {
    let json = "{\n  \"llm\": {\n    \"provider\": \"azure\",\n    \"endpoint\": \"https:\\/\\/my-res.openai.azure.com\\/\",\n    \"deployment\": \"o1\",\n    \"model\": \"gpt-4o\"\n  },\n  \"OPENAI_API_KEY\": \"\",\n  \"notes\": \"mistral\"\n}\n";
    let hits = scan_config("appsettings.json", json);
    assert_eq!(names(&hits, HitKind::Endpoint), ["my-res.openai.azure.com"]);
    assert_eq!(names(&hits, HitKind::ModelId), ["o1", "gpt-4o"]);
    assert_eq!(names(&hits, HitKind::EnvVar), ["OPENAI_API_KEY"]);
    at(&hits, HitKind::ModelId, "gpt-4o", json, "gpt-4o", 0);
    let toml = "[llm]\nmodel = \"claude-3-7-sonnet-latest\"\nbase_url = \"https://api.anthropic.com\"  # prod\n# model = \"gpt-4o\"\n";
    let hits = scan_config("config.toml", toml);
    assert_eq!(names(&hits, HitKind::ModelId), ["claude-3-7-sonnet-latest"]);
    assert_eq!(names(&hits, HitKind::Endpoint), ["api.anthropic.com"]);
    let ini = "; comment gpt-4o\n[openai]\nengine = gpt-35-turbo\nmodel: text-embedding-3-large\n";
    let hits = scan_config("settings.ini", ini);
    assert_eq!(names(&hits, HitKind::ModelId), ["text-embedding-3-large"]);
}

#[test]
fn modelfile() {
    let s = "# Modelfile\nFROM llama3.1:8b\nADAPTER ./adapters/sql-lora.gguf\nPARAMETER temperature 0.2\nSYSTEM You are helpful.\n";
    let hits = scan_config("Modelfile", s);
    at(&hits, HitKind::ModelId, "llama3.1:8b", s, "llama3.1", 0);
    assert_eq!(of(&hits, HitKind::ModelId)[0].provider.as_deref(), Some("ollama"));
    at(&hits, HitKind::PathLiteral, "./adapters/sql-lora.gguf", s, "./adapters", 0);
    let local = scan_config("Modelfile", "FROM ./weights/model.gguf\n");
    assert_eq!(names(&local, HitKind::PathLiteral), ["./weights/model.gguf"]);
}

#[test]
fn scan_file_dispatches_by_path() {
    assert_eq!(names(&scan_file("a.py", "import openai\n"), HitKind::Sdk), ["openai"]);
    assert_eq!(names(&scan_file("requirements.txt", "openai\n"), HitKind::Dependency), ["openai"]);
    let pkg = scan_file("package.json", "{\"dependencies\": {\"openai\": \"4\"}, \"config\": {\"model\": \"gpt-4o\"}}");
    assert_eq!(names(&pkg, HitKind::Dependency), ["openai"]);
    assert_eq!(names(&pkg, HitKind::ModelId), ["gpt-4o"]);
    assert_eq!(names(&scan_file(".env", "GROQ_API_KEY=\n"), HitKind::EnvVar), ["GROQ_API_KEY"]);
    let key = real_looking("gsk_", 52, 5);
    let hits = scan_file("notes.md", &format!("use {key} here\n"));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].kind, HitKind::Credential);
    assert_eq!(scan_credentials(&format!("{key}\n"))[0].name, mask(&key));
}

#[test]
fn hits_are_capped() {
    let src = "x = \"gpt-4o\"\n".repeat(MAX_HITS + 500);
    let hits = scan_code("t.py", &src);
    assert_eq!(hits.len(), MAX_HITS);
    assert_eq!(hits.last().unwrap().line as usize, MAX_HITS);
}

#[test]
fn byte_order_marks_and_crlf() {
    let hits = scan_code("t.py", "\u{FEFF}import openai\r\nm = \"gpt-4o\"\r\n");
    let got: Vec<_> = hits.iter().map(|h| (h.name.as_str(), h.line, h.column)).collect();
    assert_eq!(got, [("openai", 1, 8), ("gpt-4o", 2, 6)]);
    let hits = scan_config(".env", "\u{FEFF}OPENAI_API_KEY=\r\n");
    assert_eq!(names(&hits, HitKind::EnvVar), ["OPENAI_API_KEY"]);
    assert_eq!((hits[0].line, hits[0].column), (1, 1));
    let hits = scan_manifest("requirements.txt", "\u{FEFF}openai\r\nanthropic\r\n");
    assert_eq!(names(&hits, HitKind::Dependency), ["openai", "anthropic"]);
}

#[test]
fn github_actions_workflow() {
    let s = "name: eval\non: push\njobs:\n  eval:\n    runs-on: ubuntu-latest\n    env:\n      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n    steps:\n      - run: pip install -U openai langfuse && python eval.py --model gpt-4o-mini\n";
    let hits = scan_config(".github/workflows/eval.yml", s);
    assert_eq!(names(&hits, HitKind::EnvVar), ["OPENAI_API_KEY", "OPENAI_API_KEY"]);
    assert_eq!(names(&hits, HitKind::Dependency), ["openai", "langfuse"]);
    at(&hits, HitKind::Dependency, "langfuse", s, "langfuse", 0);
}
