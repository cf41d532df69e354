# add_module(name SRCS a.cc b.cc DEPS other_module ...)
# Every module under src/ is one static library. A module's DEPS are the only modules it may
# include; the per-module test binaries link exactly these, so an upward include fails to link.
function(add_module name)
  cmake_parse_arguments(M "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} STATIC ${M_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${M_DEPS})
endfunction()

# add_module_test(name SRCS a_test.cc DEPS module ...)
# One GoogleTest binary per module, registered with CTest through gtest_discover_tests.
function(add_module_test name)
  cmake_parse_arguments(T "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${T_SRCS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE KIROKU_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_PREFIX "${name}."
    PROPERTIES ENVIRONMENT "KIROKU_TESTDATA=${PROJECT_SOURCE_DIR}/tests/data")
endfunction()

# add_fuzz_target(name SRCS x_fuzz.cc DEPS module ... SEEDS dir)
# A libFuzzer target for one parser. Every build makes `<name>_replay`, which runs the target
# over its seed corpus as the CTest test `<name>_replay` (so g++ builds exercise it too). With
# -DKIROKU_FUZZ=ON (clang; `make fuzz`) it also builds `<name>` with -fsanitize=fuzzer and lists
# it in <build>/fuzzers.txt ("name seeds-dir" a line), which scripts/run-fuzzers.sh runs.
function(add_fuzz_target name)
  cmake_parse_arguments(F "" "SEEDS" "SRCS;DEPS" ${ARGN})
  add_executable(${name}_replay ${F_SRCS} ${PROJECT_SOURCE_DIR}/tests/testing/fuzz_replay_main.cc)
  target_include_directories(${name}_replay PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name}_replay PRIVATE ${F_DEPS})
  file(GLOB seeds CONFIGURE_DEPENDS ${F_SEEDS}/*)
  add_test(NAME ${name}_replay COMMAND ${name}_replay ${seeds})
  if(KIROKU_FUZZ)
    add_executable(${name} ${F_SRCS})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE ${F_DEPS})
    add_dependencies(fuzzers ${name})
    file(APPEND ${CMAKE_BINARY_DIR}/fuzzers.txt "${CMAKE_CURRENT_BINARY_DIR}/${name} ${F_SEEDS}\n")
  endif()
endfunction()
