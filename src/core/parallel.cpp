// The worker pool behind parallel_for (core/parallel.h). One call at a time uses the workers: a call
// publishes its job under a new generation number, every worker claims chunks until none is left, and the
// caller runs chunk 0, claims what is left too, and then waits for the last one. It does not balance uneven chunks or queue
// several calls; a second caller (another thread) runs its range serially.
//
// A worker that wakes late could see a later call's job: chunks are claimed by a compare-and-swap on one
// word holding (generation, next chunk), so a worker can only claim chunks of the generation it read its
// job from, and a chunk of a call that is still waiting for it (the body it calls is still alive).
#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define ATTN_HAVE_THREADS 0
#else
#define ATTN_HAVE_THREADS 1
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#endif

#if defined(__EMSCRIPTEN_PTHREADS__)
#include <emscripten/em_asm.h>
#endif

namespace attn {
namespace {

std::atomic<int> g_thread_count{1};
// 2^20 multiply-adds take ~5-10 us natively: the smallest product where waking a worker (a few us) pays.
std::atomic<long> g_min_work{1L << 20};

}  // namespace

long parallel_min_work() { return g_min_work.load(std::memory_order_relaxed); }
void set_parallel_min_work(long multiply_adds) { g_min_work.store(std::max(0L, multiply_adds), std::memory_order_relaxed); }

int thread_count() { return g_thread_count.load(std::memory_order_relaxed); }

void set_thread_count(int n) { g_thread_count.store(std::clamp(n, 1, hardware_threads()), std::memory_order_relaxed); }

void set_thread_count_for_tests(int n) {
#if ATTN_HAVE_THREADS && !defined(__EMSCRIPTEN__)
    g_thread_count.store(std::clamp(n, 1, 16), std::memory_order_relaxed);
#else
    set_thread_count(n);
#endif
}

int default_thread_count() {
    if (const char* env = std::getenv("ATTN_THREADS")) {
        char* end = nullptr;
        const long n = std::strtol(env, &end, 10);
        if (end != env && *end == '\0') return static_cast<int>(std::clamp<long>(n, 1, hardware_threads()));
    }
    return std::min(8, hardware_threads());
}

#if !ATTN_HAVE_THREADS

int hardware_threads() { return 1; }

void parallel_for(int n, const std::function<void(int, int)>& body) {
    if (n > 0) body(0, n);
}

#else

int hardware_threads() {
#if defined(__EMSCRIPTEN_PTHREADS__)
    // The page may only use the workers Emscripten started with the module (a new one would need the
    // browser's main thread to return to its event loop first): counted once, before any is ours.
    static const int n = 1 + MAIN_THREAD_EM_ASM_INT({ return PThread.unusedWorkers.length + PThread.runningWorkers.length; });
#else
    static const int n = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
#endif
    return n;
}

namespace {

thread_local bool t_inside_parallel = false;   // a worker, or a caller running its own chunks

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// Spins this many rounds before sleeping: calls of a forward pass come tens of microseconds apart, and a
// condition variable's wake-up costs several.
constexpr int kSpinRounds = 1 << 12;

constexpr int kChunkBits = 16;   // (generation << kChunkBits) | next chunk; chunks never reach 2^16

struct Job {
    const std::function<void(int, int)>* body = nullptr;
    int n = 0;
    int chunks = 0;
};

class WorkerPool {
public:
    // Runs `body` over [0, n) in `chunks` chunks (2 <= chunks), the calling thread taking its share.
    void run(int n, int chunks, const std::function<void(int, int)>& body) {
        std::unique_lock<std::mutex> call(call_mutex_, std::try_to_lock);
        if (!call.owns_lock()) {   // another thread's call holds the workers
            body(0, n);
            return;
        }
        add_workers(chunks - 1);
        const Job job{&body, n, chunks};
        uint64_t generation;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            job_ = job;
            error_ = nullptr;
            done_.store(0, std::memory_order_relaxed);
            generation = generation_.load(std::memory_order_relaxed) + 1;
            claim_.store((generation << kChunkBits) | 1, std::memory_order_release);   // chunk 0 is the caller's
            generation_.store(generation, std::memory_order_release);
        }
        work_ready_.notify_all();
        t_inside_parallel = true;
        run_chunk(job, 0);
        run_chunks(job, generation);
        t_inside_parallel = false;
        for (int i = 0; i < kSpinRounds && done_.load(std::memory_order_acquire) < chunks; ++i) cpu_relax();
        std::unique_lock<std::mutex> lock(mutex_);
        all_done_.wait(lock, [&] { return done_.load(std::memory_order_acquire) >= chunks; });
        if (error_) {
            std::exception_ptr error = error_;
            error_ = nullptr;
            std::rethrow_exception(error);
        }
    }

private:
    void add_workers(int wanted) {
        for (; n_workers_ < wanted; ++n_workers_) {
            const uint64_t seen = generation_.load(std::memory_order_acquire);
            std::thread([this, seen] { worker_main(seen); }).detach();   // lives as long as the process
        }
    }

    void worker_main(uint64_t seen) {
        t_inside_parallel = true;
        for (;;) {
            for (int i = 0; i < kSpinRounds && generation_.load(std::memory_order_acquire) == seen; ++i) cpu_relax();
            Job job;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                work_ready_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
                seen = generation_.load(std::memory_order_relaxed);
                job = job_;
            }
            run_chunks(job, seen);
        }
    }

    // Claims and runs chunks of `generation` until none is left (or a later call has begun).
    void run_chunks(const Job& job, uint64_t generation) {
        for (;;) {
            uint64_t word = claim_.load(std::memory_order_acquire);
            int chunk;
            do {
                if ((word >> kChunkBits) != generation) return;
                chunk = static_cast<int>(word & ((uint64_t{1} << kChunkBits) - 1));
                if (chunk >= job.chunks) return;
            } while (!claim_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel, std::memory_order_acquire));
            run_chunk(job, chunk);
        }
    }

    void run_chunk(const Job& job, int chunk) {
        const int begin = static_cast<int>(static_cast<int64_t>(job.n) * chunk / job.chunks);
        const int end = static_cast<int>(static_cast<int64_t>(job.n) * (chunk + 1) / job.chunks);
        try {
            (*job.body)(begin, end);
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!error_) error_ = std::current_exception();
        }
        if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == job.chunks) {
            std::lock_guard<std::mutex> lock(mutex_);   // the caller tests done_ under it: no lost wake-up
            all_done_.notify_all();
        }
    }

    std::mutex call_mutex_;                 // held by the one call using the workers
    int n_workers_ = 0;                     // grows to the largest thread count asked for, minus the caller
    std::mutex mutex_;                      // guards job_ and error_; the condition variables' mutex
    std::condition_variable work_ready_, all_done_;
    Job job_;
    std::exception_ptr error_;
    std::atomic<uint64_t> generation_{0};   // one per call
    std::atomic<uint64_t> claim_{0};        // (generation << kChunkBits) | next chunk to run
    std::atomic<int> done_{0};              // chunks of this call finished
};

WorkerPool& pool() {
    static WorkerPool* pool = new WorkerPool;   // never destroyed: its detached workers outlive main()
    return *pool;
}

}  // namespace

void parallel_for(int n, const std::function<void(int, int)>& body) {
    if (n <= 0) return;
    const int chunks = std::min(n, thread_count());
    if (chunks <= 1 || t_inside_parallel) {
        body(0, n);
        return;
    }
    pool().run(n, chunks, body);
}

#endif

}  // namespace attn
