// Serialising named tensors to safetensors bytes, laid out as the reference serializer does.
#include "model/safetensors_write.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "core/json.h"

namespace attn {

namespace {

// A JSON string literal; throws attn::Error for text that is not valid UTF-8.
std::string json_string(const std::string& s, const char* what) {
    try {
        return Json(s).dump();
    } catch (const Json::exception&) {
        throw Error("safetensors writer: " + std::string(what) + " is not valid UTF-8");
    }
}

}  // namespace

void SafetensorsWriter::add_f32(const std::string& name, std::vector<int64_t> shape, const float* data) {
    add(name, DType::F32, std::move(shape), data);
}

void SafetensorsWriter::add_i64(const std::string& name, std::vector<int64_t> shape, const int64_t* data) {
    add(name, DType::I64, std::move(shape), data);
}

void SafetensorsWriter::add(const std::string& name, DType dtype, std::vector<int64_t> shape, const void* data) {
    items_.push_back(Item{name, dtype, std::move(shape), data});
}

Expected<Bytes> SafetensorsWriter::write() const {
    return catch_errors([&]() -> Bytes {
        // Widest dtype first (the reference's enum order, descending), then by name: with the header
        // padded to 8 bytes every tensor starts aligned to its element size.
        std::vector<const Item*> order;
        for (const Item& item : items_) order.push_back(&item);
        std::sort(order.begin(), order.end(), [](const Item* a, const Item* b) {
            if (a->dtype != b->dtype) return a->dtype > b->dtype;
            return a->name < b->name;
        });

        std::set<std::string> names;
        std::vector<size_t> sizes;
        std::string header = "{";
        if (!metadata_.empty()) {
            header += "\"__metadata__\":{";
            bool first = true;
            for (const auto& kv : metadata_) {
                if (!first) header += ",";
                first = false;
                header += json_string(kv.first, "a metadata key") + ":" + json_string(kv.second, "a metadata value");
            }
            header += "}";
        }
        uint64_t offset = 0;
        for (const Item* item : order) {
            std::string where = "safetensors writer: tensor '" + item->name + "': ";
            if (item->name == "__metadata__") throw Error(where + "this name is reserved for the metadata map");
            if (!names.insert(item->name).second) throw Error(where + "added twice");
            uint64_t nbytes = dtype_size(item->dtype);
            std::string shape;
            for (int64_t d : item->shape) {
                if (d < 0) throw Error(where + "negative dimension " + std::to_string(d));
                if (__builtin_mul_overflow(nbytes, static_cast<uint64_t>(d), &nbytes) ||
                    nbytes > static_cast<uint64_t>(SIZE_MAX / 2))
                    throw Error(where + "too large to write");
                shape += (shape.empty() ? "" : ",") + std::to_string(d);
            }
            if (nbytes && !item->data) throw Error(where + "no data");
            if (header.size() > 1) header += ",";
            header += json_string(item->name, "a tensor name") + ":{\"dtype\":\"" + dtype_name(item->dtype) +
                      "\",\"shape\":[" + shape + "],\"data_offsets\":[" + std::to_string(offset) + "," +
                      std::to_string(offset + nbytes) + "]}";
            offset += nbytes;
            if (offset > static_cast<uint64_t>(SIZE_MAX / 2)) throw Error(where + "the file would be too large");
            sizes.push_back(static_cast<size_t>(nbytes));
        }
        header += "}";
        header.append((8 - header.size() % 8) % 8, ' ');

        Bytes out(8 + header.size() + static_cast<size_t>(offset));
        uint64_t n = header.size();
        for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
        std::memcpy(out.data() + 8, header.data(), header.size());
        uint8_t* dst = out.data() + 8 + header.size();
        for (size_t i = 0; i < order.size(); ++i) {
            if (sizes[i]) std::memcpy(dst, order[i]->data, sizes[i]);
            dst += sizes[i];
        }
        return out;
    });
}

}  // namespace attn
