/* timer.c: the simulator's deadlines: a binary heap of CLOCK_MONOTONIC
 * times (microseconds), fired in order by the event loop, which sleeps
 * until the earliest one (epoll_pwait2's nanosecond timeout, or a timerfd
 * armed at it before Linux 5.11). One thread: no locking. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>

static struct {
    lw_sim_timer **heap;
    size_t         nheap, capheap;
    int64_t        armed;          /* timerfd deadline (fallback) */
} T;

static void
heap_place(size_t i, lw_sim_timer *t)
{
    T.heap[i] = t;
    t->idx = i + 1;
}

static void
heap_up(size_t i)
{
    lw_sim_timer *t = T.heap[i];

    while (i > 0) {
        size_t p = (i - 1) / 2;

        if (T.heap[p]->at <= t->at)
            break;
        heap_place(i, T.heap[p]);
        i = p;
    }
    heap_place(i, t);
}

static void
heap_down(size_t i)
{
    lw_sim_timer *t = T.heap[i];

    for (;;) {
        size_t l = 2 * i + 1, m = i;

        if (l < T.nheap && T.heap[l]->at < (m == i ? t->at : T.heap[m]->at))
            m = l;
        if (l + 1 < T.nheap && T.heap[l + 1]->at < (m == i ? t->at : T.heap[m]->at))
            m = l + 1;
        if (m == i)
            break;
        heap_place(i, T.heap[m]);
        i = m;
    }
    heap_place(i, t);
}

void
lw_sim_timer_cancel(lw_sim_timer *t)
{
    size_t i;

    if (t->idx == 0)
        return;
    i = t->idx - 1;
    t->idx = 0;
    T.nheap--;
    if (i == T.nheap)
        return;
    heap_place(i, T.heap[T.nheap]);
    if (i > 0 && T.heap[(i - 1) / 2]->at > T.heap[i]->at)
        heap_up(i);
    else
        heap_down(i);
}

void
lw_sim_timer_set(lw_sim_timer *t, int64_t at)
{
    lw_sim_timer_cancel(t);
    if (T.nheap == T.capheap) {
        size_t ncap = T.capheap ? T.capheap * 2 : 1024;
        lw_sim_timer **nh = realloc(T.heap, ncap * sizeof(*nh));

        if (nh == NULL) {
            lw_log(LW_LOG_ERROR, "out of memory");
            abort();
        }
        T.heap = nh;
        T.capheap = ncap;
    }
    t->at = at;
    T.heap[T.nheap] = t;
    t->idx = ++T.nheap;
    heap_up(T.nheap - 1);
}

/* Points the timerfd at the earliest deadline. Reprogramming it is the
 * single most expensive call of a busy loop (an hrtimer reprogram, a VM exit
 * on virtual machines), so it is left alone when it will fire no later than
 * needed: an early wake-up finds nothing due and re-arms, which is cheaper
 * than re-arming on every new token. */
void
lw_sim_timer_arm(int tfd)
{
    struct itimerspec its;
    int64_t at = T.nheap > 0 ? T.heap[0]->at : 0;

    if (at == 0 || at == T.armed || (T.armed != 0 && T.armed < at))
        return;
    memset(&its, 0, sizeof(its));
    if (at > 0) {
        its.it_value.tv_sec = at / 1000000;
        its.it_value.tv_nsec = (long) (at % 1000000) * 1000;
    }
    if (at > 0 && its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
        its.it_value.tv_nsec = 1;
    if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        T.armed = at;
}

/* Fires the timers due when called. What falls due meanwhile waits for the
 * next round, after one epoll_wait: under overload, reads and accepts still
 * get their turn instead of starving behind an endless run of tokens. */
void
lw_sim_timers_run(void)
{
    int64_t now = lw_now_mono_us();

    while (T.nheap > 0 && T.heap[0]->at <= now) {
        lw_sim_timer *t = T.heap[0];

        lw_sim_timer_cancel(t);
        t->fire(t);
    }
}

int64_t
lw_sim_timer_first(void)
{
    return T.nheap > 0 ? T.heap[0]->at : 0;
}

size_t
lw_sim_timers_pending(void)
{
    return T.nheap;
}

void
lw_sim_timer_fired(void)
{
    T.armed = 0;
}

void
lw_sim_timers_free(void)
{
    free(T.heap);
    memset(&T, 0, sizeof(T));
}
