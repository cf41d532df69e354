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
