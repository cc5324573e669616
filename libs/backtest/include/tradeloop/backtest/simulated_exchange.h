// SimulatedExchange: the backtest's venue. It keeps the working orders of every instrument and matches
// them against each new bar with the shared fill rules (execution/fill_rules.h), in three passes:
//
//   open:      market orders submitted before the bar fill at its open (exits, then entries, in
//              submission order); a bracket armed by such a fill works from this same bar on;
//   intrabar:  stop, limit, stop-limit and trailing-stop orders trigger from the bar's high and low
//              (a gap through the price fills at the open); when orders of one OCO group (a bracket's
//              stop-loss and take-profit) could both fill, a level crossed at the open wins, else the
//              stop (or the take-profit: IntrabarOrder), else the level the price reaches first;
//   close:     market-on-close orders fill at the close.
//
// Market orders submitted while the bar is being handled (the strategy's on_bar) fill at that bar's
// close with --fill close (fill_at_close), else at the next bar's open.
//
// Time in force: GTC works until canceled; DAY expires at the end of the UTC day of the first bar it
// worked on; GTD expires when a bar opens after expire_time; IOC cancels whatever did not fill on its
// first bar; FOK is canceled unless it fills completely on its first bar. A volume participation cap
// splits fills over bars (partially filled). Quantities sized at fill time, reduce-only limits, the
// no-short rule and the margin check are the host's (the kernel's) through approve_fill().
//
// Every state change goes to the host as an OrderEvent with a reason; fills as Fills with their fee.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tradeloop/backtest/clock.h"
#include "tradeloop/backtest/config.h"
#include "tradeloop/execution/execution_client.h"
#include "tradeloop/model/bar.h"
#include "tradeloop/model/instrument.h"

namespace tradeloop::backtest {

class ExchangeHost : public execution::ExecutionListener {
 public:
  // Quantity of a fill about to happen at `price` (the remaining quantity is `wanted`, 0 when the
  // order is sized at fill time). Returns 0 and sets *why to cancel the order.
  virtual double approve_fill(const model::Order& order, double price, double wanted, std::string* why) = 0;
  // A fill on a bar; `at_open`: it executed at the bar's open (so the bar's range was lived through).
  virtual void on_bar_fill(const model::Fill& fill, const model::Order& order, bool at_open) = 0;
  void on_fill(const model::Fill& fill, const model::Order& order) override {
    on_bar_fill(fill, order, false);
  }
};

// Offsets of a bracket child, turned into a price when its parent fills (at the parent's fill price):
// stop-loss and take-profit levels from a percent and/or a price distance (the nearer wins), a trailing
// stop's offset likewise.
struct BracketOffsets {
  double pct = std::numeric_limits<double>::quiet_NaN();
  double distance = std::numeric_limits<double>::quiet_NaN();
};

class SimulatedExchange final : public execution::ExecutionClient {
 public:
  // REQUIRES: config, host and clock outlive the exchange.
  SimulatedExchange(std::vector<model::Instrument> instruments, const BacktestConfig& config,
                    ExchangeHost& host, const Clock& clock);

  // ATR per bar of an instrument, for ATR slippage (fills at bar t use ATR of t-1).
  void set_atr(std::uint32_t instrument, std::vector<double> atr);

  void submit(model::Order order) override;
  // A bracket child: held until `order.parent` fills completely, then priced from the parent's fill.
  void submit_child(model::Order order, BracketOffsets offsets);
  Status cancel(model::OrderId id, std::string reason) override;

  // Matches the working orders of `instrument` against its bar `index` (open, intrabar, close passes).
  void process_bar(std::uint32_t instrument, std::int64_t index, const model::Bar& bar) {
    current_bar_[instrument] = index;
    if (!open_[instrument].empty()) match_bar(instrument, index, bar);  // most bars have no working order
  }
  // Fills market orders submitted during bar `index` at its close (--fill close).
  void fill_at_close(std::uint32_t instrument, std::int64_t index, const model::Bar& bar);
  // Cancels the armed reduce-only bracket children of `instrument` (its position was closed).
  void cancel_children(std::uint32_t instrument, std::int64_t index, Timestamp ts, const std::string& reason);
  // Cancels every working order (end of data, a faulted strategy).
  void cancel_all(Timestamp ts, std::int64_t bar, const std::string& reason);

  const model::Order* order(model::OrderId id) const;
  // Working and held orders, in submission order.
  void open_orders(std::vector<const model::Order*>& out) const;
  // Appends every order ever submitted (by id), moving them out: the exchange is done after this.
  void take_orders(std::vector<model::Order>& out);
  // Drops every order (the run does not record them): the exchange is done after this.
  void discard_orders();

 private:
  enum class Pass : std::uint8_t { kOpen, kIntrabar, kClose };
  void match_bar(std::uint32_t instrument, std::int64_t index, const model::Bar& bar);
  model::Order* find(model::OrderId id);
  void accept(model::Order& o, Timestamp ts, std::int64_t bar);
  void event(model::Order& o, model::OrderStatus to, Timestamp ts, std::int64_t bar, std::string reason);
  // Trigger price of a working order in this pass, NaN when it does not fill now.
  double trigger_price(model::Order& o, const model::Bar& bar, Pass pass) const;
  bool is_stop_like(const model::Order& o) const;
  // Among OCO siblings triggering in this bar, whether `o` (price p) goes first.
  bool wins_oco(const model::Order& o, double p, const model::Bar& bar, Pass pass);
  void execute(model::Order& o, double reference, bool taker, std::int64_t index, const model::Bar& bar,
               Pass pass);
  void activate_children(const model::Order& parent, std::int64_t index, bool same_bar);
  void finish_window(model::Order& o, std::int64_t index, const model::Bar& bar);
  double atr_before(std::uint32_t instrument, std::int64_t index) const;

  std::vector<model::Instrument> instruments_;
  const BacktestConfig& config_;
  ExchangeHost& host_;
  const Clock& clock_;
  // Per order state the Order record does not carry.
  struct Aux {
    double filled_in_bar = 0;      // for the volume cap
    std::int64_t filled_bar = -1;  // bar of filled_in_bar
    std::int64_t active_from = 0;  // first bar a (child) order may fill on
    bool has_offsets = false;
    BracketOffsets offsets;
  };
  // Append-only storage whose elements never move, so references stay valid while host callbacks
  // submit new orders during matching. Chunks of 256 instead of std::deque's 512 bytes (two Orders):
  // a deque allocated once per two orders, which was most of a run's heap traffic.
  template <typename T>
  class StableStore {
   public:
    std::size_t size() const { return size_; }
    T& operator[](std::size_t k) { return chunks_[k / kChunk][k % kChunk]; }
    const T& operator[](std::size_t k) const { return chunks_[k / kChunk][k % kChunk]; }
    T& back() { return (*this)[size_ - 1]; }
    T& push_back(T value) {
      if (size_ % kChunk == 0) {
        chunks_.emplace_back();
        chunks_.back().reserve(kChunk);  // never exceeded: the chunk's buffer never moves
      }
      ++size_;
      return chunks_.back().emplace_back(std::move(value));
    }
    template <typename F>
    void for_each(F&& f) {
      for (auto& c : chunks_) {
        for (T& x : c) f(x);
      }
    }
    void clear() {
      chunks_.clear();
      size_ = 0;
    }

   private:
    static constexpr std::size_t kChunk = 256;
    std::vector<std::vector<T>> chunks_;
    std::size_t size_ = 0;
  };
  StableStore<model::Order> orders_;
  StableStore<Aux> aux_;
  // Slot in orders_ + 1 by order id (0 = unknown). Ids are small and dense (the kernel hands them out
  // in sequence), so a vector beats a hash map: no node allocated per order.
  std::vector<std::uint32_t> index_;
  std::size_t slot(model::OrderId id) const {
    return id < index_.size() && index_[id] != 0 ? index_[id] - 1 : static_cast<std::size_t>(-1);
  }
  std::vector<std::vector<model::OrderId>> open_;  // per instrument, in submission order
  std::vector<std::vector<double>> atr_;
  std::vector<std::int64_t> current_bar_;  // last bar processed per instrument (for cancel events)
  std::vector<model::OrderId> scratch_;
};

}  // namespace tradeloop::backtest
