// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html): they
// let `clang -Wthread-safety` (`make lint`) prove at compile time that a member is only touched
// with its mutex held. Other compilers see empty macros.
//
//   class Cache {
//     void Clear() EXCLUDES(mu_);        // takes mu_ itself
//     void EvictLocked() REQUIRES(mu_);  // called with mu_ held
//     Mutex mu_;                         // common/mutex.h: std::mutex carries no annotations
//     std::map<std::string, int> entries_ GUARDED_BY(mu_);
//   };
//
// The names follow Clang's documentation (its mutex.h example) and abseil's
// absl/base/thread_annotations.h.
#pragma once

#if defined(__clang__)
#define KIROKU_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define KIROKU_THREAD_ANNOTATION(x)
#endif

// On a class: objects of the type are capabilities (mutexes) named `x` in diagnostics.
#define CAPABILITY(x) KIROKU_THREAD_ANNOTATION(capability(x))
// On a class: RAII objects that acquire a capability in the constructor and release it in the
// destructor (MutexLock).
#define SCOPED_CAPABILITY KIROKU_THREAD_ANNOTATION(scoped_lockable)

// On a data member: read and written only with `x` held (exclusively for writes).
#define GUARDED_BY(x) KIROKU_THREAD_ANNOTATION(guarded_by(x))
// On a pointer member: the pointee is read and written only with `x` held.
#define PT_GUARDED_BY(x) KIROKU_THREAD_ANNOTATION(pt_guarded_by(x))

// On a mutex member: the order in which mutexes must be acquired.
#define ACQUIRED_BEFORE(...) KIROKU_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) KIROKU_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// On a function: callers must hold the capabilities (exclusively / at least shared).
#define REQUIRES(...) KIROKU_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) KIROKU_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))

// On a function: it acquires / releases the capabilities (none named: `this`).
#define ACQUIRE(...) KIROKU_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) KIROKU_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) KIROKU_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) KIROKU_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
// On a function returning bool: it acquires the capabilities when it returns `b`.
#define TRY_ACQUIRE(...) KIROKU_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) KIROKU_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))

// On a function: callers must not hold the capabilities (the function takes them itself).
#define EXCLUDES(...) KIROKU_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// On a function: it checks at run time that the capability is held; the analysis trusts it.
#define ASSERT_CAPABILITY(x) KIROKU_THREAD_ANNOTATION(assert_capability(x))
#define ASSERT_SHARED_CAPABILITY(x) KIROKU_THREAD_ANNOTATION(assert_shared_capability(x))

// On a function: it returns a reference to the capability `x`.
#define RETURN_CAPABILITY(x) KIROKU_THREAD_ANNOTATION(lock_returned(x))

// On a function: the analysis skips its body. Say in a comment why the locking is right.
#define NO_THREAD_SAFETY_ANALYSIS KIROKU_THREAD_ANNOTATION(no_thread_safety_analysis)
