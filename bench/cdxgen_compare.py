#!/usr/bin/env python3
"""Compares what cdxgen's AI inventory (`cdxgen -t ai`, plus its manifest pass for AI libraries)
and `custody scan --format json` (custody.scan/v1) find in one tree. Used by bench/cdxgen-compare.sh.

usage: cdxgen_compare.py --tree DIR --cdxgen-ai BOM.json [--cdxgen-libs BOM.json]
                         --custody SCAN.json [--label NAME] [--max N] [--out DIFF.json]

Both sides are reduced to items `(category, key)` with the same normalisation:

  model-file   a local model/adapter artefact (file, or the directory of an HF/PEFT model),
               path relative to the tree; a file inside a directory asset counts as that directory
  dataset      a local dataset file or directory
  prompt       a prompt / chat-template / prompt-config file
  dataset-ref  a dataset named in model metadata (HF model card), e.g. acme/card-transactions-2026
  base-model   a base model named in model metadata (model card base_model, adapter base)
  model-id     a model identifier in code or config (gpt-4o-mini, bert-base-uncased), lower case
  path-ref     a local model/data path literal in code (./models/base), without a leading ./
  package      an AI SDK/framework declared in a manifest (PEP 503 / npm name, lower case)
  import       an AI SDK imported in code (custody only: cdxgen folds imports into services)
  service      a provider of remote AI (openai, anthropic, …; cdxgen's generic provider is "ai")
  endpoint     an AI API host named in code or config
  env-var      an AI provider environment variable (custody only)
  ai-file      a code/config/notebook file in which the tool saw any AI use (files either side
               lists as an asset are compared under their asset category only)

Output: a count table per category, then the three lists (both, only cdxgen, only custody), each
cut to --max entries per category; --out writes every item with its evidence as JSON.
Exit 0 unless an input cannot be read.
"""
import argparse
import json
import os
import re
import sys
from collections import defaultdict
from urllib.parse import urlparse

CATEGORIES = [
    "model-file", "dataset", "prompt", "dataset-ref", "base-model", "model-id", "path-ref",
    "package", "import", "service", "endpoint", "env-var", "ai-file", "other",
]

# AI SDKs and frameworks, independent of custody's own tables (cdxgen's AI_PACKAGE_REGISTRY plus the
# usual ML frameworks): used only to pick AI libraries out of cdxgen's manifest (library) pass.
AI_PACKAGES = {
    "pypi": [
        "openai", "anthropic", "google-genai", "google-generativeai", "google-cloud-aiplatform",
        "vertexai", "mistralai", "cohere", "groq", "together", "fireworks-ai", "replicate",
        "perplexityai", "litellm", "langchain", "langchain-*", "langgraph", "langgraph-*",
        "langsmith", "llama-index", "llama-index-*", "llama-cpp-python", "ollama", "transformers",
        "sentence-transformers", "tokenizers", "safetensors", "huggingface-hub", "datasets",
        "diffusers", "accelerate", "peft", "trl", "bitsandbytes", "torch", "torchvision",
        "torchaudio", "tensorflow", "tensorflow-*", "tf-keras", "keras", "jax", "flax", "onnx",
        "onnxruntime", "onnxruntime-*", "vllm", "scikit-learn", "sklearn", "xgboost", "lightgbm",
        "catboost", "mlflow", "wandb", "autogen", "autogen-agentchat", "pyautogen", "ag2",
        "crewai", "dspy", "dspy-ai", "semantic-kernel", "haystack-ai", "chromadb", "pinecone",
        "pinecone-client", "qdrant-client", "weaviate-client", "pymilvus", "faiss-cpu",
        "faiss-gpu", "lancedb", "guardrails-ai", "nemoguardrails", "langfuse", "openai-agents",
        "instructor", "pydantic-ai", "spacy", "lightning", "pytorch-lightning", "timm", "gguf",
    ],
    "npm": [
        "openai", "@anthropic-ai/*", "@google/genai", "@google/generative-ai",
        "@google-ai/generativelanguage", "@google-cloud/vertexai", "@azure/openai",
        "@huggingface/*", "@xenova/transformers", "langchain", "@langchain/*", "ai", "@ai-sdk/*",
        "@openai/agents", "@openai/agents-core", "mastra", "@mastra/*", "ollama",
        "node-llama-cpp", "@mlc-ai/*", "groq-sdk", "cohere-ai", "@mistralai/mistralai",
        "@deepseek/openai", "together-ai", "replicate", "@tensorflow/*", "onnxruntime-node",
        "onnxruntime-web", "@pinecone-database/pinecone", "chromadb", "@qdrant/js-client-rest",
        "weaviate-client", "weaviate-ts-client", "llamaindex", "@modelcontextprotocol/sdk",
    ],
}

# cdxgen provider ids → custody provider ids (same vendor, other spelling)
PROVIDER_ALIASES = {"vertex-ai": "google", "gemini": "google", "hf": "huggingface",
                    "azure": "azure-openai", "together-ai": "together", "mistralai": "mistral"}

ASSET_CATEGORIES = {"model-file", "dataset", "prompt"}
MODEL_ASSET_KINDS = {"model", "adapter"}
PROMPT_ASSET_KINDS = {"prompt", "chat-template"}


def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def norm_pkg(name, eco):
    name = name.strip().lower()
    return pep503(name) if eco == "pypi" else name


def is_ai_package(name, eco):
    for pat in AI_PACKAGES.get(eco, []):
        if pat.endswith("*") and name.startswith(pat[:-1]):
            return True
        if name == pat:
            return True
    return False


def norm_path(p):
    p = p.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p.rstrip("/")


def looks_like_path(s):
    return s.startswith(("./", "../", "/", "~/")) or s.endswith(
        (".gguf", ".safetensors", ".onnx", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".pkl"))


def host_of(value):
    v = value.strip()
    if "://" not in v:
        v = "https://" + v
    try:
        return (urlparse(v).hostname or "").lower()
    except ValueError:
        return ""


def split_location(loc):
    """cdxgen `path#L12` → (path, 12)."""
    m = re.match(r"^(.*?)(?:#L(\d+))?$", loc or "")
    return norm_path(m.group(1)), (int(m.group(2)) if m.group(2) else None)


class Items:
    def __init__(self):
        self.ev = defaultdict(list)  # (cat, key) -> [evidence strings]

    def add(self, cat, key, evidence=""):
        if not key:
            return
        lst = self.ev[(cat, key)]
        if evidence and evidence not in lst and len(lst) < 50:
            lst.append(evidence)

    def keys(self):
        return set(self.ev)


# ------------------------------------------------------------------------------------------------
# custody


def load_custody(doc):
    it = Items()
    members = {}  # member file path -> directory asset path
    for a in doc.get("assets", []):
        if a.get("part_of"):
            members[norm_path(a["path"])] = norm_path(a["part_of"])
    for a in doc.get("assets", []):
        path = norm_path(a["path"])
        if a.get("part_of"):
            continue  # counted as its directory
        ev = f"{a.get('kind')}/{a.get('format')}"
        kind = a.get("kind")
        if kind in MODEL_ASSET_KINDS:
            it.add("model-file", path, ev)
        elif kind == "dataset":
            it.add("dataset", path, ev)
        elif kind in PROMPT_ASSET_KINDS:
            it.add("prompt", path, ev)
        else:
            it.add("other", f"{kind}:{path}", ev)
        meta = a.get("meta") or {}
        for sub in [meta] + [meta.get(k) for k in ("config", "adapter", "card") if isinstance(meta.get(k), dict)]:
            for d in sub.get("datasets") or []:
                it.add("dataset-ref", str(d).lower(), path)
            for b in sub.get("base_models") or []:
                it.add("base-model", norm_path(str(b)).lower(), path)
    for u in doc.get("uses", []):
        kind, name = u.get("kind"), str(u.get("name") or "")
        loc = f"{u.get('path')}:{u.get('line')}"
        it.add("ai-file", norm_path(u.get("path", "")), f"{kind} {name}")
        if kind == "sdk":
            it.add("import", name.lower(), loc)
        elif kind == "dependency":
            eco = "npm" if name.startswith("@") or u.get("path", "").endswith("package.json") else "pypi"
            it.add("package", norm_pkg(name, eco), loc)
        elif kind in ("model-id", "hub-download"):
            it.add("model-id", name.lower(), loc)
        elif kind == "endpoint":
            it.add("endpoint", host_of(name), loc)
            if u.get("provider"):
                # custody lists remote providers under `services`; a local server it reaches
                # (Ollama on localhost:11434) is a use with a provider: cdxgen makes it a service
                it.add("service", u["provider"], f"endpoint {name} ({u.get('category')}) at {loc}")
        elif kind == "env-var":
            it.add("env-var", name, loc)
        elif kind == "path-literal":
            it.add("path-ref", norm_path(name), loc)
        elif kind == "credential":
            it.add("other", f"credential:{u.get('provider')}", loc)
    for s in doc.get("services", []):
        prov = s.get("provider")
        files = s.get("files") or []
        it.add("service", prov, ", ".join(files[:2]) + (f" (+{len(files) - 2} files)" if len(files) > 2 else ""))
        for h in s.get("hosts") or []:
            it.add("endpoint", host_of(h), f"service {prov}")
    return it, members


# ------------------------------------------------------------------------------------------------
# cdxgen


def props_of(subject):
    out = defaultdict(list)
    for p in subject.get("properties") or []:
        out[p.get("name")].append(p.get("value"))
    return {k: v[0] for k, v in out.items()}


def occurrences(subject):
    return [o.get("location", "") for o in (subject.get("evidence") or {}).get("occurrences") or []]


def to_asset_path(path, members, dir_assets):
    """Normalise a cdxgen file location the way custody names assets: a file inside a directory
    asset (weights, README.md, config.json) is that directory."""
    if path in members:
        return members[path]
    d = path
    while "/" in d:
        d = d.rsplit("/", 1)[0]
        if d in dir_assets:
            return d
    return path


def load_cdxgen(bom, lib_bom, tree, members, dir_assets):
    it = Items()
    notes = []
    comps = list(bom.get("components") or [])
    for c in comps:
        ctype = c.get("type")
        pr = props_of(c)
        occ = occurrences(c)
        name = c.get("name") or ""
        group = c.get("group") or ""
        source = pr.get("cdx:ai:source", "")
        file_kind = pr.get("cdx:file:kind", "")
        label = f"{ctype} {group + '/' if group else ''}{name}".strip()
        if ctype == "file":
            for loc in occ or [name]:
                path, _ = split_location(loc)
                if file_kind in ("model-artifact-file", "model-config-file"):
                    # weights, or an Ollama Modelfile (custody: ollama-modelfile asset)
                    it.add("model-file", to_asset_path(path, members, dir_assets), label)
                elif file_kind == "prompt-config-file":
                    it.add("prompt", path, label)
                elif file_kind == "notebook-file":
                    it.add("ai-file", path, label)
                else:
                    it.add("other", f"{file_kind or 'file'}:{path}", label)
            continue
        if ctype == "machine-learning-model":
            if source.startswith("local-"):
                # a model on disk: an artefact (GGUF, …) or an HF/PEFT directory found by its
                # metadata files (README.md, config.json, adapter_config.json)
                for loc in occ:
                    path, _ = split_location(loc)
                    base = os.path.basename(path)
                    if source == "local-huggingface-metadata" and "/" in path and not re.search(
                            r"\.(gguf|safetensors|onnx|bin|pt|pth|ckpt)$", base):
                        path = path.rsplit("/", 1)[0]
                    it.add("model-file", to_asset_path(path, members, dir_assets),
                           f"{label} [{source}]")
            elif looks_like_path(name):
                for loc in occ or [""]:
                    it.add("path-ref", norm_path(name), loc)
                    if loc:
                        it.add("ai-file", split_location(loc)[0], label)
            else:
                key = (f"{group}/{name}" if c.get("purl", "").startswith("pkg:huggingface/") and group
                       else name).lower()
                key = re.sub(r"^models/", "", key)
                for loc in occ or [""]:
                    it.add("model-id", key, loc)
                    if loc:
                        it.add("ai-file", split_location(loc)[0], label)
            for anc in (c.get("pedigree") or {}).get("ancestors") or []:
                aname = "/".join(x for x in (anc.get("group"), anc.get("name")) if x)
                it.add("base-model", norm_path(aname).lower(), label)
            continue
        if ctype == "data":
            ds_names = [d.get("name") for d in c.get("data") or [] if d.get("name")]
            if source == "local-huggingface-metadata" or c.get("externalReferences"):
                for n in ds_names or [f"{group}/{name}" if group else name]:
                    it.add("dataset-ref", n.lower(), ", ".join(occ))
            else:
                for loc in occ or [name]:
                    it.add("dataset", norm_path(split_location(loc)[0]), label)
            continue
        if ctype == "library":
            purl = c.get("purl") or ""
            eco = "npm" if purl.startswith("pkg:npm/") else "pypi"
            it.add("package", norm_pkg(((group + "/") if group and eco == "npm" else "") + name, eco), label)
            continue
        it.add("other", f"{ctype}:{group + '/' if group else ''}{name}", ", ".join(occ[:2]))
    for s in bom.get("services") or []:
        prov = ((s.get("provider") or {}).get("name") or s.get("group") or s.get("name") or "").lower()
        prov = PROVIDER_ALIASES.get(prov, prov)
        pr = props_of(s)
        occ = occurrences(s)
        ev = f"service \"{s.get('name')}\""
        if pr.get("cdx:ai:modelId"):
            ev += f" for model {pr['cdx:ai:modelId']}"
        if occ:
            ev += f" at {', '.join(occ[:3])}" + (f" (+{len(occ) - 3})" if len(occ) > 3 else "")
        it.add("service", prov, ev)
        for e in s.get("endpoints") or []:
            it.add("endpoint", host_of(e), f"{e} ({ev})")
        for loc in occ:
            it.add("ai-file", split_location(loc)[0], ev)

    excluded = []
    if lib_bom is not None:
        for c in lib_bom.get("components") or []:
            if c.get("type") not in ("library", "framework"):
                continue
            purl = c.get("purl") or ""
            if not purl.startswith(("pkg:pypi/", "pkg:npm/")):
                continue
            eco = "npm" if purl.startswith("pkg:npm/") else "pypi"
            group = c.get("group") or ""
            name = norm_pkg((group + "/" if group else "") + (c.get("name") or ""), eco)
            src = props_of(c).get("SrcFile", "")
            src = rel_to_tree(src, tree)
            if is_ai_package(name, eco):
                it.add("package", name, f"{src} ({purl})")
                if src:
                    it.add("ai-file", src, f"declares {name}")
            else:
                excluded.append(name)
    if excluded:
        notes.append(f"cdxgen manifest pass: {len(set(excluded))} non-AI libraries left out "
                      f"({', '.join(sorted(set(excluded))[:12])}{', …' if len(set(excluded)) > 12 else ''})")
    return it, notes


def rel_to_tree(path, tree):
    """cdxgen's SrcFile is relative to an odd base; keep the longest suffix that exists in the tree."""
    if not path:
        return ""
    p = path.replace("\\", "/")
    if os.path.isabs(p):
        try:
            r = os.path.relpath(p, tree)
            if not r.startswith(".."):
                return norm_path(r)
        except ValueError:
            pass
    parts = p.strip("/").split("/")
    for i in range(len(parts)):
        cand = "/".join(parts[i:])
        if os.path.exists(os.path.join(tree, cand)):
            return cand
    return norm_path(p)


def locate(tree, needles, limit=3):
    """file:line of the first few lines that contain each needle (text files under 2 MB)."""
    found = defaultdict(list)
    if not needles:
        return found
    for root, dirs, files in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if d not in (".git", ".custody", "node_modules"))
        for fn in sorted(files):
            path = os.path.join(root, fn)
            try:
                if os.path.getsize(path) > 2 << 20:
                    continue
                with open(path, encoding="utf-8", errors="replace") as f:
                    lines = f.readlines()
            except OSError:
                continue
            for n, line in enumerate(lines, 1):
                for needle in needles:
                    if needle in line and len(found[needle]) < limit:
                        found[needle].append(f"{norm_path(os.path.relpath(path, tree))}:{n}")
    return found


# ------------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", required=True)
    ap.add_argument("--cdxgen-ai", required=True)
    ap.add_argument("--cdxgen-libs")
    ap.add_argument("--custody", required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--max", type=int, default=25, help="entries shown per category and list")
    ap.add_argument("--out")
    a = ap.parse_args()

    with open(a.custody) as f:
        cust_doc = json.load(f)
    with open(a.cdxgen_ai) as f:
        bom = json.load(f)
    lib_bom = None
    if a.cdxgen_libs and os.path.exists(a.cdxgen_libs):
        with open(a.cdxgen_libs) as f:
            lib_bom = json.load(f)
    if cust_doc.get("schema") not in (None, "custody.scan/v1"):
        print(f"warning: custody JSON schema is {cust_doc.get('schema')!r}", file=sys.stderr)

    cust, members = load_custody(cust_doc)
    dir_assets = {norm_path(x["path"]) for x in cust_doc.get("assets", []) if x.get("members")}
    cdx, notes = load_cdxgen(bom, lib_bom, a.tree, members, dir_assets)

    # a file either side lists as an asset (model, Modelfile, prompt, dataset) is compared as that
    # asset, not again as a file with AI use in it
    asset_paths = {k for side in (cdx, cust) for (c, k) in side.keys() if c in ASSET_CATEGORIES}
    for side in (cdx, cust):
        for key in [k for k in side.keys() if k[0] == "ai-file" and k[1] in asset_paths]:
            del side.ev[key]
    ck, uk = cdx.keys(), cust.keys()
    both, only_c, only_u = ck & uk, ck - uk, uk - ck

    # cdxgen 12.8.4 drops the occurrences of services: find where an endpoint only it reports is
    # written, so the list says file and line
    urls = sorted({ev.split(" ", 1)[0] for (c, k) in only_c if c == "endpoint" for ev in cdx.ev[(c, k)]})
    for url, where in locate(a.tree, urls).items():
        for (c, k) in only_c:
            if c == "endpoint" and k == host_of(url):
                for w in where:
                    cdx.add(c, k, f"written at {w}")

    def order(keys):
        return sorted(keys, key=lambda k: (CATEGORIES.index(k[0]) if k[0] in CATEGORIES else 99, k[1]))

    title = a.label or a.tree
    print(f"-- counts ({title}) --")
    print(f"  {'category':<12} {'both':>7} {'only cdxgen':>12} {'only custody':>13}")
    for cat in CATEGORIES:
        nb = sum(1 for k in both if k[0] == cat)
        nc = sum(1 for k in only_c if k[0] == cat)
        nu = sum(1 for k in only_u if k[0] == cat)
        if nb or nc or nu:
            print(f"  {cat:<12} {nb:>7} {nc:>12} {nu:>13}")
    print(f"  {'total':<12} {len(both):>7} {len(only_c):>12} {len(only_u):>13}")
    for n in notes:
        print(f"  note: {n}")

    def show(header, keys, sides):
        print(f"\n-- {header} ({len(keys)}) --")
        if not keys:
            print("  (none)")
            return
        per_cat = defaultdict(int)
        hidden = defaultdict(int)
        for cat, key in order(keys):
            per_cat[cat] += 1
            if per_cat[cat] > a.max:
                hidden[cat] += 1
                continue
            evs = []
            for side_name, side in sides:
                ev = side.ev.get((cat, key)) or []
                if ev:
                    more = f" (+{len(ev) - 2})" if len(ev) > 2 else ""
                    evs.append(f"{side_name}: " + "; ".join(ev[:2]) + more)
            print(f"  {cat:<11} {key}" + (f"   [{' | '.join(evs)}]" if evs else ""))
        for cat, n in hidden.items():
            print(f"  {cat:<11} … and {n} more" + (f" (all in {a.out})" if a.out else ""))

    show("found by both", both, [("cdxgen", cdx), ("custody", cust)])
    show("only cdxgen", only_c, [("cdxgen", cdx)])
    show("only custody", only_u, [("custody", cust)])

    if a.out:
        def dump(keys, side):
            return [{"category": c, "key": k, "evidence": side.ev.get((c, k), [])} for c, k in order(keys)]
        with open(a.out, "w") as f:
            json.dump({"tree": title, "both": dump(both, cust), "only_cdxgen": dump(only_c, cdx),
                       "only_custody": dump(only_u, cust), "notes": notes}, f, indent=1, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
