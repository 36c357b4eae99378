// A small pool of persistent worker threads that splits a range of independent outputs between them: the
// forward pass's kernels (core/gemm.cpp's column panels, model/block.cpp's heads) use it. It never splits
// a sum, so a result is bit-identical for every thread count. Without threads (the single-threaded
// WebAssembly build) everything runs on the calling thread.
//
//   set_thread_count(default_thread_count());          // once, at startup (CLI, desktop app)
//   std::vector<float> squares(n);
//   parallel_for(n, [&](int begin, int end) {          // [begin, end) on one thread; chunks disjoint
//       for (int i = begin; i < end; ++i) squares[i] = static_cast<float>(i) * i;
//   });
#pragma once
#include <functional>

namespace attn {

// What the platform offers (>= 1): std::thread::hardware_concurrency natively; in the -pthread WASM build
// the worker pool Emscripten pre-spawned + 1 (no thread may be created past it there); 1 without threads.
int hardware_threads();

// Threads parallel_for uses now (>= 1); 1 until set_thread_count says otherwise.
int thread_count();

// Clamped to [1, hardware_threads()]; 1 = everything on the calling thread. Workers are created on the
// first parallel_for that needs them and kept.
void set_thread_count(int n);

// Tests: more threads than this machine has cores (natively up to 16; with Emscripten's pthreads at most
// hardware_threads(), since the page cannot start more workers), so splits into 3 run on 2 cores too.
void set_thread_count_for_tests(int n);

// The count a program starts with: ATTN_THREADS=N when set (clamped as above), else hardware_threads()
// capped at 8 (past that a forward pass of the models AttnScope opens gains little).
int default_thread_count();

// body(begin, end) over [0, n) in contiguous chunks, at most thread_count() of them at once, the caller
// running one itself; returns when all are done. A call from inside a body, or while another thread's call
// holds the workers, runs serially on its own thread. The first exception a body throws is rethrown here.
void parallel_for(int n, const std::function<void(int begin, int end)>& body);

// Work (multiply-adds) below which a kernel stays on one thread: waking the workers costs microseconds,
// so tiny models run as before. Tests lower it to split tiny shapes.
long parallel_min_work();
void set_parallel_min_work(long multiply_adds);

// Whether a kernel of `multiply_adds` work should call parallel_for at all.
inline bool parallel_worth_it(double multiply_adds) {
    return thread_count() > 1 && multiply_adds >= static_cast<double>(parallel_min_work());
}

// parallel_for(n, body) when the whole (multiply_adds of work) is worth waking the workers for and there
// is more than one chunk to share; otherwise body(0, n) on the calling thread.
inline void parallel_for_if_worth_it(int n, double multiply_adds, const std::function<void(int begin, int end)>& body) {
    if (n > 1 && parallel_worth_it(multiply_adds)) parallel_for(n, body);
    else body(0, n);
}

}  // namespace attn
