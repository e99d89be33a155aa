// Thread-safety annotations that Clang checks (-Wthread-safety; the arch.thread_safety test runs it), and the
// annotated mutex every lock-protected member in src/ uses.
//
// Why a wrapper: libstdc++'s std::mutex and std::lock_guard carry no capability attributes, so Clang cannot see
// that `std::lock_guard lock(mu_)` holds mu_. confpro::Mutex is a std::mutex with the attributes; MutexLock is the
// scoped guard (a std::unique_lock inside). Under GCC every macro is empty and the two classes cost what
// std::mutex and std::unique_lock cost.
//
// Condition variables: MutexLock::wait()/wait_until()/wait_for() take a plain std::condition_variable and wait on
// the std::unique_lock inside, so waiting stays as cheap as before (no condition_variable_any). Write the wait as
// a loop, `while (!ready_) lock.wait(cv_);`, rather than with a predicate lambda: the analysis checks a lambda's
// body on its own and cannot know the lock is held inside it. The analysis treats the lock as held across the
// wait, which is what the caller observes (wait reacquires before it returns).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define CONFPRO_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define CONFPRO_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) CONFPRO_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY CONFPRO_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) CONFPRO_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) CONFPRO_THREAD_ANNOTATION(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) CONFPRO_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) CONFPRO_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define REQUIRES(...) CONFPRO_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) CONFPRO_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) CONFPRO_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) CONFPRO_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) CONFPRO_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) CONFPRO_THREAD_ANNOTATION(assert_capability(x))
#define RETURN_CAPABILITY(x) CONFPRO_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS CONFPRO_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace confpro {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // Tells the analysis the caller holds the lock where it cannot see it (e.g. inside a lambda run under it).
  void assert_held() const ASSERT_CAPABILITY(this) {}

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex for its scope; the only way src/ takes one.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.mu_) {}
  ~MutexLock() RELEASE() = default;
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Lets another thread in for a stretch of work that needs no lock (the analysis checks nothing guarded is
  // touched in between); lock() takes it back. The destructor releases only what is held.
  void unlock() RELEASE() { lock_.unlock(); }
  void lock() ACQUIRE() { lock_.lock(); }

  // Waits on `cv` with the lock released meanwhile; holds it again on return (spurious wake-ups happen: loop).
  void wait(std::condition_variable& cv) { cv.wait(lock_); }
  template <class Clock, class Duration>
  std::cv_status wait_until(std::condition_variable& cv, const std::chrono::time_point<Clock, Duration>& when) {
    return cv.wait_until(lock_, when);
  }
  template <class Rep, class Period>
  std::cv_status wait_for(std::condition_variable& cv, const std::chrono::duration<Rep, Period>& delay) {
    return cv.wait_for(lock_, delay);
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace confpro
