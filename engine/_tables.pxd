# The tables engine.compile lowers a design to, one row per component, link, link policy,
# fault, fault action and distribution: the core reads them as arrays of these structs.
#
# Every field is 8 bytes wide (int64_t or double), so a struct has no padding and a numpy
# structured array of the same fields in the same order has the same layout; engine._tables
# derives those dtypes from these declarations, and the core checks a table's dtype before
# it casts the buffer.
from libc.stdint cimport int64_t

cdef struct ComponentRow:
    int64_t kind                 # Kind
    int64_t instances
    int64_t workers              # per instance (UNLIMITED for clients, balancers, externals)
    int64_t queue_capacity       # per instance, -1: unbounded
    int64_t dist                 # service time: a row of the distribution table, -1: none
    double error_probability
    double hit_ratio             # a cache's hits skip its dependency calls
    int64_t fan_out              # FanOut
    int64_t strategy             # Strategy of a load balancer
    int64_t inst_offset          # its instances: inst_comp[inst_offset : + instances]
    int64_t out_offset           # its outgoing links in call order: out_links[out_offset : + out_count]
    int64_t out_count
    int64_t arrival              # Arrival of a client
    int64_t bp_offset            # an open-loop client's rate schedule: bp_t, bp_r[bp_offset : + bp_count]
    int64_t bp_count
    int64_t users                # closed loop
    int64_t think_dist
    int64_t obj_offset           # a client's objectives: obj_thr[obj_offset : + obj_count]
    int64_t obj_count
    int64_t rl_limit             # rate limiter (inbound), 0: none
    double rl_period
    double rl_timeout
    double shed_wait             # load shedding (inbound), -1: none
    int64_t shed_len
    int64_t discipline           # Discipline of the instances' queues
    double codel_target          # CoDel's target sojourn time
    double codel_interval        # CoDel's interval
    double lifo_after            # adaptive LIFO: the queue serves LIFO once non-empty this long
    int64_t seed

cdef struct LinkRow:
    int64_t src
    int64_t dst
    int64_t dist                 # one-way network latency
    double prob                  # call probability
    int64_t count                # calls per request
    int64_t seed

# The caller's patterns guarding one link; a field keeps its neutral value when no policy applies.
cdef struct PolicyRow:
    double timeout               # -1: none
    int64_t cancel_on_timeout
    int64_t rt_max               # attempts, 1: no retry
    double rt_wait
    int64_t rt_backoff           # Backoff
    double rt_mult
    double rt_max_wait           # -1: no cap
    int64_t rt_jitter            # Jitter
    double rt_rand               # randomization factor
    int64_t rt_on                # outcome mask retried
    int64_t budget               # Budget
    double max_tokens            # gRPC retry throttling
    double token_ratio
    double budget_percent        # Envoy retry budget
    double min_retry_concurrency
    int64_t cb_on
    int64_t cb_time              # Window
    int64_t cb_size
    int64_t cb_min
    double cb_fr                 # failure-rate threshold, percent
    double cb_sr                 # slow-call-rate threshold, percent
    double cb_slow               # slow-call duration
    double cb_wait               # wait in open state
    double cb_wait_mult
    int64_t cb_half              # calls permitted in half-open
    int64_t cb_auto
    double cb_half_wait
    int64_t cb_mask              # outcome mask recorded as failures
    int64_t bh_max               # -1: no bulkhead
    double bh_wait
    int64_t fb_mask              # outcome mask answered by the fallback
    int64_t fb_dist

cdef struct FaultRow:
    int64_t kind                 # FaultKind
    int64_t comp                 # target component, -1 for a link
    int64_t link                 # target link, -1 for a component
    int64_t down_mode            # DownMode of a crash or a partition
    int64_t resource             # Resource exhausted
    int64_t direction            # Direction a latency fault delays
    double fraction              # of calls delayed (latency) or failed (error)
    int64_t delay_dist           # added latency
    double factor                # CPU: service time x factor
    int64_t pool_size            # pool: workers shrunk to
    double leak_rate             # memory leak: slow-down per second up
    double kill_factor           # memory leak: killed at this slow-down
    double restart_delay
    double mtbf                  # random failures
    double mttr
    int64_t inst_first           # instances hit: f_instances[inst_first : + inst_count]
    int64_t inst_count
    int64_t seed

# One outlier detector (Envoy outlier_detection): the instances one caller watches as a cluster.
cdef struct OutlierRow:
    int64_t caller               # the component whose calls it watches
    int64_t lb                   # a balancer's detector watches its flat list of instances; -1: one link's target
    int64_t link                 # that link (-1 for a balancer's)
    int64_t slot_first           # its instances' state: od_* [slot_first : + hosts]
    int64_t hosts
    int64_t consecutive_5xx
    double enforcing_consecutive_5xx
    int64_t consecutive_gateway_failure
    double enforcing_consecutive_gateway_failure
    double interval
    double base_ejection_time
    double max_ejection_time
    double max_ejection_percent
    int64_t always_eject_one_host
    int64_t success_rate_minimum_hosts
    int64_t success_rate_request_volume
    double success_rate_stdev_factor  # in stdevs (Envoy's thousandths / 1000)
    double enforcing_success_rate
    double failure_percentage_threshold
    int64_t failure_percentage_minimum_hosts
    int64_t failure_percentage_request_volume
    double enforcing_failure_percentage

# One horizontal autoscaler (Kubernetes HPA) on a service whose instances are allocated up to
# max_replicas; those beyond ``initial`` start stopped.
cdef struct AutoscaleRow:
    int64_t comp
    int64_t initial
    int64_t min_replicas
    int64_t max_replicas
    double target                # utilisation aimed at, 0..1
    double tolerance
    double sync_period
    double down_window           # scale-down stabilisation
    double up_window             # scale-up stabilisation
    double startup_time
    int64_t rec_first            # its recommendations' ring: as_rec_t, as_rec_n [rec_first : + rec_cap]
    int64_t rec_cap

cdef struct FaultActionRow:
    double time
    int64_t action               # FaultAction
    int64_t fault

cdef struct DistRow:
    int64_t kind                 # Dist
    double value                 # constant
    double mean                  # exponential, normal
    double std                   # normal
    double low                   # uniform
    double high
    double mu                    # lognormal
    double sigma
    int64_t first                # empirical: d_points[first : + count]
    int64_t count
