// Reading a fuzzer's input as a stream of choices: a byte at a time, then whatever is left. Past the end
// every byte reads 0, so a short input is still a complete (small) choice.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

struct FuzzBytes {
    const uint8_t* data;
    size_t size;

    uint8_t byte() {
        if (size == 0) return 0;
        uint8_t b = *data++;
        --size;
        return b;
    }
    std::string rest() {
        std::string s(reinterpret_cast<const char*>(data), size);
        data += size;
        size = 0;
        return s;
    }
};
