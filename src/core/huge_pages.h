// Large buffers that are written right after they are allocated: a trace's attention and hidden states,
// the flow view's residual attention.
//
//   zeros_in_huge_pages(trace.attentions.probs, L * H * T * S);   // v = n zeros
//
// Why: glibc maps every block over 32 MB afresh and unmaps it when freed, so each trace's attention tensor
// is new memory, and its first write faults once per 4 KB page. Faults are slow on virtual machines: here a
// fresh 37 MB tensor (GPT-2 small, T = 256) took 190 ms to zero in 4 KB pages and 10 ms in 2 MB pages,
// which made a T = 256 trace 1.5 times slower than T = 128's scaling predicts.
#pragma once
#include <cstddef>
#include <vector>

namespace attn {

// v becomes n zeros. On Linux, a block of 8 MB or more is first reserved and marked for transparent huge
// pages (madvise MADV_HUGEPAGE: a hint the kernel may ignore); elsewhere (WebAssembly) a plain assign.
void zeros_in_huge_pages(std::vector<float>& v, size_t n);
void zeros_in_huge_pages(std::vector<double>& v, size_t n);
// v becomes empty with room for n values, marked as above: for a caller that grows it in steps (the flow
// view's residual attention, a layer a frame; a model's packed weights, a matrix a step), so each step
// faults in only the memory it writes.
void reserve_in_huge_pages(std::vector<double>& v, size_t n);
void reserve_in_huge_pages(std::vector<float>& v, size_t n);

// Natively with glibc, called once at startup by the desktop app, the CLI and the benchmarks that trace:
// - memory the program frees stays in its heap for the next allocation instead of going back to the
//   kernel (no mmap per large block, no trimming). Why: glibc maps every block over 32 MB afresh and
//   unmaps it when freed, so each retrace's attention tensor (600 MB for GPT-2 small at T = 1024) was
//   faulted in and zeroed by the kernel again; on this VM that made such a trace 1.7-3.3 s instead of
//   1.64 s. The heap then holds the largest trace's memory until the program ends, as onnxruntime's
//   arena does.
// - the heap's next 256 MB (address space only) are marked for transparent huge pages, so the many small
//   blocks a load makes fault in 2 MB at a time: GPT-2's tokenizer made 5400 faults of 4 KB (9 us each
//   here) and loaded in 75-115 ms in a fresh process, in 2 MB pages 30-55 ms (glibc's own
//   glibc.malloc.hugetlb=1 tunable does the same, but only from the environment the program starts in).
// A no-op elsewhere (WebAssembly's allocator never returns memory anyway), under AddressSanitizer (its own
// malloc) and on a second call.
void heap_setup();

}  // namespace attn
