// The peers, single-threaded everywhere unless asked: onnxruntime-node (intra-op threads 1, or ortNode(n)
// for the threaded row; inter-op 1), onnxruntime-web
// (WASM, numThreads 1, no proxy worker) and TF.js's WASM backend (XNNPACK, setThreadsCount(1)).
// Each peer: {name, attention(H, T, d, q, k, v), linear(M, K, N, x, w, b)} -> a session {name, run() ->
// outputs as {name: typed array}}; inputs become each runtime's tensors once, outside the timed call.
'use strict';
const { attentionGraph, linearGraph } = require('./kernel_graphs');

async function ortSession(ort, name, bytes, feeds, options) {
  const session = await ort.InferenceSession.create(bytes, Object.assign({ graphOptimizationLevel: 'all' }, options));
  // A bound session for one set of inputs: {name, run()}; withFeeds binds another (other lengths T).
  const bind = (inputs) => {
    const tensors = {};
    for (const [key, { data, dims }] of Object.entries(inputs)) {
      tensors[key] = new ort.Tensor(data instanceof BigInt64Array ? 'int64' : 'float32', data, dims);
    }
    return {
      name,
      run: async () => {
        const out = await session.run(tensors);
        return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data]));
      },
      withFeeds: bind,
      release: () => session.release(),
    };
  };
  return bind(feeds);
}

// An onnxruntime package as a peer: the kernel graphs (kernel_graphs.js) and any model's bytes.
function ortPeer(ort, name, options) {
  const session = (bytes, feeds) => ortSession(ort, name, bytes, feeds, options);
  return {
    name,
    attention: (H, T, d, q, k, v) =>
      session(attentionGraph(H, T, d), { q: { data: q, dims: [H, T, d] }, k: { data: k, dims: [H, T, d] }, v: { data: v, dims: [H, T, d] } }),
    linear: (M, K, N, x, w, b) => session(linearGraph(M, K, N, w, b), { x: { data: x, dims: [M, K] } }),
    model: session,
  };
}

function ortNode(threads = 1) {
  return ortPeer(require('onnxruntime-node'), threads > 1 ? `onnxruntime-node, ${threads} threads` : 'onnxruntime-node',
    { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', executionProviders: ['cpu'] });
}

function ortWeb() {
  const ort = require('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  return ortPeer(ort, 'onnxruntime-web', { executionProviders: ['wasm'] });
}

// TF.js on its WASM backend: the same attention (batched matMul, softmax, matMul) and a fused
// matMul + bias for the linear layer, weights uploaded once.
async function tfjsWasm() {
  const tf = require('@tensorflow/tfjs-core');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
  return {
    name: 'tfjs-wasm',
    attention(H, T, d, q, k, v) {
      const [tq, tk, tv] = [q, k, v].map((x) => tf.tensor3d(x, [H, T, d]));
      const scale = tf.scalar(1 / Math.sqrt(d));
      return {
        name: 'tfjs-wasm',
        run: async () => {
          const out = tf.tidy(() => tf.matMul(tf.softmax(tf.mul(tf.matMul(tq, tk, false, true), scale)), tv));
          const data = out.dataSync();
          out.dispose();
          return { out: data };
        },
      };
    },
    linear(M, K, N, x, w, b) {
      const [tx, tw, tb] = [tf.tensor2d(x, [M, K]), tf.tensor2d(w, [K, N]), tf.tensor1d(b)];
      return {
        name: 'tfjs-wasm',
        run: async () => {
          const y = tf.fused.matMul({ a: tx, b: tw, bias: tb });
          const data = y.dataSync();
          y.dispose();
          return { y: data };
        },
      };
    },
  };
}

module.exports = { ortNode, ortWeb, tfjsWasm };
