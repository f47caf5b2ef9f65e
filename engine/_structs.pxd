# Typedefs shared by the engine's Cython modules: the records the event loop
# keeps in pooled C arrays. No Python object lives in any of them.
from libc.stdint cimport uint64_t, int64_t, int32_t, int8_t

cdef struct Event:
    int64_t t            # nanoseconds (engine/_clock.pxd)
    int32_t type
    int32_t a
    int32_t b
    int32_t c
    int32_t d
    int32_t e

cdef struct EventBody:
    # What an event carries, kept in the queue's pool while it is pending (engine/_heap.pxd).
    int32_t type
    int32_t a
    int32_t b
    int32_t c
    int32_t d
    int32_t e

cdef struct EventKey:
    # What the heap moves: the order of an event and where its record lies in the pool.
    int64_t t            # nanoseconds
    int64_t seq
    int32_t slot

cdef struct LaneEvent:
    # A place in a ring of constant delays (engine/_heap.pxd): the event's order and, as
    # nothing in a ring moves, its body too, so that its push and pop stream through the ring.
    int64_t t            # nanoseconds
    int64_t seq
    EventBody body

cdef struct Job:
    # One unit of work at a component: an attempt that arrived, or a client request. One
    # cache line (the pool starts on one, engine/_pools.pxd): at a thousand components each
    # step finds its job cold, and this line holds all that a job's end and the answer to
    # its calls read; its flags are bytes so that they fit. Its deadline and queue time,
    # which only its calls and its queue read, are its JobTimes.
    int32_t comp
    int32_t inst
    int32_t gen          # bumped when the record is freed; stale events compare it
    int32_t reply_call   # the caller's call record, -1 for client requests and consumed queue items
    int32_t reply_gen
    int32_t reply_seq
    int32_t reply_link
    int32_t cursor       # next outgoing link (sequential fan-out)
    int32_t rep          # calls already made over the current link
    int32_t pending      # child calls not yet answered
    int32_t next_q       # FIFO link in the instance queue
    int32_t user         # closed-loop user that sent it, -1 otherwise
    int8_t state
    int8_t fail          # outcome to answer with once the children are done, -1 if none
    int8_t cancelled
    int8_t skip_calls
    int8_t holds_worker
    int8_t degraded      # a dependency answered with a fallback: the answer is degraded
    int8_t async_state   # AsyncState: a non-blocking component's request between its worker turns
    double t_arrive

cdef struct JobTimes:
    # the rest of job j, at job_times[j] (four to a line)
    double deadline      # when its caller's deadline passes (inf: none); its own calls inherit it
    double t_service     # when it joined the instance queue, then when a worker took it

cdef struct Call:
    # One logical call from a job over a link, with its retry state. Two cache lines (the
    # pool starts on one): the first holds all that its arrival at the callee and its
    # answer read, the second what its retries, breaker, bulkhead and hedged copies add.
    int32_t job
    int32_t job_gen
    int32_t link
    int32_t gen
    int32_t state
    int32_t seq          # distinguishes attempts: late answers of old attempts are ignored
    int32_t callee_job
    int32_t callee_gen
    int32_t inst         # the instance the current attempt went to, -1 if it reached none
    int32_t parent       # hedging: the call this is a copy of, -1 for a call of a job
    int32_t retrying     # counted in the Envoy budget's active retries
    int32_t next_wait    # FIFO link in the bulkhead's waiting line
    double t_start
    double deadline      # the call's deadline (inf: none), sent on with every attempt
    int32_t attempt      # attempts made so far (1 after the first)
    int32_t holds_bulkhead
    int32_t cb_permit    # this attempt passed the breaker and will be recorded
    int32_t spare        # unused: keeps the record two whole lines
    int32_t copies       # hedging, on the parent: copies sent, and (below) still out
    int32_t out
    int32_t kids[5]      # hedging, on the parent: its copies (gRPC caps attempts at 5)
    double t_attempt
    double prev_sleep    # decorrelated jitter remembers its last sleep

cdef struct ZigLayer:
    # a layer of the exponential's ziggurat (engine/_random.pxd, _expo): a draw of 53 bits
    # below k is inside the layer's rectangle, and times w is the variate
    uint64_t k
    double w


cdef struct Rng:
    uint64_t s0
    uint64_t s1
    uint64_t s2
    uint64_t s3
