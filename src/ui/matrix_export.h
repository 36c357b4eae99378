// The matrix on screen as text people paste into a spreadsheet or load in a notebook: CSV or JSON with
// each token's display label (as the heatmap shows it), its raw tokenizer piece and its id, the
// selection and the weights.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace attn {

// One axis entry: what the heatmap shows ("·the"), the tokenizer's piece ("Ġthe") and the id (262).
struct MatrixToken {
    std::string label, piece;
    int32_t id = -1;
};

struct MatrixExport {
    const float* values = nullptr;      // (rows, cols) row-major
    int rows = 0, cols = 0;
    std::vector<MatrixToken> row_tokens;   // query tokens (rows) ...
    std::vector<MatrixToken> col_tokens;   // ... and key tokens (columns)
    std::string model, kind;               // "gpt2-tiny", "self" / "decoder" / "cross"
    int layer = 0, head = 0;
    std::string heads;   // a head average shown instead of `head` ("average of heads 0,2"); "" none
    bool words = false;  // tokens are words (sub-word pieces merged; piece = the joined pieces, id = the first's)
};

// Three header rows, then one row per query; the first three columns name the query:
//   query id,query piece,query \ key,<key labels>
//   ,,key id,<key ids>
//   ,,key piece,<key pieces>
//   <id>,<piece>,<label>,<weights>
// Fields with commas, quotes or line breaks are quoted (RFC 4180); weights use %.9g (exact for float).
std::string matrix_to_csv(const MatrixExport& m);
// {"model", "kind", "layer", "head", ["heads",] ["words",] "queries": [{"label", "piece", "id"}...], "keys": [...],
//  "weights": [[...], ...]}.
std::string matrix_to_json(const MatrixExport& m);

}  // namespace attn
