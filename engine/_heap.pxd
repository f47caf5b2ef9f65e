# The event queue. Events pop in (time in nanoseconds, seq): `seq` is the insertion order,
# except that edges (_push_edge: bucket ends, the end of the warm-up, faults starting or
# ending) come before every ordinary event of their instant. Every tie is broken, so a run
# is the same whatever structure holds its pending events.
#
# An event's body (24 bytes) is written once into a pool slot and never moves; the heap,
# a 4-ary one (half the levels of a binary heap, and a node's four children share cache
# lines), moves only its key (time, seq, slot).
#
# Pushes take the pool's slots in address order, from a cursor that goes round its first
# slots (its span), passing over those still taken (type SLOT_FREE marks the free ones). A
# burst of pushes (a thousand calls arriving together, each starting a service) so fills
# whole cache lines, where a stack of free slots handed back those the last pops freed, in
# the order they popped: one line a body at a thousand components. The span doubles when
# the cursor finds a slot taken and the heap's events fill half of it or more, so
# a design with few pending events keeps to a few lines, and the cursor, which passes over
# a slot only while half the span is free, passes over at most one a push on the average.
# The slot is not part of the order (keys are unique by time and seq), so where a body lies
# changes no result.
#
# A key taken from the top leaves a hole there (slot -1), filled only when the heap is next
# read or pushed to. An event that pushes the next one (an arrival the next arrival, a
# worker's end the next start) so drops its key into the hole and sifts it down once, where
# a pop and a push would sift twice. Keys are unique, so the heap yields the same order
# whatever its layout.
#
# Events due at the current instant (a zero-delay hop: a link without latency, an answer
# refused on the spot) skip the heap and the pool: their bodies join a FIFO line, `now_q`, in
# push order. Every ordinary event pushed during an instant for that instant joins the line,
# and the line is empty when the clock moves on, so an event of the heap or a ring due now
# was pushed before the line's (a smaller seq) or is an edge: the line's head is next exactly
# when nothing there is due now. The order is the one the heap alone gives, and the line
# keeps no time or seq of its own.
#
# Events a constant delay ahead (a link's constant latency), pushed at now + d, have times
# that never go back, so a ring per delay (`lane_q`) stays sorted by (t, seq). An event joins
# its ring only when it is not before the ring's last one, and goes to the heap otherwise (a
# fault's extra latency, a full ring), so the rings are a hint that never changes the order:
# the next event is the least of the heap's top and the rings' heads, or the line's head.
# Nothing in a ring moves, so a ring holds its events' bodies too (no pool slot): a push
# writes the ring's next place and a pop reads its head, both where the last ones were,
# where a body in the pool lay wherever a free slot was, long out of the cache at a
# thousand components.
from libc.stdint cimport int64_t, int32_t, INT64_MAX
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memcpy

from engine._codes cimport *
from engine._state cimport Sim, N_LANES, LANE_CAP
from engine._structs cimport Event, EventBody, EventKey, LaneEvent
from engine._pools cimport _may_grow
from engine._clock cimport _ns, _never_ns

cdef enum:
    FROM_HEAP = -1
    FROM_NONE = -2      # nothing pending in the heap or the rings
    SLOT_FREE = -1      # the type of a body no pending event holds
    FIRST_SPAN = 32     # slots the cursor goes round at first (a few cache lines)

cdef extern from *:
    """
    #if defined(_MSC_VER)
    #define FAULTLINE_NOINLINE_CALL __declspec(noinline)
    #else
    #define FAULTLINE_NOINLINE_CALL __attribute__((noinline))
    #endif
    /* Calls f(s) from a function the compiler may not inline: what f does then stays out
       of its caller's code and registers. */
    typedef int (*faultline_step)(void*);
    static FAULTLINE_NOINLINE_CALL int faultline_out_of_line(faultline_step f, void* s) { return f(s); }
    /* Whether (xt, xs) comes before (yt, ys), for sequence numbers that are never negative:
       one comparison of 128-bit numbers (on x86-64 a compare and a subtract with borrow)
       where comparing the times, then the sequence numbers, takes three. */
    static inline int faultline_keys_before(int64_t xt, int64_t xs, int64_t yt, int64_t ys) {
    #if defined(__SIZEOF_INT128__)
        return ((((__int128)xt) << 64) | (uint64_t)xs) < ((((__int128)yt) << 64) | (uint64_t)ys);
    #else
        return (xt < yt) | ((xt == yt) & (xs < ys));
    #endif
    }
    """
    ctypedef int (*_step)(void* s) noexcept nogil
    bint _keys_before "faultline_keys_before"(int64_t xt, int64_t xs, int64_t yt, int64_t ys) noexcept nogil
    int _out_of_line "faultline_out_of_line"(_step f, void* s) noexcept nogil


# What one pending event costs: its record in the line, two slots of the pool (which keeps
# half its span free) and its key in the heap (the rings, of a fixed size, are not counted).
cdef inline int64_t _event_slot_bytes() noexcept nogil:
    return 3 * sizeof(EventBody) + sizeof(EventKey)


cdef inline bint _before(EventKey* x, EventKey* y) noexcept nogil:
    return _earlier(x.t, x.seq, y.t, y.seq)


cdef inline bint _earlier(int64_t xt, int64_t xs, int64_t yt, int64_t ys) noexcept nogil:
    # where a branch follows: comparing the times first and the seqs only on a tie (rare) is
    # cheaper there than building two 128-bit numbers (M/M/4 paid 32 instructions a request)
    return xt < yt or (xt == yt and xs < ys)


cdef inline bint _before_flat(EventKey* x, EventKey* y) noexcept nogil:
    # the same order without a branch, for the four-way tournament that selects on it
    return _keys_before(x.t, x.seq, y.t, y.seq)


cdef inline int64_t _least_of_four(EventKey* h, int64_t c) noexcept nogil:
    cdef int64_t a = c + _before_flat(&h[c + 1], &h[c])
    cdef int64_t b = c + 2 + _before_flat(&h[c + 3], &h[c + 2])
    cdef int64_t take_b = -<int64_t>_before_flat(&h[b], &h[a])
    return a ^ ((a ^ b) & take_b)


cdef inline int _events_init(Sim* s, int64_t cap) noexcept nogil:
    """Allocate the queue for ``cap`` events (a power of two); 0 when memory ran out."""
    cdef int64_t i
    s.heap_cap = cap
    s.heap_n = 0
    s.now_head = 0
    s.now_n = 0
    s.lanes_n = 0
    for i in range(N_LANES):
        s.lane_head[i] = 0
        s.lane_n[i] = 0
    s.heap = <EventKey*> malloc(cap * sizeof(EventKey))
    s.now_q = <EventBody*> malloc(cap * sizeof(EventBody))
    # only the rings in use (s.n_lanes, set before): a design without constant latencies has none
    s.lane_q = <LaneEvent*> malloc(s.n_lanes * LANE_CAP * sizeof(LaneEvent)) if s.n_lanes > 0 else NULL
    s.ev_pool = <EventBody*> malloc(2 * cap * sizeof(EventBody))
    if s.heap == NULL or s.now_q == NULL or (s.n_lanes > 0 and s.lane_q == NULL) or s.ev_pool == NULL:
        return 0
    for i in range(2 * cap):
        s.ev_pool[i].type = SLOT_FREE
    s.ev_next = 0
    s.ev_span_mask = min(FIRST_SPAN, 2 * cap) - 1
    return 1


cdef inline void _events_free(Sim* s) noexcept nogil:
    free(s.heap)
    free(s.now_q)
    free(s.lane_q)
    free(s.ev_pool)
    s.heap = NULL
    s.now_q = NULL
    s.lane_q = NULL
    s.ev_pool = NULL


cdef inline int _events_grow_step(void* s) noexcept nogil:
    return _events_grow(<Sim*>s)


cdef inline bint _events_grow(Sim* s) noexcept nogil:
    """Double every array of the queue; on failure the run halts (budget) or is out of memory."""
    cdef int64_t cap = s.heap_cap, i, wrapped
    cdef void* p
    if not _may_grow(s, cap, cap * _event_slot_bytes()):
        return 0
    p = realloc(s.heap, 2 * cap * sizeof(EventKey))
    if p == NULL:
        s.stops.why.out_of_memory = 1
        return 0
    s.heap = <EventKey*> p
    p = realloc(s.ev_pool, 4 * cap * sizeof(EventBody))
    if p == NULL:
        s.stops.why.out_of_memory = 1
        return 0
    s.ev_pool = <EventBody*> p
    for i in range(2 * cap, 4 * cap):
        s.ev_pool[i].type = SLOT_FREE
    p = realloc(s.now_q, 2 * cap * sizeof(EventBody))
    if p == NULL:
        s.stops.why.out_of_memory = 1
        return 0
    s.now_q = <EventBody*> p
    # the part of the ring that wrapped round to the start moves to just after its end
    wrapped = s.now_head + s.now_n - cap
    if wrapped > 0:
        memcpy(&s.now_q[cap], &s.now_q[0], wrapped * sizeof(EventBody))
    s.heap_cap = 2 * cap
    return 1


cdef inline int64_t _events_pending(Sim* s) noexcept nogil:
    return s.heap_n + s.now_n + s.lanes_n


cdef inline LaneEvent* _lane_head(Sim* s, int lane) noexcept nogil:
    return &s.lane_q[lane * LANE_CAP + s.lane_head[lane]]


cdef inline int64_t _peek(Sim* s, int* source) noexcept nogil:
    """When the next event of the heap and the rings is due, and where it is: FROM_HEAP or
    the number of its ring; when they hold none, FROM_NONE and a time after every event's
    ("never" included), so that no bound lets it pop. The line's head comes first when this
    one is not due now (_line_first)."""
    cdef int64_t t = INT64_MAX, seq = 0
    cdef LaneEvent* head
    cdef int i
    source[0] = FROM_NONE
    if s.heap_n > 0:
        if s.heap[0].slot < 0:
            _fill_hole(s)
        t = s.heap[0].t
        seq = s.heap[0].seq
        source[0] = FROM_HEAP
    if s.lanes_n > 0:
        for i in range(s.n_lanes):
            if s.lane_n[i] > 0:
                head = _lane_head(s, i)
                if source[0] == FROM_NONE or _earlier(head.t, head.seq, t, seq):
                    t = head.t
                    seq = head.seq
                    source[0] = i
    return t


cdef inline bint _line_first(Sim* s, int64_t t) noexcept nogil:
    """Whether the line's head comes before the next of the heap and the rings, due at ``t``."""
    return s.now_n > 0 and t > s.now_ns


cdef inline int64_t _next_time(Sim* s) noexcept nogil:
    """When the next event is due, in nanoseconds ("never" when none is pending)."""
    cdef int source
    cdef int64_t t = _peek(s, &source)
    if _line_first(s, t):
        return s.now_ns
    return _never_ns() if source == FROM_NONE else t


cdef inline void _push(Sim* s, double t, int type, int a, int b, int c, int d, int e) noexcept nogil:
    """Schedule an event at ``t`` seconds, rounded to the nanosecond."""
    _fill(_push_key(s, _ns(t), 0, -1), type, a, b, c, d, e)


cdef inline void _push_lane(Sim* s, int lane, double t, int type, int a, int b, int c, int d, int e) noexcept nogil:
    """Schedule an event at ``t`` seconds, now plus the constant delay of ring ``lane`` (-1: none)."""
    _fill(_push_key(s, _ns(t), 0, lane), type, a, b, c, d, e)


cdef inline void _push_edge(Sim* s, int64_t t, int type, int a, int b, int c, int d, int e) noexcept nogil:
    """Schedule an event that opens an interval of time (a bucket, the measured window, a
    fault's start or end) at ``t`` nanoseconds: it pops before every ordinary event of the
    same instant, so intervals are half-open, [start, end), whatever the order of pushes."""
    _fill(_push_key(s, t, 1, -1), type, a, b, c, d, e)


cdef inline void _push_ns(Sim* s, int64_t t, bint edge, int type, int a, int b, int c, int d, int e) noexcept nogil:
    _fill(_push_key(s, t, edge, -1), type, a, b, c, d, e)


cdef inline void _push_at(Sim* s, int64_t t, bint edge, int lane, int type, int a, int b, int c, int d, int e) noexcept nogil:
    _fill(_push_key(s, t, edge, lane), type, a, b, c, d, e)


cdef inline void _fill(EventBody* ev, int type, int a, int b, int c, int d, int e) noexcept nogil:
    # written by the caller, in place: the queue's own step then takes four arguments, not ten
    if ev != NULL:
        ev.type = type
        ev.a = a
        ev.b = b
        ev.c = c
        ev.d = d
        ev.e = e


cdef inline bint _room_for_one(Sim* s) noexcept nogil:
    """Whether one more event fits in the heap and the line (the rings' events use neither),
    the arrays grown if they were full; 0 when no memory was left."""
    if s.heap_n + s.now_n == s.heap_cap:
        # rare: out of line, so that the push keeps its few registers (and can be inlined)
        return _out_of_line(_events_grow_step, s)
    return 1


cdef inline EventBody* _push_key(Sim* s, int64_t t, bint edge, int lane) noexcept nogil:
    """Order an event due at ``t`` ns and return its record to fill (NULL: no memory left)."""
    cdef EventBody* body
    if not _room_for_one(s):
        return NULL
    if t == s.now_ns and not edge:
        # small enough to be inlined where the event is pushed, its body filled in place
        s.seq += 1
        body = &s.now_q[(s.now_head + s.now_n) & (s.heap_cap - 1)]
        s.now_n += 1
        return body
    return _push_later(s, t, edge, lane)


cdef inline bint _push_head(Sim* s) noexcept nogil:
    """_push_key of an ordinary event due now while the line is empty, its body left unwritten:
    the line's head, now_q[now_head], for the step that pushed it to write, or to take off the
    line and run at once (engine/_plain.pxi, _hop_now). 0 when no memory was left."""
    if not _room_for_one(s):
        return 0
    s.seq += 1
    s.now_n = 1
    return 1


cdef inline EventBody* _push_later(Sim* s, int64_t t, bint edge, int lane) noexcept nogil:
    """_push_key of an event due after now, or of an edge: into its ring or the heap."""
    cdef int64_t i, p, n
    cdef int32_t slot
    cdef EventKey key
    cdef LaneEvent* place
    key.t = t
    # edges take sequence numbers below every ordinary one, still in push order among them,
    # and none is negative (_keys_before)
    key.seq = s.seq if edge else s.seq + (<int64_t>1 << 62)
    s.seq += 1
    if lane >= 0:
        n = s.lane_n[lane]
        if n == 0:
            # an empty ring starts again from its first place: a ring that drains often then
            # keeps to the few lines it just used, not the whole of its length
            s.lane_head[lane] = 0
        if n == 0 or (n < LANE_CAP and
                      s.lane_q[lane * LANE_CAP + ((s.lane_head[lane] + n - 1) & (LANE_CAP - 1))].t <= t):
            place = &s.lane_q[lane * LANE_CAP + ((s.lane_head[lane] + n) & (LANE_CAP - 1))]
            place.t = t
            place.seq = key.seq
            s.lane_n[lane] = n + 1
            s.lanes_n += 1
            return &place.body
    slot = <int32_t>s.ev_next
    if s.ev_pool[slot].type != SLOT_FREE:
        slot = _slot_free_after(s, slot)
    s.ev_next = (slot + 1) & s.ev_span_mask
    key.slot = slot
    i = s.heap_n
    s.heap_n += 1
    if i > 0 and s.heap[0].slot < 0:
        _sift_down(s, key, i + 1)
        return &s.ev_pool[slot]
    while i > 0:
        p = (i - 1) >> 2
        if _before(&key, &s.heap[p]):
            s.heap[i] = s.heap[p]
            i = p
        else:
            break
    s.heap[i] = key
    return &s.ev_pool[slot]


cdef inline int32_t _slot_free_after(Sim* s, int32_t slot) noexcept nogil:
    """The first free slot from ``slot`` on, round the span, which first doubles if the
    heap's events would fill half of it: it stays in the pool, as it only doubles while
    narrower than twice heap_cap (the heap holds fewer events than that)."""
    if 2 * s.heap_n >= s.ev_span_mask + 1:
        s.ev_span_mask = 2 * s.ev_span_mask + 1
    while s.ev_pool[slot].type != SLOT_FREE:
        slot = (slot + 1) & s.ev_span_mask
    return slot


cdef inline void _fill_hole(Sim* s) noexcept nogil:
    """Close the hole a pop left on top: the last key sifts down from there."""
    _sift_down(s, s.heap[s.heap_n], s.heap_n)


cdef inline void _sift_down(Sim* s, EventKey last, int64_t n) noexcept nogil:
    """Place ``last`` in the hole at the top of a heap of ``n`` places (the hole's included)."""
    cdef int64_t i = 0, child, best, end
    if n == 0:
        return
    while True:
        child = 4 * i + 1
        if child >= n:
            break
        best = child
        if child + 3 < n:
            # all four children: a tournament of selects, not branches, whose outcome a
            # large heap makes unpredictable; keys are unique, so the least is the same
            best = _least_of_four(s.heap, child)
        else:
            end = n
            child += 1
            while child < end:
                if _before(&s.heap[child], &s.heap[best]):
                    best = child
                child += 1
        if _before(&s.heap[best], &last):
            s.heap[i] = s.heap[best]
            i = best
        else:
            break
    s.heap[i] = last


cdef inline bint _pop(Sim* s, int64_t until, Event* out) noexcept nogil:
    """Take the next event into ``out`` and free its slot, unless none is pending or the next
    is due after ``until`` (nanoseconds): then return 0 and leave the queue as it was."""
    cdef int source
    cdef int64_t t = _peek(s, &source)
    cdef int32_t slot
    cdef EventBody* body
    if _line_first(s, t):
        if s.now_ns > until:
            return 0
        out.t = s.now_ns
        body = &s.now_q[s.now_head]
        s.now_head = (s.now_head + 1) & (s.heap_cap - 1)
        s.now_n -= 1
    else:
        if t > until:
            return 0
        out.t = t
        if source == FROM_HEAP:
            slot = s.heap[0].slot
            s.heap_n -= 1
            s.heap[0].slot = -1
            body = &s.ev_pool[slot]
        else:
            body = &_lane_head(s, source).body
            s.lane_head[source] = (s.lane_head[source] + 1) & (LANE_CAP - 1)
            s.lane_n[source] -= 1
            s.lanes_n -= 1
    # the body is read before any push, then marked free: a slot of the pool for the cursor to
    # take again (a place of the line or a ring is rewritten whatever its mark)
    out.type = body.type
    out.a = body.a
    out.b = body.b
    out.c = body.c
    out.d = body.d
    out.e = body.e
    body.type = SLOT_FREE
    return 1
