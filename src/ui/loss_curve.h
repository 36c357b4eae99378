// The training run as a picture: the loss (log scale, left axis) and the held-out accuracy (right axis,
// 0-100%) against the optimizer step, with a title, axis labels and a legend. `attnscope-cli train` writes
// it as DIR/loss.png beside train_log.csv. Drawn with ImGui's draw lists and the software rasteriser (no
// GL, no window), in its own ImGui context; the caller's context, if any, is left as it was.
//
//   Expected<Bytes> png = loss_curve_png(trainer.log(), 960, 540);
//   Expected<Bytes> sharp = loss_curve_png(trainer.log(), 960, 540, &dejavu_ttf_bytes);
#pragma once
#include <vector>

#include "core/error.h"
#include "core/file_set.h"
#include "train/trainer.h"

namespace attn {

// 200 <= width, height <= 4000; at least one row with a finite loss. `ttf`: a TrueType font for the text
// (null: ImGui's built-in ASCII font).
Expected<Bytes> loss_curve_png(const std::vector<TrainLogRow>& rows, int width, int height, const Bytes* ttf = nullptr);

}  // namespace attn
