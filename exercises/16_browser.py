"""The exercises of notebooks/16_browser.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

import functools
from pathlib import Path

from utils.exercises import Wrong, close, register, share


def _weight_scales(path: Path) -> list[int]:
    """The sizes of the quantized weights' scales in an ONNX file (1: one per matrix; more: one per row)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(path).graph
    return [numpy_helper.to_array(t).size for t in graph.initializer if t.name.endswith("_scale")]


@register("16_browser", 1, hint="graph = onnx.load(folder / 'onnx' / 'model.onnx'); del graph.graph.value_info[:]; "
          "onnx.save(graph, scratch / 'cleared.onnx'); then quantize_dynamic(cleared, target, "
          "weight_type=QuantType.QInt8, per_channel=False). Compare ort_probabilities(...).argmax(1) of your session "
          "with the fp32 session's, review by review.")
def per_tensor_int8(path, answer, fp32_session, ort_probabilities, reviews, labels, per_channel_kept):
    import numpy as np
    import onnx
    import onnxruntime

    if not isinstance(path, str | Path) or not Path(path).is_file():
        raise Wrong(f"give the path of the ONNX file you wrote (got {path!r}).")
    ops = {node.op_type for node in onnx.load(path).graph.node}
    if not ops & {"MatMulInteger", "DynamicQuantizeLinear"}:
        raise Wrong("that file is not quantized: no int8 matrix products in its graph. Quantize model.onnx with "
                    "quantize_dynamic.")
    scales = _weight_scales(Path(path))
    if any(size > 1 for size in scales):
        raise Wrong("its weights have one scale per output row: that is per_channel=True, the notebook's file. "
                    "Use per_channel=False.")
    value = share(answer, "The share of reviews that keep their label")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    mine, fp32 = ort_probabilities(session, reviews).argmax(1), ort_probabilities(fp32_session, reviews).argmax(1)
    kept = float((mine == fp32).mean())
    if close(value, kept, abs_=0.5 / len(reviews)):
        word = "fewer" if kept < per_channel_kept else "no fewer"
        return (f"One scale per matrix keeps fp32's label on {kept:.1%} of the reviews, against {per_channel_kept:.1%} "
                f"with one scale per row: {word} labels kept, in a file of the same size (the scales are a few "
                "hundred numbers). A single scale must cover a whole matrix's largest weight, so small weights "
                "lose more precision.")
    if close(value, 1 - kept, abs_=0.5 / len(reviews)):
        raise Wrong("that is the share of reviews whose label changed: give the share that kept it.")
    if close(value, float((mine == np.array(labels)).mean()), abs_=0.5 / len(reviews)):
        raise Wrong("that is its accuracy on the true labels: compare its labels with the fp32 model's instead.")
    raise Wrong(f"{value:.3f} is not the share of reviews on which your file keeps the fp32 model's label.")


@functools.cache
def _sentence_transformers_embeddings(reviews: tuple[str, ...]):
    from sentence_transformers import SentenceTransformer

    from utils import catalog

    return SentenceTransformer(catalog.model("encoder"), device="cpu").encode(list(reviews), normalize_embeddings=True)


@register("16_browser", 2, hint="AutoModel.from_pretrained(catalog.model('encoder')); save its config and tokenizer "
          "into the folder; torch.onnx.export(encoder, kwargs=dict(sample), f=folder / 'onnx' / 'model.onnx', "
          "dynamo=True, input_names=list(sample), output_names=['last_hidden_state'], dynamic_shapes=..., "
          "external_data=False). The script: like node_classify.mjs, with pipeline('feature-extraction', "
          "'course-encoder', { dtype: 'fp32' }) called on the whole list with { pooling: 'mean', normalize: true }.")
def encoder_in_node(answer, first_reviews):
    import numpy as np

    try:
        vectors = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Wrong("give a list of vectors (lists of numbers), one per review, as output.tolist() prints it.") from None
    reference = _sentence_transformers_embeddings(tuple(first_reviews))
    if vectors.shape != reference.shape:
        raise Wrong(f"expected {len(reference)} vectors of {reference.shape[1]} numbers, got an array of shape "
                    f"{vectors.shape}: pool each review's token vectors into one (pooling: 'mean').")
    norms = np.linalg.norm(vectors, axis=1)
    if not np.allclose(norms, 1, atol=1e-3):
        raise Wrong(f"the vectors' lengths are {norms.min():.2f} to {norms.max():.2f}, not 1: add normalize: true, "
                    "as sentence-transformers normalises this encoder's output.")
    cosines = (vectors * reference).sum(axis=1)
    if cosines.min() >= 0.9999:
        return (f"The page-ready encoder gives sentence-transformers' embeddings (cosine at least {cosines.min():.6f}, "
                f"largest difference {np.abs(vectors - reference).max():.1e}): semantic search can run in a "
                "browser too, with the same folder layout and the same pipeline call.")
    raise Wrong(f"these are not the reviews' mean-pooled embeddings (cosine down to {cosines.min():.4f} with "
                "sentence-transformers'): embed the first 8 reviews, in order, with pooling: 'mean'.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
import tempfile

scratch = Path(tempfile.mkdtemp(prefix="course-16-"))
graph = onnx.load(folder / "onnx" / "model.onnx")
del graph.graph.value_info[:]
onnx.save(graph, scratch / "cleared.onnx")
per_tensor_path = scratch / "per_tensor.onnx"
quantize_dynamic(scratch / "cleared.onnx", per_tensor_path, weight_type=QuantType.QInt8, per_channel=False)
fp32_labels = ort_probabilities(sessions["fp32"], reviews).argmax(1)
per_tensor_kept = float((ort_probabilities(ort_session(per_tensor_path), reviews).argmax(1) == fp32_labels).mean())

# %% Exercise 1: wrong (the notebook's per-channel file)
per_tensor_path = folder / "onnx" / "model_quantized.onnx"
per_tensor_kept = kept

# %% Exercise 1: wrong (the share of labels that changed)
per_tensor_path = scratch / "per_tensor.onnx"
fp32_labels = ort_probabilities(sessions["fp32"], reviews).argmax(1)
per_tensor_kept = float((ort_probabilities(ort_session(per_tensor_path), reviews).argmax(1) != fp32_labels).mean())

# %% Exercise 1: wrong (accuracy on the true labels, not agreement with fp32)
per_tensor_path = scratch / "per_tensor.onnx"
per_tensor_kept = float((ort_probabilities(ort_session(per_tensor_path), reviews).argmax(1) == np.array(labels)).mean())

# %% Exercise 1: wrong (the fp32 file: nothing quantized)
per_tensor_path = folder / "onnx" / "model.onnx"
per_tensor_kept = 1.0

# %% Exercise 2
from transformers import AutoModel

encoder_source = catalog.model("encoder")
encoder_tokenizer = AutoTokenizer.from_pretrained(encoder_source)
encoder = AutoModel.from_pretrained(encoder_source).eval()
encoder_folder = WEB_APP / "model" / "course-encoder"
encoder.config.save_pretrained(encoder_folder)
encoder_tokenizer.save_pretrained(encoder_folder)
encoder_sample = encoder_tokenizer(["a fine film", "a dull, overlong film"], padding=True, return_tensors="pt")
(encoder_folder / "onnx").mkdir(parents=True, exist_ok=True)
torch.onnx.export(encoder, kwargs=dict(encoder_sample), f=encoder_folder / "onnx" / "model.onnx", dynamo=True,
                  input_names=list(encoder_sample), output_names=["last_hidden_state"], external_data=False,
                  dynamic_shapes={name: {0: "batch", 1: "sequence"} for name in encoder_sample})
embed_js = """
import { env, pipeline } from "@huggingface/transformers";
import { readFileSync } from "node:fs";
env.allowRemoteModels = false;
env.localModelPath = new URL("./model/", import.meta.url).pathname;
env.backends.onnx.numThreads = 1;
const reviews = JSON.parse(readFileSync(0, "utf8"));
const embed = await pipeline("feature-extraction", "course-encoder", { dtype: "fp32" });
const output = await embed(reviews, { pooling: "mean", normalize: true });
console.log(JSON.stringify(output.tolist()));
"""
(WEB_APP / "exercise.mjs").write_text(embed_js)
node_embeddings = run_node(WEB_APP / "exercise.mjs", reviews[:8])

# %% Exercise 2: wrong (the first token's vector, not the mean)
(WEB_APP / "exercise.mjs").write_text(embed_js.replace('pooling: "mean"', 'pooling: "cls"'))
node_embeddings = run_node(WEB_APP / "exercise.mjs", reviews[:8])

# %% Exercise 2: wrong (not normalised)
(WEB_APP / "exercise.mjs").write_text(embed_js.replace(", normalize: true", ""))
node_embeddings = run_node(WEB_APP / "exercise.mjs", reviews[:8])

# %% Exercise 2: wrong (the token vectors, not pooled)
(WEB_APP / "exercise.mjs").write_text(embed_js.replace('{ pooling: "mean", normalize: true }', "{}"))
node_embeddings = run_node(WEB_APP / "exercise.mjs", reviews[:8])

# %% Exercise 2: wrong (other reviews)
(WEB_APP / "exercise.mjs").write_text(embed_js)
node_embeddings = run_node(WEB_APP / "exercise.mjs", reviews[8:16])
'''
