# SPDX-License-Identifier: GPL-3.0-or-later
"""Pins the thread count of the native libraries under torch; import before `import torch`.

torch.set_num_threads() governs torch's own OpenMP pool but not the pthreads of the OpenBLAS
that Debian's python3-torch calls for its matrix products: left alone, OpenBLAS starts one thread
per core, so a "1-thread" PyTorch run multiplies on every core (measured here: up to ~2x its
single-core GEMM rate on 2 cores) and a multi-thread run oversubscribes them. The libraries read
their environment when they load, so this module must be imported before torch.
"""

import ctypes
import ctypes.util
import os
import sys


def threads_from_argv(argv, default):
    """The value of --threads N / --threads=N in argv (a string), or `default`."""
    value = default
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            value = argv[i + 1]
        elif a.startswith("--threads="):
            value = a.split("=", 1)[1]
    return str(value)


def pin(threads):
    """Sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS to `threads`."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def pin_from_argv(default):
    """pin(threads_from_argv(sys.argv[1:], default)); call before importing torch."""
    pin(threads_from_argv(sys.argv[1:], default))


def openblas_threads():
    """Threads of the OpenBLAS loaded in this process (openblas_get_num_threads), or None."""
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas") or ""):
        if not name:
            continue
        try:
            return int(ctypes.CDLL(name).openblas_get_num_threads())
        except (OSError, AttributeError):
            continue
    return None
