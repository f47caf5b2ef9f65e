# The numpy dtypes of the core's tables, derived from the structs of engine/_tables.pxd so
# the compiler fills exactly the fields the core reads, in its order.
import numpy as np

from engine._tables cimport ComponentRow, LinkRow, PolicyRow, FaultRow, FaultActionRow, DistRow, OutlierRow, AutoscaleRow


cdef object _dtype(dict zeroed, Py_ssize_t size):
    # a zeroed struct converts to {field: 0} for integers, {field: 0.0} for doubles and
    # {"pad": [0, ...]} for the words that fill a row to whole cache lines
    dtype = np.dtype([(name, np.int64, (len(value),)) if name == "pad" else
                      (name, np.float64 if isinstance(value, float) else np.int64)
                      for name, value in zeroed.items()])
    if dtype.itemsize != size:
        raise TypeError(f"a table row has padding: {dtype.itemsize} bytes in numpy, {size} in C")
    return dtype


cdef ComponentRow _component
cdef LinkRow _link
cdef PolicyRow _policy
cdef FaultRow _fault
cdef FaultActionRow _action
cdef DistRow _dist
cdef OutlierRow _outlier
cdef AutoscaleRow _autoscale

COMPONENT = _dtype(_component, sizeof(ComponentRow))
LINK = _dtype(_link, sizeof(LinkRow))
POLICY = _dtype(_policy, sizeof(PolicyRow))
FAULT = _dtype(_fault, sizeof(FaultRow))
FAULT_ACTION = _dtype(_action, sizeof(FaultActionRow))
DIST = _dtype(_dist, sizeof(DistRow))
OUTLIER = _dtype(_outlier, sizeof(OutlierRow))
AUTOSCALE = _dtype(_autoscale, sizeof(AutoscaleRow))


def table(rows, dtype):
    """A table of ``dtype`` from one dict per row, which must name every field but its padding
    and no other; at least one (zero) row, so the core always has a buffer to point at."""
    names = tuple(n for n in dtype.names if n != "pad")
    for i, row in enumerate(rows):
        if row.keys() != set(names):
            missing, extra = set(names) - row.keys(), row.keys() - set(names)
            raise KeyError(f"row {i} of a table does not match its fields: missing {sorted(missing)}, "
                           f"unknown {sorted(extra)}")
    if not rows:
        return np.zeros(1, dtype=dtype)
    if len(names) == len(dtype.names):
        return np.array([tuple(row[n] for n in names) for row in rows], dtype=dtype)
    padded = np.zeros(len(rows), dtype=dtype)
    for n in names:
        padded[n] = np.array([row[n] for row in rows], dtype=dtype.fields[n][0])
    return padded
