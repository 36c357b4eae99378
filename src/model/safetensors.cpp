// safetensors parsing and validation. Every check of the reference read path (read_metadata +
// Metadata::validate in huggingface/safetensors) is made here, plus duplicate keys (which a JSON DOM
// silently merges), with messages that say which file, which tensor and what is wrong.
//
// Layout being checked: [u64 little-endian N][N bytes of UTF-8 JSON, '{'...][data section]. The JSON
// maps tensor names to {"dtype", "shape", "data_offsets": [begin, end)} (offsets relative to the data
// section), plus an optional "__metadata__" string map. Tensors must tile the data section exactly.
//
// Sections: helpers (UTF-8, integers, format hints) / header JSON with duplicate-key detection /
// one entry's checks (entry_parse) / whole-file checks (SafetensorsParser::parse) / element access.
#include "model/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include "core/json.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian; so must we be");

namespace attn {

namespace {

constexpr char kLfsPrefix[] = "version https://git-lfs.github.com/spec/v1";

std::string in_quotes(const std::string& name) { return "'" + name + "'"; }

std::string hex_byte(uint8_t c) {
    const char* digits = "0123456789abcdef";
    return std::string{digits[c >> 4], digits[c & 15]};
}

std::string shape_text(const std::vector<uint64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

std::string offsets_text(uint64_t begin, uint64_t end) {
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// Strict UTF-8 as Rust's str::from_utf8: no overlong forms, no surrogates, nothing past U+10FFFF.
// Returns the offset of the first bad byte, or n when all is well.
size_t utf8_invalid_at(const uint8_t* p, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        uint8_t lo = 0x80, hi = 0xbf;   // allowed range of the second byte
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            if (c == 0xe0) lo = 0xa0;        // overlong
            if (c == 0xed) hi = 0x9f;        // surrogates
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            if (c == 0xf0) lo = 0x90;        // overlong
            if (c == 0xf4) hi = 0x8f;        // past U+10FFFF
        } else {
            return i;
        }
        if (n - i < len) return i;
        if (p[i + 1] < lo || p[i + 1] > hi) return i;
        for (size_t k = 2; k < len; ++k)
            if ((p[i + k] & 0xc0) != 0x80) return i;
        i += len;
    }
    return n;
}

// When the "header length" is really the start of another format (a PyTorch .bin is a ZIP archive,
// GGUF has its own magic, an HTML error page is text), say what the file looks like instead.
std::string format_hint(const Blob& b) {
    if (std::memcmp(b.data(), "PK\x03\x04", 4) == 0)
        return " (the file is a ZIP archive, e.g. a PyTorch .bin checkpoint, not safetensors)";
    if (std::memcmp(b.data(), "GGUF", 4) == 0) return " (the file is a GGUF model, not safetensors)";
    for (size_t i = 0; i < 8; ++i)
        if (b[i] < 0x20 || b[i] > 0x7e) return "";
    return " (the file starts with the text \"" + std::string(b.begin(), b.begin() + 8) +
           "\": it does not look like a safetensors file)";
}

// A JSON value that must be a non-negative integer fitting in 64 bits. On failure, `why` describes
// what was found instead.
bool json_u64(const Json& v, uint64_t* out, std::string* why) {
    if (v.is_number_unsigned()) {
        *out = v.get<uint64_t>();
        return true;
    }
    if (v.is_number_integer()) {   // nlohmann stores only negative integers as signed
        *why = "the negative number " + v.dump();
        return false;
    }
    if (v.is_number_float()) {
        *why = "the non-integer " + v.dump();
        return false;
    }
    *why = json_type_name(v);
    return false;
}

// Parses the header text; refuses nesting past kJsonMaxDepth and any key repeated within one object.
Json header_json_parse(const uint8_t* begin, const uint8_t* end, const std::string& label) {
    std::vector<std::set<std::string>> open_objects;   // the keys seen so far, innermost last
    std::string tensor;                                // the top-level key being read
    auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
        if (depth > kJsonMaxDepth)
            throw Error(label + ": header JSON nested deeper than " + std::to_string(kJsonMaxDepth) + " levels");
        if (event == Json::parse_event_t::object_start) {
            open_objects.emplace_back();
        } else if (event == Json::parse_event_t::object_end) {
            if (!open_objects.empty()) open_objects.pop_back();
        } else if (event == Json::parse_event_t::key && !open_objects.empty()) {
            const std::string& key = parsed.get_ref<const std::string&>();
            bool top = open_objects.size() == 1;
            if (!open_objects.back().insert(key).second) {
                if (top && key == "__metadata__") throw Error(label + ": '__metadata__' appears twice in the header");
                if (top) throw Error(label + ": tensor " + in_quotes(key) + " appears twice in the header");
                throw Error(label + ": key " + in_quotes(key) + " appears twice in the entry of " +
                            (tensor == "__metadata__" ? std::string("'__metadata__'") : "tensor " + in_quotes(tensor)));
            }
            if (top) tensor = key;
        }
        return true;
    };
    try {
        return Json::parse(begin, end, callback, /*allow_exceptions=*/true);
    } catch (const Json::parse_error& e) {
        std::string what = e.what();
        auto at = what.find("parse error");
        std::string detail = at == std::string::npos ? ": " + what : what.substr(at + 11);
        throw Error(label + ": malformed JSON header" + detail);
    } catch (const Json::exception& e) {
        throw Error(label + ": malformed JSON header: " + e.what());
    }
}

// One header entry before it becomes a TensorView.
struct Entry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<uint64_t> shape;
    uint64_t begin = 0, end = 0;
};

Entry entry_parse(const std::string& name, const Json& info, uint64_t data_size, const std::string& label) {
    std::string where = label + ": tensor " + in_quotes(name) + ": ";
    if (!info.is_object())
        throw Error(where + "expected an object with dtype, shape and data_offsets, found " + json_type_name(info));
    for (const char* key : {"dtype", "shape", "data_offsets"})
        if (!info.contains(key)) throw Error(where + "missing '" + key + "'");

    Entry e;
    e.name = name;
    const Json& dtype = info["dtype"];
    if (!dtype.is_string()) throw Error(where + "dtype must be a string, found " + json_type_name(dtype));
    const std::string& dtype_text = dtype.get_ref<const std::string&>();
    if (!dtype_from_name(dtype_text, &e.dtype))
        throw Error(where + "unknown dtype " + in_quotes(dtype_text) + " (known: " + dtype_names_list() + ")");

    const Json& shape = info["shape"];
    if (!shape.is_array()) throw Error(where + "shape must be a list of integers, found " + json_type_name(shape));
    std::string why;
    for (const Json& dim : shape) {
        uint64_t d = 0;
        if (!json_u64(dim, &d, &why)) throw Error(where + "shape must be a list of non-negative integers, found " + why);
        e.shape.push_back(d);
    }

    const Json& offsets = info["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2)
        throw Error(where + "data_offsets must be a list of two integers [begin, end], found " +
                    (offsets.is_array() ? "a list of " + std::to_string(offsets.size()) : json_type_name(offsets)));
    if (!json_u64(offsets[0], &e.begin, &why) || !json_u64(offsets[1], &e.end, &why))
        throw Error(where + "data_offsets must be non-negative integers, found " + why);
    if (e.end < e.begin)
        throw Error(where + "data_offsets " + offsets_text(e.begin, e.end) + " end before they begin");

    // Checked arithmetic: element count and byte size must fit (and the count must fit int64_t).
    uint64_t numel = 1, nbytes = 0;
    bool overflow = false;
    for (uint64_t d : e.shape) overflow = overflow || __builtin_mul_overflow(numel, d, &numel);
    overflow = overflow || numel > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
               __builtin_mul_overflow(numel, static_cast<uint64_t>(dtype_size(e.dtype)), &nbytes);
    if (overflow)
        throw Error(where + "shape " + shape_text(e.shape) + " of " + dtype_name(e.dtype) +
                    " is too large: its element count or byte size overflows 64 bits");
    if (e.end - e.begin != nbytes)
        throw Error(where + "data_offsets " + offsets_text(e.begin, e.end) + " hold " + std::to_string(e.end - e.begin) +
                    " bytes but shape " + shape_text(e.shape) + " of " + dtype_name(e.dtype) + " needs " +
                    std::to_string(nbytes));
    if (e.end > data_size)
        throw Error(where + "data_offsets " + offsets_text(e.begin, e.end) + " run past the end of the file: the data section holds " +
                    std::to_string(data_size) + " bytes");
    return e;
}

}  // namespace

// Friend of SafetensorsFile: the one place that fills it. Throws attn::Error.
class SafetensorsParser {
public:
    static SafetensorsFile parse(SharedBlob bytes, const std::string& label);
};

SafetensorsFile SafetensorsParser::parse(SharedBlob shared, const std::string& label) {
    if (!shared) throw Error(label + ": no file contents");
    const Blob& b = *shared;
    if (is_git_lfs_pointer(b.data(), b.size()))
        throw Error(label + ": this is a Git LFS pointer (" + std::to_string(b.size()) +
                    " bytes), not the weights; fetch the real file (git lfs pull)");
    if (b.size() < 8)
        throw Error(label + ": file is only " + std::to_string(b.size()) +
                    " bytes, too small for a safetensors file (it starts with an 8-byte header length)");

    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | b[static_cast<size_t>(i)];
    if (n > kSafetensorsMaxHeader)
        throw Error(label + ": header length " + std::to_string(n) + " is over the limit of " +
                    std::to_string(kSafetensorsMaxHeader) + " bytes" + format_hint(b));
    if (n > b.size() - 8)
        throw Error(label + ": header length " + std::to_string(n) + " runs past the end of the file (" +
                    std::to_string(b.size()) + " bytes): the file is truncated or not safetensors" + format_hint(b));

    const uint8_t* header = b.data() + 8;
    size_t header_size = static_cast<size_t>(n);
    size_t bad = utf8_invalid_at(header, header_size);
    if (bad != header_size)
        throw Error(label + ": header is not valid UTF-8 (bad byte 0x" + hex_byte(header[bad]) + " at header offset " +
                    std::to_string(bad) + ")");
    if (header_size == 0 || header[0] != '{')
        throw Error(label + ": header does not start with '{'" +
                    (header_size == 0 ? std::string(" (it is empty)") : " (it starts with " + Json(std::string(1, static_cast<char>(header[0]))).dump() + ")"));

    Json root = header_json_parse(header, header + header_size, label);
    if (!root.is_object()) throw Error(label + ": header must be a JSON object, found " + json_type_name(root));

    SafetensorsFile file;
    file.bytes_ = shared;
    file.label_ = label;
    file.header_size_ = header_size;
    file.data_size_ = b.size() - 8 - header_size;
    const uint8_t* data = header + header_size;

    std::vector<Entry> entries;
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (it.key() == "__metadata__") {
            const Json& meta = it.value();
            if (meta.is_null()) continue;
            if (!meta.is_object())
                throw Error(label + ": '__metadata__' must be an object of strings, found " + json_type_name(meta));
            for (auto m = meta.begin(); m != meta.end(); ++m) {
                if (!m.value().is_string())
                    throw Error(label + ": '__metadata__' value for " + in_quotes(m.key()) + " must be a string, found " +
                                json_type_name(m.value()));
                file.metadata_[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        entries.push_back(entry_parse(it.key(), it.value(), file.data_size_, label));
    }

    // The tensors must tile the data section: sorted by offsets, each begins where the last ended.
    std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
        return x.begin != y.begin ? x.begin < y.begin : x.end != y.end ? x.end < y.end : x.name < y.name;
    });
    uint64_t covered = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
        const Entry& e = entries[i];
        std::string where = label + ": tensor " + in_quotes(e.name) + " (data_offsets " + offsets_text(e.begin, e.end) + ")";
        if (e.begin > covered) {
            if (i == 0)
                throw Error(where + " leaves a gap: bytes [0, " + std::to_string(e.begin) +
                            ") of the data section belong to no tensor");
            throw Error(where + " leaves a gap after tensor " + in_quotes(entries[i - 1].name) + ", which ends at " +
                        std::to_string(covered) + ": bytes [" + std::to_string(covered) + ", " + std::to_string(e.begin) +
                        ") belong to no tensor");
        }
        if (e.begin < covered) {
            const Entry& prev = entries[i - 1];
            throw Error(where + " overlaps tensor " + in_quotes(prev.name) + " (data_offsets " +
                        offsets_text(prev.begin, prev.end) + ")");
        }
        covered = e.end;
    }
    if (covered != file.data_size_)
        throw Error(label + ": " + std::to_string(file.data_size_ - covered) +
                    " trailing bytes: the data section holds " + std::to_string(file.data_size_) +
                    " bytes but the tensors cover only " + std::to_string(covered) +
                    " (data appended after the tensors, or tensors missing from the header)");

    file.tensors_.reserve(entries.size());
    for (const Entry& e : entries) {
        TensorView t;
        t.name = e.name;
        t.file = label;
        t.dtype = e.dtype;
        for (uint64_t d : e.shape) t.shape.push_back(static_cast<int64_t>(d));
        t.data = data + e.begin;
        t.nbytes = static_cast<size_t>(e.end - e.begin);
        file.index_[t.name] = file.tensors_.size();
        file.tensors_.push_back(std::move(t));
    }
    return file;
}

Expected<SafetensorsFile> safetensors_parse(SharedBlob bytes, const std::string& label) {
    return catch_errors([&] { return SafetensorsParser::parse(std::move(bytes), label); });
}

Expected<SafetensorsFile> safetensors_parse(SharedBytes bytes, const std::string& label) {
    return safetensors_parse(bytes ? std::make_shared<const Blob>(std::move(bytes)) : nullptr, label);
}

bool is_git_lfs_pointer(const uint8_t* data, size_t size) {
    size_t n = sizeof(kLfsPrefix) - 1;
    return size >= n && std::memcmp(data, kLfsPrefix, n) == 0;
}

const TensorView* SafetensorsFile::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

int64_t TensorView::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

std::string TensorView::shape_string() const {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

const float* TensorView::as_f32() const {
    if (dtype != DType::F32 || reinterpret_cast<uintptr_t>(data) % alignof(float) != 0) return nullptr;
    return reinterpret_cast<const float*>(data);
}

void tensor_copy_f32(const TensorView& t, float* out) {
    size_t n = static_cast<size_t>(t.numel());
    switch (t.dtype) {
        case DType::F32:
            if (n) std::memcpy(out, t.data, n * sizeof(float));
            return;
        case DType::F16:
        case DType::BF16: {
            bool half = t.dtype == DType::F16;
            for (size_t i = 0; i < n; ++i) {
                uint16_t v;
                std::memcpy(&v, t.data + 2 * i, 2);
                out[i] = half ? f16_to_f32(v) : bf16_to_f32(v);
            }
            return;
        }
        default:
            throw Error(t.file + ": tensor " + in_quotes(t.name) + " has dtype " + dtype_name(t.dtype) +
                        "; expected F32, F16 or BF16");
    }
}

std::vector<float> tensor_to_f32(const TensorView& t) {
    std::vector<float> out(static_cast<size_t>(t.numel()));
    tensor_copy_f32(t, out.data());
    return out;
}

std::vector<int64_t> tensor_to_i64(const TensorView& t) {
    size_t n = static_cast<size_t>(t.numel());
    std::vector<int64_t> out(n);
    auto convert = [&](auto sample) {
        using T = decltype(sample);
        for (size_t i = 0; i < n; ++i) {
            T v;
            std::memcpy(&v, t.data + i * sizeof(T), sizeof(T));
            out[i] = static_cast<int64_t>(v);
        }
    };
    switch (t.dtype) {
        case DType::I64: convert(int64_t{}); break;
        case DType::I32: convert(int32_t{}); break;
        case DType::U32: convert(uint32_t{}); break;
        case DType::I16: convert(int16_t{}); break;
        case DType::U16: convert(uint16_t{}); break;
        case DType::I8: convert(int8_t{}); break;
        case DType::U8:
        case DType::BOOL: convert(uint8_t{}); break;
        default:
            throw Error(t.file + ": tensor " + in_quotes(t.name) + " has dtype " + dtype_name(t.dtype) +
                        "; expected an integer type such as I64 or I32");
    }
    return out;
}

}  // namespace attn
