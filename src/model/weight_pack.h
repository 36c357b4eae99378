// A loaded model's layer weights packed once for core/gemm.h (gemm_pack): each trace's products then pack
// only their activations, and read the weights in the order they use them. Any network: it names its layer
// matrices (LayerMatrices: body_layer_matrices, BART's both stacks) and keeps a PackedWeights beside them.
//
//   pack_weights(state, matrices);              // Network::pack_weights: all at once (the benchmark)
//   while (pack_weights_step(state, matrices)) {}   // Network::pack_weights_step: a matrix at a time (the
//                                               // app, a few a frame after the model shows)
//   unpack_weights(state, matrices);            // before anything writes the weights in place (the trainer)
//
// Natively the panels are a second copy, in 2 MB pages where the kernel gives them: a GPT-2-small trace
// read its 85 M layer weights through the model file's mapping (4 KB pages) a strip of columns at a time,
// and over packed panels in huge pages it was steadier and faster (the numbers are in the stop note that
// added this). In WebAssembly memory is the budget (weights + 64 MiB), so the panels are made in place,
// in the weights' own bytes (gemm_pack_in_place: matrices whose output columns are whole panels, in_out
// (GPT-2's) and out_in (nn.Linear's: Llama, BERT, BART) up to 16 MiB; others stay as stored): a 124M
// trace in the page packed its weights per product, 11% of it.
#pragma once
#include <vector>

#include "model/block.h"

namespace attn {

enum class PackWhere {
    copy,       // panels in PackedWeights::panels; the stored bytes (a read-only mapping natively) untouched
    in_place,   // panels in the matrices' own bytes, which must be writable (the page's file buffers)
};
#if defined(__EMSCRIPTEN__)
constexpr PackWhere kPackWhere = PackWhere::in_place;
#else
constexpr PackWhere kPackWhere = PackWhere::copy;
#endif

// How far a network's packing has come, and the copy's panels.
struct PackedWeights {
    std::vector<float> panels;   // the layer matrices' gemm_pack panels (copy); empty: none
    size_t matrices = 0;         // how many layer matrices are packed (or passed over) so far
};

// What a network packs: every matrix a block or a head multiplies activations by, in the order they are
// packed; and its tables (embeddings, unembedding), never packed (a trace looks rows up, and the LM head
// of a trace's last rows reads its table in place), which a matrix packed in place must not share bytes with.
struct LayerMatrices {
    std::vector<Matrix*> layers;
    std::vector<const Matrix*> tables;
};
// A block's matrices, in its order (attention, cross attention, feed-forward), added to m.layers.
void add_block_matrices(LayerMatrices& m, BlockWeights& block);

// Packs every layer matrix; a no-op when they are packed already. Copy: nothing when the panels would take
// more than a quarter of memory_limit() (the machine's RAM) or cannot be allocated; the products then read
// the stored weights, as before.
void pack_weights(PackedWeights& state, const LayerMatrices& m, PackWhere where = kPackWhere);
// Packs the next matrix (copy: the first call decides, as above, and reserves the panels' memory); true
// while matrices are left. A trace between steps reads the packed ones' panels and the others' stored
// weights, with the same bits. False at once where pack_weights would pack nothing.
bool pack_weights_step(PackedWeights& state, const LayerMatrices& m, PackWhere where = kPackWhere);
// Drops the panels (copy) or puts the stored bytes back (in place): products read the stored weights
// again, with the same bits.
void unpack_weights(PackedWeights& state, const LayerMatrices& m);
// How many layer matrices hold their panels in place (the page's state shows it; tests wait for it).
int packed_in_place(const LayerMatrices& m);

}  // namespace attn
