"""The exercises of notebooks/10_compression.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, register


def _dynamic_linears(model):
    """The names of ``model``'s dynamically quantized linear layers, with their weights' dtype."""
    import torch

    return {name: module._packed_params.dtype for name, module in model.named_modules()
            if isinstance(module, torch.ao.nn.quantized.dynamic.Linear)}


@register("10_compression", 1, hint="Collect the names (from model.named_modules(), so with the model's own prefix) "
          "of the nn.Linear modules that are also among model.base_model.modules(), and pass that set to "
          "quantize_dynamic in place of {torch.nn.Linear}, with dtype=torch.qint8.")
def float_head(answer, model, bench, classifier, sort_key, batch_size):
    import torch

    if not isinstance(answer, torch.nn.Module):
        raise Wrong("give the quantized model that quantize_dynamic returns.")
    if _dynamic_linears(model):
        raise Wrong("the notebook's float32 model has int8 layers now: quantize a copy (inplace=False, the default).")
    encoder = {id(m) for m in model.base_model.modules()}
    linears = {name: id(m) in encoder for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    quantized = _dynamic_linears(answer)
    if not quantized:
        raise Wrong("no layer is quantized: qconfig_spec names must be the model's module names, as "
                    "model.named_modules() gives them (prefix included).")
    if any(dtype != torch.qint8 for dtype in quantized.values()):
        raise Wrong(f"the layers are quantized to {next(iter(set(quantized.values())))}, not int8 (dtype=torch.qint8).")
    missing = [name for name, inside in linears.items() if inside and name not in quantized]
    if missing:
        raise Wrong(f"{len(missing)} of the encoder's linear layers are still float32 (e.g. {missing[0]}).")
    head = sorted(name for name, inside in linears.items() if not inside and name in quantized)
    if head:
        raise Wrong(f"the head is int8 too ({', '.join(head)}): quantize only the linear layers inside model.base_model.")
    predictions = [None] * len(bench.texts)  # the same sorted batches as every variant, untimed
    predict = classifier(answer)
    for indices in bench.batches(batch_size, sort_key):
        for i, label in zip(indices, predict([bench.texts[i] for i in indices]), strict=True):
            predictions[i] = label
    float32, int8 = bench.results["+ inference_mode"], bench.results["+ int8 dynamic quantization"]
    kept = sum(a == b for a, b in zip(predictions, float32.predictions, strict=True))
    kept_int8 = sum(a == b for a, b in zip(int8.predictions, float32.predictions, strict=True))
    return (f"{len(quantized)} encoder layers in int8, the head in float32: it keeps {kept} of float32's "
            f"{len(predictions)} predictions, against {kept_int8} for the fully quantized model (accuracy "
            f"{bench.accuracy(predictions):.4f} against {int8.accuracy:.4f}, float32 {float32.accuracy:.4f}).")


@register("10_compression", 2, hint="onnxruntime.SessionOptions() has a graph_optimization_level attribute; set it "
          "to a member of onnxruntime.GraphOptimizationLevel, then pass the options to InferenceSession with the "
          "path of model.onnx.")
def no_graph_optimisations(answer, bench, onnx_predictor, sort_key, batch_size):
    import onnxruntime

    if not isinstance(answer, onnxruntime.InferenceSession):
        raise Wrong("give an onnxruntime.InferenceSession.")
    level = answer.get_session_options().graph_optimization_level
    levels = onnxruntime.GraphOptimizationLevel
    if level == levels.ORT_ENABLE_ALL:
        raise Wrong("every graph optimisation is still on (the default): set graph_optimization_level.")
    if level != levels.ORT_DISABLE_ALL:
        raise Wrong(f"{level.name} still runs some graph optimisations: turn all of them off.")
    optimised, first = bench.results["ONNX Runtime"], bench.texts[:64]
    differ = sum(a != b for a, b in zip(onnx_predictor(answer)(first), optimised.predictions, strict=False))
    if differ > 1:
        raise Wrong(f"it disagrees with the optimised session on {differ} of the first {len(first)} reviews: open the "
                    "teacher's model.onnx, not another export.")
    result = bench.run("ONNX Runtime, no graph optimisations", onnx_predictor(answer), batch_size=batch_size,
                       sort_key=sort_key)
    ratio = optimised.throughput_per_s / result.throughput_per_s
    return (f"without graph optimisations: {result.throughput_per_s:.0f} reviews/s; the optimised session ran "
            f"{ratio:.2f}x that here ({'the optimisations paid' if ratio > 1 else 'the optimisations did not pay'} "
            "on this machine).")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
encoder = {id(module) for module in model.base_model.modules()}
encoder_linears = {name for name, module in model.named_modules()
                   if isinstance(module, torch.nn.Linear) and id(module) in encoder}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation
    int8_encoder = torch.ao.quantization.quantize_dynamic(model, encoder_linears, dtype=torch.qint8)

# %% Exercise 1: wrong (every linear layer, the head included)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    int8_encoder = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)

# %% Exercise 1: wrong (names read from model.base_model, without the model's prefix: nothing matches)
encoder_linears = {name for name, module in model.base_model.named_modules() if isinstance(module, torch.nn.Linear)}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    int8_encoder = torch.ao.quantization.quantize_dynamic(model, encoder_linears, dtype=torch.qint8)

# %% Exercise 1: wrong (float16, not int8)
encoder = {id(module) for module in model.base_model.modules()}
encoder_linears = {name for name, module in model.named_modules()
                   if isinstance(module, torch.nn.Linear) and id(module) in encoder}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    int8_encoder = torch.ao.quantization.quantize_dynamic(model, encoder_linears, dtype=torch.float16)

# %% Exercise 1: wrong (the condition inverted: only the head quantized)
encoder = {id(module) for module in model.base_model.modules()}
head_linears = {name for name, module in model.named_modules()
                if isinstance(module, torch.nn.Linear) and id(module) not in encoder}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    int8_encoder = torch.ao.quantization.quantize_dynamic(model, head_linears, dtype=torch.qint8)

# %% Exercise 2
options = onnxruntime.SessionOptions()
options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
plain_session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])

# %% Exercise 2: wrong (options made but not set: every optimisation still on)
options = onnxruntime.SessionOptions()
plain_session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])

# %% Exercise 2: wrong (only the extended optimisations off: the basic ones still run)
options = onnxruntime.SessionOptions()
options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
plain_session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])

# %% Exercise 2: wrong (the student's export, not the teacher's)
options = onnxruntime.SessionOptions()
options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
plain_session = onnxruntime.InferenceSession(str(student_onnx), options, providers=["CPUExecutionProvider"])
'''
