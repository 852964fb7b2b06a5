#!/usr/bin/env python3
"""Generates the scan benchmark tree: model files (valid safetensors headers over random
payloads) and many small source files, some of which use AI SDKs.

usage: gen_tree.py DIR [--model-files N] [--model-mb MB] [--sources N]
Idempotent: files that already exist with the right size are kept.
"""
import argparse
import json
import os
import struct

p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("--model-files", type=int, default=20)
p.add_argument("--model-mb", type=int, default=110)
p.add_argument("--sources", type=int, default=50_000)
a = p.parse_args()

models = os.path.join(a.dir, "models")
os.makedirs(models, exist_ok=True)
chunk = os.urandom(8 << 20)
for i in range(a.model_files):
    n = (a.model_mb << 20) // 4
    header = json.dumps({"weight": {"dtype": "F32", "shape": [n], "data_offsets": [0, 4 * n]},
                         "__metadata__": {"format": "pt"}}).encode()
    header += b" " * (-len(header) % 8)
    path = os.path.join(models, f"model-{i:05d}-of-{a.model_files:05d}.safetensors")
    size = 8 + len(header) + 4 * n
    if os.path.exists(path) and os.path.getsize(path) == size:
        continue
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header)
        left = 4 * n
        k = i
        while left:
            part = chunk[: min(left, len(chunk))]
            # vary content per file so digests differ
            f.write(bytes([k & 255]) + part[1:])
            left -= len(part)
            k += 1

src = os.path.join(a.dir, "src")
snippets = [
    "import os\n\ndef handler(x):\n    return x * 2\n",
    "from openai import OpenAI\nclient = OpenAI(api_key=os.environ['OPENAI_API_KEY'])\n",
    "import json\nimport logging\n\nlog = logging.getLogger(__name__)\n",
    "const x = require('lodash');\nmodule.exports = (a) => x.sum(a);\n",
    "from transformers import AutoModel\nm = AutoModel.from_pretrained('bert-base-uncased')\n",
]
for i in range(a.sources):
    d = os.path.join(src, f"pkg{i // 500:03d}")
    if i % 500 == 0:
        os.makedirs(d, exist_ok=True)
    ext = "js" if i % 5 == 3 else "py"
    path = os.path.join(d, f"mod{i:05d}.{ext}")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(f"# module {i}\n" + snippets[i % len(snippets)] * (1 + i % 7))
print(f"tree ready: {a.model_files} model files of {a.model_mb} MiB, {a.sources} source files in {a.dir}")
