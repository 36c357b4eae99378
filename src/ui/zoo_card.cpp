// The card of a loaded model's files (train/model_card.h parses it).
#include "ui/zoo_card.h"

namespace attn {

ZooCard zoo_card_read(const FileSet& files) {
    ZooCard zc;
    const Blob* bytes = files.find(kModelCardFile);
    if (!bytes) return zc;
    zc.present = true;
    Expected<ModelCard> card = model_card_parse(string_from_bytes(*bytes), kModelCardFile);
    if (card) zc.card = std::move(*card);
    else zc.error = card.error().message;
    return zc;
}

}  // namespace attn
