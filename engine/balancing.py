"""The load balancers' pick tables: each balancer's targets' instances laid out flat, and a
min-tree over them for least-outstanding balancing.

A balancer spreads requests over the instances of all its targets as if they were one list.
Walking the targets to find the k-th instance, then walking them again to find the link,
cost O(targets) a request; these tables answer both in O(1). Least-outstanding needs the
instance with the fewest jobs, first in ring order from a start position: a min-tree over
the flat list (the core keeps it current as jobs come and go, ``engine/_routing.pxd``) finds
it in O(log n) instead of a scan. Instances behind no least-outstanding balancer are in no
tree, so their bookkeeping costs nothing.
"""
from __future__ import annotations

import numpy as np

from ._codes import Kind, Strategy

#: the tree's value for an instance that refuses, and for the padding past the last instance
TREE_EMPTY = 1 << 62


def lower_balancing(components: np.ndarray, links: np.ndarray, out_links: np.ndarray) -> dict[str, np.ndarray]:
    """The flat pick tables of every load balancer, as the core reads them.

    ``lb_off``/``lb_total`` (per component): where its flat list starts and how long it is;
    ``fl_inst``/``fl_link``: the instance at each flat position and the balancer's link to it
    (the first link to that target); ``lt_off``/``lt_size`` (per component, -1/0 when none):
    where its min-tree starts in ``lt`` and its number of leaves (a power of two), node 1 being
    the root and leaf ``k`` node ``lt_size + k``; ``it_off``/``it_n`` (per instance) and
    ``it_lb``/``it_idx``: the trees an instance is a leaf of, and where; ``lk_flat`` (per link,
    -1 unless a balancer's): where the link's target's instances begin in the balancer's list.
    """
    n_c = len(components)
    n_i = int(sum(int(r["instances"]) for r in components)) if n_c else 0
    lb_off = np.full(max(n_c, 1), -1, dtype=np.int64)
    lb_total = np.zeros(max(n_c, 1), dtype=np.int64)
    lt_off = np.full(max(n_c, 1), -1, dtype=np.int64)
    lt_size = np.zeros(max(n_c, 1), dtype=np.int64)
    lk_flat = np.full(max(len(links), 1), -1, dtype=np.int64)
    fl_inst: list[int] = []
    fl_link: list[int] = []
    trees: list[np.ndarray] = []
    tree_len = 0
    leaves: list[list[tuple[int, int]]] = [[] for _ in range(max(n_i, 1))]
    for c in range(n_c):
        row = components[c]
        if int(row["kind"]) != Kind.K_LOAD_BALANCER:
            continue
        lb_off[c] = len(fl_inst)
        first_link: dict[int, int] = {}
        out = [int(out_links[int(row["out_offset"]) + k]) for k in range(int(row["out_count"]))]
        for link in out:
            first_link.setdefault(int(links[link]["dst"]), link)
        for link in out:
            target = components[int(links[link]["dst"])]
            first = int(target["inst_offset"])
            lk_flat[link] = len(fl_inst) - int(lb_off[c])
            for k in range(int(target["instances"])):
                fl_inst.append(first + k)
                fl_link.append(first_link[int(links[link]["dst"])])
        total = len(fl_inst) - int(lb_off[c])
        lb_total[c] = total
        if int(row["strategy"]) != Strategy.LB_LEAST_OUTSTANDING or total == 0:
            continue
        size = 1
        while size < total:
            size *= 2
        tree = np.full(2 * size, TREE_EMPTY, dtype=np.int64)
        tree[size:size + total] = 0
        for node in range(size - 1, 0, -1):
            tree[node] = min(tree[2 * node], tree[2 * node + 1])
        lt_off[c] = tree_len
        lt_size[c] = size
        trees.append(tree)
        tree_len += 2 * size
        for k in range(total):
            leaves[fl_inst[int(lb_off[c]) + k]].append((c, k))
    it_off = np.zeros(max(n_i, 1), dtype=np.int64)
    it_n = np.zeros(max(n_i, 1), dtype=np.int64)
    it_lb: list[int] = []
    it_idx: list[int] = []
    for i, places in enumerate(leaves):
        it_off[i] = len(it_lb)
        it_n[i] = len(places)
        for lb, k in places:
            it_lb.append(lb)
            it_idx.append(k)

    def arr(values: list[int]) -> np.ndarray:
        return np.ascontiguousarray(np.asarray(values or [0], dtype=np.int64))

    return {
        "lb_off": lb_off, "lb_total": lb_total, "fl_inst": arr(fl_inst), "fl_link": arr(fl_link), "lk_flat": lk_flat,
        "lt_off": lt_off, "lt_size": lt_size,
        "lt": np.ascontiguousarray(np.concatenate(trees)) if trees else arr([]),
        "it_off": it_off, "it_n": it_n, "it_lb": arr(it_lb), "it_idx": arr(it_idx),
    }
