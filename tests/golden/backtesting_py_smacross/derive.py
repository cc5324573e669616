#!/usr/bin/env python3
"""Derives the expected results of backtesting.py 0.6.6's SmaCross example on GOOG-1d.csv.

Written for tradeloop from backtesting.py 0.6.6's documented and observed broker rules (it contains
no backtesting.py code). Standard library only; run it from anywhere:

    python3 tests/golden/backtesting_py_smacross/derive.py            # check + rewrite the goldens
    python3 tests/golden/backtesting_py_smacross/derive.py --check    # check only

Before writing anything it reproduces, to the last printed digit, values backtesting.py publishes for
the same data, which pins down the semantics it simulates (see README.md):
  * its own test suite (test_compute_stats, SmaCross fast=10 slow=30, finalize_trades=True, no
    commission): 66 trades, Equity Final 51422.98999999996 (trades finalized at the last bar's open,
    0.6.0 .. 0.6.4) or 51959.94999999997 (finalized at its close, later versions), Equity Peak
    75787.44, Win Rate 46.96969696969697, Best Trade 53.59595229490424, Worst Trade
    -18.39887353835481, Exposure Time 96.74115456238361;
  * its commission tests on the first 20 bars (test_spread_commission): equity [9784.50, 9718.69]
    with commission=(100, .01) and [9781.28, 9846.04] with a 1% commission function;
  * the README's example output, which was produced by the pre-0.6 commission rule (commission
    applied once, through the entry price): Equity Final 68935.12, Equity Peak 68991.22, Return
    589.35 %, Best Trade 57.12 %, Worst Trade -16.63 %.
"""
import csv
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', '..', '..', 'data', 'samples', 'GOOG-1d.csv')
FULL_EQUITY = 1 - sys.float_info.epsilon  # what Strategy.buy()/sell() request by default


def load(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return dict(ts=[r['timestamp'] for r in rows],
                open=[float(r['open']) for r in rows], high=[float(r['high']) for r in rows],
                low=[float(r['low']) for r in rows], close=[float(r['close']) for r in rows])


def rolling_mean(x, w):
    """pandas Series.rolling(w).mean(): a running sum with Kahan compensation (separate
    compensation terms for values entering and leaving the window)."""
    out = [math.nan] * len(x)
    total = comp_add = comp_remove = 0.0
    nobs = negative = same = 0
    prev = x[0] if x else 0.0
    for i, v in enumerate(x):
        if i >= w:
            old = x[i - w]
            nobs -= 1
            y = -old - comp_remove
            t = total + y
            comp_remove = t - total - y
            total = t
            negative -= math.copysign(1, old) < 0
        nobs += 1
        y = v - comp_add
        t = total + y
        comp_add = t - total - y
        total = t
        negative += math.copysign(1, v) < 0
        same = same + 1 if v == prev else 1
        prev = v
        if nobs >= w:
            r = total / nobs
            if same >= nobs:
                r = prev
            elif negative == 0 and r < 0:
                r = 0.0
            elif negative == nobs and r > 0:
                r = 0.0
            out[i] = r
    return out


class Broker:
    """Single-instrument broker with backtesting.py 0.6.6's rules for market orders:
    fills at the next bar's open (or, with trade_on_close, at the close of the bar the order was
    placed on, dated that bar), a fractional size is resolved at the fill as
    int(margin_available * (1 - 2**-52) // (price + commission(size, price) / size)), commission
    = fixed + |size| * price * rate is charged on entry and again on exit, exclusive orders first
    close every open trade (at the same fill price), and equity = cash + sum of open trades'
    size * (close - entry)."""

    def __init__(self, cash, rate, fixed=0.0, trade_on_close=False, old_commission=False):
        self.cash = cash
        self.rate, self.fixed = rate, fixed
        self.trade_on_close = trade_on_close
        self.old = old_commission  # pre-0.6: commission only through the entry price
        self.trades = []    # open: [size, entry_price, entry_bar]
        self.closed = []    # dicts
        self.queue = []     # ('close', trade) or ('new', size)

    def fee(self, size, price):
        return self.fixed + abs(size) * price * self.rate

    def close_trade(self, t, price, bar):
        self.trades.remove(t)
        size, entry, entry_bar = t
        gross = size * (price - entry)
        if self.old:
            self.cash += gross
            fees = 0.0
        else:
            exit_fee = self.fee(size, price)
            self.cash += gross - exit_fee
            fees = exit_fee + self.fee(size, entry)
        self.closed.append(dict(size=size, entry_bar=entry_bar, exit_bar=bar, entry=entry, exit=price,
                                pnl=gross - fees, fees=fees))

    def place(self, size, exclusive=True):
        if exclusive:
            self.queue = [q for q in self.queue if q[0] != 'new']
            for t in self.trades:
                self.queue.insert(0, ('close', t))
        self.queue.append(('new', size))

    def process(self, d, i):
        price = d['close'][i - 1] if self.trade_on_close else d['open'][i]
        bar = i - 1 if self.trade_on_close else i
        for kind, arg in list(self.queue):
            if kind == 'close':
                if arg in self.trades:
                    self.close_trade(arg, price, bar)
                continue
            last = d['close'][i]
            equity = self.cash + sum(t[0] * (last - t[1]) for t in self.trades)
            margin = max(0.0, equity - sum(abs(t[0]) * last for t in self.trades))
            if self.old:
                unit = price * (1 + math.copysign(self.rate, arg))
                entry = unit
            else:
                entry = price
                unit = price + self.fee(arg, price) / abs(arg)
            size = arg
            if -1 < size < 1:
                size = math.copysign(int((margin * 1.0 * abs(size)) // unit), size)
                if not size:
                    continue
            need = int(size)
            for t in list(self.trades):
                if (t[0] > 0) != (need > 0):
                    assert abs(need) >= abs(t[0]), 'partial reductions are not needed here'
                    self.close_trade(t, price, bar)
                    need += t[0]
                    if not need:
                        break
            if abs(need) * unit > margin:
                continue
            if need:
                self.trades.append([need, entry, bar])
                if not self.old:
                    self.cash -= self.fee(need, entry)
        self.queue = []

    def equity(self, close):
        return self.cash + sum(t[0] * (close - t[1]) for t in self.trades)


def sma_cross(d, fast, slow, rate=0.0, trade_on_close=False, finalize=None, close_first=False,
              old_commission=False, exclusive=True):
    f, s = rolling_mean(d['close'], fast), rolling_mean(d['close'], slow)
    n = len(d['close'])
    start = 1 + max(next(i for i, v in enumerate(a) if not math.isnan(v)) for a in (f, s))
    b = Broker(10000.0, rate, trade_on_close=trade_on_close, old_commission=old_commission)
    equity = [math.nan] * n
    for i in range(start, n):
        b.process(d, i)
        equity[i] = b.equity(d['close'][i])
        up = f[i - 1] < s[i - 1] and f[i] > s[i]
        down = s[i - 1] < f[i - 1] and s[i] > f[i]
        if up or down:
            if close_first:  # the test suite's SmaCross: position.close() then buy()/sell()
                for t in b.trades:
                    b.queue.insert(0, ('close', t))
            b.place(FULL_EQUITY if up else -FULL_EQUITY, exclusive)
    if finalize == 'open':
        for t in reversed(list(b.trades)):
            b.queue.insert(0, ('close', t))
        b.process(d, n - 1)
        equity[n - 1] = b.cash
    elif finalize == 'close':
        for t in list(b.trades):
            b.close_trade(t, d['close'][n - 1], n - 1)
        equity[n - 1] = b.cash
    first = next(i for i, v in enumerate(equity) if not math.isnan(v))
    equity[:first] = [equity[first]] * first
    return b, equity, start - 1


def trade_return(t):
    return math.copysign(1, t['size']) * (t['exit'] / t['entry'] - 1) - t['fees'] / (abs(t['size']) * t['entry'])


def gross_return_pct(t):
    """tradeloop's return_pct column: the price return in percent before fees (backtesting.py's
    ReturnPct is this / 100 minus fees / (size x entry))."""
    return math.copysign(1, t['size']) * (t['exit'] / t['entry'] - 1) * 100


def stats(d, b, equity, warmup):
    cl = b.closed
    rets = [trade_return(t) for t in cl]
    pnls = [t['pnl'] for t in cl]
    n = len(cl)
    held = [0] * len(equity)
    for t in cl:
        for k in range(t['entry_bar'], t['exit_bar'] + 1):
            held[k] = 1
    out = {'# Trades': n, 'Equity Final [$]': equity[-1], 'Equity Peak [$]': max(equity),
           'Return [%]': (equity[-1] - equity[0]) / equity[0] * 100,
           'Exposure Time [%]': sum(held) / len(held) * 100,
           'Buy & Hold Return [%]': (d['close'][-1] - d['close'][warmup]) / d['close'][warmup] * 100}
    if n:
        wins = sum(1 for p in pnls if p > 0)
        win_rate = wins / n
        out['Win Rate [%]'] = win_rate * 100
        out['Best Trade [%]'] = max(rets) * 100
        out['Worst Trade [%]'] = min(rets) * 100
        g = 0.0 if any(r <= -1 for r in rets) else math.exp(sum(math.log(1 + r) for r in rets) / n) - 1
        out['Avg. Trade [%]'] = g * 100
        neg = abs(sum(r for r in rets if r < 0))
        out['Profit Factor'] = sum(r for r in rets if r > 0) / neg if neg else math.nan
        out['Expectancy [%]'] = sum(rets) / n * 100
        mean = sum(pnls) / n
        sd = math.sqrt(sum((p - mean) ** 2 for p in pnls) / (n - 1)) if n > 1 else math.nan
        out['SQN'] = math.sqrt(n) * mean / sd if sd else math.nan
        avg_win = sum(p for p in pnls if p > 0) / max(1, wins)
        avg_loss = -sum(p for p in pnls if p < 0) / max(1, n - wins)
        out['Kelly Criterion'] = win_rate - (1 - win_rate) / (avg_win / avg_loss)
        out['Commissions [$]'] = sum(t['fees'] for t in cl)
    return out


def check(label, got, want, places=None):
    ok = (round(got, places) == want) if places is not None else (got == want)
    print(f'  {"ok" if ok else "MISMATCH"}: {label}: {got!r} (published {want!r})')
    return ok


def self_check(d):
    ok = True
    print('backtesting.py test suite, SmaCross(10, 30), finalize_trades=True:')
    for where, final in (('open', 51422.98999999996), ('close', 51959.94999999997)):
        b, eq, w = sma_cross(d, 10, 30, finalize=where, close_first=True, exclusive=False)
        st = stats(d, b, eq, w)
        ok &= check(f'trades (finalized at the {where})', st['# Trades'], 66)
        ok &= check('Equity Final', st['Equity Final [$]'], final)
        ok &= check('Equity Peak', st['Equity Peak [$]'], 75787.44)
        ok &= check('Win Rate', st['Win Rate [%]'], 46.96969696969697)
        ok &= check('Best Trade', st['Best Trade [%]'], 53.59595229490424)
        ok &= check('Worst Trade', st['Worst Trade [%]'], -18.39887353835481)
        ok &= check('Exposure Time', st['Exposure Time [%]'], 96.74115456238361)
        ok &= check('Buy & Hold Return', st['Buy & Hold Return [%]'], 522.0601851851852)
    print('backtesting.py test_spread_commission (first 20 bars, buy at bar 2, close at bar 3):')
    # commission=(100, .01), and commission=lambda size, price: size * price * .01 (a long, so = rate .01)
    for fixed, rate, want in ((100, .01, [9784.50, 9718.69]), (0, .01, [9781.28, 9846.04])):
        b = Broker(10000.0, rate, fixed)
        price = d['open'][2]
        unit = price + b.fee(FULL_EQUITY, price) / FULL_EQUITY
        size = int((10000.0 * FULL_EQUITY) // unit)
        b.cash -= b.fee(size, price)
        e2 = b.cash + size * (d['close'][2] - price)
        b.cash += size * (d['open'][3] - price) - b.fee(size, d['open'][3])
        ok &= check('equity bars 2..3', [round(e2, 2), round(b.cash, 2)], want)
    print('README example output (pre-0.6 commission rule):')
    b, eq, w = sma_cross(d, 10, 20, rate=0.002, old_commission=True, finalize='close')
    st = stats(d, b, eq, w)
    ok &= check('Equity Final', st['Equity Final [$]'], 68935.12, 2)
    ok &= check('Equity Peak', st['Equity Peak [$]'], 68991.22, 2)
    ok &= check('Return', st['Return [%]'], 589.35, 2)
    ok &= check('Best Trade', st['Best Trade [%]'], 57.12, 2)
    ok &= check('Worst Trade', st['Worst Trade [%]'], -16.63, 2)
    return ok


def write_scenario(d, name, **kw):
    b, eq, w = sma_cross(d, 10, 20, **kw)
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'expected_trades.csv'), 'w') as f:
        f.write('entry_time,exit_time,side,size,entry_price,exit_price,pnl,return_pct,fees,exit_reason\n')
        for t in b.closed:
            f.write(f"{d['ts'][t['entry_bar']]},{d['ts'][t['exit_bar']]},{'long' if t['size'] > 0 else 'short'},"
                    f"{abs(t['size'])},{t['entry']!r},{t['exit']!r},{t['pnl']!r},{gross_return_pct(t)!r},"
                    f"{t['fees']!r},signal\n")
    st = stats(d, b, eq, w)
    st['open_positions'] = [dict(side='long' if t[0] > 0 else 'short', size=abs(t[0]), entry_time=d['ts'][t[2]],
                                 entry_price=t[1]) for t in b.trades]
    with open(os.path.join(folder, 'expected_stats.json'), 'w') as f:
        json.dump(st, f, indent=2)
        f.write('\n')
    print(f'{name}: {st["# Trades"]} trades, Equity Final {st["Equity Final [$]"]!r}')


def main():
    d = load(DATA)
    if not self_check(d):
        sys.exit('the simulation does not reproduce backtesting.py\'s published values: nothing written')
    if '--check' in sys.argv:
        return
    write_scenario(d, 'commission', rate=0.002)
    write_scenario(d, 'trade_on_close', rate=0.0, trade_on_close=True)


if __name__ == '__main__':
    main()
