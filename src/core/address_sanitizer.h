// ATTN_ADDRESS_SANITIZER is defined when this file is compiled with AddressSanitizer: GCC says so with
// __SANITIZE_ADDRESS__, clang (native-debug's compiler) with __has_feature(address_sanitizer).
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define ATTN_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ATTN_ADDRESS_SANITIZER 1
#endif
#endif
