// A loaded model's layer weights packed once for core/gemm.h (gemm_pack), natively: each trace's products
// then pack only their activations, and read the weights from one block of memory in the order they use
// them, in 2 MB pages where the kernel gives them.
//
//   body_pack_weights(body);     // Network::pack_weights: all at once (the benchmark)
//   while (body_pack_weights_step(body)) {}   // Network::pack_weights_step: a matrix at a time (the app,
//                                             // a few a frame after the model shows)
//   body_unpack_weights(body);   // before anything writes the weights in place (the trainer)
//
// Why: a GPT-2-small trace natively read its 85 M layer weights through the model file's mapping (4 KB
// pages) a strip of columns at a time; the same trace over packed panels in huge pages was steadier and
// faster (the numbers are in the stop note that added this). The panels cost a second copy of the layer
// weights in memory (in their stored dtype), so WebAssembly, whose memory is the budget, does not pack.
#pragma once
#include "model/body.h"

namespace attn {

// Packs every linear layer of the blocks and the head's transform; a no-op in WebAssembly, when the body
// is packed already, and when the panels would take more than a quarter of memory_limit() (the machine's
// RAM) or cannot be allocated: the products then read the stored weights, as before.
void body_pack_weights(Body& body);
// Packs the next matrix (the first call decides, as above, and reserves the panels' memory); true while
// matrices are left. A trace between steps reads the packed ones' panels and the others' stored weights,
// with the same bits. False at once where body_pack_weights would pack nothing.
bool body_pack_weights_step(Body& body);
// Drops the packs: products read the stored weights again (the same bits).
void body_unpack_weights(Body& body);

}  // namespace attn
