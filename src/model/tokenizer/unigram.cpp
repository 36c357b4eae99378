// Unigram model (HF models/unigram): Viterbi best path over a byte trie of the pieces, unknown
// characters as one unk node scored min_score - 10, consecutive unks fused, optional byte_fallback.
// No sampling / n-best (inference only).
#include <unordered_map>

#include "core/error.h"
#include "model/tokenizer/components.h"

namespace attn {
namespace tok {

namespace {

constexpr double kUnkPenalty = 10.0;

struct Unigram : Model {
    std::vector<std::pair<std::string, double>> pieces;
    std::unordered_map<std::string, int32_t> to_id;
    std::optional<int32_t> unk_id;
    bool byte_fallback = false;
    double min_score = 0.0;
    // Byte trie: child of (node, byte) in one hash map; token id per node or -1.
    std::unordered_map<uint64_t, int32_t> children;
    std::vector<int32_t> node_token{-1};

    void trie_insert(const std::string& s, int32_t id) {
        int32_t node = 0;
        for (unsigned char b : s) {
            const uint64_t key = (static_cast<uint64_t>(node) << 8) | b;
            auto it = children.find(key);
            if (it == children.end()) {
                const int32_t next = static_cast<int32_t>(node_token.size());
                node_token.push_back(-1);
                children.emplace(key, next);
                node = next;
            } else {
                node = it->second;
            }
        }
        node_token[node] = id;
    }

    // HF encode_optimized: best path ending at every byte position; ties keep the first found.
    std::vector<std::string> encode(const std::string& s) const {
        struct Best {
            int32_t id = -1;
            double score = 0.0;
            int64_t starts_at = -1;
        };
        const size_t size = s.size();
        const double unk_score = min_score - kUnkPenalty;
        std::vector<Best> best(size + 1);
        size_t pos = 0;
        while (pos < size) {
            const double here = best[pos].score;
            size_t next = pos;
            utf8_next(s, next);
            const size_t mblen = next - pos;
            bool has_single_node = false;
            int32_t node = 0;
            for (size_t k = pos; k < size; ++k) {
                ++model_steps();   // at most the longest piece's bytes + 1 per position: O(n * longest)
                auto it = children.find((static_cast<uint64_t>(node) << 8) | static_cast<unsigned char>(s[k]));
                if (it == children.end()) break;
                node = it->second;
                const int32_t id = node_token[node];
                if (id < 0) continue;
                Best& target = best[k + 1];
                const double candidate = pieces[id].second + here;
                if (target.starts_at < 0 || candidate > target.score) {
                    target = Best{id, candidate, static_cast<int64_t>(pos)};
                }
                if (k + 1 - pos == mblen) has_single_node = true;
            }
            if (!has_single_node) {
                Best& target = best[pos + mblen];
                const double candidate = unk_score + here;
                if (target.starts_at < 0 || candidate > target.score)
                    target = Best{unk_id ? *unk_id : -1, candidate, static_cast<int64_t>(pos)};
            }
            pos = next;
        }
        std::vector<std::string> results;
        std::vector<std::string> unk_parts;
        size_t end = size;
        auto flush = [&]() {
            if (unk_parts.empty()) return;
            std::string joined;
            for (size_t k = unk_parts.size(); k-- > 0;) joined += unk_parts[k];
            results.push_back(std::move(joined));
            unk_parts.clear();
        };
        while (end > 0) {
            const Best& node = best[end];
            const size_t start = node.starts_at < 0 ? 0 : static_cast<size_t>(node.starts_at);
            if (unk_id && node.id == *unk_id) {
                unk_parts.push_back(s.substr(start, end - start));
            } else {
                flush();
                results.push_back(s.substr(start, end - start));
            }
            end = start;
        }
        flush();
        return std::vector<std::string>(results.rbegin(), results.rend());
    }

    std::vector<Token> tokenize(const std::string& s) const override {
        std::vector<Token> out;
        if (s.empty()) return out;
        int offset = 0;
        for (std::string& piece : encode(s)) {
            const int len = static_cast<int>(piece.size());
            auto it = to_id.find(piece);
            if (it != to_id.end()) {
                out.push_back(Token{it->second, piece, {offset, offset + len}});
            } else {
                bool done = false;
                if (byte_fallback) {
                    std::vector<Token> bytes;
                    for (unsigned char b : piece) {
                        static const char* hex = "0123456789ABCDEF";
                        std::string name = std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">";
                        auto bt = to_id.find(name);
                        if (bt == to_id.end()) break;
                        bytes.push_back(Token{bt->second, name, {offset, offset + len}});
                    }
                    if (bytes.size() == piece.size()) {
                        out.insert(out.end(), bytes.begin(), bytes.end());
                        done = true;
                    }
                }
                // HF keeps the unknown text itself as the token string, with the unk id.
                if (!done && unk_id) out.push_back(Token{*unk_id, piece, {offset, offset + len}});
            }
            offset += len;
        }
        return out;
    }

    std::optional<int32_t> token_to_id(const std::string& t) const override {
        auto it = to_id.find(t);
        if (it == to_id.end()) return std::nullopt;
        return it->second;
    }
    std::optional<std::string> id_to_token(int32_t id) const override {
        if (id < 0 || static_cast<size_t>(id) >= pieces.size()) return std::nullopt;
        return pieces[id].first;
    }
    int32_t max_id() const override { return static_cast<int32_t>(pieces.size()) - 1; }
    const char* type_name() const override { return "Unigram"; }
    void for_each_token(const std::function<void(const std::string&, int32_t)>& f) const override {
        for (size_t id = 0; id < pieces.size(); ++id) f(pieces[id].first, static_cast<int32_t>(id));
    }
};

}  // namespace

std::unique_ptr<Model> make_unigram(const Json& j, const std::string& label) {
    const std::string where = label + ": model Unigram";
    auto m = std::make_unique<Unigram>();
    const Json& vocab = json_require(j, "vocab", where);
    if (!vocab.is_array()) throw Error(where + ": 'vocab' must be an array of [piece, score]");
    m->pieces.reserve(vocab.size());
    double min_score = INFINITY;
    for (const Json& entry : vocab) {
        if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number())
            throw Error(where + ": vocab entry #" + std::to_string(m->pieces.size()) +
                        " must be [piece, score], found " + entry.dump());
        const int32_t id = static_cast<int32_t>(m->pieces.size());
        m->pieces.emplace_back(entry[0].get<std::string>(), entry[1].get<double>());
        m->to_id[m->pieces.back().first] = id;
        m->trie_insert(m->pieces.back().first, id);
        min_score = std::min(min_score, m->pieces.back().second);
    }
    m->min_score = m->pieces.empty() ? 0.0 : min_score;
    auto unk = j.find("unk_id");
    if (unk != j.end() && !unk->is_null()) {
        const int64_t id = json_get_int(j, "unk_id", where);
        if (id < 0 || static_cast<size_t>(id) >= m->pieces.size())
            throw Error(where + ": unk_id " + std::to_string(id) + " is outside the vocabulary of " +
                        std::to_string(m->pieces.size()));
        m->unk_id = static_cast<int32_t>(id);
    }
    m->byte_fallback = json_get_bool_or(j, "byte_fallback", false, where);
    return m;
}

}  // namespace tok
}  // namespace attn
