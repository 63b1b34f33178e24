// The page's module: the course's model from this server's files, the same pipeline call as in Python.
// ?model=<id>&host=<url> loads a model from a Hub (or a Hub stand-in) instead: hub mode.
import { env, pipeline } from "./node_modules/@huggingface/transformers/dist/transformers.js";
import { measure } from "./measure.js";

const query = new URLSearchParams(location.search);
const model = query.get("model") ?? "course-sentiment";
env.allowRemoteModels = query.has("host");  // the Hub only when asked for
if (query.has("host")) env.remoteHost = query.get("host");
env.allowLocalModels = !query.has("host");  // else ./model/<name>/ from this server
env.localModelPath = new URL("./model/", import.meta.url).pathname;  // a path, not a URL: a URL counts as remote
env.backends.onnx.wasm.wasmPaths = new URL("./node_modules/onnxruntime-web/dist/", import.meta.url).href;  // not a CDN
env.backends.onnx.wasm.numThreads = 1;      // threads need COOP/COEP headers

const loaded = {};  // one pipeline per dtype, loaded on first use, shared by the form and measure()
function classifier(dtype) {
  loaded[dtype] ??= pipeline("text-classification", model, { dtype });
  return loaded[dtype];
}
const cached = (task, name, options) => classifier(options.dtype);
window.courseSentiment = { model, measure: (reviews, dtypes) => measure(cached, model, reviews, dtypes) };

const button = document.getElementById("classify"), answer = document.getElementById("answer");
button.addEventListener("click", async () => {
  const dtype = document.getElementById("dtype").value;
  answer.textContent = "loading the model…";
  const classify = await classifier(dtype);
  const result = await classify(document.getElementById("review").value, { top_k: null });
  answer.textContent = result.map((r) => `${r.label} ${(100 * r.score).toFixed(1)}%`).join(", ");
});
button.disabled = false;
answer.textContent = "ready";
