// Tests that change core/parallel.h's thread count or split threshold put them back when they end, so the
// other tests run as they would alone.
#pragma once
#include "core/parallel.h"

struct ThreadCountGuard {
    int threads = attn::thread_count();
    long min_work = attn::parallel_min_work();
    ~ThreadCountGuard() {
        attn::set_thread_count_for_tests(threads);
        attn::set_parallel_min_work(min_work);
    }
};
