# The codes the compiler writes into the tables and the core dispatches on, defined once.
#
# A ``cpdef enum`` is a C enum to every Cython module that cimports it and an IntEnum of
# ``engine._codes`` to Python, so engine.compile lowers a design with the very numbers the
# core compares against. Members named after the model's vocabulary (``K_`` + the
# component kind, ``D_`` + the distribution kind, ...) let the compiler look a code up by
# the model's word; tests/engine/test_codes.py checks that every word has one.

# ---------------------------------------------------------------- written by the compiler
cpdef enum Kind:
    K_CLIENT = 0
    K_LOAD_BALANCER = 1
    K_SERVICE = 2
    K_DATABASE = 3
    K_CACHE = 4
    K_QUEUE = 5
    K_EXTERNAL = 6

cpdef enum Dist:
    D_CONSTANT = 0
    D_EXPONENTIAL = 1
    D_UNIFORM = 2
    D_NORMAL = 3
    D_LOGNORMAL = 4
    D_EMPIRICAL = 5

cpdef enum Strategy:
    LB_ROUND_ROBIN = 0
    LB_RANDOM = 1
    LB_LEAST_OUTSTANDING = 2
    LB_POWER_OF_TWO = 3

cpdef enum Discipline:
    QD_FIFO = 0
    QD_LIFO = 1
    QD_ADAPTIVE_LIFO = 2
    QD_CODEL = 3

# How a component's worker waits on its dependency calls (engine/_async.pxd).
cpdef enum CallMode:
    CM_BLOCKING = 0
    CM_NON_BLOCKING = 1
cpdef enum FanOut:
    FO_SEQUENTIAL = 0
    FO_PARALLEL = 1

cpdef enum Arrival:
    AR_POISSON = 0
    AR_CONSTANT = 1
    AR_CLOSED = 2

cpdef enum Backoff:
    BO_FIXED = 0
    BO_EXPONENTIAL = 1

cpdef enum Jitter:
    J_NONE = 0
    J_FULL = 1
    J_EQUAL = 2
    J_DECORRELATED = 3
    J_RANDOMIZED = 4

cpdef enum Budget:
    BUD_NONE = 0
    BUD_GRPC_THROTTLING = 1
    BUD_ENVOY_BUDGET = 2

cpdef enum Window:
    W_COUNT_BASED = 0
    W_TIME_BASED = 1

cpdef enum FaultKind:
    F_CRASH = 0
    F_LATENCY = 1
    F_EXHAUSTION = 2
    F_ERROR = 3
    F_PARTITION = 4
    F_RANDOM_FAILURES = 5
    F_ZONE_OUTAGE = 6

# How a crashed instance or a partitioned link fails its callers.
cpdef enum DownMode:
    M_REFUSE = 0
    M_HANG = 1

cpdef enum Resource:
    R_CPU = 0
    R_POOL = 1
    R_MEMORY_LEAK = 2

# A bit mask: a latency fault on both directions delays requests and responses.
cpdef enum Direction:
    DIR_REQUEST = 1
    DIR_RESPONSE = 2
    DIR_BOTH = 3

cpdef enum FaultAction:
    FA_START = 0
    FA_END = 1

# The numbers of engine.model.Outcome, which results and saved runs index by.
cpdef enum Outcome:
    O_OK = 0
    O_ERROR = 1
    O_TIMEOUT = 2
    O_REJECTED = 3
    O_SHORT_CIRCUITED = 4
    O_UNAVAILABLE = 5
    O_FALLBACK = 6

cpdef enum BreakerState:
    CB_CLOSED = 0
    CB_OPEN = 1
    CB_HALF_OPEN = 2

# Why the loop halted before the end of the run (``Core.halt_reason``).
cpdef enum Halt:
    HALT_NONE = 0
    HALT_POOL_BUDGET = 1     # requests, calls or events in flight outgrew the pool limit
    HALT_STALLED = 2         # too many events without the clock advancing

# ---------------------------------------------------------------- the core's own
cdef enum:
    N_OUT = 7
    UNLIMITED = 2147483647

cdef enum EventType:
    EV_ARRIVAL = 0
    EV_CALL_ARRIVE = 1
    EV_SERVICE_DONE = 2
    EV_RESPONSE = 3
    EV_TIMEOUT = 4
    EV_RETRY = 5
    EV_BH_EXPIRE = 6
    EV_FALLBACK_DONE = 7
    EV_RL_GRANT = 8
    EV_RL_REJECT = 9
    EV_BUCKET = 10
    EV_FAULT = 11
    EV_RESTART = 12
    EV_RANDOM_FAIL = 13
    EV_RANDOM_REPAIR = 14
    EV_OOM = 15
    EV_CB_TIMER = 16
    EV_THINK_DONE = 17
    EV_WARMUP = 18
    # calls: deadlines and hedging (engine/_deadlines.pxd, engine/_hedging.pxd)
    EV_DEADLINE = 19
    EV_HEDGE = 20
    # thread-pool bulkheads (engine/_threadpool.pxd)
    EV_TP_KEEPALIVE = 21
    # outlier detection and autoscaling (engine/_ejection.pxd, engine/_autoscale.pxd)
    EV_OUTLIER_SWEEP = 22
    EV_AUTOSCALE = 23
    EV_INSTANCE_READY = 24
    # a request's events between a plain client and a plain service (engine/_plain.pxi): each
    # is told apart when it is pushed, where the component is at hand, so that the dispatch
    # need not load the component's `c_plain` to choose the fused step
    EV_PLAIN_ARRIVAL = 25
    EV_PLAIN_CALL_ARRIVE = 26
    EV_PLAIN_SERVICE_DONE = 27
    EV_PLAIN_ANSWER = 28

# Why outlier detection ejected an instance (Envoy's OutlierEjectionType).
cdef enum OutlierType:
    OD_CONSECUTIVE_5XX = 0
    OD_CONSECUTIVE_GATEWAY_FAILURE = 1
    OD_SUCCESS_RATE = 2
    OD_FAILURE_PERCENTAGE = 3

cdef enum JobState:
    JS_FREE = 0
    JS_QUEUED = 1
    JS_SERVICE = 2
    JS_WAITING = 3
    JS_RL_WAIT = 4
# A job of a non-blocking component: waiting on its calls without a worker, or queued for
# (or holding) a worker again to run its continuation (engine/_async.pxd).
cdef enum AsyncState:
    AS_NONE = 0
    AS_WAITING = 1
    AS_CONTINUATION = 2

cdef enum CallState:
    CS_FREE = 0
    CS_BH_WAIT = 1
    CS_IN_FLIGHT = 2
    CS_BACKOFF = 3
    CS_FALLBACK = 4
    CS_HEDGING = 5       # a hedged call waiting on its copies (engine/_hedging.pxd)

# Which timer of a breaker fired (EV_CB_TIMER).
cdef enum BreakerTimer:
    CBT_OPEN_WAIT = 1
    CBT_HALF_OPEN_WAIT = 2

# Which rate a breaker reports.
cdef enum BreakerRate:
    RATE_FAILURE = 0
    RATE_SLOW = 1

# Event-log kinds; LOG_KIND_NAMES in engine._core names them in this order.
cdef enum LogKind:
    LG_FAULT_STARTED = 0
    LG_FAULT_ENDED = 1
    LG_INSTANCE_CRASHED = 2
    LG_INSTANCE_RESTARTED = 3
    LG_OOM_KILLED = 4
    LG_BREAKER_OPENED = 5
    LG_BREAKER_HALF_OPEN = 6
    LG_BREAKER_CLOSED = 7
    LG_BULKHEAD_SATURATED = 8
    LG_BULKHEAD_RECOVERED = 9
    LG_RETRIES_EXHAUSTED = 10
    LG_BUDGET_EXHAUSTED = 11
    LG_BUDGET_RESTORED = 12
    LG_RATE_LIMITING_BEGAN = 13
    LG_RATE_LIMITING_ENDED = 14
    LG_SHEDDING_BEGAN = 15
    LG_SHEDDING_ENDED = 16
    LG_CODEL_BEGAN = 17
    LG_CODEL_ENDED = 18
    LG_LIFO_BEGAN = 19
    LG_LIFO_ENDED = 20
    # calls: non-blocking calls, deadlines, hedging
    LG_OUTSTANDING_FULL = 21
    LG_OUTSTANDING_ENDED = 22
    LG_DEADLINE_DROPS = 23
    LG_HEDGES = 24
    # thread-pool bulkheads
    LG_TP_GREW = 25
    LG_TP_SHRANK = 26
    # outlier detection and autoscaling
    LG_INSTANCE_EJECTED = 27
    LG_INSTANCE_RETURNED = 28
    LG_SCALED = 29
    N_LOG_KINDS = 30

# Per-component counters per bucket.
cdef enum:
    MC_ARRIVALS = 0
    MC_OUT = 1          # 7 outcome slots: 1..7
    MC_RETRIES = 8
    MC_ATTEMPTS = 9
    MC_CALLS = 10
    MC_RL_REJ = 11
    MC_SHED_REJ = 12
    MC_LOST = 13
    MC_STARTED = 14     # work that got a worker
    MC_WAITED = 15      # ... after waiting in the queue
    MC_WAIT_SUM = 16    # seconds waited in the queue
    MC_REFUSED_TIME = 17  # seconds the refused requests took (a rate limiter's timeout wait)
    NMC = 18

# Per-component gauges per bucket.
cdef enum:
    MG_QLEN = 0
    MG_BUSY = 1
    MG_INFLIGHT = 2
    MG_UP = 3
    MG_P50 = 4
    MG_P90 = 5
    MG_P99 = 6
    MG_MAX = 7
    MG_MEAN = 8
    MG_UTIL = 9
    NMG = 10

# Per-link counters per bucket.
cdef enum:
    ML_CALLS = 0
    ML_ATTEMPTS = 1
    ML_RETRIES = 2
    ML_OUT = 3          # 7 final outcomes: 3..9
    ML_BH_REJ = 10
    ML_SHORT = 11
    ML_EXHAUSTED = 12
    ML_THROTTLED = 13
    ML_BH_WAITED = 14   # attempts that waited for a bulkhead permit
    ML_BH_WAIT_SUM = 15 # seconds they waited, admitted or not
    ML_LAT_SUM = 16     # seconds the answered calls took, retries included
    ML_REFUSED_TIME = 17  # seconds the refused calls took (a bulkhead's maximum wait)
    NML = 18

# Per-link gauges per bucket.
cdef enum:
    MLG_CB_STATE = 0
    MLG_CB_OPEN = 1
    MLG_CB_FAILURE_RATE = 2
    MLG_BH_INUSE = 3
    NMLG = 4

# Objective counters: client requests no slower than an objective's latency threshold.
cdef enum:
    MO_OK = 0
    MO_FALLBACK = 1
    MO_SERVED = 2
    NMO = 3

# Area accumulators per component (time integrals).
cdef enum:
    A_QLEN = 0
    A_BUSY = 1
    A_INFLIGHT = 2
    A_UP = 3
    NA = 4
