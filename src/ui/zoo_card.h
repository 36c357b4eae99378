// A zoo model's card as the explorer uses it: read from the model's files (card.json beside config.json,
// train/model_card.h documents the fields), shown in the left panel, and the text and head the explorer
// opens on. It does not measure claims (the train tests do).
//
//   ZooCard zc = zoo_card_read(files);         // zc.present: the folder had a card.json
//   if (zc.present && zc.error.empty()) show(zc.card.summary);
#pragma once
#include <string>

#include "core/error.h"
#include "core/file_set.h"
#include "train/model_card.h"

namespace attn {

struct ZooCard {
    bool present = false;   // the files hold a card.json
    std::string error;      // it would not parse: "card.json: ..." (the model itself still loads)
    ModelCard card;
};

// A parse error names the file and the field (model_card_parse).
ZooCard zoo_card_read(const FileSet& files);

}  // namespace attn
