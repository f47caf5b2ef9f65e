# Hedging (gRPC hedging policy): a hedged call is a parent record (CS_HEDGING) whose copies
# are ordinary calls through the breaker, timeout and bulkhead of the link. Copy k+1 goes out
# hedging_delay after copy k, or at once after a non-fatal failure, while the call has not
# committed and throttling allows; the first answer that is OK or not non-fatal commits the
# call and the other copies are cancelled. Rules in the README.
from libc.stdint cimport int64_t

from engine._codes cimport *
from engine._state cimport Sim
from engine._pools cimport _new_call
from engine._retries cimport _budget_allows
from engine._metrics cimport _count_l
from engine._eventlog cimport _log


cdef inline int _new_copy(Sim* s, int p) noexcept nogil:
    """A new copy of hedged call ``p``, or -1 when throttling (or memory) allows none."""
    cdef int link = s.calls[p].link
    cdef int k
    if s.calls[p].copies > 0 and s.pol[link].hedging_throttling and not _budget_allows(s, link):
        _count_l(s, link, ML_THROTTLED, 1.0)
        if not s.l_bud_flag[link]:
            s.l_bud_flag[link] = 1
            _log(s, LG_BUDGET_EXHAUSTED, s.lh[link].src, link, -1, -1, s.l_tokens[link] / 1000.0, 0)
        return -1
    k = _new_call(s)
    if k < 0:
        return -1
    s.calls[k].job = -1
    s.calls[k].link = link
    s.calls[k].parent = p
    s.calls[k].deadline = s.calls[p].deadline
    s.calls[k].prev_sleep = s.calls[p].prev_sleep
    s.calls[p].kids[s.calls[p].copies] = k
    s.calls[p].copies += 1
    s.calls[p].out += 1
    if s.calls[p].copies > 1:
        s.l_hedges_b[link] += 1
        s.calls_marked = 1
    return k


cdef inline bint _commits(Sim* s, int k, int outcome) noexcept nogil:
    """Whether copy ``k``'s answer commits its call: OK, or a failure that is not non-fatal."""
    if outcome == O_OK or outcome == O_FALLBACK:
        return 1
    return (s.pol[s.calls[k].link].non_fatal_outcomes & ((<int64_t>1) << outcome)) == 0


cdef inline void _release_permit(Sim* s, int k) noexcept nogil:
    """A cancelled copy gives its half-open breaker permit back unrecorded (Resilience4j's
    releasePermission), so cancelled hedges cannot hold a half-open breaker."""
    cdef int link = s.calls[k].link
    if s.calls[k].cb_permit:
        s.calls[k].cb_permit = 0
        if s.cb_state[link] == CB_HALF_OPEN:
            s.cb_permits[link] += 1


cdef inline bint _live_copy(Sim* s, int p, int k) noexcept nogil:
    return k >= 0 and s.calls[k].state != CS_FREE and s.calls[k].parent == p
