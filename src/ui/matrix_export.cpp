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

const MatrixToken& token_at(const std::vector<MatrixToken>& tokens, int i) {
    static const MatrixToken none;
    return i < static_cast<int>(tokens.size()) ? tokens[i] : none;
}

}  // namespace

std::string matrix_to_csv(const MatrixExport& m) {
    std::string labels = "query id,query piece," + csv_field("query \\ key"), ids = ",,key id", pieces = ",,key piece";
    for (int s = 0; s < m.cols; ++s) {
        const MatrixToken& k = token_at(m.col_tokens, s);
        labels += "," + csv_field(k.label);
        ids += "," + std::to_string(k.id);
        pieces += "," + csv_field(k.piece);
    }
    std::string out = labels + "\r\n" + ids + "\r\n" + pieces + "\r\n";
    for (int t = 0; t < m.rows; ++t) {
        const MatrixToken& q = token_at(m.row_tokens, t);
        out += std::to_string(q.id) + "," + csv_field(q.piece) + "," + csv_field(q.label);
        for (int s = 0; s < m.cols; ++s) out += "," + weight_text(m.values[static_cast<size_t>(t) * m.cols + s]);
        out += "\r\n";
    }
    return out;
}

std::string matrix_to_json(const MatrixExport& m) {
    auto tokens = [](const std::vector<MatrixToken>& list, int n) {
        nlohmann::json out = nlohmann::json::array();
        for (int i = 0; i < n; ++i) {
            const MatrixToken& t = token_at(list, i);
            out.push_back({{"label", t.label}, {"piece", t.piece}, {"id", t.id}});
        }
        return out;
    };
    nlohmann::json j;
    j["model"] = m.model;
    j["kind"] = m.kind;
    j["layer"] = m.layer;
    j["head"] = m.head;
    if (!m.heads.empty()) j["heads"] = m.heads;
    if (m.words) j["words"] = true;
    j["queries"] = tokens(m.row_tokens, m.rows);
    j["keys"] = tokens(m.col_tokens, m.cols);
    nlohmann::json weights = nlohmann::json::array();
    for (int t = 0; t < m.rows; ++t)
        weights.push_back(std::vector<float>(m.values + static_cast<size_t>(t) * m.cols,
                                             m.values + static_cast<size_t>(t + 1) * m.cols));
    j["weights"] = std::move(weights);
    // Byte-level pieces can be invalid UTF-8 on their own: replace rather than throw.
    return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace attn
