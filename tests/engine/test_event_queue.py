"""The event queue pops in (time, insertion order), edges first at their instant, whichever
of its parts (the heap, the line of events due now, the rings of constant delays) holds an
event, and however it grew."""
import random

import pytest

from engine._core import event_queue_trace


def reference(ops):
    """The same ops on a plain sorted list: the order the queue must reproduce."""
    pending, out = [], []
    for n, op in enumerate(ops):
        if op[0] == "push":
            pending.append((op[1], 0 if op[2] else 1, n))
        elif op[0] == "lane":
            pending.append((op[1], 1, n))
        else:
            pending.sort()
            t, _, index = pending.pop(0)
            out.append((t, index))
    return out


def random_ops(seed, n):
    rng = random.Random(seed)
    ops, now, pending = [], 0, []
    for _ in range(n):
        if pending and rng.random() < 0.45:
            ops.append(("pop",))
            now = min(pending)
            pending.remove(now)
        else:
            # many events at the current instant (the zero-delay line), some later, a few edges
            t = now if rng.random() < 0.5 else now + rng.randint(0, 6)
            ops.append(("push", t, rng.random() < 0.1))
            pending.append(t)
    return ops + [("pop",)] * len(pending)


@pytest.mark.parametrize("seed", range(6))
def test_queue_pops_in_time_then_insertion_order_with_edges_first(seed):
    ops = random_ops(seed, 4000)
    assert event_queue_trace(ops, capacity=4) == reference(ops)


def test_a_burst_due_now_grows_the_queue_while_its_line_wraps():
    # the clock reaches 5; three events due now join the line and two leave it, so its head
    # has moved on when forty more arrive and the queue grows from four places
    ops = [("push", 5, False), ("pop",)] + [("push", 5, False)] * 3 + [("pop",), ("pop",)]
    ops += [("push", 5, False)] * 40 + [("push", 7, False), ("push", 5, True)]
    ops += [("pop",)] * 43
    trace = event_queue_trace(ops, capacity=4)
    assert trace == reference(ops)
    # an edge at the current instant goes before the ordinary events still due then
    assert [index for _, index in trace[:4]] == [0, 2, 3, 48]
    assert [index for _, index in trace[4:-1]] == [4, *range(7, 47)]
    assert trace[-1] == (7, 47)


def lane_ops(seed, n, delays=(3, 10, 250), rings=4):
    """Pushes a constant delay ahead through the rings, mixed with ordinary ones; now and then
    a ring is offered a key before its last (a fault's extra latency undone), or a delay of
    another ring, or is filled past its capacity."""
    rng = random.Random(seed)
    ops, now, pending = [], 0, []
    for _ in range(n):
        r = rng.random()
        if pending and r < 0.4:
            ops.append(("pop",))
            now = min(pending)
            pending.remove(now)
            continue
        if r < 0.85:
            ring = rng.randrange(len(delays))
            t = now + delays[ring] + (rng.randint(-2, 40) if rng.random() < 0.1 else 0)
            ops.append(("lane", max(t, now), rng.randrange(rings) if rng.random() < 0.05 else ring))
        else:
            t = now + rng.randint(0, 12)
            ops.append(("push", t, rng.random() < 0.1))
        pending.append(ops[-1][1])
    return ops + [("pop",)] * len(pending)


@pytest.mark.parametrize("seed", range(6))
def test_rings_of_constant_delays_keep_the_order_of_the_heap(seed):
    ops = lane_ops(seed, 6000)
    assert event_queue_trace(ops, capacity=4) == reference(ops)


def test_a_full_ring_sends_its_keys_to_the_heap():
    # 3,000 keys a constant delay ahead, more than a ring holds, then all popped
    ops = [("lane", 100 + k // 3, 1) for k in range(3000)] + [("push", 150, True)] + [("pop",)] * 3001
    assert event_queue_trace(ops, capacity=4) == reference(ops)


def test_a_ring_that_wraps_while_full_delivers_every_body():
    # a ring holds its events' bodies: kept full for many rounds, its places are each reused
    # many times, and the keys that find it full go to the heap with theirs
    ops = [("lane", 10, 2) for _ in range(1100)]
    for k in range(5000):
        ops += [("pop",), ("lane", 10 + k // 7 + 40, 2)]
    ops += [("pop",)] * 1100
    assert event_queue_trace(ops, capacity=4) == reference(ops)


def test_a_burst_after_pops_in_a_mixed_order_takes_the_pools_slots_in_address_order():
    # 24 events at shuffled times take slots 0 to 23; the twelve earliest pop from slots all
    # over those; a burst of twelve then takes the cursor's next slots, 24 to 31 (the first
    # span's end), and, round again, the freed slots from the lowest
    times = random.Random(3).sample(range(1, 25), 24)
    ops = [("push", t, False) for t in times] + [("pop",)] * 12
    ops += [("push", 100 + k, False) for k in range(12)] + [("pop",)] * 24
    slots = []
    assert event_queue_trace(ops, capacity=64, slots=slots) == reference(ops)
    freed = sorted(slot for slot, t in zip(slots, times) if t <= 12)
    assert slots[:24] == list(range(24))
    assert slots[24:] == [*range(24, 32), *freed[:4]]


def test_few_pending_events_keep_to_the_first_slots():
    # three events pending at most: the cursor goes round the first span only
    ops = [("push", 0, False)]
    for k in range(1, 3000):
        ops += [("push", 2 * k, False), ("push", 2 * k + 1, False), ("pop",), ("pop",)]
    ops.append(("pop",))
    slots = []
    assert event_queue_trace(ops, capacity=1024, slots=slots) == reference(ops)
    assert set(slots) == set(range(32))


def test_events_long_pending_are_passed_over_while_the_pool_grows():
    # events due late hold slots the cursor keeps passing over; others come and go round
    # them, more and more at a time, which widens the span and grows the queue
    rng = random.Random(5)
    late = [10**6 + k for k in range(5)]
    ops, now, pending = [("push", t, False) for t in late], 0, []
    for k in range(4000):
        for _ in range(2):
            ops.append(("push", now + rng.randint(1, 1 + k // 40), False))
            pending.append(ops[-1][1])
        ops.append(("pop",))
        now = min(pending)
        pending.remove(now)
    ops += [("pop",)] * (len(pending) + len(late))
    slots = []
    trace = event_queue_trace(ops, capacity=4, slots=slots)
    assert trace == reference(ops)
    assert slots[:5] == list(range(5))
    assert trace[-5:] == [(t, k) for k, t in enumerate(late)]


def test_bad_operations_are_named():
    with pytest.raises(ValueError, match="power of two"):
        event_queue_trace([], capacity=6)
    with pytest.raises(ValueError, match="op 0: pop from an empty queue"):
        event_queue_trace([("pop",)])
    with pytest.raises(ValueError, match="before the clock"):
        event_queue_trace([("push", 5, False), ("pop",), ("push", 4, False)])
