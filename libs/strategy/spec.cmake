# The JSON strategy spec language: parser, validator, canonical form and hash, compiler to a
# SignalPlan, and the library loader (target tl_strategy_spec). See docs/strategy-spec.md.
find_package(FastFloat REQUIRED)

tl_add_library(strategy_spec
  SOURCES src/expr_parser.cc src/spec.cc src/spec_analyze.cc src/spec_print.cc src/spec_json.cc
          src/spec_sha256.cc src/spec_compile.cc src/spec_library.cc src/spec_explain.cc
  DEPS tradeloop::core tradeloop::data tradeloop::indicators
  PRIVATE_DEPS fmt::fmt nlohmann_json::nlohmann_json FastFloat::fast_float)
# Library names resolve to <repo>/strategies/<name>.json (after $TL_STRATEGY_DIR, before ./strategies).
target_compile_definitions(tl_strategy_spec PRIVATE TL_STRATEGY_SOURCE_DIR="${PROJECT_SOURCE_DIR}/strategies")
# g++ 12 reports a false -Wrestrict inside std::string's operator+(const char*, std::string&&)
# (GCC bug 105651, fixed in g++ 13); the spec printers build many such strings.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(tl_strategy_spec PRIVATE -Wno-restrict)
endif()

set(TL_SPEC_TEST_DEPS tradeloop::strategy_spec tradeloop::data tradeloop::indicators)
set(TL_SPEC_TEST_DEFS "")
if(TARGET tl_strategy)  # the built-in sma_cross (api.cmake): spec sma_cross must equal it
  list(APPEND TL_SPEC_TEST_DEPS tradeloop::strategy)
  list(APPEND TL_SPEC_TEST_DEFS TL_HAVE_BUILTIN_SMA_CROSS=1)
endif()

tl_add_test(strategy_spec_test
  SOURCES tests/spec_parser_test.cc tests/spec_validate_test.cc tests/spec_hash_test.cc tests/spec_compile_test.cc
          tests/spec_library_test.cc
  DEPS ${TL_SPEC_TEST_DEPS})
if(TARGET strategy_spec_test)
  target_compile_definitions(strategy_spec_test PRIVATE ${TL_SPEC_TEST_DEFS})
endif()

# The library traded end to end through the backtest kernel (signal runner and event kernel). Test
# and benchmark only: tl_backtest depends on tl_strategy (the API), never on tl_strategy_spec, so
# there is no cycle. libs/backtest is added after this module; the target is resolved at generation.
if(EXISTS ${PROJECT_SOURCE_DIR}/libs/backtest/CMakeLists.txt)
  tl_add_test(strategy_library_test
    SOURCES tests/strategy_library_test.cc
    DEPS tradeloop::strategy_spec tradeloop::strategy tradeloop::backtest tradeloop::data tradeloop::indicators)

  tl_add_benchmark(spec_compile_benchmark
    SOURCES benchmarks/spec_compile_benchmark.cc
    DEPS tradeloop::strategy_spec tradeloop::strategy tradeloop::backtest tradeloop::data tradeloop::indicators)
endif()
