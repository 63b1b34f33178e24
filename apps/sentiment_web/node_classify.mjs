// The course's model in Node with Transformers.js: the reviews as a JSON list on stdin, one line of JSON
// out ({dtype: {load_ms, ms_per_review, results}}). Local files only; one onnxruntime thread.
//   node node_classify.mjs fp32,q8 course-sentiment < reviews.json
import { env, pipeline } from "@huggingface/transformers";
import { readFileSync } from "node:fs";
import { measure } from "./measure.js";

env.allowRemoteModels = false;                                       // never the Hub
env.localModelPath = new URL("./model/", import.meta.url).pathname;  // ./model/course-sentiment/
env.backends.onnx.numThreads = 1;

const reviews = JSON.parse(readFileSync(0, "utf8"));
const dtypes = (process.argv[2] ?? "fp32,q8").split(",");
const model = process.argv[3] ?? "course-sentiment";
console.log(JSON.stringify(await measure(pipeline, model, reviews, dtypes)));
