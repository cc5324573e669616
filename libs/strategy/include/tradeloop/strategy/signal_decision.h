// The rule that turns one bar's signal flags into actions, shared by the signal runner (fast path) and
// event-API strategies that trade signals (sma_cross), so both paths decide identically.
//
//  - An exit flag closes a position of its side (long_exit a long, short_exit a short).
//  - A long and a short entry on the same bar cancel each other (ambiguous: no entry).
//  - An entry in the direction already held is ignored (no pyramiding).
//  - An entry against an open position reverses it when --exclusive is set or the position's own exit
//    flag fires on the same bar; otherwise it is ignored (netting cannot hold both sides).
//  - Entries need entry_allowed and no cooldown; with a cooldown (> 0 bars) a reversal only exits.
//  - Short entries need --allow-short.
#pragma once

namespace tradeloop::strategy {

struct SignalFlags {
  bool long_entry = false, long_exit = false, short_entry = false, short_exit = false;
  bool entry_allowed = true;  // session/weekday filter passed and not in a cooldown
};

struct SignalDecision {
  bool exit = false;  // close the open position first
  int entry = 0;      // +1 open long, -1 open short, 0 none
};

// position: +1 long, -1 short, 0 flat.
inline SignalDecision decide(int position, const SignalFlags& f, bool allow_short, bool exclusive,
                             bool cooldown_configured) {
  SignalDecision d;
  const bool want_exit = (position > 0 && f.long_exit) || (position < 0 && f.short_exit);
  const bool go_long = f.entry_allowed && f.long_entry;
  const bool go_short = f.entry_allowed && allow_short && f.short_entry;
  int entry = go_long && !go_short ? 1 : (go_short && !go_long ? -1 : 0);
  d.exit = want_exit;
  if (entry != 0) {
    if (position == entry) {
      entry = 0;
    } else if (position == -entry) {
      if (exclusive || want_exit) {
        d.exit = true;
        if (cooldown_configured) entry = 0;
      } else {
        entry = 0;
      }
    }
  }
  if (position == 0) d.exit = false;
  d.entry = entry;
  return d;
}

}  // namespace tradeloop::strategy
