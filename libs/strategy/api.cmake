# The Strategy API and the built-in C++ strategies (target tl_strategy). The JSON spec language is
# spec.cmake's (tl_strategy_spec).
tl_add_library(strategy
  SOURCES src/sma_cross.cc src/builtin.cc src/plan_strategy.cc src/signal_plan.cc
  DEPS tradeloop::model tradeloop::data tradeloop::indicators
  PRIVATE_DEPS fmt::fmt)

tl_add_test(strategy_api_test
  SOURCES tests/sma_cross_test.cc tests/signal_decision_test.cc
  DEPS tradeloop::strategy)
