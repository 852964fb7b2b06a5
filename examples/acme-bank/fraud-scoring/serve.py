"""Scores payments with the exported ONNX model; flags, never blocks."""
import numpy as np
import onnxruntime as ort

session = ort.InferenceSession("models/fraud-scorer.onnx")


def score(features: np.ndarray) -> float:
    (out,) = session.run(None, {"input": features.astype(np.float32)})
    return float(out[0][0])
