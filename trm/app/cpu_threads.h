// CPU threading policy shared by every tool and benchmark.
//
// ATen's OpenMP pool and OpenBLAS's pthread pool both keep their idle threads spinning. With two
// threads on a two-core machine they take the cores from each other: the bench_cpu train step went
// from about 3 s to 8 s (and up to 50 s under load) with libgomp's default (active) waiting.
#ifndef TRM_APP_CPU_THREADS_H_
#define TRM_APP_CPU_THREADS_H_

namespace trm {

// libgomp reads OMP_WAIT_POLICY once, when it is loaded, so a process that has not got it in its
// environment re-executes itself with OMP_WAIT_POLICY=passive (call first thing in main). A value
// the user set is kept. Returns only when no re-execution happened or it failed (then the process
// carries on with the default policy).
void ReexecWithPassiveOpenMpWaits(char** argv);

// Intra-op threads of ATen and of OpenBLAS, which keeps a pool of its own.
void SetCpuThreads(int threads);

}  // namespace trm

#endif  // TRM_APP_CPU_THREADS_H_
