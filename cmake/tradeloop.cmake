# Helpers that keep every module's CMakeLists.txt short and uniform.
include_guard(GLOBAL)

# tl_add_library(<module> SOURCES a.cc ... [DEPS public deps...] [PRIVATE_DEPS ...])
# Creates target tl_<module> (alias tradeloop::<module>); include/ is PUBLIC, src/ PRIVATE.
function(tl_add_library module)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(tl_${module} STATIC ${ARG_SOURCES})
  add_library(tradeloop::${module} ALIAS tl_${module})
  target_include_directories(tl_${module}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(tl_${module} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# tl_add_test(<name> SOURCES t.cc ... DEPS ... [LABELS unit|integration|golden|slow] [TIMEOUT s])
# One GoogleTest executable registered with ctest through gtest_discover_tests.
function(tl_add_test name)
  if(NOT TL_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  # The release preset leaves unit tests to the ASan+UBSan build (make test runs them there).
  if(ARG_LABELS STREQUAL "unit" AND NOT TL_BUILD_UNIT_TESTS)
    return()
  endif()
  # And the ASan preset builds only unit tests (integration/golden/slow run on the release build).
  if(NOT ARG_LABELS STREQUAL "unit" AND NOT TL_BUILD_OTHER_TESTS)
    return()
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    TL_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    TL_BINARY_DIR="${PROJECT_BINARY_DIR}")
  include(GoogleTest)
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
endfunction()

# tl_add_benchmark(<name> SOURCES b.cc ... DEPS ...)
function(tl_add_benchmark name)
  if(NOT TL_BUILD_BENCHMARKS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark benchmark::benchmark_main)
  target_compile_definitions(${name} PRIVATE TL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)
endfunction()
