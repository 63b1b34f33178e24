// One measurement for the page and for Node: load a pipeline per dtype, warm it up once,
// then classify the reviews one at a time, as a visitor would, and time it.
// Returns {dtype: {load_ms, ms_per_review, results}}, results as pipeline(..., {top_k: null}) gives them.
export async function measure(pipeline, model, reviews, dtypes) {
  const out = {};
  for (const dtype of dtypes) {
    const start = performance.now();
    const classify = await pipeline("text-classification", model, { dtype });
    const load_ms = performance.now() - start;
    await classify(reviews[0]);  // warm-up: the first call allocates the session's buffers
    const timed = performance.now();
    const results = [];
    for (const review of reviews) results.push(await classify(review, { top_k: null }));
    out[dtype] = { load_ms, ms_per_review: (performance.now() - timed) / reviews.length, results };
  }
  return out;
}
