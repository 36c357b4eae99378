#include "ui/matrix_export.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace attn {

namespace {

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string weight_text(float w) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", w);
    return buf;
}

}  // namespace

std::string matrix_to_csv(const MatrixExport& m) {
    std::string out = csv_field("query \\ key");
    for (int s = 0; s < m.cols; ++s) out += "," + csv_field(s < (int)m.col_labels.size() ? m.col_labels[s] : "");
    out += "\r\n";
    for (int t = 0; t < m.rows; ++t) {
        out += csv_field(t < (int)m.row_labels.size() ? m.row_labels[t] : "");
        for (int s = 0; s < m.cols; ++s) out += "," + weight_text(m.values[static_cast<size_t>(t) * m.cols + s]);
        out += "\r\n";
    }
    return out;
}

std::string matrix_to_json(const MatrixExport& m) {
    nlohmann::json j;
    j["model"] = m.model;
    j["kind"] = m.kind;
    j["layer"] = m.layer;
    j["head"] = m.head;
    j["queries"] = m.row_labels;
    j["keys"] = m.col_labels;
    nlohmann::json weights = nlohmann::json::array();
    for (int t = 0; t < m.rows; ++t)
        weights.push_back(std::vector<float>(m.values + static_cast<size_t>(t) * m.cols,
                                             m.values + static_cast<size_t>(t + 1) * m.cols));
    j["weights"] = std::move(weights);
    // Byte-level pieces can be invalid UTF-8 on their own: replace rather than throw.
    return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace attn
