//! Each false-positive guard, one test each: what must NOT be reported, next to the closest
//! thing that must.

use custody_shadow::{Hit, HitKind, mask, scan_code, scan_config, scan_credentials, scan_manifest};

fn of(hits: &[Hit], kind: HitKind) -> Vec<&Hit> {
    hits.iter().filter(|h| h.kind == kind).collect()
}

fn names(hits: &[Hit], kind: HitKind) -> Vec<String> {
    of(hits, kind).iter().map(|h| h.name.clone()).collect()
}

/// A key that passes every placeholder check (built at run time so no literal key sits in the
/// repository).
fn real_looking(prefix: &str, len: usize) -> String {
    let alphabet = b"Q7mZp2Xr9TbK4wLc8NvJ3hFs6GdY5aEu1RoMiWtB0nHqVxCzPkSjUeAlOfIgDy";
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
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

#[test]
fn model_ids_only_when_they_look_like_model_ids() {
    let src = r#"
a = "command"
b = "robert"
c = "Claude is a name"
d = "gemini"
e = "3.5"
f = "v1.2.3"
g = "1.5-pro"
h = "4o"
i = "mistral"
j = "o1"
k = "sonar"
l = "phi-2"
m = "python:3.11"
n = "redis:7"
"#;
    let hits = scan_code("t.py", src);
    assert!(of(&hits, HitKind::ModelId).is_empty(), "{hits:#?}");
    let good = r#"
a = "gpt-4o"
b = "claude-3-5-sonnet-20241022"
c = "gemini-1.5-pro"
d = "mistral-large-latest"
e = "llama3.1:8b"
"#;
    let hits = scan_code("t.py", good);
    assert_eq!(
        names(&hits, HitKind::ModelId),
        ["gpt-4o", "claude-3-5-sonnet-20241022", "gemini-1.5-pro", "mistral-large-latest", "llama3.1:8b"]
    );
    let providers: Vec<_> = of(&hits, HitKind::ModelId).iter().map(|h| h.provider.clone().unwrap()).collect();
    assert_eq!(providers, ["openai", "anthropic", "google", "mistral", "ollama"]);
}

#[test]
fn word_like_model_names_count_only_where_a_model_is_expected() {
    let hits =
        scan_code("t.py", "r = ollama.chat(model=\"mistral\")\nx = \"mistral\"\nm = GenerativeModel(\"gemini\")\n");
    let ids: Vec<_> = of(&hits, HitKind::ModelId).iter().map(|h| (h.name.as_str(), h.line)).collect();
    assert_eq!(ids, [("mistral", 1), ("gemini", 3)]);
    // a `*_MODEL` setting is such a place too, and a getenv default next to a MODEL variable
    let hits = scan_config(".env", "LLM_MODEL=claude\nGREETING=claude\n");
    assert_eq!(names(&hits, HitKind::ModelId), ["claude"]);
    let hits = scan_code("t.py", "m = os.getenv(\"CHAT_MODEL\", \"o3\")\n");
    assert_eq!(names(&hits, HitKind::ModelId), ["o3"]);
}

#[test]
fn model_provider_comes_from_the_model_not_the_file() {
    // cdxgen-style mis-attribution: an Anthropic model in a file that also uses OpenAI
    let src = "import openai\nclient = openai.OpenAI()\nm = \"claude-3-5-sonnet-20241022\"\n";
    let hits = scan_code("t.py", src);
    let m = of(&hits, HitKind::ModelId);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].provider.as_deref(), Some("anthropic"));
}

#[test]
fn bert_inside_robert_is_not_a_model() {
    let hits = scan_code("t.py", "who = \"robert\"\nname = \"Robert\"\nbert = 1\nx = \"albert\"\n");
    assert!(hits.is_empty(), "{hits:#?}");
    let hits = scan_code("t.py", "x = \"bert-base-uncased\"\ny = \"roberta-base\"\n");
    assert_eq!(names(&hits, HitKind::ModelId), ["bert-base-uncased", "roberta-base"]);
}

#[test]
fn openai_inside_other_identifiers_is_nothing() {
    let src = "import reopenai\nfrom openai_helpers import x\nopenai_compatible_url = make_url()\nclient = reopenai.Client()\nimport openaix\n";
    let hits = scan_code("t.py", src);
    assert!(hits.is_empty(), "{hits:#?}");
    // the real module, including sub-modules and aliases
    let hits = scan_code("t.py", "import openai.types as t\nfrom openai import OpenAI\n");
    assert_eq!(names(&hits, HitKind::Sdk), ["openai", "openai"]);
}

#[test]
fn python_import_in_string_or_comment_is_not_an_import() {
    let src = "x = \"import openai\"\n# import anthropic\ny = f\"from openai import OpenAI\"\n\"\"\"\nimport transformers\n\"\"\"\n";
    let hits = scan_code("t.py", src);
    assert!(of(&hits, HitKind::Sdk).is_empty(), "{hits:#?}");
    let hits = scan_code("t.py", "if x:\n    import anthropic\n");
    assert_eq!(names(&hits, HitKind::Sdk), ["anthropic"]);
}

#[test]
fn js_require_in_comment_or_string_is_not_an_import() {
    let src = "// const a = require('openai');\n/* import x from \"@anthropic-ai/sdk\" */\nconst s = \"require('cohere-ai')\";\nconst t = `import x from 'groq-sdk'`;\n";
    let hits = scan_code("t.js", src);
    assert!(of(&hits, HitKind::Sdk).is_empty(), "{hits:#?}");
    let hits = scan_code("t.js", "const a = require('openai'); // require('x')\n");
    assert_eq!(names(&hits, HitKind::Sdk), ["openai"]);
}

#[test]
fn endpoint_hosts_count_in_literals_and_config_not_in_comments() {
    let src = "# see https://api.openai.com/v1\n\"\"\"Calls https://api.anthropic.com\"\"\"\nURL = \"https://api.mistral.ai/v1\"\n";
    let hits = scan_code("t.py", src);
    assert_eq!(names(&hits, HitKind::Endpoint), ["api.mistral.ai"]);
    let hits = scan_code("t.ts", "// https://api.openai.com\nconst u = 'https://api.groq.com/openai/v1';\n");
    assert_eq!(names(&hits, HitKind::Endpoint), ["api.groq.com"]);
    let hits = scan_config("app.yaml", "# base: https://api.openai.com\nbase: https://api.openai.com/v1\n");
    assert_eq!(names(&hits, HitKind::Endpoint), ["api.openai.com"]);
    assert_eq!(of(&hits, HitKind::Endpoint)[0].line, 2);
}

#[test]
fn documentation_hosts_are_not_endpoints() {
    let src = "a = \"https://platform.openai.com/docs\"\nb = \"https://huggingface.co/docs/transformers\"\nc = \"https://docs.anthropic.com\"\nd = \"https://api.openai.com.evil.example\"\n";
    let hits = scan_code("t.py", src);
    assert!(of(&hits, HitKind::Endpoint).is_empty(), "{hits:#?}");
}

#[test]
fn local_servers_need_loopback_and_the_right_port() {
    let hits = scan_code(
        "t.py",
        "a = \"http://localhost:8000\"\nb = \"http://example.com:8000/v1\"\nc = \"http://localhost:8000/v1\"\nd = \"http://127.0.0.1:11434\"\n",
    );
    let e = of(&hits, HitKind::Endpoint);
    assert_eq!(e.len(), 2, "{hits:#?}");
    assert_eq!((e[0].name.as_str(), e[0].provider.as_deref()), ("localhost:8000", None));
    assert!(e[0].detail.as_deref().unwrap().contains("low confidence"));
    assert_eq!((e[1].name.as_str(), e[1].provider.as_deref()), ("127.0.0.1:11434", Some("ollama")));
}

#[test]
fn go_module_major_versions_and_subpackages() {
    let src = "package m\nimport (\n\t\"github.com/openai/openai-go/v3\"\n\t\"github.com/openai/openai-go/v3/option\"\n\t\"github.com/openai/openai-go-extras\"\n\t\"github.com/sashabaranov/go-openai2\"\n)\n";
    let hits = scan_code("m.go", src);
    assert_eq!(names(&hits, HitKind::Sdk), ["github.com/openai/openai-go", "github.com/openai/openai-go"]);
    let hits = scan_manifest("go.mod", "module m\nrequire github.com/anthropics/anthropic-sdk-go/v2 v2.1.0\n");
    assert_eq!(names(&hits, HitKind::Dependency), ["github.com/anthropics/anthropic-sdk-go"]);
}

#[test]
fn npm_scoped_packages_and_the_exact_ai_package() {
    let src = r#"
import Anthropic from "@anthropic-ai/sdk";
import { X } from "@anthropic-ai/sdk/resources";
import { GoogleGenerativeAI } from "@google/generative-ai";
import { ChatOpenAI } from "@langchain/openai";
import { Tool } from "@langchain/some-new-thing";
import { HfInference } from "@huggingface/inference";
import { Mistral } from "@mistralai/mistralai";
import { generateText } from "ai";
import { createStreamableUI } from "ai/rsc";
import x from "aix";
import y from "ai-utils";
import z from "@foo/ai";
import w from "./ai";
import logo from "./openai.svg";
import icon from "openai/logo.svg";
"#;
    let hits = scan_code("t.tsx", src);
    assert_eq!(
        names(&hits, HitKind::Sdk),
        [
            "@anthropic-ai/sdk",
            "@anthropic-ai/sdk",
            "@google/generative-ai",
            "@langchain/openai",
            "@langchain/some-new-thing",
            "@huggingface/inference",
            "@mistralai/mistralai",
            "ai",
            "ai"
        ]
    );
    let m = scan_manifest("package.json", r#"{"dependencies": {"ai": "4", "aix": "1", "ai-utils": "1"}}"#);
    assert_eq!(names(&m, HitKind::Dependency), ["ai"]);
}

#[test]
fn java_and_kotlin_package_prefixes() {
    let src = "import com.openai.client.OpenAIClient;\nimport com.openaix.Other;\nimport com.theokanning.openai.service.OpenAiService;\nimport com.azure.ai.openai.OpenAIClientBuilder;\nimport software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;\nimport software.amazon.awssdk.services.s3.S3Client;\nimport com.google.cloud.vertexai.VertexAI;\nimport ai.djl.Model;\nimport org.tensorflow.Tensor;\nimport ai.onnxruntime.OrtSession;\nimport dev.langchain4j.model.chat.ChatLanguageModel;\n// import com.anthropic.Foo;\nclass A { String s = \"import com.anthropic.Bar;\"; }\n";
    let hits = scan_code("A.java", src);
    let got: Vec<_> = of(&hits, HitKind::Sdk).iter().map(|h| (h.name.clone(), h.provider.clone())).collect();
    assert_eq!(
        got,
        [
            ("com.openai:openai-java".to_string(), Some("openai".to_string())),
            ("com.theokanning.openai-gpt3-java".to_string(), Some("openai".to_string())),
            ("com.azure:azure-ai-openai".to_string(), Some("azure-openai".to_string())),
            ("software.amazon.awssdk:bedrockruntime".to_string(), Some("aws-bedrock".to_string())),
            ("com.google.cloud:google-cloud-vertexai".to_string(), Some("google".to_string())),
            ("ai.djl".to_string(), None),
            ("org.tensorflow".to_string(), None),
            ("com.microsoft.onnxruntime:onnxruntime".to_string(), None),
            ("dev.langchain4j".to_string(), None),
        ]
    );
    let kt = scan_code("A.kt", "import dev.langchain4j.model.openai.OpenAiChatModel\nval x = 1\n");
    assert_eq!(names(&kt, HitKind::Sdk), ["dev.langchain4j:langchain4j-open-ai"]);
}

#[test]
fn rust_crates_and_paths() {
    let src = "use async_openai::Client;\nuse ollama_rs::Ollama;\nuse candle_core::Tensor;\nuse ort::session::Session;\nuse tch::nn;\nuse rig::providers::openai;\nuse hf_hub::api::sync::Api;\nuse tokenizers::Tokenizer;\nuse burn::tensor::Tensor as T;\nuse tokio::runtime;\nuse crate::openai::Client as C;\nfn f() { llm::load(); let t = tokenizers::Tokenizer::new(); }\nuse llm::Model;\n";
    let hits = scan_code("m.rs", src);
    let got: Vec<_> = of(&hits, HitKind::Sdk).iter().map(|h| (h.name.as_str(), h.line)).collect();
    assert_eq!(
        got,
        [
            ("async-openai", 1),
            ("ollama-rs", 2),
            ("candle-core", 3),
            ("ort", 4),
            ("tch", 5),
            ("rig-core", 6),
            ("hf-hub", 7),
            ("tokenizers", 8),
            ("burn", 9),
            ("llm", 13)
        ]
    );
    let llm = of(&hits, HitKind::Sdk).into_iter().find(|h| h.name == "llm").unwrap();
    assert!(llm.detail.as_deref().unwrap().contains("low confidence"));
    // a crate used only through a path is reported once
    let hits = scan_code("m.rs", "fn f() { let a = ort::Session::new(); let b = ort::Value::x(); }\n");
    assert_eq!(names(&hits, HitKind::Sdk), ["ort"]);
}

#[test]
fn csharp_using_directives_only() {
    let src = "using System;\nusing Azure.AI.OpenAI;\nusing OpenAI.Chat;\nusing Microsoft.SemanticKernel;\nusing Microsoft.ML.Data;\nusing LLama.Common;\nusing Anthropic.SDK.Messaging;\nusing static OllamaSharp.Models.Chat;\nusing SK = Microsoft.SemanticKernel.Connectors.OpenAI;\nclass A {\n  void F() {\n    using var stream = OpenAI.Open();\n    using (var c = new OpenAIClient(k)) { }\n    var s = \"using OpenAI;\";\n  }\n}\n";
    let hits = scan_code("A.cs", src);
    let got: Vec<_> = of(&hits, HitKind::Sdk).iter().map(|h| (h.name.as_str(), h.line)).collect();
    assert_eq!(
        got,
        [
            ("Azure.AI.OpenAI", 2),
            ("OpenAI", 3),
            ("Microsoft.SemanticKernel", 4),
            ("Microsoft.ML", 5),
            ("LLamaSharp", 6),
            ("Anthropic.SDK", 7),
            ("OllamaSharp", 8),
            ("Microsoft.SemanticKernel", 9)
        ]
    );
}

#[test]
fn english_word_packages_only_as_real_imports() {
    let hits = scan_code("t.py", "together = 1\nx.replicate()\nc = \"cohere\"\nlet_us_work_together()\n");
    assert!(hits.is_empty(), "{hits:#?}");
    let hits = scan_code("t.py", "import together\nimport replicate\nfrom cohere import Client\n");
    assert_eq!(names(&hits, HitKind::Sdk), ["together", "replicate", "cohere"]);
}

#[test]
fn boto3_alone_is_not_bedrock() {
    let hits = scan_code("t.py", "import boto3\ns3 = boto3.client(\"s3\")\n");
    assert!(hits.is_empty(), "{hits:#?}");
    let hits = scan_manifest("requirements.txt", "boto3==1.34\n");
    assert!(hits.is_empty(), "{hits:#?}");
    let hits = scan_code("t.py", "import boto3\nbr = boto3.client(service_name=\"bedrock-runtime\")\n");
    let sdk = of(&hits, HitKind::Sdk);
    assert_eq!(sdk.len(), 1);
    assert_eq!((sdk[0].provider.as_deref(), sdk[0].line), (Some("aws-bedrock"), 2));
}

#[test]
fn bare_agents_module_needs_agent_names() {
    assert!(scan_code("t.py", "import agents\nfrom agents import helpers\n").is_empty());
    let hits = scan_code("t.py", "from agents import Agent, Runner\n");
    assert_eq!(names(&hits, HitKind::Sdk), ["openai-agents"]);
}

#[test]
fn credential_placeholders_and_references_are_ignored() {
    let src = r#"
a = "sk-..."
b = "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
c = "<your key>"
d = "YOUR_API_KEY"
e = os.environ["OPENAI_API_KEY"]
f = "sk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
g = "sk-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
h = "sk-proj-your-key-here"
i = "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
j = "sk-ant-api03-EXAMPLEKEYEXAMPLEKEYEXAMPLEKEYEXAMPLEKEYEXAMPLEKEY"
k = f"sk-{secret}"
l = "AKIAIOSFODNN7EXAMPLE"  # bedrock
m = "sk-1234567890123456789012345678901234567890123456"
"#;
    let hits = scan_code("t.py", src);
    assert!(of(&hits, HitKind::Credential).is_empty(), "{hits:#?}");
    let env = scan_config(
        ".env",
        "OPENAI_API_KEY=${OPENAI_API_KEY}\nCOHERE_API_KEY=$COHERE_KEY\nMISTRAL_API_KEY=changeme\nTOGETHER_API_KEY=\n",
    );
    assert!(of(&env, HitKind::Credential).is_empty(), "{env:#?}");
}

#[test]
fn credentials_need_clean_boundaries() {
    let key = real_looking("sk-proj-", 60);
    let body = key.strip_prefix("sk-").unwrap();
    let hits = scan_credentials(&format!("task-{body}\nmysk-proj-{}\n", &body[5..]));
    assert!(hits.is_empty(), "{hits:#?}");
    let hits = scan_credentials(&format!("x={key}\n"));
    assert_eq!(names(&hits, HitKind::Credential), [mask(&key)]);
}

#[test]
fn raw_credentials_never_appear_in_hits() {
    let openai = real_looking("sk-proj-", 120);
    let anthropic = real_looking("sk-ant-api03-", 90);
    let hf = real_looking("hf_", 34);
    let cohere = real_looking("", 40);
    let src = format!(
        "OPENAI = \"{openai}\"\nclient = Anthropic(api_key=\"{anthropic}\")\n# token {hf}\ncohere_api_key = \"{cohere}\"\nurl = \"https://api.openai.com/v1?key={openai}\"\n"
    );
    let hits = scan_code("t.py", &src);
    let debug = format!("{hits:?}");
    let json = serde_json::to_string(&hits).unwrap();
    for raw in [&openai, &anthropic, &hf, &cohere] {
        assert!(!debug.contains(raw.as_str()), "raw secret in Debug output: {debug}");
        assert!(!json.contains(raw.as_str()), "raw secret in JSON output");
        let tail = &raw[raw.len() - 12..];
        assert!(!debug.contains(tail), "12 trailing characters leaked: {debug}");
    }
    let creds = of(&hits, HitKind::Credential);
    let providers: Vec<_> = creds.iter().map(|h| h.provider.as_deref()).collect();
    assert_eq!(providers, [Some("openai"), Some("anthropic"), Some("huggingface"), Some("cohere"), Some("openai")]);
    assert!(creds.iter().all(|h| h.name.contains('\u{2026}')));
}

#[test]
fn providers_without_a_key_shape_need_their_variable() {
    let cohere = real_looking("", 40);
    // a bare 40-character string is nothing…
    assert!(scan_code("t.py", &format!("x = \"{cohere}\"\n")).is_empty());
    // …but assigned to a Cohere credential it is a Cohere key
    for (path, src) in [
        ("t.py", format!("COHERE_API_KEY = \"{cohere}\"\n")),
        ("t.py", format!("os.environ[\"COHERE_API_KEY\"] = \"{cohere}\"\n")),
        ("t.py", format!("llm = Cohere(cohere_api_key=\"{cohere}\")\n")),
        ("t.ts", format!("const cfg = {{ COHERE_API_KEY: \"{cohere}\" }};\n")),
    ] {
        let hits = scan_code(path, &src);
        let c = of(&hits, HitKind::Credential);
        assert_eq!(c.len(), 1, "{src}: {hits:#?}");
        assert_eq!(c[0].provider.as_deref(), Some("cohere"));
    }
    for (path, src) in [
        (".env", format!("CO_API_KEY={cohere}\n")),
        ("app.yaml", format!("cohere_api_key: \"{cohere}\"\n")),
        ("app.json", format!("{{\"COHERE_API_KEY\": \"{cohere}\"}}")),
    ] {
        let hits = scan_config(path, &src);
        assert_eq!(of(&hits, HitKind::Credential).len(), 1, "{src}: {hits:#?}");
    }
}

#[test]
fn minified_lines_skip_literal_checks_but_keep_imports_and_credentials() {
    let key = real_looking("sk-ant-api03-", 90);
    let filler = "a+b;".repeat(30_000);
    let src = format!(
        "import x from 'openai';var u=\"https://api.openai.com/v1\";var m=\"gpt-4o\";{filler}var k=\"{key}\";\nconst v = \"https://api.groq.com\";\n"
    );
    let hits = scan_code("bundle.min.js", &src);
    assert_eq!(names(&hits, HitKind::Sdk), ["openai"]);
    assert_eq!(of(&hits, HitKind::Credential).len(), 1);
    assert!(of(&hits, HitKind::ModelId).is_empty());
    // only the endpoint on the short second line
    assert_eq!(names(&hits, HitKind::Endpoint), ["api.groq.com"]);
}

#[test]
fn docstrings_and_comments_do_not_give_models_paths_or_env_vars() {
    let src = "def f():\n    \"\"\"Uses gpt-4o with OPENAI_API_KEY, weights in model.safetensors\"\"\"\n    # model = \"gpt-4o\"\n    return 1\n";
    assert!(scan_code("t.py", src).is_empty());
    let src = "/** model: \"gpt-4o\", key: process.env.OPENAI_API_KEY, file weights.gguf */\nconst x = 1;\n";
    assert!(scan_code("t.js", src).is_empty());
}

#[test]
fn namespaced_ids_under_local_directories_are_not_models() {
    let hits =
        scan_code("t.py", "a = \"models/gpt2\"\nb = \"openai/gpt-4o\"\nc = \"meta-llama/Llama-3.1-8B-Instruct\"\n");
    let got: Vec<_> = of(&hits, HitKind::ModelId).iter().map(|h| (h.name.as_str(), h.provider.as_deref())).collect();
    assert_eq!(got, [("openai/gpt-4o", Some("openai")), ("meta-llama/Llama-3.1-8B-Instruct", Some("meta"))]);
}

#[test]
fn sklearn_pipeline_is_not_a_hub_download() {
    let src = "from sklearn.pipeline import Pipeline\np = pipeline(steps)\nq = make_pipeline(a, b)\nr = pipeline(\"not-a-task\", \"acme/x\")\n";
    let hits = scan_code("t.py", src);
    assert!(of(&hits, HitKind::HubDownload).is_empty(), "{hits:#?}");
}

#[test]
fn asset_paths_need_a_file_name_and_no_globs() {
    let src = "a = \".safetensors\"\nb = \"*.gguf\"\nc = \"text/csv\"\nd = \"requirements.txt\"\ne = \"notes.md\"\nf = \"https://x.io/m.onnx\"\ng = \"see model.pt please\"\n";
    let hits = scan_code("t.py", src);
    assert!(of(&hits, HitKind::PathLiteral).is_empty(), "{hits:#?}");
}
