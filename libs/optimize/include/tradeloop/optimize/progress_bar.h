// ProgressBar: one self-overwriting status line on a terminal (trials done, best so far, ETA).
// Disabled, it prints nothing; the CLI enables it only when stderr is a TTY.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace tradeloop::optimize {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled, std::FILE* out = stderr) : enabled_(enabled), out_(out) {}
  ~ProgressBar() { finish(); }

  bool enabled() const { return enabled_; }
  // Starts a phase ("fold 2/5") of `total` trials (0 = unknown).
  void start(std::string label, std::uint64_t total);
  // Thread-safe; redraws at most 10 times a second (and always on the last trial).
  void update(std::uint64_t done, const std::string& best);
  // Ends the line.
  void finish();

 private:
  void draw_locked(std::uint64_t done, const std::string& best);

  bool enabled_;
  std::FILE* out_;
  std::mutex mutex_;
  std::string label_;
  std::uint64_t total_ = 0;
  bool active_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace tradeloop::optimize
