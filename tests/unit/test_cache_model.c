/* Tests of the cache-warmth model (kernel/sched/cache_model.c), built with a 4 KiB model cache,
 * 64-byte lines and 100 ns per line (tests/CMakeLists.txt), so the costs are easy to state. */
#include <sched/cache_model.h>

#include "check.h"

#define LINE_NS(bytes) ((bytes) / 64 * 100)

enum { A = 1, B = 2, C = 3 };

static void test_first_run_is_cold_then_warm(void)
{
    cache_model_init(2);
    CHECK(cache_model_switch_in(0, A, 1024) == LINE_NS(1024));
    CHECK(cache_model_resident(0, A) == 1024);
    CHECK(cache_model_switch_in(0, A, 1024) == 0);
}

static void test_harts_have_their_own_caches(void)
{
    cache_model_init(2);
    cache_model_switch_in(0, A, 1024);
    CHECK(cache_model_switch_in(1, A, 1024) == LINE_NS(1024));
    CHECK(cache_model_switch_in(0, A, 1024) == 0); /* running on 1 left hart 0's copy */
}

static void test_others_evict_the_least_recent_first(void)
{
    cache_model_init(1);
    cache_model_switch_in(0, A, 2048);
    cache_model_switch_in(0, B, 1024);
    cache_model_switch_in(0, C, 2048); /* 5 KiB wanted: 1 KiB of A (least recent) goes */
    CHECK(cache_model_resident(0, A) == 1024);
    CHECK(cache_model_resident(0, B) == 1024 && cache_model_resident(0, C) == 2048);
    CHECK(cache_model_switch_in(0, A, 2048) == LINE_NS(1024));
    CHECK(cache_model_resident(0, B) == 0); /* now B was least recent: all of it went */
    CHECK(cache_model_switch_in(0, B, 1024) == LINE_NS(1024));
}

static void test_a_working_set_larger_than_the_cache_counts_as_the_cache(void)
{
    cache_model_init(1);
    CHECK(cache_model_switch_in(0, A, 1 << 20) == LINE_NS(4096));
    CHECK(cache_model_switch_in(0, A, 1 << 20) == 0);
    CHECK(cache_model_switch_in(0, B, 64) == LINE_NS(64));
    CHECK(cache_model_switch_in(0, A, 1 << 20) == LINE_NS(64));
}

static void test_partial_lines_cost_a_whole_line(void)
{
    cache_model_init(1);
    CHECK(cache_model_switch_in(0, A, 65) == 2 * 100);
    CHECK(cache_model_switch_in(0, B, 0) == 0);
    CHECK(cache_model_switch_in(0, A, 65) == 0);
}

static void test_a_growing_working_set_pays_for_the_growth(void)
{
    cache_model_init(1);
    cache_model_switch_in(0, A, 1024);
    CHECK(cache_model_switch_in(0, A, 2048) == LINE_NS(1024));
    CHECK(cache_model_switch_in(0, A, 512) == 0);
    CHECK(cache_model_resident(0, A) == 512);
}

static void test_forgotten_threads_start_cold(void)
{
    cache_model_init(2);
    cache_model_switch_in(0, A, 1024);
    cache_model_switch_in(1, A, 1024);
    cache_model_forget(A);
    CHECK(cache_model_resident(0, A) == 0 && cache_model_resident(1, A) == 0);
    CHECK(cache_model_switch_in(0, A, 1024) == LINE_NS(1024));
}

static void test_a_hart_remembers_a_bounded_number_of_threads(void)
{
    cache_model_init(1);
    for (uint32_t t = 1; t <= CACHE_MODEL_THREADS + 1; t++) cache_model_switch_in(0, t, 64);
    CHECK(cache_model_resident(0, 1) == 0); /* the least recent was forgotten */
    CHECK(cache_model_resident(0, 2) == 64);
    CHECK(cache_model_switch_in(0, CACHE_MODEL_THREADS + 1, 64) == 0);
}

int main(void)
{
    RUN(test_first_run_is_cold_then_warm);
    RUN(test_harts_have_their_own_caches);
    RUN(test_others_evict_the_least_recent_first);
    RUN(test_a_working_set_larger_than_the_cache_counts_as_the_cache);
    RUN(test_partial_lines_cost_a_whole_line);
    RUN(test_a_growing_working_set_pays_for_the_growth);
    RUN(test_forgotten_threads_start_cold);
    RUN(test_a_hart_remembers_a_bounded_number_of_threads);
    return check_summary();
}
