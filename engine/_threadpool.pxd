# Resilience4j's ThreadPoolBulkhead on a link: a java.util.concurrent.ThreadPoolExecutor with core
# and max threads, a bounded queue (the link's bulkhead line) and keep-alive for threads beyond
# the core. Busy threads are the link's l_bh_inuse, so the bulkhead gauges read the same.
#
# Idle spells are numbered (tickets): an idle thread takes the next task in the order it went
# idle (the queue's waiting takers are served first come, first served), so the idle threads are
# always the tickets l_tp_served+1 .. l_tp_idled, and a keep-alive that fires for a ticket still
# among them is the longest-idle thread's.
from libc.stdint cimport int64_t

from engine._codes cimport *
from engine._state cimport Sim
from engine._eventlog cimport _log
from engine._heap cimport _push
from engine._pools cimport _node_live, _node_free


cdef inline int _tp_execute(Sim* s, int link) noexcept nogil:
    """ThreadPoolExecutor.execute for a call on ``link``: 1 it runs now on a thread, 0 it waits in
    the queue, -1 it is rejected (BulkheadFullException)."""
    cdef int64_t core = s.pol[link].core_thread_pool_size
    if s.l_tp_threads[link] < core:
        # 1. fewer than core threads: a new one, even while others are idle
        s.l_tp_threads[link] += 1
        s.l_bh_inuse[link] += 1
        return 1
    if s.l_tp_threads[link] > s.l_bh_inuse[link]:
        # 2. offered to the queue, where an idle thread is waiting for it (also with capacity 0)
        s.l_tp_served[link] += 1
        s.l_bh_inuse[link] += 1
        return 1
    if s.l_tp_queued[link] < s.pol[link].thread_pool_bulkhead_queue_capacity:
        # 2. no idle thread: it waits in the queue
        s.l_tp_queued[link] += 1
        return 0
    if s.l_tp_threads[link] < s.pol[link].max_thread_pool_size:
        # 3. the queue is full: one more thread, up to the maximum
        s.l_tp_threads[link] += 1
        s.l_bh_inuse[link] += 1
        if s.l_tp_threads[link] == core + 1:
            _log(s, LG_TP_GREW, s.lh[link].src, link, -1, -1, s.l_tp_queued[link], 0)
        return 1
    return -1   # 4. the queue is full and so are the threads


cdef inline int _tp_next(Sim* s, int link) noexcept nogil:
    """A thread of ``link``'s pool finished its call: the next call it takes from the queue (it
    stays busy), or -1 when the queue is empty and it goes idle. A call that gave up while queued
    (its timeout) still holds its place until a thread reaches it, as a cancelled task does."""
    cdef int node, k
    cdef bint live
    while s.l_tp_queued[link] > 0 and s.l_bh_head[link] >= 0:
        node = <int>s.l_bh_head[link]
        s.l_bh_head[link] = s.wn_next[node]
        if s.l_bh_head[link] < 0:
            s.l_bh_tail[link] = -1
        s.l_tp_queued[link] -= 1
        k = s.wn_call[node]
        live = _node_live(s, node) and s.calls[k].state == CS_BH_WAIT
        _node_free(s, node)
        if live:
            return k
    s.l_bh_inuse[link] -= 1
    s.l_tp_idled[link] += 1
    if s.l_tp_threads[link] > s.pol[link].core_thread_pool_size:
        # ThreadPoolExecutor.getTask: beyond the core, an idle thread polls for keepAliveTime only
        _push(s, s.now + s.pol[link].keep_alive_duration, EV_TP_KEEPALIVE, link, <int>s.l_tp_idled[link], 0, 0, 0)
    return -1


cdef inline void _tp_keep_alive(Sim* s, int link, int ticket) noexcept nogil:
    """The keep-alive of idle spell ``ticket`` ran out: if that thread is still idle and the pool is
    still beyond its core, it retires."""
    if <int>s.l_tp_served[link] >= ticket or s.l_tp_threads[link] <= s.pol[link].core_thread_pool_size:
        return
    s.l_tp_served[link] += 1
    s.l_tp_threads[link] -= 1
    if s.l_tp_threads[link] == s.pol[link].core_thread_pool_size:
        _log(s, LG_TP_SHRANK, s.lh[link].src, link, -1, -1, s.l_tp_queued[link], 0)
