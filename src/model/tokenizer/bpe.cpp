// BPE model (HF models/bpe): vocab + ranked merges applied with a priority queue (linear-log in the
// word length, so a 100k-char pre-token is fine), unk/fuse_unk, byte_fallback "<0xNN>",
// continuing_subword_prefix / end_of_word_suffix, ignore_merges. No dropout (deterministic), no cache.
#include <queue>
#include <unordered_map>

#include "core/error.h"
#include "model/tokenizer/components.h"

namespace attn {
namespace tok {

namespace {

struct MergeInfo {
    int32_t rank;
    int32_t new_id;
};

uint64_t pair_key(int32_t a, int32_t b) { return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b); }

struct Bpe : Model {
    std::unordered_map<std::string, int32_t> vocab;
    std::unordered_map<int32_t, std::string> vocab_r;
    std::unordered_map<uint64_t, MergeInfo> merges;
    std::optional<std::string> unk_token;
    std::string continuing_subword_prefix, end_of_word_suffix;
    bool fuse_unk = false, byte_fallback = false, ignore_merges = false;
    int32_t largest_id = -1;

    struct Symbol {
        int32_t id;
        int prev, next;
        int len;  // bytes; 0 once merged into its left neighbour
    };

    std::vector<Token> tokenize(const std::string& s) const override {
        if (s.empty()) return {};
        if (ignore_merges) {
            auto it = vocab.find(s);
            if (it != vocab.end()) return {Token{it->second, s, {0, static_cast<int>(s.size())}}};
        }
        std::vector<Symbol> symbols;
        auto add = [&](int32_t id, int len) {
            const int n = static_cast<int>(symbols.size());
            if (n > 0) symbols.back().next = n;
            symbols.push_back({id, n - 1, -1, len});
        };
        std::optional<std::pair<int32_t, int>> unk;  // pending (id, byte length)
        std::string piece;
        for (size_t i = 0; i < s.size();) {
            const size_t start = i;
            utf8_next(s, i);
            const int byte_len = static_cast<int>(i - start);
            piece.clear();
            if (start > 0) piece += continuing_subword_prefix;
            piece.append(s, start, i - start);
            if (i == s.size()) piece += end_of_word_suffix;

            auto it = vocab.find(piece);
            if (it != vocab.end()) {
                if (unk) add(unk->first, unk->second);
                unk.reset();
                add(it->second, byte_len);
                continue;
            }
            if (byte_fallback) {
                std::vector<int32_t> ids;
                for (unsigned char b : piece) {
                    static const char* hex = "0123456789ABCDEF";
                    const std::string name = std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">";
                    auto bt = vocab.find(name);
                    if (bt == vocab.end()) break;
                    ids.push_back(bt->second);
                }
                if (ids.size() == piece.size()) {
                    // HF adds byte tokens without first flushing a pending unk; kept for parity.
                    for (int32_t id : ids) add(id, 1);
                    continue;
                }
            }
            if (unk_token) {
                auto u = vocab.find(*unk_token);
                if (u == vocab.end()) continue;  // refused at load time; defensive
                if (unk && fuse_unk) {
                    unk->second += byte_len;
                } else {
                    if (unk) add(unk->first, unk->second);
                    unk = std::make_pair(u->second, byte_len);
                }
            }
        }
        if (unk) add(unk->first, unk->second);

        merge_all(symbols);

        std::vector<Token> out;
        int pos = 0;
        for (const auto& sym : symbols) {
            if (sym.len == 0) continue;
            auto r = vocab_r.find(sym.id);
            out.push_back(Token{sym.id, r == vocab_r.end() ? std::string() : r->second, {pos, pos + sym.len}});
            pos += sym.len;
        }
        return out;
    }

    // HF Word::merge_all: lowest rank first, leftmost on ties; stale queue entries are skipped.
    void merge_all(std::vector<Symbol>& symbols) const {
        struct Entry {
            int32_t rank;
            int pos;
            int32_t new_id;
            bool operator>(const Entry& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
        };
        std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue;
        auto lookup = [&](int32_t a, int32_t b) -> const MergeInfo* {
            auto it = merges.find(pair_key(a, b));
            return it == merges.end() ? nullptr : &it->second;
        };
        for (size_t i = 0; i + 1 < symbols.size(); ++i)
            if (const MergeInfo* m = lookup(symbols[i].id, symbols[i + 1].id))
                queue.push({m->rank, static_cast<int>(i), m->new_id});
        // Each merge pushes at most two entries, so pops <= (symbols - 1) * 3: O(n log n) in all.
        uint64_t& steps = model_steps();
        while (!queue.empty()) {
            const Entry top = queue.top();
            queue.pop();
            ++steps;
            Symbol& cur = symbols[top.pos];
            if (cur.len == 0 || cur.next == -1) continue;
            const int next_pos = cur.next;
            const Symbol right = symbols[next_pos];
            const MergeInfo* m = lookup(cur.id, right.id);
            if (!m || m->new_id != top.new_id) continue;
            cur.id = top.new_id;
            cur.len += right.len;
            cur.next = right.next;
            symbols[next_pos].len = 0;
            if (right.next >= 0) symbols[right.next].prev = top.pos;
            if (cur.prev >= 0)
                if (const MergeInfo* pm = lookup(symbols[cur.prev].id, cur.id)) queue.push({pm->rank, cur.prev, pm->new_id});
            if (cur.next >= 0)
                if (const MergeInfo* nm = lookup(cur.id, symbols[cur.next].id)) queue.push({nm->rank, top.pos, nm->new_id});
        }
    }

    std::optional<int32_t> token_to_id(const std::string& token) const override {
        auto it = vocab.find(token);
        if (it == vocab.end()) return std::nullopt;
        return it->second;
    }
    std::optional<std::string> id_to_token(int32_t id) const override {
        auto it = vocab_r.find(id);
        if (it == vocab_r.end()) return std::nullopt;
        return it->second;
    }
    int32_t max_id() const override { return largest_id; }
    const char* type_name() const override { return "BPE"; }
    void for_each_token(const std::function<void(const std::string&, int32_t)>& f) const override {
        for (const auto& [token, id] : vocab) f(token, id);
    }
};

std::string optional_string(const Json& j, const char* key, const std::string& label) {
    return json_get_string_or(j, key, "", label);
}

}  // namespace

namespace {

void bpe_add_token(Bpe& m, const std::string& token, int64_t id, const std::string& where) {
    m.vocab[token] = token_id_checked(id, token, where);
}

// vocab_r and largest_id from the final vocabulary (a token listed twice keeps its last id, as in the
// JSON document); two tokens with one id: the id names the larger token, as walking the document's
// sorted object did.
void bpe_index_ids(Bpe& m) {
    m.vocab_r.reserve(m.vocab.size());
    for (const auto& [token, id] : m.vocab) {
        auto [it, fresh] = m.vocab_r.try_emplace(id, token);
        if (!fresh && it->second < token) it->second = token;
        m.largest_id = std::max(m.largest_id, id);
    }
}

void bpe_add_merge(Bpe& m, const std::string& a, const std::string& b, int32_t rank, size_t prefix_len,
                   const std::string& where) {
    auto ia = m.vocab.find(a), ib = m.vocab.find(b);
    if (ia == m.vocab.end() || ib == m.vocab.end())
        throw Error(where + ": merge #" + std::to_string(rank) + " uses \"" + (ia == m.vocab.end() ? a : b) +
                    "\" which is not in the vocabulary");
    std::string merged = a;
    merged.append(b, b.size() >= prefix_len ? prefix_len : 0, std::string::npos);
    auto im = m.vocab.find(merged);
    if (im == m.vocab.end())
        throw Error(where + ": merge #" + std::to_string(rank) + " produces \"" + merged + "\" which is not in the vocabulary");
    m.merges[pair_key(ia->second, ib->second)] = MergeInfo{rank, im->second};
}

}  // namespace

std::unique_ptr<Model> make_bpe(const Json& j, const std::string& label, const VocabTables* tables) {
    const std::string where = label + ": model BPE";
    auto m = std::make_unique<Bpe>();
    const Json& vocab = json_require(j, "vocab", where);
    if (!vocab.is_object()) throw Error(where + ": 'vocab' must be an object of token -> id");
    if (tables && tables->has_vocab) {
        m->vocab.reserve(tables->vocab.size());
        for (const auto& [token, id] : tables->vocab) bpe_add_token(*m, token, id, where);
    } else {
        m->vocab.reserve(vocab.size());
        for (auto it = vocab.begin(); it != vocab.end(); ++it) {
            if (!it.value().is_number_integer()) throw Error(where + ": vocab entry \"" + it.key() + "\" has a non-integer id");
            bpe_add_token(*m, it.key(), it.value().get<int64_t>(), where);
        }
    }
    bpe_index_ids(*m);
    auto unk = j.find("unk_token");
    if (unk != j.end() && !unk->is_null()) {
        m->unk_token = json_get_string(j, "unk_token", where);
        if (!m->vocab.count(*m->unk_token))
            throw Error(where + ": unk_token \"" + *m->unk_token + "\" is not in the vocabulary");
    }
    m->continuing_subword_prefix = optional_string(j, "continuing_subword_prefix", where);
    m->end_of_word_suffix = optional_string(j, "end_of_word_suffix", where);
    m->fuse_unk = json_get_bool_or(j, "fuse_unk", false, where);
    m->byte_fallback = json_get_bool_or(j, "byte_fallback", false, where);
    m->ignore_merges = json_get_bool_or(j, "ignore_merges", false, where);

    const size_t prefix_len = m->continuing_subword_prefix.size();
    if (tables && tables->has_merges) {
        m->merges.reserve(tables->merges.size());
        int32_t rank = 0;
        for (const auto& [a, b] : tables->merges) bpe_add_merge(*m, a, b, rank++, prefix_len, where);
        return m;
    }
    static const Json no_merges = Json::array();
    const Json& merges = j.contains("merges") && !j["merges"].is_null() ? j["merges"] : no_merges;
    if (!merges.is_array()) throw Error(where + ": 'merges' must be an array");
    m->merges.reserve(merges.size());
    int32_t rank = 0;
    for (const Json& merge : merges) {
        std::string a, b;
        if (merge.is_string()) {
            const std::string s = merge.get<std::string>();
            const size_t space = s.find(' ');
            if (space == std::string::npos)
                throw Error(where + ": merge #" + std::to_string(rank) + " \"" + s + "\" is not two tokens separated by a space");
            a = s.substr(0, space);
            b = s.substr(space + 1);
        } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
            a = merge[0].get<std::string>();
            b = merge[1].get<std::string>();
        } else {
            throw Error(where + ": merge #" + std::to_string(rank) + " must be \"a b\" or [\"a\", \"b\"], found " + merge.dump());
        }
        bpe_add_merge(*m, a, b, rank, prefix_len, where);
        ++rank;
    }
    return m;
}

}  // namespace tok
}  // namespace attn
