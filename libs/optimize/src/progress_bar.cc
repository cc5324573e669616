#include "tradeloop/optimize/progress_bar.h"

#include <fmt/format.h>

namespace tradeloop::optimize {
namespace {

std::string duration_text(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "?";
  const auto s = static_cast<long long>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

}  // namespace

void ProgressBar::start(std::string label, std::uint64_t total) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (active_) fmt::print(out_, "\n");
  label_ = std::move(label);
  total_ = total;
  active_ = true;
  start_ = last_draw_ = std::chrono::steady_clock::now();
  draw_locked(0, "");
}

void ProgressBar::update(std::uint64_t done, const std::string& best) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (done != total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw_locked(done, best);
}

void ProgressBar::draw_locked(std::uint64_t done, const std::string& best) {
  constexpr int kWidth = 24;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string bar;
  std::string eta = "?";
  if (total_ > 0) {
    const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
    const int fill = static_cast<int>(frac * kWidth);
    bar = fmt::format("[{:#<{}}{:.<{}}] ", "", fill, "", kWidth - fill);
    if (done > 0)
      eta = duration_text(elapsed / static_cast<double>(done) *
                          static_cast<double>(total_ - std::min(done, total_)));
  }
  const std::string total = total_ > 0 ? fmt::format("/{}", total_) : "";
  fmt::print(out_, "\r\033[K{}{}{}{}{} trials  best {}  ETA {}", label_, label_.empty() ? "" : " ", bar, done,
             total, best.empty() ? std::string_view("-") : std::string_view(best), eta);
  std::fflush(out_);
}

void ProgressBar::finish() {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!active_) return;
  active_ = false;
  fmt::print(out_, "\n");
  std::fflush(out_);
}

}  // namespace tradeloop::optimize
