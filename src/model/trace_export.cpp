// Trace exports. The .npy header follows NumPy's format 1.0 (magic, version, little-endian header
// length, a Python dict literal padded so the data starts on a 64-byte boundary); the .npz is a plain
// zip of "<name>.npy" entries, as numpy.savez writes it.
#include "model/trace_export.h"

#include <array>
#include <cstring>

#include "model/safetensors_write.h"

namespace attn {

namespace {

void add_attention(TraceArrays* out, const char* name, const AttentionTensor& a) {
    if (a.empty()) return;
    out->arrays.push_back({name, DType::F32, {a.n_layer, a.n_head, a.n_query, a.n_key}, a.probs.data()});
}

void add_hidden(TraceArrays* out, const char* name, const HiddenTensor& h) {
    if (h.empty()) return;
    out->arrays.push_back({name, DType::F32, {h.n_state, h.n_token, h.n_embd}, h.values.data()});
}

void put_u16(Bytes& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v));
    b.push_back(static_cast<uint8_t>(v >> 8));
}

void put_u32(Bytes& b, uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint32_t crc32(const Bytes& bytes) {
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    uint32_t c = 0xFFFFFFFFu;
    for (uint8_t byte : bytes) c = table[(c ^ byte) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

}  // namespace

void trace_arrays(const Trace& t, TraceArrays* out) {
    out->arrays.clear();
    out->input_ids.assign(t.tokens.ids.begin(), t.tokens.ids.end());
    out->decoder_input_ids.assign(t.decoder_tokens.ids.begin(), t.decoder_tokens.ids.end());
    out->arrays.push_back({"input_ids", DType::I64, {t.tokens.size()}, out->input_ids.data()});
    if (t.is_encoder_decoder()) {
        out->arrays.push_back({"decoder_input_ids", DType::I64, {t.decoder_tokens.size()}, out->decoder_input_ids.data()});
        add_attention(out, "encoder_attentions", t.attentions);
        add_attention(out, "decoder_attentions", t.decoder_attentions);
        add_attention(out, "cross_attentions", t.cross_attentions);
        add_hidden(out, "encoder_hidden_states", t.hidden_states);
        add_hidden(out, "decoder_hidden_states", t.decoder_hidden_states);
        if (const float* last = t.logits_at(t.decoder_tokens.size() - 1))
            out->arrays.push_back({"last_logits", DType::F32, {t.n_vocab}, last});
        return;
    }
    add_attention(out, "attentions", t.attentions);
    add_hidden(out, "hidden_states", t.hidden_states);
    if (t.logits.empty()) return;
    // Causal models predict after the last token; encoders fill in a masked position.
    if (t.attentions.causal) {
        if (const float* last = t.logits_at(t.tokens.size() - 1))
            out->arrays.push_back({"last_logits", DType::F32, {t.n_vocab}, last});
    } else {
        out->arrays.push_back({"mask_logits", DType::F32, {t.n_vocab}, t.logits.data()});
    }
}

Expected<Bytes> trace_to_safetensors(const Trace& trace, const std::map<std::string, std::string>& metadata) {
    TraceArrays arrays;
    trace_arrays(trace, &arrays);
    SafetensorsWriter writer;
    for (const NamedArray& a : arrays.arrays) writer.add(a.name, a.dtype, a.shape, a.data);
    for (const auto& [key, value] : metadata) writer.set_metadata(key, value);
    return writer.write();
}

Expected<Bytes> trace_to_npz(const Trace& trace) {
    TraceArrays arrays;
    trace_arrays(trace, &arrays);
    std::vector<std::pair<std::string, Bytes>> entries;
    for (const NamedArray& a : arrays.arrays) {
        entries.emplace_back(a.name + ".npy", npy_array(a.dtype, a.shape, a.data));
        // Plain zip stores 32-bit sizes; a trace this large is better saved as safetensors.
        if (entries.back().second.size() >= 0xFFFFFFFFull)
            return ErrorValue{"trace tensor " + a.name + " is over 4 GiB; export it as .safetensors instead"};
    }
    return zip_store(entries);
}

Bytes npy_array(DType dtype, const std::vector<int64_t>& shape, const void* data) {
    size_t count = 1;
    std::string dims;
    for (int64_t d : shape) {
        dims += (dims.empty() ? "" : ", ") + std::to_string(d);
        count *= static_cast<size_t>(d);
    }
    if (shape.size() == 1) dims += ",";   // Python's one-element tuple: (3,)
    std::string dict = std::string("{'descr': '") + (dtype == DType::I64 ? "<i8" : "<f4") +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
    const size_t preamble = 10;   // magic (6) + version (2) + header length (2)
    size_t total = preamble + dict.size() + 1;   // + the closing newline
    dict.append((64 - total % 64) % 64, ' ');
    dict += '\n';

    const size_t elem = dtype_size(dtype);
    Bytes out;
    out.reserve(preamble + dict.size() + count * elem);
    const uint8_t magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    out.insert(out.end(), magic, magic + sizeof magic);
    put_u16(out, static_cast<uint16_t>(dict.size()));
    out.insert(out.end(), dict.begin(), dict.end());
    const uint8_t* p = static_cast<const uint8_t*>(data);
    out.insert(out.end(), p, p + count * elem);   // this machine and WASM are little-endian, as '<' says
    return out;
}

Bytes zip_store(const std::vector<std::pair<std::string, Bytes>>& entries) {
    Bytes out, central;
    for (const auto& [name, bytes] : entries) {
        const uint32_t crc = crc32(bytes), size = static_cast<uint32_t>(bytes.size());
        const uint32_t offset = static_cast<uint32_t>(out.size());
        put_u32(out, 0x04034b50);                 // local file header
        put_u16(out, 20);                         // version needed: 2.0
        put_u16(out, 0);                          // flags
        put_u16(out, 0);                          // method: stored
        put_u16(out, 0);                          // time
        put_u16(out, 0x21);                       // date: 1980-01-01
        put_u32(out, crc);
        put_u32(out, size);
        put_u32(out, size);
        put_u16(out, static_cast<uint16_t>(name.size()));
        put_u16(out, 0);                          // extra field length
        out.insert(out.end(), name.begin(), name.end());
        out.insert(out.end(), bytes.begin(), bytes.end());

        put_u32(central, 0x02014b50);             // central directory entry
        put_u16(central, 20);                     // made by
        put_u16(central, 20);
        put_u16(central, 0);
        put_u16(central, 0);
        put_u16(central, 0);
        put_u16(central, 0x21);
        put_u32(central, crc);
        put_u32(central, size);
        put_u32(central, size);
        put_u16(central, static_cast<uint16_t>(name.size()));
        put_u16(central, 0);                      // extra
        put_u16(central, 0);                      // comment
        put_u16(central, 0);                      // disk
        put_u16(central, 0);                      // internal attributes
        put_u32(central, 0);                      // external attributes
        put_u32(central, offset);
        central.insert(central.end(), name.begin(), name.end());
    }
    const uint32_t central_offset = static_cast<uint32_t>(out.size());
    out.insert(out.end(), central.begin(), central.end());
    put_u32(out, 0x06054b50);                     // end of central directory
    put_u16(out, 0);
    put_u16(out, 0);
    put_u16(out, static_cast<uint16_t>(entries.size()));
    put_u16(out, static_cast<uint16_t>(entries.size()));
    put_u32(out, static_cast<uint32_t>(central.size()));
    put_u32(out, central_offset);
    put_u16(out, 0);
    return out;
}

}  // namespace attn
