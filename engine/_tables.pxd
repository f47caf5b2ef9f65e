# The tables engine.compile lowers a design to, one row per component, link, link policy,
# fault, fault action and distribution: the core reads them as arrays of these structs.
#
# Every field is 8 bytes wide (int64_t or double), so a struct has no padding and a numpy
# structured array of the same fields in the same order has the same layout; engine._tables
# derives those dtypes from these declarations, and the core checks a table's dtype before
# it casts the buffer.
#
# A field holding a parameter of the model is named as that parameter, so that one name goes from
# the form to the core; it is prefixed with its kind where two kinds share a name
# (retry_/bulkhead_max_wait_duration) or the name alone would not say whose it is (fallback_on).
from libc.stdint cimport int64_t

cdef struct ComponentRow:
    # Five whole cache lines (the table is aligned to a line, engine/_core.pyx), its fields
    # placed by the step that reads them: a hop along a thousand components finds each row
    # cold, so the fields one step reads share a line. The first line is what a request's
    # answer and its calls read, the second what its arrival reads; the rest only the
    # patterns that use them.
    int64_t kind                 # Kind
    int64_t fan_out              # FanOut
    int64_t out_offset           # its outgoing links in call order: out_links[out_offset : + out_count]
    int64_t out_count
    double error_probability
    int64_t call_mode            # CallMode: whether a worker waits on the dependency calls
    int64_t obj_count
    int64_t workers              # per instance (UNLIMITED for clients, balancers, externals)

    int64_t dist                 # service time: a row of the distribution table, -1: none
    int64_t limit_for_period     # rate limiter (inbound), 0: none
    int64_t queue_capacity       # per instance, -1: unbounded
    double hit_ratio             # a cache's hits skip its dependency calls
    int64_t max_queue_length
    double max_queue_wait        # load shedding (inbound), -1: none
    int64_t inst_offset          # its instances: inst_comp[inst_offset : + instances]
    int64_t instances

    int64_t discipline           # Discipline of the instances' queues
    int64_t strategy             # Strategy of a load balancer
    int64_t arrival              # Arrival of a client
    int64_t bp_offset            # an open-loop client's rate schedule: bp_t, bp_r[bp_offset : + bp_count]
    int64_t bp_count
    int64_t users                # closed loop
    int64_t think_dist
    int64_t obj_offset           # a client's objectives: obj_thr[obj_offset : + obj_count]

    double limit_refresh_period
    double timeout_duration
    int64_t global_quota         # 1: one quota for all instances, kept at the first instance's slot
    double codel_target          # CoDel's target sojourn time
    double codel_interval        # CoDel's interval
    double lifo_after            # adaptive LIFO: the queue serves LIFO once non-empty this long
    int64_t max_outstanding      # non-blocking: requests per instance waiting without a worker, -1: unbounded
    int64_t cont_dist            # non-blocking: the continuation's time, -1: none (answered without a worker)

    int64_t seed
    int64_t pad[7]

cdef struct LinkRow:
    int64_t src
    int64_t dst
    int64_t dist                 # one-way network latency
    double probability           # call probability
    int64_t count                # calls per request
    int64_t seed

# The caller's patterns guarding one link; a field keeps its neutral value when no policy applies.
cdef struct PolicyRow:
    # what every call reads comes first (a line's worth of fields), then what a failed one reads
    double wait_duration
    int64_t cb_on
    double timeout               # -1: none
    int64_t max_concurrent_calls  # -1: no bulkhead
    int64_t core_thread_pool_size  # thread-pool bulkhead's core threads, 0: none (then max_concurrent_calls is -1)
    double deadline              # of the whole call, -1: none (an inherited one still applies)
    int64_t hedging_max_attempts  # copies in all, 1: no hedging
    int64_t budget               # Budget
    int64_t retry_on             # outcome mask retried
    int64_t max_attempts         # 1: no retry
    int64_t fallback_on          # outcome mask answered by the fallback
    int64_t cancel_on_timeout
    int64_t backoff              # Backoff
    double multiplier
    double retry_max_wait_duration  # -1: no cap
    int64_t jitter               # Jitter
    double randomization_factor
    double max_tokens            # gRPC retry throttling
    double token_ratio
    double budget_percent        # Envoy retry budget
    double min_retry_concurrency
    int64_t sliding_window_type  # Window
    int64_t sliding_window_size
    int64_t minimum_number_of_calls
    double failure_rate_threshold  # percent
    double slow_call_rate_threshold  # percent
    double slow_call_duration_threshold
    double wait_duration_in_open_state
    double wait_duration_multiplier
    int64_t permitted_number_of_calls_in_half_open_state
    int64_t automatic_transition_from_open_to_half_open_enabled
    double max_wait_duration_in_half_open_state
    int64_t record_outcomes      # outcome mask recorded as failures
    double bulkhead_max_wait_duration
    int64_t fallback_latency     # a row of the distribution table, -1: none
    double hedging_delay
    int64_t non_fatal_outcomes   # outcome mask of failures that send the next copy at once
    int64_t hedging_throttling   # gRPC throttling of the copies (its bucket is the link's tokens)
    int64_t max_thread_pool_size
    int64_t thread_pool_bulkhead_queue_capacity
    double keep_alive_duration   # of threads beyond the core

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
    double target_utilization    # percent
    double tolerance
    double sync_period
    double scale_down_stabilization
    double scale_up_stabilization
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
