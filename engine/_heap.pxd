# The event queue: a 4-ary heap of Events ordered by (time, insertion order).
from libc.stdint cimport int64_t
from libc.stdlib cimport realloc

from engine._codes cimport *
from engine._state cimport Sim
from engine._structs cimport Event
from engine._pools cimport _may_grow


cdef inline bint _before(Sim* s, Event* x, Event* y) noexcept nogil:
    return x.t < y.t or (x.t == y.t and x.seq < y.seq)


cdef inline void _push(Sim* s, double t, int type, int a, int b, int c, int d, int e) noexcept nogil:
    cdef Event* grown
    cdef int64_t i, p
    cdef Event ev
    if s.heap_n == s.heap_cap:
        if not _may_grow(s, s.heap_cap, s.heap_cap * sizeof(Event)):
            return
        grown = <Event*> realloc(s.heap, 2 * s.heap_cap * sizeof(Event))
        if grown == NULL:
            s.out_of_memory = 1
            return
        s.heap = grown
        s.heap_cap *= 2
    ev.t = t
    ev.seq = s.seq
    s.seq += 1
    ev.type = type
    ev.a = a
    ev.b = b
    ev.c = c
    ev.d = d
    ev.e = e
    i = s.heap_n
    s.heap_n += 1
    while i > 0:
        p = (i - 1) >> 2
        if _before(s, &ev, &s.heap[p]):
            s.heap[i] = s.heap[p]
            i = p
        else:
            break
    s.heap[i] = ev


cdef inline Event _pop(Sim* s) noexcept nogil:
    cdef Event top = s.heap[0]
    cdef Event last
    cdef int64_t i = 0, child, best, end, n
    s.heap_n -= 1
    n = s.heap_n
    if n > 0:
        last = s.heap[n]
        while True:
            child = 4 * i + 1
            if child >= n:
                break
            best = child
            end = child + 4 if child + 4 < n else n
            child += 1
            while child < end:
                if _before(s, &s.heap[child], &s.heap[best]):
                    best = child
                child += 1
            if _before(s, &s.heap[best], &last):
                s.heap[i] = s.heap[best]
                i = best
            else:
                break
        s.heap[i] = last
    return top
