# The Python face of engine/_codes.pxd: its ``cpdef enum``s become IntEnums of this module
# (Kind, Dist, Strategy, ...), which engine.compile lowers a design with.
