// parallel_for (core/parallel.h): every index exactly once at any thread count, chunks on distinct threads
// at once, nested and concurrent calls, exceptions, and the thread-count settings. In the single-threaded
// WebAssembly build hardware_threads() is 1 and the same checks hold with everything on one thread.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/parallel.h"
#include "thread_count_guard.h"

using namespace attn;

namespace {

// Calls parallel_for(n) and returns how often each index was visited and the chunks ([begin, end)) it ran.
std::pair<std::vector<int>, std::vector<std::pair<int, int>>> visit(int n) {
    std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
    std::mutex mutex;
    std::vector<std::pair<int, int>> chunks;
    parallel_for(n, [&](int begin, int end) {
        for (int i = begin; i < end; ++i) seen[static_cast<size_t>(i)].fetch_add(1);
        std::lock_guard<std::mutex> lock(mutex);
        chunks.emplace_back(begin, end);
    });
    std::vector<int> counts;
    for (const std::atomic<int>& s : seen) counts.push_back(s.load());
    return {counts, chunks};
}

}  // namespace

TEST_CASE("parallel_for covers [0, n) exactly once in at most thread_count() contiguous chunks") {
    ThreadCountGuard guard;
    for (int threads = 1; threads <= 4; ++threads)
        for (int n : {0, 1, 7, 1000}) {
            set_thread_count_for_tests(threads);
            auto [counts, chunks] = visit(n);
            INFO("threads " << threads << " n " << n);
            CHECK(counts == std::vector<int>(static_cast<size_t>(n), 1));
            CHECK(static_cast<int>(chunks.size()) <= thread_count());
            CHECK(static_cast<int>(chunks.size()) == std::min(n, thread_count()));
            for (const auto& [begin, end] : chunks) CHECK(begin < end);
        }
}

TEST_CASE("parallel_for runs its chunks at once, on thread_count() distinct threads") {
    ThreadCountGuard guard;
    set_thread_count_for_tests(3);
    const int chunks = thread_count();   // 3 natively, 1 in the single-threaded page build
    std::atomic<int> started{0};
    std::mutex mutex;
    std::set<std::thread::id> ids;
    bool all_met = true;
    parallel_for(chunks, [&](int, int) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            ids.insert(std::this_thread::get_id());
        }
        // Every chunk waits for all the others to start: only chunks running at once can all get past.
        started.fetch_add(1);
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (started.load() < chunks && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
        std::lock_guard<std::mutex> lock(mutex);
        if (started.load() < chunks) all_met = false;
    });
    CHECK(all_met);
    CHECK(static_cast<int>(ids.size()) == chunks);
    CHECK(ids.count(std::this_thread::get_id()) == 1);   // the caller ran one of them
}

TEST_CASE("parallel_for inside a body runs serially on that body's thread") {
    ThreadCountGuard guard;
    set_thread_count_for_tests(3);
    std::vector<std::atomic<int>> seen(20 * 30);
    std::atomic<int> wrong_thread{0};
    parallel_for(20, [&](int begin, int end) {
        const std::thread::id outer = std::this_thread::get_id();
        for (int i = begin; i < end; ++i)
            parallel_for(30, [&](int b, int e) {
                if (std::this_thread::get_id() != outer || b != 0 || e != 30) wrong_thread.fetch_add(1);
                for (int j = b; j < e; ++j) seen[static_cast<size_t>(i) * 30 + j].fetch_add(1);
            });
    });
    CHECK(wrong_thread.load() == 0);
    int once = 0;
    for (const std::atomic<int>& s : seen) once += s.load() == 1;
    CHECK(once == 20 * 30);
}

TEST_CASE("an exception thrown in a body reaches the caller, and the pool keeps working") {
    ThreadCountGuard guard;
    for (int threads : {1, 2, 3}) {
        set_thread_count_for_tests(threads);
        CAPTURE(threads);
        CHECK_THROWS_WITH_AS(parallel_for(1000,
                                          [](int begin, int end) {
                                              if (begin <= 700 && 700 < end) throw std::runtime_error("chunk with 700");
                                          }),
                             "chunk with 700", std::runtime_error);
        auto [counts, chunks] = visit(1000);
        CHECK(counts == std::vector<int>(1000, 1));
    }
}

#if !defined(__EMSCRIPTEN__)
TEST_CASE("parallel_for called from two threads at once: each covers its own range") {
    ThreadCountGuard guard;
    set_thread_count_for_tests(3);
    std::vector<int> a_counts, b_counts;
    for (int round = 0; round < 50; ++round) {
        std::thread other([&] { b_counts = visit(777).first; });
        a_counts = visit(1000).first;
        other.join();
        if (a_counts != std::vector<int>(1000, 1) || b_counts != std::vector<int>(777, 1)) break;
    }
    CHECK(a_counts == std::vector<int>(1000, 1));
    CHECK(b_counts == std::vector<int>(777, 1));
}
#endif

TEST_CASE("set_thread_count clamps to [1, hardware_threads()]; ATTN_THREADS sets the default") {
    ThreadCountGuard guard;
    CHECK(hardware_threads() >= 1);
    set_thread_count(0);
    CHECK(thread_count() == 1);
    set_thread_count(-3);
    CHECK(thread_count() == 1);
    set_thread_count(100000);
    CHECK(thread_count() == hardware_threads());
    set_thread_count(1);
    CHECK(thread_count() == 1);
    const char* saved = std::getenv("ATTN_THREADS");
    const std::string before = saved ? saved : "";
    setenv("ATTN_THREADS", "1", 1);
    CHECK(default_thread_count() == 1);
    setenv("ATTN_THREADS", "100000", 1);
    CHECK(default_thread_count() == hardware_threads());
    setenv("ATTN_THREADS", "two", 1);   // not a number: the platform's default
    CHECK(default_thread_count() == std::min(8, hardware_threads()));
    unsetenv("ATTN_THREADS");
    CHECK(default_thread_count() == std::min(8, hardware_threads()));
    if (saved) setenv("ATTN_THREADS", before.c_str(), 1);
}

TEST_CASE("the usage example in parallel.h") {
    ThreadCountGuard guard;
    const int n = 1001;
    set_thread_count(default_thread_count());
    std::vector<float> squares(n);
    parallel_for(n, [&](int begin, int end) {
        for (int i = begin; i < end; ++i) squares[i] = static_cast<float>(i) * i;
    });
    CHECK(squares[1000] == 1000000.0f);
    CHECK(squares[37] == 1369.0f);
}
