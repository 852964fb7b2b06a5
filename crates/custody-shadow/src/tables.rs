//! The detection data: which packages, import paths, hosts, environment variables, model-id
//! shapes, credential shapes and container images mean "AI is used here".
//!
//! Everything is plain `const` data in our own layout; the matching code lives next to the
//! scanners. Provider ids are stable lowercase vendor ids (`""` in a table means "no provider":
//! a framework that does not by itself send data to, or take models from, one vendor).
//! Categories are the strings in [`crate::category`].

use crate::category::{LOCAL, MODEL_HUB as HUB, OBSERVABILITY as OBS, ORCHESTRATION as ORCH, REMOTE, TRAINING};

// ------------------------------------------------------------------------------------------------
// SDKs and frameworks
// ------------------------------------------------------------------------------------------------

/// The package ecosystem of an [`Sdk`] entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Eco {
    PyPI,
    Npm,
    Maven,
    Go,
    Cargo,
    NuGet,
}

/// Extra conditions on an [`Sdk`] entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Counts wherever the import or dependency is seen.
    Plain,
    /// The import name is also a common local module name: reported, marked low confidence.
    Ambiguous,
    /// Python: the import only counts when one of these names is imported from it
    /// (`from agents import Agent`), because the module name alone is too common.
    NeedsNames(&'static [&'static str]),
    /// AWS SDKs: AI only when a Bedrock client is created (`boto3.client("bedrock-runtime")`);
    /// the import or dependency alone is not reported.
    NeedsBedrock,
}

/// One SDK or framework.
///
/// `pkg` is the name a manifest declares, in the ecosystem's spelling (PyPI names normalised as
/// PEP 503: lower case, `-`). A trailing `*` makes the entry a family (`langchain-*`,
/// `@langchain/*`, Maven `group:artifact-glob`). `code` lists what source code imports: Python
/// modules, Java/Kotlin package prefixes, Go import paths (empty = same as `pkg`), Rust library
/// names, .NET namespaces; npm entries are matched on the package name alone.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sdk {
    #[cfg_attr(not(test), allow(dead_code))] // read by the table-driven tests
    pub eco: Eco,
    pub pkg: &'static str,
    pub code: &'static [&'static str],
    pub provider: &'static str,
    pub cat: &'static str,
    pub rule: Rule,
}

const fn e(
    eco: Eco,
    pkg: &'static str,
    code: &'static [&'static str],
    provider: &'static str,
    cat: &'static str,
) -> Sdk {
    Sdk { eco, pkg, code, provider, cat, rule: Rule::Plain }
}
const fn py(pkg: &'static str, code: &'static [&'static str], provider: &'static str, cat: &'static str) -> Sdk {
    e(Eco::PyPI, pkg, code, provider, cat)
}
const fn npm(pkg: &'static str, provider: &'static str, cat: &'static str) -> Sdk {
    e(Eco::Npm, pkg, &[], provider, cat)
}
const fn mvn(pkg: &'static str, code: &'static [&'static str], provider: &'static str, cat: &'static str) -> Sdk {
    e(Eco::Maven, pkg, code, provider, cat)
}
const fn go(pkg: &'static str, code: &'static [&'static str], provider: &'static str, cat: &'static str) -> Sdk {
    e(Eco::Go, pkg, code, provider, cat)
}
const fn rs(pkg: &'static str, code: &'static [&'static str], provider: &'static str, cat: &'static str) -> Sdk {
    e(Eco::Cargo, pkg, code, provider, cat)
}
const fn nu(pkg: &'static str, code: &'static [&'static str], provider: &'static str, cat: &'static str) -> Sdk {
    e(Eco::NuGet, pkg, code, provider, cat)
}

impl Sdk {
    const fn ambiguous(self) -> Sdk {
        Sdk { rule: Rule::Ambiguous, ..self }
    }
    const fn needs(self, names: &'static [&'static str]) -> Sdk {
        Sdk { rule: Rule::NeedsNames(names), ..self }
    }
    const fn bedrock_only(self) -> Sdk {
        Sdk { rule: Rule::NeedsBedrock, ..self }
    }
    /// The provider as the public type wants it.
    pub fn provider(&self) -> Option<&'static str> {
        opt(self.provider)
    }
    /// Whether `pkg` names a family rather than one package.
    pub fn is_family(&self) -> bool {
        self.pkg.ends_with('*')
    }
}

/// `""` → `None`.
pub(crate) fn opt(s: &'static str) -> Option<&'static str> {
    if s.is_empty() { None } else { Some(s) }
}

pub(crate) const PYTHON: &[Sdk] = &[
    // remote inference: provider SDKs and gateways
    py("openai", &["openai"], "openai", REMOTE),
    py("anthropic", &["anthropic"], "anthropic", REMOTE),
    py("google-genai", &["google.genai"], "google", REMOTE),
    py("google-generativeai", &["google.generativeai"], "google", REMOTE),
    py("google-cloud-aiplatform", &["vertexai", "google.cloud.aiplatform"], "google", REMOTE),
    py("boto3", &["boto3"], "aws-bedrock", REMOTE).bedrock_only(),
    py("aioboto3", &["aioboto3"], "aws-bedrock", REMOTE).bedrock_only(),
    py("mistralai", &["mistralai"], "mistral", REMOTE),
    py("cohere", &["cohere"], "cohere", REMOTE),
    py("groq", &["groq"], "groq", REMOTE),
    py("together", &["together"], "together", REMOTE),
    py("replicate", &["replicate"], "replicate", REMOTE),
    py("fireworks-ai", &["fireworks"], "fireworks", REMOTE),
    py("litellm", &["litellm"], "litellm", REMOTE),
    py("zhipuai", &["zhipuai"], "zhipu", REMOTE),
    py("dashscope", &["dashscope"], "alibaba", REMOTE),
    py("qianfan", &["qianfan"], "baidu", REMOTE),
    py("xai-sdk", &["xai_sdk"], "xai", REMOTE),
    py("cerebras-cloud-sdk", &["cerebras.cloud.sdk"], "cerebras", REMOTE),
    py("ai21", &["ai21"], "ai21", REMOTE),
    py("voyageai", &["voyageai"], "voyage", REMOTE),
    py("azure-ai-inference", &["azure.ai.inference"], "azure-ai", REMOTE),
    py("azure-ai-openai", &["azure.ai.openai"], "azure-openai", REMOTE),
    py("elevenlabs", &["elevenlabs"], "elevenlabs", REMOTE),
    py("huggingface-hub", &["huggingface_hub"], "huggingface", HUB),
    // local inference, model formats and runtimes
    py("ollama", &["ollama"], "ollama", LOCAL),
    py("transformers", &["transformers"], "huggingface", LOCAL),
    py("diffusers", &["diffusers"], "huggingface", LOCAL),
    py("sentence-transformers", &["sentence_transformers"], "huggingface", LOCAL),
    py("tokenizers", &["tokenizers"], "huggingface", LOCAL),
    py("safetensors", &["safetensors"], "huggingface", LOCAL),
    py("optimum", &["optimum"], "huggingface", LOCAL),
    py("timm", &["timm"], "huggingface", LOCAL),
    py("datasets", &["datasets"], "huggingface", HUB),
    py("onnx", &["onnx"], "", LOCAL),
    py("onnxruntime", &["onnxruntime"], "", LOCAL),
    py("llama-cpp-python", &["llama_cpp"], "", LOCAL),
    py("vllm", &["vllm"], "", LOCAL),
    py("mlx", &["mlx"], "", LOCAL),
    py("mlx-lm", &["mlx_lm"], "", LOCAL),
    py("ctransformers", &["ctransformers"], "", LOCAL),
    py("gpt4all", &["gpt4all"], "", LOCAL),
    py("openai-whisper", &["whisper"], "openai", LOCAL).ambiguous(),
    py("faster-whisper", &["faster_whisper"], "", LOCAL),
    py("bitsandbytes", &["bitsandbytes"], "", LOCAL),
    py("outlines", &["outlines"], "", LOCAL),
    py("spacy", &["spacy"], "", LOCAL),
    // training and classic ML
    py("torch", &["torch"], "", TRAINING),
    py("torchvision", &["torchvision"], "", TRAINING),
    py("torchaudio", &["torchaudio"], "", TRAINING),
    py("tensorflow", &["tensorflow"], "", TRAINING),
    py("keras", &["keras"], "", TRAINING),
    py("jax", &["jax"], "", TRAINING),
    py("flax", &["flax"], "", TRAINING),
    py("scikit-learn", &["sklearn"], "", TRAINING),
    py("xgboost", &["xgboost"], "", TRAINING),
    py("lightgbm", &["lightgbm"], "", TRAINING),
    py("catboost", &["catboost"], "", TRAINING),
    py("accelerate", &["accelerate"], "huggingface", TRAINING),
    py("peft", &["peft"], "huggingface", TRAINING),
    py("trl", &["trl"], "huggingface", TRAINING),
    py("evaluate", &["evaluate"], "huggingface", TRAINING),
    py("lightning", &["lightning", "pytorch_lightning"], "", TRAINING),
    py("deepspeed", &["deepspeed"], "", TRAINING),
    py("unsloth", &["unsloth"], "", TRAINING),
    // orchestration and agents (integration packages carry the provider they connect to)
    py("langchain", &["langchain"], "", ORCH),
    py("langchain-core", &["langchain_core"], "", ORCH),
    py("langchain-community", &["langchain_community"], "", ORCH),
    py("langchain-openai", &["langchain_openai"], "openai", ORCH),
    py("langchain-anthropic", &["langchain_anthropic"], "anthropic", ORCH),
    py("langchain-huggingface", &["langchain_huggingface"], "huggingface", ORCH),
    py("langchain-google-genai", &["langchain_google_genai"], "google", ORCH),
    py("langchain-google-vertexai", &["langchain_google_vertexai"], "google", ORCH),
    py("langchain-aws", &["langchain_aws"], "aws-bedrock", ORCH),
    py("langchain-mistralai", &["langchain_mistralai"], "mistral", ORCH),
    py("langchain-cohere", &["langchain_cohere"], "cohere", ORCH),
    py("langchain-groq", &["langchain_groq"], "groq", ORCH),
    py("langchain-fireworks", &["langchain_fireworks"], "fireworks", ORCH),
    py("langchain-together", &["langchain_together"], "together", ORCH),
    py("langchain-ollama", &["langchain_ollama"], "ollama", ORCH),
    py("langchain-chroma", &["langchain_chroma"], "chroma", crate::category::VECTOR_STORE),
    py("langchain-pinecone", &["langchain_pinecone"], "pinecone", crate::category::VECTOR_STORE),
    py("langchain-qdrant", &["langchain_qdrant"], "qdrant", crate::category::VECTOR_STORE),
    py("langchain-*", &["langchain_*"], "", ORCH),
    py("langgraph", &["langgraph"], "", ORCH),
    py("llama-index", &["llama_index"], "", ORCH),
    py("crewai", &["crewai"], "", ORCH),
    py("autogen-agentchat", &["autogen_agentchat"], "", ORCH),
    py("autogen-core", &["autogen_core"], "", ORCH),
    py("autogen-ext", &["autogen_ext"], "", ORCH),
    py("pyautogen", &["autogen"], "", ORCH),
    py("semantic-kernel", &["semantic_kernel"], "", ORCH),
    py("dspy", &["dspy"], "", ORCH),
    py("haystack-ai", &["haystack"], "", ORCH),
    py("pydantic-ai", &["pydantic_ai"], "", ORCH),
    py("smolagents", &["smolagents"], "huggingface", ORCH),
    py("openai-agents", &["agents"], "openai", ORCH).needs(&[
        "Agent",
        "Runner",
        "function_tool",
        "set_default_openai_key",
    ]),
    py("google-adk", &["google.adk"], "google", ORCH),
    py("strands-agents", &["strands"], "", ORCH),
    py("agno", &["agno"], "", ORCH),
    py("instructor", &["instructor"], "", ORCH),
    py("guidance", &["guidance"], "", ORCH).ambiguous(),
    py("promptflow", &["promptflow"], "", ORCH),
    py("claude-agent-sdk", &["claude_agent_sdk"], "anthropic", ORCH),
    py("mcp", &["mcp"], "", ORCH),
    py("fastmcp", &["fastmcp"], "", ORCH),
    // vector stores
    py("chromadb", &["chromadb"], "chroma", crate::category::VECTOR_STORE),
    py("pinecone", &["pinecone"], "pinecone", crate::category::VECTOR_STORE),
    py("qdrant-client", &["qdrant_client"], "qdrant", crate::category::VECTOR_STORE),
    py("weaviate-client", &["weaviate"], "weaviate", crate::category::VECTOR_STORE),
    py("pymilvus", &["pymilvus"], "milvus", crate::category::VECTOR_STORE),
    py("faiss-cpu", &["faiss"], "", crate::category::VECTOR_STORE),
    py("lancedb", &["lancedb"], "lancedb", crate::category::VECTOR_STORE),
    py("pgvector", &["pgvector"], "", crate::category::VECTOR_STORE),
    // observability, evaluation, guardrails
    py("langfuse", &["langfuse"], "langfuse", OBS),
    py("langsmith", &["langsmith"], "langchain", OBS),
    py("wandb", &["wandb"], "wandb", OBS),
    py("mlflow", &["mlflow"], "", OBS),
    py("comet-ml", &["comet_ml"], "comet", OBS),
    py("opik", &["opik"], "comet", OBS),
    py("arize-phoenix", &["phoenix"], "arize", OBS).ambiguous(),
    py("traceloop-sdk", &["traceloop"], "traceloop", OBS),
    py("helicone", &["helicone"], "helicone", OBS),
    py("opentelemetry-instrumentation-openai", &["opentelemetry.instrumentation.openai"], "openai", OBS),
    py("opentelemetry-instrumentation-anthropic", &["opentelemetry.instrumentation.anthropic"], "anthropic", OBS),
    py("opentelemetry-instrumentation-langchain", &["opentelemetry.instrumentation.langchain"], "", OBS),
    py("nemoguardrails", &["nemoguardrails"], "nvidia", OBS),
    py("guardrails-ai", &["guardrails"], "", OBS),
    py("llm-guard", &["llm_guard"], "", OBS),
    py("rebuff", &["rebuff"], "", OBS),
];

/// Other distribution names of a [`PYTHON`] entry (alias, canonical `pkg`).
pub(crate) const PYPI_ALIASES: &[(&str, &str)] = &[
    ("pinecone-client", "pinecone"),
    ("faiss-gpu", "faiss-cpu"),
    ("faiss", "faiss-cpu"),
    ("onnxruntime-gpu", "onnxruntime"),
    ("onnxruntime-directml", "onnxruntime"),
    ("dspy-ai", "dspy"),
    ("llama-index-core", "llama-index"),
    ("ag2", "pyautogen"),
    ("pytorch-lightning", "lightning"),
    ("tensorflow-cpu", "tensorflow"),
    ("tensorflow-gpu", "tensorflow"),
    ("tf-keras", "keras"),
    ("sklearn", "scikit-learn"),
    ("mlx-lm", "mlx-lm"),
    ("google-cloud-vertexai", "google-cloud-aiplatform"),
];

pub(crate) const NPM: &[Sdk] = &[
    npm("openai", "openai", REMOTE),
    npm("@anthropic-ai/sdk", "anthropic", REMOTE),
    npm("@anthropic-ai/bedrock-sdk", "anthropic", REMOTE),
    npm("@anthropic-ai/vertex-sdk", "anthropic", REMOTE),
    npm("@anthropic-ai/claude-agent-sdk", "anthropic", ORCH),
    npm("@google/genai", "google", REMOTE),
    npm("@google/generative-ai", "google", REMOTE),
    npm("@google-ai/generativelanguage", "google", REMOTE),
    npm("@google-cloud/vertexai", "google", REMOTE),
    npm("@google-cloud/aiplatform", "google", REMOTE),
    npm("@azure/openai", "azure-openai", REMOTE),
    npm("@azure-rest/ai-inference", "azure-ai", REMOTE),
    npm("@aws-sdk/client-bedrock-runtime", "aws-bedrock", REMOTE),
    npm("@aws-sdk/client-bedrock-agent-runtime", "aws-bedrock", REMOTE),
    npm("@aws-sdk/client-bedrock", "aws-bedrock", REMOTE),
    npm("@mistralai/mistralai", "mistral", REMOTE),
    npm("cohere-ai", "cohere", REMOTE),
    npm("groq-sdk", "groq", REMOTE),
    npm("together-ai", "together", REMOTE),
    npm("replicate", "replicate", REMOTE),
    npm("@fireworks-ai/client", "fireworks", REMOTE),
    npm("@cerebras/cerebras_cloud_sdk", "cerebras", REMOTE),
    npm("@openrouter/ai-sdk-provider", "openrouter", REMOTE),
    npm("@huggingface/inference", "huggingface", REMOTE),
    npm("@huggingface/hub", "huggingface", HUB),
    npm("@huggingface/transformers", "huggingface", LOCAL),
    npm("@xenova/transformers", "huggingface", LOCAL),
    npm("@huggingface/*", "huggingface", HUB),
    npm("ollama", "ollama", LOCAL),
    npm("node-llama-cpp", "", LOCAL),
    npm("@mlc-ai/*", "", LOCAL),
    npm("onnxruntime-node", "", LOCAL),
    npm("onnxruntime-web", "", LOCAL),
    npm("@tensorflow/*", "", TRAINING),
    npm("langchain", "", ORCH),
    npm("@langchain/openai", "openai", ORCH),
    npm("@langchain/anthropic", "anthropic", ORCH),
    npm("@langchain/google-genai", "google", ORCH),
    npm("@langchain/google-vertexai", "google", ORCH),
    npm("@langchain/aws", "aws-bedrock", ORCH),
    npm("@langchain/mistralai", "mistral", ORCH),
    npm("@langchain/cohere", "cohere", ORCH),
    npm("@langchain/groq", "groq", ORCH),
    npm("@langchain/ollama", "ollama", ORCH),
    npm("@langchain/pinecone", "pinecone", crate::category::VECTOR_STORE),
    npm("@langchain/qdrant", "qdrant", crate::category::VECTOR_STORE),
    npm("@langchain/*", "", ORCH),
    npm("ai", "", ORCH),
    npm("@ai-sdk/openai", "openai", ORCH),
    npm("@ai-sdk/anthropic", "anthropic", ORCH),
    npm("@ai-sdk/google", "google", ORCH),
    npm("@ai-sdk/google-vertex", "google", ORCH),
    npm("@ai-sdk/amazon-bedrock", "aws-bedrock", ORCH),
    npm("@ai-sdk/azure", "azure-openai", ORCH),
    npm("@ai-sdk/mistral", "mistral", ORCH),
    npm("@ai-sdk/groq", "groq", ORCH),
    npm("@ai-sdk/*", "", ORCH),
    npm("llamaindex", "", ORCH),
    npm("@llamaindex/*", "", ORCH),
    npm("@openai/agents", "openai", ORCH),
    npm("@mastra/core", "", ORCH),
    npm("@modelcontextprotocol/sdk", "", ORCH),
    npm("chromadb", "chroma", crate::category::VECTOR_STORE),
    npm("@pinecone-database/pinecone", "pinecone", crate::category::VECTOR_STORE),
    npm("@qdrant/js-client-rest", "qdrant", crate::category::VECTOR_STORE),
    npm("weaviate-ts-client", "weaviate", crate::category::VECTOR_STORE),
    npm("weaviate-client", "weaviate", crate::category::VECTOR_STORE),
    npm("@zilliz/milvus2-sdk-node", "milvus", crate::category::VECTOR_STORE),
    npm("langfuse", "langfuse", OBS),
    npm("langsmith", "langchain", OBS),
];

/// Maven `pkg` is `groupId:artifactId`; the artifact may be a glob with `*`. Kotlin uses the
/// same table.
pub(crate) const MAVEN: &[Sdk] = &[
    mvn("com.openai:openai-java*", &["com.openai"], "openai", REMOTE),
    mvn("com.anthropic:anthropic-java*", &["com.anthropic"], "anthropic", REMOTE),
    mvn("com.azure:azure-ai-openai", &["com.azure.ai.openai"], "azure-openai", REMOTE),
    mvn("com.azure:azure-ai-inference", &["com.azure.ai.inference"], "azure-ai", REMOTE),
    mvn("com.google.genai:google-genai", &["com.google.genai"], "google", REMOTE),
    mvn("com.google.cloud:google-cloud-aiplatform", &["com.google.cloud.aiplatform"], "google", REMOTE),
    mvn("com.google.cloud:google-cloud-vertexai", &["com.google.cloud.vertexai"], "google", REMOTE),
    mvn(
        "software.amazon.awssdk:bedrockruntime",
        &["software.amazon.awssdk.services.bedrockruntime"],
        "aws-bedrock",
        REMOTE,
    ),
    mvn(
        "software.amazon.awssdk:bedrockagentruntime",
        &["software.amazon.awssdk.services.bedrockagentruntime"],
        "aws-bedrock",
        REMOTE,
    ),
    mvn("software.amazon.awssdk:bedrock", &["software.amazon.awssdk.services.bedrock"], "aws-bedrock", REMOTE),
    mvn("com.cohere:cohere-java", &["com.cohere"], "cohere", REMOTE),
    mvn("io.github.sashirestela:simple-openai", &["io.github.sashirestela.openai"], "openai", REMOTE),
    mvn("com.theokanning.openai-gpt3-java:*", &["com.theokanning.openai"], "openai", REMOTE),
    mvn("com.aallam.openai:openai-client*", &["com.aallam.openai"], "openai", REMOTE),
    mvn("io.github.ollama4j:ollama4j", &["io.github.ollama4j"], "ollama", LOCAL),
    mvn("dev.langchain4j:langchain4j-open-ai*", &["dev.langchain4j.model.openai"], "openai", ORCH),
    mvn("dev.langchain4j:langchain4j-anthropic*", &["dev.langchain4j.model.anthropic"], "anthropic", ORCH),
    mvn("dev.langchain4j:langchain4j-ollama*", &["dev.langchain4j.model.ollama"], "ollama", ORCH),
    mvn("dev.langchain4j:langchain4j-google-ai-gemini*", &["dev.langchain4j.model.googleai"], "google", ORCH),
    mvn("dev.langchain4j:langchain4j-vertex-ai*", &["dev.langchain4j.model.vertexai"], "google", ORCH),
    mvn("dev.langchain4j:langchain4j-azure-open-ai*", &["dev.langchain4j.model.azure"], "azure-openai", ORCH),
    mvn("dev.langchain4j:langchain4j-mistral-ai*", &["dev.langchain4j.model.mistralai"], "mistral", ORCH),
    mvn("dev.langchain4j:langchain4j-hugging-face*", &["dev.langchain4j.model.huggingface"], "huggingface", ORCH),
    mvn("dev.langchain4j:langchain4j-bedrock*", &["dev.langchain4j.model.bedrock"], "aws-bedrock", ORCH),
    mvn("dev.langchain4j:*", &["dev.langchain4j"], "", ORCH),
    mvn(
        "org.springframework.ai:spring-ai-*azure-openai*",
        &["org.springframework.ai.azure.openai"],
        "azure-openai",
        ORCH,
    ),
    mvn("org.springframework.ai:spring-ai-*openai*", &["org.springframework.ai.openai"], "openai", ORCH),
    mvn("org.springframework.ai:spring-ai-*anthropic*", &["org.springframework.ai.anthropic"], "anthropic", ORCH),
    mvn("org.springframework.ai:spring-ai-*ollama*", &["org.springframework.ai.ollama"], "ollama", ORCH),
    mvn("org.springframework.ai:spring-ai-*vertex-ai*", &["org.springframework.ai.vertexai"], "google", ORCH),
    mvn("org.springframework.ai:spring-ai-*bedrock*", &["org.springframework.ai.bedrock"], "aws-bedrock", ORCH),
    mvn("org.springframework.ai:spring-ai-*mistral*", &["org.springframework.ai.mistralai"], "mistral", ORCH),
    mvn("org.springframework.ai:*", &["org.springframework.ai"], "", ORCH),
    mvn("com.microsoft.semantic-kernel:*", &["com.microsoft.semantickernel"], "", ORCH),
    mvn("io.modelcontextprotocol.sdk:*", &["io.modelcontextprotocol"], "", ORCH),
    mvn("ai.djl.huggingface:*", &["ai.djl.huggingface"], "huggingface", LOCAL),
    mvn("ai.djl:*", &["ai.djl"], "", LOCAL),
    mvn("com.microsoft.onnxruntime:onnxruntime*", &["ai.onnxruntime"], "", LOCAL),
    mvn("org.tensorflow:*", &["org.tensorflow"], "", TRAINING),
    mvn("org.deeplearning4j:*", &["org.deeplearning4j"], "", TRAINING),
    mvn("org.nd4j:*", &["org.nd4j"], "", TRAINING),
    mvn("io.pinecone:pinecone-client", &["io.pinecone"], "pinecone", crate::category::VECTOR_STORE),
    mvn("io.qdrant:client", &["io.qdrant"], "qdrant", crate::category::VECTOR_STORE),
    mvn("io.weaviate:client*", &["io.weaviate"], "weaviate", crate::category::VECTOR_STORE),
    mvn("io.milvus:milvus-sdk-java", &["io.milvus"], "milvus", crate::category::VECTOR_STORE),
];

/// Go module paths. An import matches when it equals the entry's import path or continues it
/// with `/` (so `/v3` major-version suffixes and sub-packages match); go.mod requirements have
/// their `/vN` suffix removed before comparing.
pub(crate) const GO: &[Sdk] = &[
    go("github.com/openai/openai-go", &[], "openai", REMOTE),
    go("github.com/anthropics/anthropic-sdk-go", &[], "anthropic", REMOTE),
    go("google.golang.org/genai", &[], "google", REMOTE),
    go("github.com/google/generative-ai-go", &[], "google", REMOTE),
    go("cloud.google.com/go/vertexai", &[], "google", REMOTE),
    go("cloud.google.com/go/aiplatform", &[], "google", REMOTE),
    go("github.com/sashabaranov/go-openai", &[], "openai", REMOTE),
    go("github.com/liushuangls/go-anthropic", &[], "anthropic", REMOTE),
    go("github.com/aws/aws-sdk-go-v2/service/bedrockruntime", &[], "aws-bedrock", REMOTE),
    go("github.com/aws/aws-sdk-go-v2/service/bedrockagentruntime", &[], "aws-bedrock", REMOTE),
    go("github.com/Azure/azure-sdk-for-go/sdk/ai/azopenai", &[], "azure-openai", REMOTE),
    go("github.com/cohere-ai/cohere-go", &[], "cohere", REMOTE),
    go("github.com/gage-technologies/mistral-go", &[], "mistral", REMOTE),
    go("github.com/ollama/ollama", &["github.com/ollama/ollama/api"], "ollama", LOCAL),
    go("github.com/tmc/langchaingo", &[], "", ORCH),
    go("github.com/firebase/genkit/go", &[], "", ORCH),
    go("github.com/cloudwego/eino", &[], "", ORCH),
    go("google.golang.org/adk", &[], "google", ORCH),
    go("github.com/mark3labs/mcp-go", &[], "", ORCH),
    go("github.com/modelcontextprotocol/go-sdk", &[], "", ORCH),
    go("github.com/yalue/onnxruntime_go", &[], "", LOCAL),
    go("github.com/pinecone-io/go-pinecone", &[], "pinecone", crate::category::VECTOR_STORE),
    go("github.com/qdrant/go-client", &[], "qdrant", crate::category::VECTOR_STORE),
    go("github.com/weaviate/weaviate-go-client", &[], "weaviate", crate::category::VECTOR_STORE),
    go("github.com/milvus-io/milvus-sdk-go", &[], "milvus", crate::category::VECTOR_STORE),
];

/// Rust crates; `code` holds the library names used in `use` paths.
pub(crate) const CARGO: &[Sdk] = &[
    rs("async-openai", &["async_openai"], "openai", REMOTE),
    rs("openai-api-rs", &["openai_api_rs"], "openai", REMOTE),
    rs("anthropic", &["anthropic"], "anthropic", REMOTE),
    rs("anthropic-sdk", &["anthropic_sdk"], "anthropic", REMOTE),
    rs("aws-sdk-bedrockruntime", &["aws_sdk_bedrockruntime"], "aws-bedrock", REMOTE),
    rs("genai", &["genai"], "", REMOTE),
    rs("ollama-rs", &["ollama_rs"], "ollama", LOCAL),
    rs("rig-core", &["rig", "rig_core"], "", ORCH),
    rs("langchain-rust", &["langchain_rust"], "", ORCH),
    rs("rmcp", &["rmcp"], "", ORCH),
    rs("llm", &["llm"], "", LOCAL).ambiguous(),
    rs("candle-core", &["candle_core", "candle"], "", LOCAL),
    rs("candle-nn", &["candle_nn"], "", LOCAL),
    rs("candle-transformers", &["candle_transformers"], "", LOCAL),
    rs("ort", &["ort"], "", LOCAL),
    rs("tract-onnx", &["tract_onnx"], "", LOCAL),
    rs("llama-cpp-2", &["llama_cpp_2"], "", LOCAL),
    rs("mistralrs", &["mistralrs"], "", LOCAL),
    rs("rust-bert", &["rust_bert"], "", LOCAL),
    rs("fastembed", &["fastembed"], "", LOCAL),
    rs("tokenizers", &["tokenizers"], "huggingface", LOCAL),
    rs("safetensors", &["safetensors"], "huggingface", LOCAL),
    rs("hf-hub", &["hf_hub"], "huggingface", HUB),
    rs("burn", &["burn"], "", TRAINING),
    rs("tch", &["tch"], "", TRAINING),
    rs("linfa", &["linfa"], "", TRAINING),
    rs("qdrant-client", &["qdrant_client"], "qdrant", crate::category::VECTOR_STORE),
    rs("pinecone-sdk", &["pinecone_sdk"], "pinecone", crate::category::VECTOR_STORE),
];

/// NuGet ids (matched as a case-insensitive prefix on `.` boundaries, longest wins) and the
/// namespaces C# code opens with `using`.
pub(crate) const NUGET: &[Sdk] = &[
    nu("OpenAI", &["OpenAI"], "openai", REMOTE),
    nu("OpenAI-DotNet", &["OpenAI"], "openai", REMOTE),
    nu("Betalgo.OpenAI", &["Betalgo.OpenAI", "OpenAI.GPT3"], "openai", REMOTE),
    nu("Betalgo.Ranul.OpenAI", &["Betalgo.Ranul.OpenAI"], "openai", REMOTE),
    nu("Azure.AI.OpenAI", &["Azure.AI.OpenAI"], "azure-openai", REMOTE),
    nu("Azure.AI.Inference", &["Azure.AI.Inference"], "azure-ai", REMOTE),
    nu("Anthropic", &["Anthropic"], "anthropic", REMOTE),
    nu("Anthropic.SDK", &["Anthropic.SDK"], "anthropic", REMOTE),
    nu("AWSSDK.BedrockRuntime", &["Amazon.BedrockRuntime"], "aws-bedrock", REMOTE),
    nu("AWSSDK.BedrockAgentRuntime", &["Amazon.BedrockAgentRuntime"], "aws-bedrock", REMOTE),
    nu("Google.Cloud.AIPlatform.V1", &["Google.Cloud.AIPlatform.V1"], "google", REMOTE),
    nu("Mscc.GenerativeAI", &["Mscc.GenerativeAI"], "google", REMOTE),
    nu("Mistral.SDK", &["Mistral.SDK"], "mistral", REMOTE),
    nu("Microsoft.SemanticKernel", &["Microsoft.SemanticKernel"], "", ORCH),
    nu("Microsoft.Extensions.AI", &["Microsoft.Extensions.AI"], "", ORCH),
    nu("ModelContextProtocol", &["ModelContextProtocol"], "", ORCH),
    nu("Microsoft.ML", &["Microsoft.ML"], "", TRAINING),
    nu("Microsoft.ML.OnnxRuntime", &["Microsoft.ML.OnnxRuntime"], "", LOCAL),
    nu("LLamaSharp", &["LLama"], "", LOCAL),
    nu("OllamaSharp", &["OllamaSharp"], "ollama", LOCAL),
    nu("TorchSharp", &["TorchSharp"], "", TRAINING),
    nu("TensorFlow.NET", &["Tensorflow"], "", TRAINING),
    nu("Pinecone.Client", &["Pinecone"], "pinecone", crate::category::VECTOR_STORE),
    nu("Qdrant.Client", &["Qdrant.Client"], "qdrant", crate::category::VECTOR_STORE),
];

#[cfg(test)]
pub(crate) const ALL_SDK_TABLES: &[&[Sdk]] = &[PYTHON, NPM, MAVEN, GO, CARGO, NUGET];

// ------------------------------------------------------------------------------------------------
// Endpoint hosts
// ------------------------------------------------------------------------------------------------

/// A host pattern. At most one `*`, which stands for one or more host characters
/// (`*.openai.azure.com`, `*-aiplatform.googleapis.com`, `bedrock-runtime.*.amazonaws.com`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Host {
    pub pat: &'static str,
    pub provider: &'static str,
    pub cat: &'static str,
    pub label: &'static str,
}

const fn h(pat: &'static str, provider: &'static str, cat: &'static str, label: &'static str) -> Host {
    Host { pat, provider, cat, label }
}

const VS: &str = crate::category::VECTOR_STORE;

pub(crate) const HOSTS: &[Host] = &[
    h("api.openai.com", "openai", REMOTE, "OpenAI API"),
    h("*.openai.azure.com", "azure-openai", REMOTE, "Azure OpenAI resource"),
    h("*.services.ai.azure.com", "azure-ai", REMOTE, "Azure AI Foundry"),
    h("*.cognitiveservices.azure.com", "azure-ai", REMOTE, "Azure AI services"),
    h("*.inference.ai.azure.com", "azure-ai", REMOTE, "Azure AI model inference"),
    h("models.github.ai", "github-models", REMOTE, "GitHub Models"),
    h("api.anthropic.com", "anthropic", REMOTE, "Anthropic API"),
    h("generativelanguage.googleapis.com", "google", REMOTE, "Gemini API"),
    h("aiplatform.googleapis.com", "google", REMOTE, "Vertex AI"),
    h("*-aiplatform.googleapis.com", "google", REMOTE, "Vertex AI (regional)"),
    h("bedrock-runtime.*.amazonaws.com", "aws-bedrock", REMOTE, "Amazon Bedrock runtime"),
    h("bedrock-runtime-fips.*.amazonaws.com", "aws-bedrock", REMOTE, "Amazon Bedrock runtime (FIPS)"),
    h("bedrock-agent-runtime.*.amazonaws.com", "aws-bedrock", REMOTE, "Amazon Bedrock agents"),
    h("bedrock.*.amazonaws.com", "aws-bedrock", REMOTE, "Amazon Bedrock control plane"),
    h("bedrock-runtime.*.amazonaws.com.cn", "aws-bedrock", REMOTE, "Amazon Bedrock runtime (China)"),
    h("api.mistral.ai", "mistral", REMOTE, "Mistral API"),
    h("codestral.mistral.ai", "mistral", REMOTE, "Codestral API"),
    h("api.cohere.ai", "cohere", REMOTE, "Cohere API"),
    h("api.cohere.com", "cohere", REMOTE, "Cohere API"),
    h("api-inference.huggingface.co", "huggingface", REMOTE, "Hugging Face serverless inference"),
    h("router.huggingface.co", "huggingface", REMOTE, "Hugging Face inference router"),
    h("*.endpoints.huggingface.cloud", "huggingface", REMOTE, "Hugging Face Inference Endpoint"),
    h("huggingface.co", "huggingface", HUB, "Hugging Face Hub"),
    h("hf.co", "huggingface", HUB, "Hugging Face Hub"),
    h("cdn-lfs.huggingface.co", "huggingface", HUB, "Hugging Face Hub file storage"),
    h("api.groq.com", "groq", REMOTE, "Groq API"),
    h("api.together.xyz", "together", REMOTE, "Together AI API"),
    h("api.together.ai", "together", REMOTE, "Together AI API"),
    h("api.fireworks.ai", "fireworks", REMOTE, "Fireworks AI API"),
    h("api.deepinfra.com", "deepinfra", REMOTE, "DeepInfra API"),
    h("api.perplexity.ai", "perplexity", REMOTE, "Perplexity API"),
    h("api.deepseek.com", "deepseek", REMOTE, "DeepSeek API"),
    h("api.x.ai", "xai", REMOTE, "xAI API"),
    h("openrouter.ai", "openrouter", REMOTE, "OpenRouter"),
    h("api.cerebras.ai", "cerebras", REMOTE, "Cerebras API"),
    h("api.sambanova.ai", "sambanova", REMOTE, "SambaNova API"),
    h("api.replicate.com", "replicate", REMOTE, "Replicate API"),
    h("integrate.api.nvidia.com", "nvidia", REMOTE, "NVIDIA NIM API"),
    h("ai.api.nvidia.com", "nvidia", REMOTE, "NVIDIA AI API"),
    h("*.api.baseten.co", "baseten", REMOTE, "Baseten model API"),
    h("api.novita.ai", "novita", REMOTE, "Novita AI API"),
    h("api.ai21.com", "ai21", REMOTE, "AI21 API"),
    h("api.voyageai.com", "voyage", REMOTE, "Voyage AI API"),
    h("api.jina.ai", "jina", REMOTE, "Jina AI API"),
    h("api.stability.ai", "stability", REMOTE, "Stability AI API"),
    h("api.elevenlabs.io", "elevenlabs", REMOTE, "ElevenLabs API"),
    h("api.assemblyai.com", "assemblyai", REMOTE, "AssemblyAI API"),
    h("api.deepgram.com", "deepgram", REMOTE, "Deepgram API"),
    h("api.portkey.ai", "portkey", REMOTE, "Portkey AI gateway"),
    h("gateway.ai.cloudflare.com", "cloudflare", REMOTE, "Cloudflare AI Gateway"),
    h("ollama.com", "ollama", HUB, "Ollama model library"),
    h("registry.ollama.ai", "ollama", HUB, "Ollama model registry"),
    h("api.moonshot.cn", "moonshot", REMOTE, "Moonshot API"),
    h("api.moonshot.ai", "moonshot", REMOTE, "Moonshot API"),
    h("open.bigmodel.cn", "zhipu", REMOTE, "Zhipu BigModel API"),
    h("dashscope.aliyuncs.com", "alibaba", REMOTE, "Alibaba DashScope (Qwen)"),
    h("dashscope-intl.aliyuncs.com", "alibaba", REMOTE, "Alibaba DashScope (Qwen)"),
    h("qianfan.baidubce.com", "baidu", REMOTE, "Baidu Qianfan"),
    h("aip.baidubce.com", "baidu", REMOTE, "Baidu AI platform"),
    h("api.minimax.chat", "minimax", REMOTE, "MiniMax API"),
    h("api.baichuan-ai.com", "baichuan", REMOTE, "Baichuan API"),
    h("api.lingyiwanwu.com", "01-ai", REMOTE, "01.AI API"),
    h("spark-api.xf-yun.com", "iflytek", REMOTE, "iFlytek Spark API"),
    h("spark-api-open.xf-yun.com", "iflytek", REMOTE, "iFlytek Spark API"),
    h("api.sensenova.cn", "sensetime", REMOTE, "SenseNova API"),
    h("a2a.googleapis.com", "google", ORCH, "Google agent-to-agent API"),
    // vector stores (managed)
    h("*.pinecone.io", "pinecone", VS, "Pinecone"),
    h("*.weaviate.network", "weaviate", VS, "Weaviate Cloud"),
    h("*.weaviate.cloud", "weaviate", VS, "Weaviate Cloud"),
    h("*.qdrant.io", "qdrant", VS, "Qdrant Cloud"),
    h("*.zillizcloud.com", "zilliz", VS, "Zilliz Cloud (Milvus)"),
    h("api.trychroma.com", "chroma", VS, "Chroma Cloud"),
    h("*.turbopuffer.com", "turbopuffer", VS, "turbopuffer"),
    // observability and gateways for LLM traffic
    h("api.smith.langchain.com", "langchain", OBS, "LangSmith"),
    h("*.smith.langchain.com", "langchain", OBS, "LangSmith"),
    h("cloud.langfuse.com", "langfuse", OBS, "Langfuse Cloud"),
    h("*.cloud.langfuse.com", "langfuse", OBS, "Langfuse Cloud"),
    h("api.wandb.ai", "wandb", OBS, "Weights & Biases"),
    h("oai.helicone.ai", "helicone", OBS, "Helicone proxy"),
    h("api.helicone.ai", "helicone", OBS, "Helicone"),
    h("app.phoenix.arize.com", "arize", OBS, "Arize Phoenix"),
    h("otlp.arize.com", "arize", OBS, "Arize"),
    h("api.braintrust.dev", "braintrust", OBS, "Braintrust"),
];

/// Paths under `huggingface.co` / `hf.co` that are documentation, not the hub API or a model.
pub(crate) const HF_DOC_PATHS: &[&str] =
    &["/docs", "/blog", "/learn", "/papers", "/pricing", "/join", "/login", "/settings", "/spaces", "/tasks", "/posts"];

/// Local inference servers: loopback host plus a conventional port. `needs_v1`: only with an
/// OpenAI-style `/v1` path, because the port alone is used by all kinds of servers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LocalPort {
    pub port: u16,
    pub provider: &'static str,
    pub needs_v1: bool,
    pub label: &'static str,
}

pub(crate) const LOCAL_PORTS: &[LocalPort] = &[
    LocalPort { port: 11434, provider: "ollama", needs_v1: false, label: "Ollama server" },
    LocalPort { port: 1234, provider: "lm-studio", needs_v1: true, label: "LM Studio server" },
    LocalPort { port: 1337, provider: "jan", needs_v1: true, label: "Jan server" },
    LocalPort { port: 4891, provider: "gpt4all", needs_v1: true, label: "GPT4All server" },
    LocalPort {
        port: 8000,
        provider: "",
        needs_v1: true,
        label: "local OpenAI-compatible server (low confidence; vLLM default port)",
    },
    LocalPort {
        port: 8080,
        provider: "",
        needs_v1: true,
        label: "local OpenAI-compatible server (low confidence; llama.cpp / LocalAI default port)",
    },
];

pub(crate) const LOOPBACK: &[&str] = &["localhost", "127.0.0.1", "0.0.0.0", "::1", "host.docker.internal"];

// ------------------------------------------------------------------------------------------------
// Environment variables
// ------------------------------------------------------------------------------------------------

/// An environment variable name (a trailing `*` makes it a prefix). `secret`: its value is a
/// credential, so a literal value assigned to it is reported as one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EnvVar {
    pub name: &'static str,
    pub provider: &'static str,
    pub cat: &'static str,
    pub secret: bool,
}

const fn k(name: &'static str, provider: &'static str, cat: &'static str) -> EnvVar {
    EnvVar { name, provider, cat, secret: true }
}
const fn v(name: &'static str, provider: &'static str, cat: &'static str) -> EnvVar {
    EnvVar { name, provider, cat, secret: false }
}

pub(crate) const ENV_VARS: &[EnvVar] = &[
    k("OPENAI_API_KEY", "openai", REMOTE),
    k("OPENAI_ADMIN_KEY", "openai", REMOTE),
    v("OPENAI_BASE_URL", "openai", REMOTE),
    v("OPENAI_API_BASE", "openai", REMOTE),
    v("OPENAI_ORG_ID", "openai", REMOTE),
    v("OPENAI_ORGANIZATION", "openai", REMOTE),
    v("OPENAI_PROJECT_ID", "openai", REMOTE),
    v("OPENAI_MODEL", "openai", REMOTE),
    v("OPENAI_API_VERSION", "azure-openai", REMOTE),
    v("OPENAI_API_TYPE", "openai", REMOTE),
    v("OPENAI_*", "openai", REMOTE),
    k("AZURE_OPENAI_API_KEY", "azure-openai", REMOTE),
    k("AZURE_OPENAI_KEY", "azure-openai", REMOTE),
    k("AZURE_OPENAI_AD_TOKEN", "azure-openai", REMOTE),
    v("AZURE_OPENAI_ENDPOINT", "azure-openai", REMOTE),
    v("AZURE_OPENAI_DEPLOYMENT", "azure-openai", REMOTE),
    v("AZURE_OPENAI_*", "azure-openai", REMOTE),
    k("AZURE_AI_API_KEY", "azure-ai", REMOTE),
    k("ANTHROPIC_API_KEY", "anthropic", REMOTE),
    k("ANTHROPIC_AUTH_TOKEN", "anthropic", REMOTE),
    v("ANTHROPIC_BASE_URL", "anthropic", REMOTE),
    v("ANTHROPIC_MODEL", "anthropic", REMOTE),
    v("ANTHROPIC_*", "anthropic", REMOTE),
    v("CLAUDE_CODE_USE_BEDROCK", "anthropic", REMOTE),
    v("CLAUDE_CODE_USE_VERTEX", "anthropic", REMOTE),
    k("GOOGLE_API_KEY", "google", REMOTE),
    k("GEMINI_API_KEY", "google", REMOTE),
    v("GEMINI_*", "google", REMOTE),
    v("GOOGLE_GENAI_USE_VERTEXAI", "google", REMOTE),
    v("VERTEXAI_PROJECT", "google", REMOTE),
    v("VERTEXAI_LOCATION", "google", REMOTE),
    k("AWS_BEARER_TOKEN_BEDROCK", "aws-bedrock", REMOTE),
    v("BEDROCK_MODEL_ID", "aws-bedrock", REMOTE),
    v("BEDROCK_*", "aws-bedrock", REMOTE),
    k("MISTRAL_API_KEY", "mistral", REMOTE),
    v("MISTRAL_*", "mistral", REMOTE),
    k("COHERE_API_KEY", "cohere", REMOTE),
    k("CO_API_KEY", "cohere", REMOTE),
    v("COHERE_*", "cohere", REMOTE),
    k("GROQ_API_KEY", "groq", REMOTE),
    k("TOGETHER_API_KEY", "together", REMOTE),
    k("TOGETHERAI_API_KEY", "together", REMOTE),
    k("REPLICATE_API_TOKEN", "replicate", REMOTE),
    k("REPLICATE_API_KEY", "replicate", REMOTE),
    k("FIREWORKS_API_KEY", "fireworks", REMOTE),
    k("DEEPINFRA_API_TOKEN", "deepinfra", REMOTE),
    k("DEEPINFRA_API_KEY", "deepinfra", REMOTE),
    k("PERPLEXITY_API_KEY", "perplexity", REMOTE),
    k("PPLX_API_KEY", "perplexity", REMOTE),
    k("DEEPSEEK_API_KEY", "deepseek", REMOTE),
    v("DEEPSEEK_BASE_URL", "deepseek", REMOTE),
    k("XAI_API_KEY", "xai", REMOTE),
    k("OPENROUTER_API_KEY", "openrouter", REMOTE),
    v("OPENROUTER_*", "openrouter", REMOTE),
    k("CEREBRAS_API_KEY", "cerebras", REMOTE),
    k("SAMBANOVA_API_KEY", "sambanova", REMOTE),
    k("NVIDIA_API_KEY", "nvidia", REMOTE),
    k("NVIDIA_NIM_API_KEY", "nvidia", REMOTE),
    k("AI21_API_KEY", "ai21", REMOTE),
    k("VOYAGE_API_KEY", "voyage", REMOTE),
    k("JINA_API_KEY", "jina", REMOTE),
    k("STABILITY_API_KEY", "stability", REMOTE),
    k("ELEVENLABS_API_KEY", "elevenlabs", REMOTE),
    k("DASHSCOPE_API_KEY", "alibaba", REMOTE),
    k("MOONSHOT_API_KEY", "moonshot", REMOTE),
    k("MINIMAX_API_KEY", "minimax", REMOTE),
    k("BAICHUAN_API_KEY", "baichuan", REMOTE),
    k("YI_API_KEY", "01-ai", REMOTE),
    k("ZHIPUAI_API_KEY", "zhipu", REMOTE),
    k("QIANFAN_AK", "baidu", REMOTE),
    k("QIANFAN_SK", "baidu", REMOTE),
    v("QIANFAN_*", "baidu", REMOTE),
    k("IFLYTEK_API_KEY", "iflytek", REMOTE),
    k("SENSENOVA_API_KEY", "sensetime", REMOTE),
    k("PORTKEY_API_KEY", "portkey", REMOTE),
    v("LITELLM_*", "litellm", REMOTE),
    k("LITELLM_MASTER_KEY", "litellm", REMOTE),
    k("HF_TOKEN", "huggingface", HUB),
    k("HUGGING_FACE_HUB_TOKEN", "huggingface", HUB),
    k("HUGGINGFACEHUB_API_TOKEN", "huggingface", HUB),
    k("HUGGINGFACE_TOKEN", "huggingface", HUB),
    k("HUGGINGFACE_API_KEY", "huggingface", HUB),
    v("HUGGINGFACE_*", "huggingface", HUB),
    v("HF_ENDPOINT", "huggingface", HUB),
    v("HF_HOME", "huggingface", HUB),
    v("HF_HUB_*", "huggingface", HUB),
    v("HF_DATASETS_*", "huggingface", HUB),
    v("TRANSFORMERS_CACHE", "huggingface", HUB),
    v("TRANSFORMERS_OFFLINE", "huggingface", HUB),
    v("OLLAMA_HOST", "ollama", LOCAL),
    v("OLLAMA_MODEL", "ollama", LOCAL),
    v("OLLAMA_*", "ollama", LOCAL),
    k("LANGCHAIN_API_KEY", "langchain", OBS),
    v("LANGCHAIN_*", "langchain", OBS),
    k("LANGSMITH_API_KEY", "langchain", OBS),
    v("LANGSMITH_*", "langchain", OBS),
    k("LANGFUSE_SECRET_KEY", "langfuse", OBS),
    v("LANGFUSE_*", "langfuse", OBS),
    k("WANDB_API_KEY", "wandb", OBS),
    v("WANDB_*", "wandb", OBS),
    v("MLFLOW_TRACKING_URI", "", OBS),
    k("MLFLOW_TRACKING_TOKEN", "", OBS),
    v("MLFLOW_*", "", OBS),
    k("HELICONE_API_KEY", "helicone", OBS),
    k("COMET_API_KEY", "comet", OBS),
    k("OPIK_API_KEY", "comet", OBS),
    k("TRACELOOP_API_KEY", "traceloop", OBS),
    k("ARIZE_API_KEY", "arize", OBS),
    v("PHOENIX_COLLECTOR_ENDPOINT", "arize", OBS),
    k("LLAMA_CLOUD_API_KEY", "llamaindex", ORCH),
    k("PINECONE_API_KEY", "pinecone", VS),
    v("PINECONE_*", "pinecone", VS),
    k("WEAVIATE_API_KEY", "weaviate", VS),
    v("WEAVIATE_*", "weaviate", VS),
    k("QDRANT_API_KEY", "qdrant", VS),
    v("QDRANT_*", "qdrant", VS),
    v("CHROMA_HOST", "chroma", VS),
    v("CHROMA_SERVER_HOST", "chroma", VS),
    k("CHROMA_API_KEY", "chroma", VS),
    k("ZILLIZ_API_KEY", "zilliz", VS),
    v("MILVUS_URI", "milvus", VS),
];

/// Name segments (split on `_`) that, in a variable ending in KEY/TOKEN/SECRET, name a
/// provider: `MY_APP_OPENAI_KEY`, `VITE_OPENAI_API_KEY`. Multi-segment entries must appear as
/// consecutive segments.
pub(crate) const ENV_SEGMENTS: &[(&[&str], &str, &str)] = &[
    (&["AZURE", "OPENAI"], "azure-openai", REMOTE),
    (&["OPENAI"], "openai", REMOTE),
    (&["ANTHROPIC"], "anthropic", REMOTE),
    (&["CLAUDE"], "anthropic", REMOTE),
    (&["HUGGING", "FACE"], "huggingface", HUB),
    (&["HUGGINGFACE"], "huggingface", HUB),
    (&["HUGGINGFACEHUB"], "huggingface", HUB),
    (&["HF"], "huggingface", HUB),
    (&["COHERE"], "cohere", REMOTE),
    (&["GEMINI"], "google", REMOTE),
    (&["GOOGLE", "AI"], "google", REMOTE),
    (&["GOOGLE", "GENAI"], "google", REMOTE),
    (&["VERTEX"], "google", REMOTE),
    (&["VERTEXAI"], "google", REMOTE),
    (&["REPLICATE"], "replicate", REMOTE),
    (&["MISTRAL"], "mistral", REMOTE),
    (&["TOGETHER"], "together", REMOTE),
    (&["BEDROCK"], "aws-bedrock", REMOTE),
    (&["GROQ"], "groq", REMOTE),
    (&["FIREWORKS"], "fireworks", REMOTE),
    (&["ANYSCALE"], "anyscale", REMOTE),
    (&["DEEPINFRA"], "deepinfra", REMOTE),
    (&["PERPLEXITY"], "perplexity", REMOTE),
    (&["PPLX"], "perplexity", REMOTE),
    (&["DEEPSEEK"], "deepseek", REMOTE),
    (&["XAI"], "xai", REMOTE),
    (&["OPENROUTER"], "openrouter", REMOTE),
    (&["LANGCHAIN"], "langchain", OBS),
    (&["LANGSMITH"], "langchain", OBS),
    (&["PINECONE"], "pinecone", VS),
];

/// Keyword arguments / settings keys whose value is a provider credential.
pub(crate) const SECRET_KEYS: &[(&str, &str, &str)] = &[
    ("openai_api_key", "openai", REMOTE),
    ("anthropic_api_key", "anthropic", REMOTE),
    ("cohere_api_key", "cohere", REMOTE),
    ("google_api_key", "google", REMOTE),
    ("gemini_api_key", "google", REMOTE),
    ("mistral_api_key", "mistral", REMOTE),
    ("groq_api_key", "groq", REMOTE),
    ("together_api_key", "together", REMOTE),
    ("replicate_api_token", "replicate", REMOTE),
    ("huggingface_api_key", "huggingface", HUB),
    ("huggingfacehub_api_token", "huggingface", HUB),
    ("hf_token", "huggingface", HUB),
    ("pinecone_api_key", "pinecone", VS),
    ("azure_openai_api_key", "azure-openai", REMOTE),
];

// ------------------------------------------------------------------------------------------------
// Model identifiers
// ------------------------------------------------------------------------------------------------

/// A model-id shape. `re` is matched case-insensitively against the whole literal (it is
/// anchored by the matcher). `context`: the shape is also an ordinary word or too short to be
/// sure ("mistral", "o1", "claude"), so it only counts where a model is expected (a `model=`
/// argument, a `model:` key, a `*_MODEL` setting, a call like `GenerativeModel(...)`).
/// The first matching entry wins, so more specific shapes come first. `examples` feed the
/// table-driven tests.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ModelShape {
    pub provider: &'static str,
    pub cat: &'static str,
    pub label: &'static str,
    pub re: &'static str,
    pub context: bool,
    #[cfg_attr(not(test), allow(dead_code))] // read by the table-driven tests
    pub examples: &'static [&'static str],
}

const fn m(
    provider: &'static str,
    cat: &'static str,
    label: &'static str,
    re: &'static str,
    examples: &'static [&'static str],
) -> ModelShape {
    ModelShape { provider, cat, label, re, context: false, examples }
}
const fn mc(
    provider: &'static str,
    cat: &'static str,
    label: &'static str,
    re: &'static str,
    examples: &'static [&'static str],
) -> ModelShape {
    ModelShape { provider, cat, label, re, context: true, examples }
}

/// Families that Ollama serves as `name:tag`.
const OLLAMA_TAG: &str = concat!(
    r"(?:llama[0-9.]*|llama2-uncensored|codellama|llava(?:-llama3|-phi3)?|mistral(?:-nemo|-small|-large|-openorca)?",
    r"|mixtral|gemma[0-9.]*n?|codegemma|qwen[0-9.]*(?:-coder|-vl)?|qwq|phi[0-9.]*(?:-mini)?",
    r"|deepseek-(?:r1|v2|v2\.5|v3|coder(?:-v2)?|llm)|nomic-embed-text|mxbai-embed-large|all-minilm",
    r"|snowflake-arctic-embed2?|bge-m3|bge-large|tinyllama|starcoder2?|granite[0-9.]*(?:-code|-embedding|-dense|-moe)?",
    r"|command-r(?:-plus)?|orca-mini|vicuna|neural-chat|dolphin-(?:mixtral|mistral|llama3|phi)|nous-hermes2?",
    r"|wizardlm2?|smollm2?|gpt-oss|falcon[0-9]?|solar|openchat|zephyr|stablelm2?|moondream|minicpm-v|olmo2?|magistral|devstral)",
    r":[a-z0-9][a-z0-9._-]*"
);

pub(crate) const MODELS: &[ModelShape] = &[
    m(
        "ollama",
        LOCAL,
        "Ollama model tag",
        OLLAMA_TAG,
        &["llama3.1:8b", "mistral:latest", "qwen2.5:7b-instruct-q4_K_M", "gpt-oss:20b"],
    ),
    m(
        "ollama",
        LOCAL,
        "Ollama model pulled from Hugging Face",
        r"hf\.co/[a-z0-9][a-z0-9_.-]*/[a-z0-9][a-z0-9_.-]*(?::[a-z0-9_.-]+)?",
        &["hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M"],
    ),
    m(
        "aws-bedrock",
        REMOTE,
        "Amazon Bedrock model id",
        r"(?:(?:us|eu|apac|us-gov|ca|jp|au|global)\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21|stability|deepseek|writer|qwen|openai|twelvelabs|luma)\.[a-z0-9][a-z0-9.-]*-v\d+(?::\d+)?",
        &[
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
            "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
            "amazon.titan-embed-text-v2:0",
            "meta.llama3-1-70b-instruct-v1:0",
        ],
    ),
    // OpenAI
    m(
        "openai",
        REMOTE,
        "OpenAI GPT",
        r"(?:gpt-(?:3\.5|4|4\.1|4\.5|4o|5)(?:-[a-z0-9.]+)*|chatgpt-4o-latest|gpt-image-1(?:-mini)?|codex-mini-latest|computer-use-preview)",
        &["gpt-4o", "gpt-4o-mini-2024-07-18", "gpt-3.5-turbo", "gpt-4.1-nano", "gpt-5", "gpt-4-turbo-preview"],
    ),
    m("openai", LOCAL, "OpenAI open-weight GPT", r"gpt-oss-\d+b", &["gpt-oss-120b"]),
    m(
        "openai",
        REMOTE,
        "OpenAI reasoning model",
        r"o[1-9](?:-(?:mini|pro|preview|deep-research|\d{4}-\d{2}-\d{2}))+",
        &["o1-mini", "o3-mini", "o4-mini-2025-04-16", "o1-preview"],
    ),
    mc("openai", REMOTE, "OpenAI reasoning model", r"o[1-9]", &["o1", "o3"]),
    m(
        "openai",
        REMOTE,
        "OpenAI embedding / image / audio / moderation model",
        r"(?:text-embedding-(?:3-small|3-large|ada-002)|dall-e-[23]|whisper-1|tts-1(?:-hd)?|gpt-4o-(?:mini-)?(?:transcribe|tts)|(?:omni|text)-moderation-(?:latest|stable|\d+)|(?:text|code)-(?:davinci|curie|babbage|ada|cushman)-\d{3}|davinci-002|babbage-002)",
        &[
            "text-embedding-3-small",
            "text-embedding-ada-002",
            "dall-e-3",
            "whisper-1",
            "tts-1-hd",
            "omni-moderation-latest",
        ],
    ),
    m(
        "openai",
        LOCAL,
        "OpenAI open-weight model",
        r"(?:whisper-(?:tiny|base|small|medium|large(?:-v[23])?(?:-turbo)?|turbo)(?:\.en)?|gpt2(?:-medium|-large|-xl)?|distilgpt2|clip-vit-(?:base|large)-patch\d+(?:-\d+)?)",
        &["whisper-large-v3", "whisper-small.en", "gpt2", "gpt2-medium", "clip-vit-base-patch32"],
    ),
    // Anthropic
    m(
        "anthropic",
        REMOTE,
        "Anthropic Claude",
        r"claude-(?:(?:instant-)?\d(?:[.-]\d)?(?:-(?:opus|sonnet|haiku))?|(?:opus|sonnet|haiku)-\d(?:[.-]\d)?)(?:-\d{8}|-latest)?(?:-v\d(?::\d)?)?",
        &[
            "claude-3-5-sonnet-20241022",
            "claude-3-opus-20240229",
            "claude-3-7-sonnet-latest",
            "claude-sonnet-4-20250514",
            "claude-opus-4-1-20250805",
            "claude-haiku-4-5",
            "claude-2.1",
            "claude-instant-1.2",
        ],
    ),
    mc("anthropic", REMOTE, "Anthropic Claude", r"claude(?:-(?:opus|sonnet|haiku))?", &["claude", "claude-sonnet"]),
    // Google
    m(
        "google",
        REMOTE,
        "Google Gemini",
        r"gemini-(?:\d+(?:\.\d+)?|pro|ultra|nano|exp|embedding|flash|live)(?:-[a-z0-9.]+)*",
        &["gemini-1.5-pro", "gemini-2.0-flash", "gemini-2.5-pro-preview-05-06", "gemini-pro", "gemini-embedding-001"],
    ),
    mc("google", REMOTE, "Google Gemini", r"gemini", &["gemini"]),
    m(
        "google",
        LOCAL,
        "Google Gemma",
        r"(?:gemma-?\d+(?:\.\d+)?[a-z]?(?:-[a-z0-9.]+)*|codegemma(?:-[a-z0-9.]+)*|paligemma\d?(?:-[a-z0-9.]+)*)",
        &["gemma-2-9b-it", "gemma3", "gemma-7b", "codegemma-7b"],
    ),
    mc("google", LOCAL, "Google Gemma", r"gemma", &["gemma"]),
    m(
        "google",
        REMOTE,
        "Google Vertex AI model",
        r"(?:text-embedding-00\d|text-multilingual-embedding-00\d|textembedding-gecko(?:-multilingual)?(?:@\d+)?|(?:text|chat|code|codechat)-bison(?:-32k)?(?:@\d+)?|text-unicorn(?:@\d+)?|imagen-\d(?:\.\d)?-[a-z0-9.-]+|imagegeneration@\d+|veo-\d(?:\.\d)?-[a-z0-9.-]+)",
        &["text-embedding-004", "textembedding-gecko@003", "chat-bison@002", "imagen-3.0-generate-002"],
    ),
    m(
        "google",
        LOCAL,
        "Google BERT / T5 family",
        r"(?:bert|albert)-(?:base|large|tiny|mini|small|medium|xlarge|xxlarge)(?:-[a-z0-9]+)*|(?:t5|mt5|byt5)-(?:small|base|large|3b|11b|xl|xxl)|flan-t5-(?:small|base|large|xl|xxl)",
        &["bert-base-uncased", "bert-large-cased", "t5-small", "flan-t5-base"],
    ),
    m(
        "huggingface",
        LOCAL,
        "Hugging Face distilled model",
        r"distil(?:bert|roberta)-base(?:-[a-z0-9]+)*",
        &["distilbert-base-uncased", "distilroberta-base"],
    ),
    m(
        "meta",
        LOCAL,
        "Meta RoBERTa / BART family",
        r"(?:xlm-)?roberta-(?:base|large)(?:-[a-z0-9]+)*|bart-(?:base|large)(?:-[a-z0-9]+)*",
        &["roberta-base", "xlm-roberta-large", "bart-large-cnn"],
    ),
    // Perplexity and NVIDIA variants of Llama come before the generic Llama shape
    m(
        "perplexity",
        REMOTE,
        "Perplexity Sonar",
        r"llama-3\.1-sonar-(?:small|large|huge)-128k-(?:online|chat)|sonar-(?:pro|reasoning|reasoning-pro|deep-research)",
        &["llama-3.1-sonar-small-128k-online", "sonar-reasoning-pro"],
    ),
    mc("perplexity", REMOTE, "Perplexity Sonar", r"sonar", &["sonar"]),
    m(
        "nvidia",
        LOCAL,
        "NVIDIA Nemotron",
        r"(?:llama-\d(?:\.\d)?-)?nemotron(?:-[a-z0-9.]+)*",
        &["nemotron-4-340b-instruct", "llama-3.1-nemotron-70b-instruct"],
    ),
    // Meta
    m(
        "meta",
        LOCAL,
        "Meta Llama",
        r"(?:meta-)?llama-?\d+(?:\.\d+)?(?:[-_][a-z0-9.]+)*|llama-guard-\d(?:[-_][a-z0-9.]+)*|codellama(?:-[a-z0-9.]+)*",
        &[
            "llama-3.1-8b-instant",
            "Llama-3.1-8B-Instruct",
            "llama3-70b-8192",
            "llama3.2",
            "meta-llama-3-8b",
            "codellama-7b",
        ],
    ),
    mc("meta", LOCAL, "Meta Llama", r"llama", &["llama"]),
    // Mistral
    m(
        "mistral",
        LOCAL,
        "Mistral open-weight model",
        r"(?:open-)?(?:mistral|mixtral|ministral|pixtral|devstral)-\d+(?:x\d+)?b(?:-[a-z0-9.]+)*",
        &["mistral-7b-instruct-v0.2", "mixtral-8x7b", "open-mixtral-8x22b", "ministral-8b-latest"],
    ),
    m(
        "mistral",
        REMOTE,
        "Mistral model",
        r"(?:open-)?(?:mistral|mixtral|ministral|magistral|devstral|pixtral|codestral)-[a-z0-9.-]+|mixtral|codestral|pixtral|devstral|magistral|ministral",
        &[
            "mistral-large-latest",
            "mistral-small-2402",
            "codestral-latest",
            "mistral-embed",
            "pixtral-large-latest",
            "codestral",
        ],
    ),
    mc("mistral", REMOTE, "Mistral model", r"mistral", &["mistral"]),
    // Cohere
    m(
        "cohere",
        REMOTE,
        "Cohere Command / Embed / Rerank",
        r"command-(?:r-plus|r7b|r|light|nightly|xlarge)(?:-[a-z0-9]+)*|command-a-(?:\d\d-\d{4}|vision|reasoning|translate)(?:-[a-z0-9]+)*|embed-(?:english|multilingual)(?:-light)?-v\d\.\d|embed-v4\.0|rerank-(?:english|multilingual)-v\d\.\d|rerank-v\d\.\d|c4ai-aya-[a-z0-9.-]+|aya-(?:expanse|vision|23)(?:-\d+b)?",
        &[
            "command-r-plus",
            "command-r-plus-08-2024",
            "command-a-03-2025",
            "command-light",
            "embed-english-v3.0",
            "rerank-english-v3.0",
        ],
    ),
    // others
    m(
        "deepseek",
        REMOTE,
        "DeepSeek",
        r"deepseek-(?:chat|reasoner|coder|r1|v2|v2\.5|v3|v3\.\d|vl2?|llm|math|prover)(?:[-.][a-z0-9.]+)*",
        &["deepseek-chat", "deepseek-reasoner", "deepseek-r1", "deepseek-coder-v2-instruct"],
    ),
    m(
        "xai",
        REMOTE,
        "xAI Grok",
        r"grok-(?:\d(?:\.\d)?|beta|vision-beta|code-fast)(?:-[a-z0-9.]+)*",
        &["grok-2-1212", "grok-beta", "grok-3-mini", "grok-4-0709", "grok-code-fast-1"],
    ),
    m(
        "microsoft",
        LOCAL,
        "Microsoft Phi",
        r"phi-?\d+(?:\.\d+)?-[a-z0-9.-]+",
        &["phi-3-mini-4k-instruct", "Phi-3.5-mini-instruct", "phi-4-reasoning"],
    ),
    mc("microsoft", LOCAL, "Microsoft Phi", r"phi-?\d+(?:\.\d+)?", &["phi3", "phi-4"]),
    m(
        "alibaba",
        REMOTE,
        "Alibaba Qwen (API)",
        r"qwen-(?:max|plus|turbo|long|vl-max|vl-plus|omni-turbo)(?:-[a-z0-9.]+)*",
        &["qwen-max", "qwen-plus-latest"],
    ),
    m(
        "alibaba",
        LOCAL,
        "Alibaba Qwen",
        r"qwen(?:\d+(?:\.\d+)?)?(?:-[a-z0-9.]+)*|qwq(?:-\d+b)?(?:-[a-z0-9.]+)*",
        &["qwen2.5-72b-instruct", "qwen3", "Qwen2-VL-7B", "qwq-32b", "qwen"],
    ),
    m(
        "amazon",
        REMOTE,
        "Amazon Nova / Titan",
        r"(?:amazon\.)?(?:nova-(?:pro|lite|micro|premier|canvas|reel|sonic)|titan-(?:text|embed|image|tg1)[a-z0-9-]*)",
        &["nova-pro", "titan-embed-text"],
    ),
    m(
        "zhipu",
        REMOTE,
        "Zhipu GLM",
        r"chatglm\d?(?:-\d+b)?(?:-[a-z0-9]+)*|glm-[3-9](?:\.\d)?v?(?:-[a-z0-9.]+)*",
        &["glm-4", "glm-4-plus", "glm-4.5", "chatglm3-6b"],
    ),
    m(
        "moonshot",
        REMOTE,
        "Moonshot Kimi",
        r"moonshot-v1-(?:8k|32k|128k|auto)(?:-vision-preview)?|kimi-(?:k2|latest|thinking)[a-z0-9.-]*",
        &["moonshot-v1-8k", "kimi-k2-instruct"],
    ),
    m(
        "baidu",
        REMOTE,
        "Baidu ERNIE",
        r"ernie-(?:bot|\d(?:\.\d)?|speed|lite|tiny|char|x1)[a-z0-9.-]*",
        &["ernie-4.0-8k", "ernie-bot", "ernie-speed-128k"],
    ),
    m(
        "minimax",
        REMOTE,
        "MiniMax",
        r"abab\d(?:\.\d)?[a-z]?(?:-[a-z]+)?|minimax-(?:text-01|m1|m2)[a-z0-9.-]*",
        &["abab6.5s-chat", "minimax-text-01"],
    ),
    m(
        "ai21",
        REMOTE,
        "AI21 Jamba",
        r"jamba-(?:\d(?:\.\d)?-)?(?:mini|large|instruct)[a-z0-9.-]*|j2-(?:ultra|mid|light)",
        &["jamba-1.5-large", "jamba-instruct"],
    ),
    m(
        "01-ai",
        REMOTE,
        "01.AI Yi",
        r"yi-(?:large|medium|lightning|spark|vision|34b|9b|6b|1\.5)[a-z0-9.-]*",
        &["yi-large", "yi-34b-chat"],
    ),
    m(
        "stability",
        LOCAL,
        "Stability AI",
        r"stable-diffusion(?:-[a-z0-9.]+)*|sdxl(?:-[a-z0-9.]+)*|sd3(?:\.5)?-(?:large|medium)[a-z0-9.-]*|stable-(?:audio|cascade|video)[a-z0-9.-]*",
        &["stable-diffusion-xl-base-1.0", "sdxl-turbo", "sd3.5-large"],
    ),
    m(
        "bigcode",
        LOCAL,
        "BigCode StarCoder",
        r"starcoder\d?(?:-[a-z0-9.]+)*|santacoder",
        &["starcoder2-15b", "starcoder"],
    ),
    m(
        "tii",
        LOCAL,
        "TII Falcon",
        r"falcon-\d+b(?:-[a-z0-9.]+)*|falcon\d-[a-z0-9.-]+",
        &["falcon-7b-instruct", "falcon3-10b-instruct"],
    ),
    m(
        "nomic",
        LOCAL,
        "Nomic embedding",
        r"nomic-embed-text(?:-v\d(?:\.\d)?)?",
        &["nomic-embed-text", "nomic-embed-text-v1.5"],
    ),
    m("mixedbread", LOCAL, "mixedbread embedding", r"mxbai-embed-large(?:-v\d)?", &["mxbai-embed-large-v1"]),
    m(
        "baai",
        LOCAL,
        "BAAI BGE embedding",
        r"bge-(?:small|base|large|m3|reranker)[a-z0-9.-]*",
        &["bge-large-en-v1.5", "bge-m3"],
    ),
    m(
        "microsoft",
        LOCAL,
        "E5 embedding",
        r"(?:multilingual-)?e5-(?:small|base|large|mistral)[a-z0-9.-]*",
        &["e5-large-v2", "multilingual-e5-base"],
    ),
    m(
        "jina",
        REMOTE,
        "Jina embedding",
        r"jina-(?:embeddings|reranker|clip|colbert)-[a-z0-9.-]+",
        &["jina-embeddings-v3"],
    ),
    m(
        "voyage",
        REMOTE,
        "Voyage embedding",
        r"voyage-(?:\d(?:\.\d)?|large|code|law|finance|multilingual|lite|context)[a-z0-9.-]*",
        &["voyage-3", "voyage-code-2"],
    ),
    m(
        "sentence-transformers",
        LOCAL,
        "sentence-transformers model",
        r"(?:all|paraphrase|multi-qa|msmarco)-(?:minilm|mpnet|distilroberta|multilingual)[a-z0-9.-]*",
        &["all-MiniLM-L6-v2", "all-mpnet-base-v2", "paraphrase-multilingual-MiniLM-L12-v2"],
    ),
];

// ------------------------------------------------------------------------------------------------
// Credentials
// ------------------------------------------------------------------------------------------------

/// Characters a credential body may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Charset {
    /// `[A-Za-z0-9]`
    Alnum,
    /// `[A-Za-z0-9_-]`
    Token,
    /// `[A-Z0-9]`
    UpperDigit,
    /// `[0-9a-f]`
    Hex,
}

impl Charset {
    pub fn has(self, c: u8) -> bool {
        match self {
            Charset::Alnum => c.is_ascii_alphanumeric(),
            Charset::Token => c.is_ascii_alphanumeric() || c == b'_' || c == b'-',
            Charset::UpperDigit => c.is_ascii_uppercase() || c.is_ascii_digit(),
            Charset::Hex => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        }
    }
}

/// Extra conditions on a credential shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gate {
    None,
    /// Only when the scanned text mentions this word (case-insensitive): AWS access key ids
    /// are reported only in files that also mention Bedrock.
    FileMentions(&'static str),
    /// `sk-` keys: OpenAI when the body carries OpenAI's marker or has the classic 48-character
    /// shape; otherwise attributed from words on the same line, or left without provider.
    OpenAiLegacy,
}

/// A credential: a fixed prefix followed by a body of `min..=max` characters from `charset`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CredShape {
    pub prefix: &'static str,
    pub provider: &'static str,
    pub cat: &'static str,
    pub label: &'static str,
    pub charset: Charset,
    pub min: usize,
    pub max: usize,
    pub gate: Gate,
}

const fn c(
    prefix: &'static str,
    provider: &'static str,
    cat: &'static str,
    label: &'static str,
    charset: Charset,
    min: usize,
    max: usize,
) -> CredShape {
    CredShape { prefix, provider, cat, label, charset, min, max, gate: Gate::None }
}

pub(crate) const CREDENTIALS: &[CredShape] = &[
    c("sk-proj-", "openai", REMOTE, "OpenAI project API key", Charset::Token, 40, 300),
    c("sk-svcacct-", "openai", REMOTE, "OpenAI service-account key", Charset::Token, 40, 300),
    c("sk-admin-", "openai", REMOTE, "OpenAI admin key", Charset::Token, 40, 300),
    c("sk-ant-", "anthropic", REMOTE, "Anthropic API key", Charset::Token, 40, 300),
    c("sk-or-v1-", "openrouter", REMOTE, "OpenRouter API key", Charset::Hex, 64, 64),
    c("sk-lf-", "langfuse", OBS, "Langfuse secret key", Charset::Token, 32, 64),
    CredShape {
        prefix: "sk-",
        provider: "openai",
        cat: REMOTE,
        label: "sk- API key (OpenAI or OpenAI-compatible)",
        charset: Charset::Alnum,
        min: 32,
        max: 200,
        gate: Gate::OpenAiLegacy,
    },
    c("hf_", "huggingface", HUB, "Hugging Face access token", Charset::Alnum, 30, 40),
    c("api_org_", "huggingface", HUB, "Hugging Face organisation token", Charset::Alnum, 30, 40),
    c("AIza", "google", REMOTE, "Google API key (also used by non-AI Google APIs)", Charset::Token, 35, 35),
    c("gsk_", "groq", REMOTE, "Groq API key", Charset::Alnum, 40, 64),
    c("r8_", "replicate", REMOTE, "Replicate API token", Charset::Alnum, 30, 40),
    c("xai-", "xai", REMOTE, "xAI API key", Charset::Alnum, 40, 100),
    c("pplx-", "perplexity", REMOTE, "Perplexity API key", Charset::Alnum, 32, 64),
    c("fw_", "fireworks", REMOTE, "Fireworks AI API key", Charset::Alnum, 20, 64),
    c("nvapi-", "nvidia", REMOTE, "NVIDIA API key", Charset::Token, 50, 80),
    c("lsv2_pt_", "langchain", OBS, "LangSmith personal token", Charset::Token, 32, 80),
    c("lsv2_sk_", "langchain", OBS, "LangSmith service key", Charset::Token, 32, 80),
    c("pcsk_", "pinecone", VS, "Pinecone API key", Charset::Token, 40, 100),
    CredShape {
        prefix: "AKIA",
        provider: "aws-bedrock",
        cat: REMOTE,
        label: "AWS access key id (reported because the file mentions Bedrock)",
        charset: Charset::UpperDigit,
        min: 16,
        max: 16,
        gate: Gate::FileMentions("bedrock"),
    },
];

/// Words that, on the same line as an `sk-` key, name the OpenAI-compatible provider it is for.
pub(crate) const SK_CONTEXT: &[(&str, &str)] = &[
    ("deepseek", "deepseek"),
    ("moonshot", "moonshot"),
    ("kimi", "moonshot"),
    ("dashscope", "alibaba"),
    ("qwen", "alibaba"),
];

/// Fragments that mark a credential-shaped string as a placeholder or documentation example.
pub(crate) const PLACEHOLDER_WORDS: &[&str] = &[
    "xxxx",
    "your",
    "example",
    "placeholder",
    "dummy",
    "fake",
    "sample",
    "redacted",
    "changeme",
    "insert",
    "replace",
    "test",
    "apikey",
];

// ------------------------------------------------------------------------------------------------
// Files, paths and loaders
// ------------------------------------------------------------------------------------------------

/// Extensions of AI asset files referenced by string literals. `prompt_only`: only when the
/// path mentions "prompt" (`prompts/system.txt`), since these extensions are otherwise generic.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AssetExt {
    pub ext: &'static str,
    pub label: &'static str,
    pub prompt_only: bool,
}

const fn a(ext: &'static str, label: &'static str) -> AssetExt {
    AssetExt { ext, label, prompt_only: false }
}
const fn ap(ext: &'static str, label: &'static str) -> AssetExt {
    AssetExt { ext, label, prompt_only: true }
}

pub(crate) const ASSET_EXTS: &[AssetExt] = &[
    a("safetensors", "model weights (safetensors)"),
    a("gguf", "model weights (GGUF)"),
    a("ggml", "model weights (GGML)"),
    a("onnx", "model (ONNX)"),
    a("pt", "model weights (PyTorch)"),
    a("pth", "model weights (PyTorch)"),
    a("ckpt", "model checkpoint"),
    a("bin", "model weights (binary)"),
    a("pkl", "pickled object (may be a model)"),
    a("pickle", "pickled object (may be a model)"),
    a("joblib", "serialized model (joblib)"),
    a("h5", "model (HDF5 / Keras)"),
    a("hdf5", "model (HDF5)"),
    a("keras", "model (Keras)"),
    a("tflite", "model (TensorFlow Lite)"),
    a("mlmodel", "model (Core ML)"),
    a("npz", "arrays (NumPy)"),
    a("npy", "array (NumPy)"),
    a("pte", "model (ExecuTorch)"),
    a("nemo", "model (NeMo)"),
    a("llamafile", "model (llamafile)"),
    a("parquet", "dataset (Parquet)"),
    a("jsonl", "dataset (JSON Lines)"),
    a("ndjson", "dataset (JSON Lines)"),
    a("csv", "dataset (CSV)"),
    a("tsv", "dataset (TSV)"),
    a("arrow", "dataset (Arrow)"),
    a("feather", "dataset (Feather)"),
    a("tfrecord", "dataset (TFRecord)"),
    a("prompt", "prompt file"),
    a("prompty", "prompt file (Prompty)"),
    ap("jinja", "prompt template (Jinja)"),
    ap("jinja2", "prompt template (Jinja)"),
    ap("j2", "prompt template (Jinja)"),
    ap("txt", "prompt text"),
    ap("md", "prompt text (Markdown)"),
    ap("yaml", "prompt (YAML)"),
    ap("yml", "prompt (YAML)"),
];

/// Calls that fetch a model or dataset from a hub. `repo_pos`: the positional argument holding
/// the repo id; `repo_kws`: keyword arguments that may hold it instead.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Loader {
    pub name: &'static str,
    pub repo_pos: usize,
    pub repo_kws: &'static [&'static str],
    pub dataset: bool,
}

pub(crate) const LOADERS: &[Loader] = &[
    Loader {
        name: "from_pretrained",
        repo_pos: 0,
        repo_kws: &["pretrained_model_name_or_path", "model_id", "repo_id", "model_name_or_path"],
        dataset: false,
    },
    Loader { name: "hf_hub_download", repo_pos: 0, repo_kws: &["repo_id"], dataset: false },
    Loader { name: "snapshot_download", repo_pos: 0, repo_kws: &["repo_id"], dataset: false },
    Loader { name: "hf_hub_url", repo_pos: 0, repo_kws: &["repo_id"], dataset: false },
    Loader { name: "load_dataset", repo_pos: 0, repo_kws: &["path"], dataset: true },
    Loader { name: "pipeline", repo_pos: 1, repo_kws: &["model"], dataset: false },
    Loader { name: "SentenceTransformer", repo_pos: 0, repo_kws: &["model_name_or_path"], dataset: false },
    Loader { name: "CrossEncoder", repo_pos: 0, repo_kws: &["model_name_or_path", "model_name"], dataset: false },
];

/// Hugging Face pipeline task names (a `pipeline("task", "org/model")` call is only trusted
/// when its first argument is one of these).
pub(crate) const HF_TASKS: &[&str] = &[
    "text-generation",
    "text2text-generation",
    "text-classification",
    "sentiment-analysis",
    "token-classification",
    "ner",
    "question-answering",
    "fill-mask",
    "summarization",
    "translation",
    "zero-shot-classification",
    "feature-extraction",
    "image-classification",
    "image-segmentation",
    "image-to-text",
    "object-detection",
    "automatic-speech-recognition",
    "text-to-speech",
    "text-to-audio",
    "audio-classification",
    "zero-shot-image-classification",
    "depth-estimation",
    "document-question-answering",
    "visual-question-answering",
    "image-text-to-text",
    "conversational",
    "sentence-similarity",
    "embeddings",
];

/// `load_dataset` builder names that read local files rather than a hub dataset.
pub(crate) const DATASET_BUILDERS: &[&str] =
    &["csv", "json", "parquet", "text", "arrow", "pandas", "imagefolder", "audiofolder", "webdataset", "sql", "xml"];

/// First path segments that make `x/y` a local directory rather than a hub repo id.
pub(crate) const LOCAL_DIRS: &[&str] = &[
    "models",
    "model",
    "checkpoints",
    "checkpoint",
    "ckpt",
    "ckpts",
    "output",
    "outputs",
    "out",
    "data",
    "datasets",
    "artifacts",
    "weights",
    "saved_models",
    "saved_model",
    "runs",
    "tmp",
    "temp",
    "cache",
    "local",
    "adapters",
    "adapter",
    "lora",
    "results",
    "experiments",
    "assets",
    "resources",
    "pretrained",
    "export",
    "exports",
    "build",
    "dist",
    "target",
    "src",
    "lib",
];

// ------------------------------------------------------------------------------------------------
// Container images
// ------------------------------------------------------------------------------------------------

/// A container image repository (registry host included where it is not Docker Hub; a trailing
/// `*` matches any repository under the prefix).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Image {
    pub repo: &'static str,
    pub provider: &'static str,
    pub cat: &'static str,
}

const fn i(repo: &'static str, provider: &'static str, cat: &'static str) -> Image {
    Image { repo, provider, cat }
}

pub(crate) const IMAGES: &[Image] = &[
    i("ollama/ollama", "ollama", LOCAL),
    i("vllm/vllm-openai", "", LOCAL),
    i("ghcr.io/huggingface/text-generation-inference", "huggingface", LOCAL),
    i("ghcr.io/huggingface/text-embeddings-inference", "huggingface", LOCAL),
    i("ghcr.io/huggingface/*", "huggingface", LOCAL),
    i("huggingface/*", "huggingface", LOCAL),
    i("localai/localai", "", LOCAL),
    i("quay.io/go-skynet/local-ai", "", LOCAL),
    i("ghcr.io/ggerganov/llama.cpp", "", LOCAL),
    i("ghcr.io/ggml-org/llama.cpp", "", LOCAL),
    i("nvcr.io/nvidia/tritonserver", "nvidia", LOCAL),
    i("nvcr.io/nim/*", "nvidia", LOCAL),
    i("nvcr.io/nvidia/pytorch", "", TRAINING),
    i("pytorch/pytorch", "", TRAINING),
    i("tensorflow/tensorflow", "", TRAINING),
    i("tensorflow/serving", "", LOCAL),
    i("ghcr.io/open-webui/open-webui", "", LOCAL),
    i("ghcr.io/berriai/litellm", "litellm", REMOTE),
    i("chromadb/chroma", "chroma", VS),
    i("qdrant/qdrant", "qdrant", VS),
    i("semitechnologies/weaviate", "weaviate", VS),
    i("cr.weaviate.io/semitechnologies/weaviate", "weaviate", VS),
    i("milvusdb/milvus", "milvus", VS),
    i("pgvector/pgvector", "", VS),
    i("ghcr.io/mlflow/mlflow", "", OBS),
    i("langfuse/langfuse", "langfuse", OBS),
    i("rayproject/ray-ml", "", TRAINING),
    i("bentoml/*", "", LOCAL),
];
