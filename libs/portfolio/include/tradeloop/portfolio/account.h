// Account: the books of one run. Cash, positions (as FIFO lots), fees, funding and borrow charges,
// margin. The account changes only through apply_fill() and charge(), so its state is a left fold over
// the fill log and the charge log (docs/adr/0002-money.md): replaying the logs reproduces it bit for bit.
//
// Money is double. `balance` is the margin-account balance: initial cash + realized PnL - fees - charges
// (it does not move when a position opens, only by the fee). Equity = balance + unrealized PnL of the
// open lots at their mark prices; "cash" in the spot sense is equity - market value of the positions.
// The update order of every sum is fixed and documented because backtesting.py's results are
// reproduced to the last bit (its cash += pnl - commission; cash -= commission on entry).
//
// Positions: netting (default) keeps one net position per instrument, an opposite fill first reduces
// the open lots oldest first; hedging keeps long and short lots side by side and only an order marked
// `closing` reduces them. Each reduction of a lot is one ClosedTrade (partial closes are separate
// trades of the closed size, as in backtesting.py).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "tradeloop/analytics/records.h"
#include "tradeloop/core/time.h"
#include "tradeloop/model/fill.h"
#include "tradeloop/model/instrument.h"
#include "tradeloop/model/position.h"

namespace tradeloop::portfolio {

enum class PositionMode : std::uint8_t { kNetting = 0, kHedging = 1 };

// One entry fill (or the part of it that opened a position), reduced oldest first.
struct Lot {
  double quantity = 0;  // signed units: > 0 long, < 0 short
  double entry_price = 0;
  Timestamp entry_time = 0;
  std::int64_t entry_bar = -1;
  double entry_fee = 0;  // entry commission still attributed to this lot (shrinks pro rata on partial closes)
  double costs = 0;      // funding and borrow charged to this lot so far
  double high = 0;       // best/worst prices seen while open, for MAE/MFE
  double low = 0;
  std::int64_t excursion_from_bar =
      0;  // first bar whose high/low counts (the entry bar if entered at its open)
  model::OrderId order = model::kNoOrder;
};

class Account {
 public:
  // REQUIRES: initial_cash > 0, leverage >= 1.
  Account(double initial_cash, std::vector<model::Instrument> instruments,
          PositionMode mode = PositionMode::kNetting, double leverage = 1.0);

  // Applies one fill. `closing` (hedging mode only) makes the fill reduce opposite lots instead of
  // opening a new one. `at_open`: the fill happened at the bar's open, so that bar's high and low count
  // for the new lot's excursions. Every lot reduced appends one ClosedTrade to `closed` (when not null)
  // with `exit_reason`. REQUIRES: fill.quantity > 0, fill.instrument valid; in hedging mode a closing
  // fill must not exceed the opposite lots.
  void apply_fill(const model::Fill& fill, bool closing, bool at_open, std::string_view exit_reason,
                  std::vector<analytics::ClosedTrade>* closed);

  // Debits `amount` (credits when negative): funding payments, borrow cost. Attributed to the
  // instrument's open lots pro rata by size (they appear in those trades' fees).
  void charge(std::uint32_t instrument, double amount);

  // Mark price of an instrument (last trade or close).
  void mark(std::uint32_t instrument, double price) {
    books_[instrument].last_price = price;
    ++version_;
  }
  // Extends the open lots' high/low with a bar the lots were held through (MAE/MFE).
  void observe_bar(std::uint32_t instrument, std::int64_t bar, double high, double low) {
    for (Lot& lot : books_[instrument].lots) {
      if (bar < lot.excursion_from_bar) continue;
      lot.high = std::max(lot.high, high);
      lot.low = std::min(lot.low, low);
    }
  }

  // Changes whenever the books may have changed (a mark, a fill, a charge): equal versions mean equal
  // equity and position value, so a caller may keep the figures it computed at that version.
  std::uint64_t version() const { return version_; }
  double initial_cash() const { return initial_cash_; }
  double balance() const { return balance_; }
  // Inline: the kernel reads these every bar.
  double equity() const { return balance_ + unrealized_pnl(); }
  double unrealized_pnl() const {
    // backtesting.py: sum(trade.pl for trade in trades), oldest first.
    double s = 0;
    for (const Book& b : books_) {
      for (const Lot& lot : b.lots)
        s += lot.quantity * (b.last_price - lot.entry_price) * b.instrument.multiplier;
    }
    return s;
  }
  double position_value() const {  // sum of signed market values
    double s = 0;
    for (const Book& b : books_) {
      for (const Lot& lot : b.lots) s += lot.quantity * b.last_price * b.instrument.multiplier;
    }
    return s;
  }
  // equity() and position_value() in one pass over the lots (same sums in the same order, so the same
  // bits): the kernel records both every bar.
  void equity_and_position_value(double* equity, double* position_value) const {
    double u = 0, v = 0;
    for (const Book& b : books_) {
      for (const Lot& lot : b.lots) {
        u += lot.quantity * (b.last_price - lot.entry_price) * b.instrument.multiplier;
        v += lot.quantity * b.last_price * b.instrument.multiplier;
      }
    }
    *equity = balance_ + u;
    *position_value = v;
  }
  double gross_exposure() const;    // sum of |market value|
  double margin_used() const;       // sum of |market value| / leverage
  double margin_available() const;  // max(0, equity - margin used)
  double leverage() const { return leverage_; }
  double total_fees() const { return total_fees_; }
  double total_charges() const { return total_charges_; }
  PositionMode mode() const { return mode_; }

  std::size_t num_instruments() const { return books_.size(); }
  const model::Instrument& instrument(std::uint32_t i) const { return books_[i].instrument; }
  double last_price(std::uint32_t i) const { return books_[i].last_price; }
  double net_quantity(std::uint32_t i) const {
    double q = 0;
    for (const Lot& lot : books_[i].lots) q += lot.quantity;
    return q;
  }
  bool has_position(std::uint32_t i) const { return !books_[i].lots.empty(); }
  // Sum of long (side > 0) or short (side < 0) lots' quantities (signed).
  double side_quantity(std::uint32_t i, int side) const;
  std::span<const Lot> lots(std::uint32_t i) const { return books_[i].lots; }
  bool is_flat() const {
    for (const Book& b : books_) {
      if (!b.lots.empty()) return false;
    }
    return true;
  }
  model::Position position(std::uint32_t i) const;

  // The open lots as OpenPosition records, one per lot (valued at the mark price).
  void open_positions(std::vector<analytics::OpenPosition>& out) const;

 private:
  struct Book {
    model::Instrument instrument;
    std::vector<Lot> lots;
    double last_price = 0;
  };
  void close_part(Book& book, std::size_t lot_index, double part, const model::Fill& fill, double fee_part,
                  std::string_view exit_reason, std::vector<analytics::ClosedTrade>* closed);

  double initial_cash_;
  double balance_;
  double leverage_;
  PositionMode mode_;
  double total_fees_ = 0;
  double total_charges_ = 0;
  std::uint64_t version_ = 0;
  std::vector<Book> books_;
};

// MAE/MFE in percent of the entry price for a lot of `sign` (+1 long, -1 short) that saw [low, high].
void excursions(double sign, double entry, double high, double low, double* mae_pct, double* mfe_pct);

}  // namespace tradeloop::portfolio
