// Assertions for invariants (never for request data, which gets a Status).
// KIROKU_CHECK is always on; KIROKU_DCHECK only in debug builds.
#pragma once

#include <cstdio>
#include <cstdlib>

#define KIROKU_CHECK(cond)                                                          \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

#ifdef NDEBUG
#define KIROKU_DCHECK(cond) \
  do {                      \
  } while (0)
#else
#define KIROKU_DCHECK(cond) KIROKU_CHECK(cond)
#endif
