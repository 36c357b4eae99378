// The matrix on screen as text people paste into a spreadsheet or load in a notebook: CSV with token
// labels as the header row and first column, or JSON with the labels, the selection and the weights.
#pragma once
#include <string>
#include <vector>

namespace attn {

struct MatrixExport {
    const float* values = nullptr;      // (rows, cols) row-major
    int rows = 0, cols = 0;
    std::vector<std::string> row_labels;   // query tokens (rows) ...
    std::vector<std::string> col_labels;   // ... and key tokens (columns), as the heatmap labels them
    std::string model, kind;               // "gpt2-tiny", "self" / "decoder" / "cross"
    int layer = 0, head = 0;
};

// First row: "query \ key" then the key labels; then one row per query: its label and the weights.
// Fields with commas, quotes or line breaks are quoted (RFC 4180); weights use %.9g (exact for float).
std::string matrix_to_csv(const MatrixExport& m);
// {"model", "kind", "layer", "head", "queries": [...], "keys": [...], "weights": [[...], ...]}.
std::string matrix_to_json(const MatrixExport& m);

}  // namespace attn
