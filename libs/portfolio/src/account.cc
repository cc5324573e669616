#include "tradeloop/portfolio/account.h"

#include <algorithm>
#include <cmath>

#include "tradeloop/core/check.h"

namespace tradeloop::portfolio {

Account::Account(double initial_cash, std::vector<model::Instrument> instruments, PositionMode mode,
                 double leverage)
    : initial_cash_(initial_cash), balance_(initial_cash), leverage_(leverage), mode_(mode) {
  TL_CHECK(initial_cash > 0 && std::isfinite(initial_cash), "Account: initial cash must be > 0, is ",
           initial_cash);
  TL_CHECK(leverage >= 1 && std::isfinite(leverage), "Account: leverage must be >= 1, is ", leverage);
  books_.reserve(instruments.size());
  for (auto& inst : instruments) books_.push_back(Book{std::move(inst), {}, 0});
}

void excursions(double sign, double entry, double high, double low, double* mae_pct, double* mfe_pct) {
  if (sign > 0) {
    *mae_pct = std::min(0.0, (low / entry - 1) * 100);
    *mfe_pct = std::max(0.0, (high / entry - 1) * 100);
  } else {
    *mae_pct = std::min(0.0, (1 - high / entry) * 100);
    *mfe_pct = std::max(0.0, (1 - low / entry) * 100);
  }
}

void Account::close_part(Book& book, std::size_t lot_index, double part, const model::Fill& fill,
                         double fee_part, std::string_view exit_reason,
                         std::vector<analytics::ClosedTrade>* closed) {
  Lot& lot = book.lots[lot_index];
  const double lot_size = std::fabs(lot.quantity);
  const double sign = lot.quantity > 0 ? 1.0 : -1.0;
  const double size = sign * part;  // signed size of the closed part, in the lot's direction
  // backtesting.py: cash += size * (exit - entry) - exit_commission.
  const double gross = size * (fill.price - lot.entry_price) * book.instrument.multiplier;
  balance_ += gross - fee_part;
  const double ratio = part / lot_size;
  const double entry_fee_part = lot.entry_fee * ratio;
  const double cost_part = lot.costs * ratio;
  if (closed != nullptr) {
    analytics::ClosedTrade t;
    t.symbol = book.instrument.symbol;
    t.side = sign > 0 ? analytics::Side::kLong : analytics::Side::kShort;
    t.size = part;
    t.entry_time = lot.entry_time;
    t.exit_time = fill.ts;
    t.entry_bar = lot.entry_bar;
    t.exit_bar = fill.bar;
    t.entry_price = lot.entry_price;
    t.exit_price = fill.price;
    t.fees = (fee_part + entry_fee_part) + cost_part;
    t.pnl = gross - t.fees;
    // Price return before fees (analytics derives backtesting.py's net ReturnPct as
    // return_pct / 100 - fees / (size x entry)).
    t.return_pct = sign * (fill.price / lot.entry_price - 1) * 100;
    excursions(sign, lot.entry_price, std::max(lot.high, fill.price), std::min(lot.low, fill.price),
               &t.mae_pct, &t.mfe_pct);
    t.exit_reason = std::string(exit_reason);
    closed->push_back(std::move(t));
  }
  if (part >= lot_size) {
    book.lots.erase(book.lots.begin() + static_cast<std::ptrdiff_t>(lot_index));
  } else {
    lot.quantity = sign * (lot_size - part);
    lot.entry_fee -= entry_fee_part;
    lot.costs -= cost_part;
  }
}

void Account::apply_fill(const model::Fill& fill, bool closing, bool at_open, std::string_view exit_reason,
                         std::vector<analytics::ClosedTrade>* closed) {
  TL_CHECK(fill.instrument < books_.size(), "fill for unknown instrument ", fill.instrument);
  TL_CHECK(fill.quantity > 0 && std::isfinite(fill.price), "fill of order ", fill.order, " has quantity ",
           fill.quantity, " and price ", fill.price);
  Book& book = books_[fill.instrument];
  ++version_;
  total_fees_ += fill.fee;
  const double fill_sign = fill.side == model::OrderSide::kBuy ? 1.0 : -1.0;
  double remaining = fill.quantity;
  const bool reduce = mode_ == PositionMode::kNetting || closing;
  if (reduce) {
    // Oldest opposite lot first (FIFO).
    std::size_t i = 0;
    while (remaining > 0 && i < book.lots.size()) {
      Lot& lot = book.lots[i];
      if ((lot.quantity > 0) == (fill_sign > 0)) {
        ++i;
        continue;
      }
      const double part = std::min(remaining, std::fabs(lot.quantity));
      // The whole fill's fee when one lot absorbs it (exact), else pro rata by quantity.
      const double fee_part = part == fill.quantity ? fill.fee : fill.fee * (part / fill.quantity);
      const std::size_t before = book.lots.size();
      close_part(book, i, part, fill, fee_part, exit_reason, closed);
      remaining -= part;
      if (book.lots.size() == before) ++i;  // partially reduced lot stays in place
    }
    TL_CHECK(mode_ == PositionMode::kNetting || remaining <= 1e-12 * fill.quantity, "closing fill of order ",
             fill.order, " exceeds the opposite lots by ", remaining);
    if (mode_ == PositionMode::kHedging) remaining = 0;
  }
  if (remaining > 0) {
    const double fee_part = remaining == fill.quantity ? fill.fee : fill.fee * (remaining / fill.quantity);
    balance_ -= fee_part;  // backtesting.py: cash -= commission on entry
    Lot lot;
    lot.quantity = fill_sign * remaining;
    lot.entry_price = fill.price;
    lot.entry_time = fill.ts;
    lot.entry_bar = fill.bar;
    lot.entry_fee = fee_part;
    lot.high = fill.price;
    lot.low = fill.price;
    lot.excursion_from_bar = at_open ? fill.bar : fill.bar + 1;
    lot.order = fill.order;
    book.lots.push_back(lot);
  }
  if (book.last_price == 0) book.last_price = fill.price;
}

void Account::charge(std::uint32_t instrument, double amount) {
  TL_CHECK(instrument < books_.size() && std::isfinite(amount), "charge of ", amount, " to instrument ",
           instrument);
  ++version_;
  balance_ -= amount;
  total_charges_ += amount;
  Book& book = books_[instrument];
  double total = 0;
  for (const Lot& lot : book.lots) total += std::fabs(lot.quantity);
  if (total <= 0) return;
  for (Lot& lot : book.lots) lot.costs += amount * (std::fabs(lot.quantity) / total);
}

double Account::gross_exposure() const {
  double s = 0;
  for (const Book& b : books_) {
    for (const Lot& lot : b.lots) s += std::fabs(lot.quantity) * b.last_price * b.instrument.multiplier;
  }
  return s;
}

double Account::margin_used() const {
  // backtesting.py: sum(trade.value / leverage).
  double s = 0;
  for (const Book& b : books_) {
    for (const Lot& lot : b.lots)
      s += std::fabs(lot.quantity) * b.last_price * b.instrument.multiplier / leverage_;
  }
  return s;
}

double Account::margin_available() const {
  return std::max(0.0, equity() - margin_used());
}

double Account::side_quantity(std::uint32_t i, int side) const {
  double q = 0;
  for (const Lot& lot : books_[i].lots) {
    if ((side > 0) == (lot.quantity > 0)) q += lot.quantity;
  }
  return q;
}

model::Position Account::position(std::uint32_t i) const {
  model::Position p;
  p.instrument = i;
  const Book& b = books_[i];
  p.last_price = b.last_price;
  double cost = 0;
  for (const Lot& lot : b.lots) {
    p.quantity += lot.quantity;
    cost += lot.quantity * lot.entry_price;
    p.unrealized_pnl += lot.quantity * (b.last_price - lot.entry_price) * b.instrument.multiplier;
  }
  if (!b.lots.empty()) {
    p.entry_time = b.lots.front().entry_time;
    p.entry_bar = b.lots.front().entry_bar;
  }
  p.avg_entry_price = p.quantity != 0 ? cost / p.quantity : 0;
  return p;
}

void Account::open_positions(std::vector<analytics::OpenPosition>& out) const {
  for (const Book& b : books_) {
    for (const Lot& lot : b.lots) {
      analytics::OpenPosition p;
      p.symbol = b.instrument.symbol;
      p.side = lot.quantity > 0 ? analytics::Side::kLong : analytics::Side::kShort;
      p.size = std::fabs(lot.quantity);
      p.entry_time = lot.entry_time;
      p.entry_price = lot.entry_price;
      p.last_price = b.last_price;
      p.unrealized_pnl = lot.quantity * (b.last_price - lot.entry_price) * b.instrument.multiplier;
      out.push_back(std::move(p));
    }
  }
}

}  // namespace tradeloop::portfolio
