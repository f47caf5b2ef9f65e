# A bare event queue (engine/_heap.pxd) driven from Python, so its tests can check its order
# without a design. Included into engine/_core.pyx.


def event_queue_trace(ops, int capacity=4, list slots=None):
    """Drive a bare event queue (engine/_heap.pxd) through ``ops`` and return what it pops.

    Each op is ``("push", t_ns, edge)``, ``("lane", t_ns, ring)`` (a push that offers its key
    to a ring of constant delays first) or ``("pop",)``; a pop moves the clock to the event's
    time, as the loop does, so pushes at that time take the zero-delay line. Returns
    ``(t_ns, push index)`` for every pop; a popped body that is not the one pushed (each of
    its fields is drawn from the push index) is an error. ``capacity`` (a power of two) starts small so that
    the queue grows while its line wraps round. ``slots``, when given, receives the pool's
    slot each push into the heap took, in push order.
    """
    cdef Sim s
    cdef Event ev
    cdef int64_t t
    cdef int n = 0
    cdef int64_t heap_n
    cdef EventBody* body
    if capacity < 1 or capacity & (capacity - 1):
        raise ValueError(f"capacity must be a power of two (got {capacity})")
    memset(&s, 0, sizeof(Sim))
    memset(&ev, 0, sizeof(Event))   # _pop always fills it; the compiler cannot see that and warned
    s.n_lanes = N_LANES
    out = []
    try:
        if not _events_init(&s, capacity):
            raise MemoryError("not enough memory for an event queue")
        for op in ops:
            if op[0] == "push" or op[0] == "lane":
                t = op[1]
                if t < s.now_ns:
                    raise ValueError(f"op {n}: an event at {t} ns is before the clock ({s.now_ns} ns)")
                if op[0] == "lane" and not 0 <= op[2] < N_LANES:
                    raise ValueError(f"op {n}: no ring {op[2]} (there are {N_LANES})")
                heap_n = s.heap_n
                # what _push_at does, keeping the record it fills to tell its slot
                body = _push_key(&s, t, op[0] == "push" and op[2], op[2] if op[0] == "lane" else -1)
                if body == NULL:
                    raise MemoryError("the event queue could not grow")
                _fill(body, EV_ARRIVAL, n, ~n, 3 * n, n ^ 0x5a5a, -7 * n)
                if slots is not None and s.heap_n > heap_n:
                    slots.append(body - s.ev_pool)
            elif op[0] == "pop":
                if _events_pending(&s) == 0:
                    raise ValueError(f"op {n}: pop from an empty queue")
                _pop(&s, _never_ns(), &ev)
                if (ev.type != EV_ARRIVAL or ev.b != ~ev.a or ev.c != 3 * ev.a or ev.d != ev.a ^ 0x5a5a
                        or ev.e != -7 * ev.a):
                    raise ValueError(f"op {n}: the body popped is not the one push {ev.a} gave")
                s.now_ns = ev.t
                out.append((ev.t, ev.a))
            else:
                raise ValueError(f"op {n}: unknown operation {op[0]!r} (expected 'push', 'lane' or 'pop')")
            n += 1
    finally:
        _events_free(&s)
    return out
