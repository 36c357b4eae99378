// A loaded model's layer weights packed once for core/gemm.h (gemm_pack): each trace's products then pack
// only their activations, and read the weights in the order they use them.
//
//   body_pack_weights(body);     // Network::pack_weights: all at once (the benchmark)
//   while (body_pack_weights_step(body)) {}   // Network::pack_weights_step: a matrix at a time (the app,
//                                             // a few a frame after the model shows)
//   body_unpack_weights(body);   // before anything writes the weights in place (the trainer)
//
// Natively the panels are a second copy, in 2 MB pages where the kernel gives them: a GPT-2-small trace
// read its 85 M layer weights through the model file's mapping (4 KB pages) a strip of columns at a time,
// and over packed panels in huge pages it was steadier and faster (the numbers are in the stop note that
// added this). In WebAssembly memory is the budget (weights + 64 MiB), so the panels are made in place,
// in the weights' own bytes (gemm_pack_in_place: in_out matrices, GPT-2's, whose panels take exactly their
// bytes; other layouts stay as stored): a 124M trace in the page packed its weights per product, 11% of it.
#pragma once
#include "model/body.h"

namespace attn {

enum class PackWhere {
    copy,       // panels in Body::packed_panels; the stored bytes (a read-only mapping natively) untouched
    in_place,   // panels in the matrices' own bytes, which must be writable (the page's file buffers)
};
#if defined(__EMSCRIPTEN__)
constexpr PackWhere kPackWhere = PackWhere::in_place;
#else
constexpr PackWhere kPackWhere = PackWhere::copy;
#endif

// Packs every linear layer of the blocks and the head's transform; a no-op when the body is packed
// already. Copy: nothing when the panels would take more than a quarter of memory_limit() (the machine's
// RAM) or cannot be allocated; the products then read the stored weights, as before.
void body_pack_weights(Body& body, PackWhere where = kPackWhere);
// Packs the next matrix (copy: the first call decides, as above, and reserves the panels' memory); true
// while matrices are left. A trace between steps reads the packed ones' panels and the others' stored
// weights, with the same bits. False at once where body_pack_weights would pack nothing.
bool body_pack_weights_step(Body& body, PackWhere where = kPackWhere);
// Drops the panels (copy) or puts the stored bytes back (in place): products read the stored weights
// again, with the same bits.
void body_unpack_weights(Body& body);
// How many layer matrices hold their panels in place (the page's state shows it; tests wait for it).
int body_packed_in_place(const Body& body);

}  // namespace attn
