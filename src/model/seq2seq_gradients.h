// The differentiable pass of an encoder-decoder (BartForConditionalGeneration as model/bart.cpp runs it):
// teacher-forced summed cross-entropy over the labelled decoder positions, and the gradient of every
// parameter ADDED into accumulators keyed like ParamGradients::of (a tied token table is one key). The
// trainer's encoder-decoder models train through it (train/train_model_seq2seq.cpp).
//
//   ParamGradients<float> g(true);
//   Expected<LossResult> r = seq2seq_loss_gradients(*bart_weights(*model.network), source, decoder_ids,
//                                                   labels, 1.0f, &g);
//   float* d_shared = g.find(bart_weights(*model.network)->enc_embed.view.data);
#pragma once
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "model/bart.h"
#include "model/gradients.h"

namespace attn {

template <typename Real>
class ParamGradients;   // model/grad_params.h

// source (S) into the encoder, decoder_ids (T) into the decoder; labels (T): the token expected at each
// decoder position, -1 where nothing is scored. With grads, d(scale * loss) / d(parameter) is added into
// them; without, forward only. Ids outside the vocabulary, inputs longer than the position table and
// labels not aligned with decoder_ids get an Error.
Expected<LossResult> seq2seq_loss_gradients(const BartWeights& w, const std::vector<int32_t>& source,
                                            const std::vector<int32_t>& decoder_ids, const std::vector<int32_t>& labels,
                                            float scale, ParamGradients<float>* grads);
// The same pass in double precision, weights widened (the finite-difference tests); loss in double.
Expected<LossResult> seq2seq_loss_gradients_f64(const BartWeights& w, const std::vector<int32_t>& source,
                                                const std::vector<int32_t>& decoder_ids,
                                                const std::vector<int32_t>& labels, double scale,
                                                ParamGradients<double>* grads);

}  // namespace attn
