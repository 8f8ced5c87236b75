// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The OpenMP runtime routines this project calls, for a build without OpenMP (AL_OPENMP=OFF):
// the serial behaviour the OpenMP specification gives them ("Stubs for Runtime Library
// Routines"): one thread, and a requested thread count that changes nothing.
#ifdef __cplusplus
extern "C" {
#endif
static inline void omp_set_num_threads(int threads) { (void)threads; }
static inline int omp_get_max_threads(void) { return 1; }
static inline int omp_get_num_threads(void) { return 1; }
static inline int omp_get_thread_num(void) { return 0; }
#ifdef __cplusplus
}
#endif
