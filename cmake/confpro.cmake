# Shared build settings and helpers for every component.
add_library(confpro_warnings INTERFACE)
target_compile_options(confpro_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wimplicit-fallthrough)
if(CONFPRO_WERROR)
  target_compile_options(confpro_warnings INTERFACE -Werror)
endif()

if(CONFPRO_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(CONFPRO_SANITIZE STREQUAL "thread")
  # asio's fenced blocks use std::atomic_thread_fence, which GCC 12 warns TSan does not model (-Wtsan): a
  # third-party header, so the warning is not ours to fix under -Werror (a false report would be suppressed in
  # scripts/tsan.supp with its reason).
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer $<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>)
  add_link_options(-fsanitize=thread)
elseif(NOT CONFPRO_SANITIZE STREQUAL "")
  message(FATAL_ERROR "CONFPRO_SANITIZE must be '', 'address' or 'thread'")
endif()

# Which components each component may include (issue 13: boundaries the build enforces). The list is what its
# own code and the headers of what it uses need — the closure, since a header includes its own component's
# dependencies. A component compiles against a view of src/ (build/include/<folder>/) holding links to these
# folders only, so `#include "sip/…"` in web/ fails to compile. Tests, harnesses, benchmarks and tools see the
# whole of src/.
set(CONFPRO_MAY_INCLUDE_common "")
set(CONFPRO_MAY_INCLUDE_domain common)
set(CONFPRO_MAY_INCLUDE_store common domain)
set(CONFPRO_MAY_INCLUDE_directory common domain store)
set(CONFPRO_MAY_INCLUDE_booking common domain store)
set(CONFPRO_MAY_INCLUDE_media common)
set(CONFPRO_MAY_INCLUDE_sip common domain media)
set(CONFPRO_MAY_INCLUDE_ivr common domain)
set(CONFPRO_MAY_INCLUDE_notify common domain store booking)
set(CONFPRO_MAY_INCLUDE_billing common domain store booking conference notify)
set(CONFPRO_MAY_INCLUDE_conference common domain store booking directory ivr media sip)
set(CONFPRO_MAY_INCLUDE_web common domain store booking directory conference)
set(CONFPRO_MAY_INCLUDE_app common domain store booking directory ivr media sip conference web notify billing)

# Unity builds (CONFPRO_UNITY=ON: the Makefile's default, and scripts/sanitize; CI builds these trees from scratch):
# a component library and its unit-test binary are compiled as batches of CONFPRO_UNITY_BATCH sources, so the heavy
# headers (RESTinio/asio, SOCI, nlohmann-json, spdlog, gtest) are parsed once a batch instead of once a file (the
# ASan-built app library: 222 s of CPU file by file, 86 s in batches). `make … UNITY=OFF` for incremental builds.
# Folders still growing fast stay file by file (a new file's local helper could clash with a neighbour's):
# CONFPRO_UNITY_EXCLUDE for libraries, CONFPRO_UNITY_TESTS_EXCLUDE for tests (conference/'s unit tests too; its
# library is batched). A source whose file-local helper has a neighbour's name is compiled on its own
# (CONFPRO_UNITY_OWN_TU, paths under src/).
option(CONFPRO_UNITY "Unity-build the component libraries and unit tests (CI)" OFF)
set(CONFPRO_UNITY_BATCH 8 CACHE STRING "Sources per unity batch (CONFPRO_UNITY)")
set(CONFPRO_UNITY_EXCLUDE booking notify billing)
set(CONFPRO_UNITY_TESTS_EXCLUDE booking notify billing conference web app)
set(CONFPRO_UNITY_OWN_TU
  directory/ldap_directory.cpp      # bad_credentials(), logger(): also local_ and chain_directory.cpp's
  directory/chain_directory.cpp
  media/resampler.cpp               # valid_rate(): also opus_codec.cpp's, with another signature
  domain/booking_rules_test.cpp     # at(), valid_draft()
  domain/booking_policy_test.cpp    # booking()
  store/store_durability_test.cpp   # kT0
  store/store_ledger_test.cpp       # kT0, minutes
  store/store_sessions_test.cpp     # kT0
  ivr/join_flow_test.cpp)           # conference()

# confpro_unity(TARGET FOLDER EXCLUDED "a;b" SOURCES...): the unity build of TARGET unless FOLDER is excluded.
function(confpro_unity target folder excluded)
  if(NOT CONFPRO_UNITY OR folder IN_LIST excluded)
    return()
  endif()
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${CONFPRO_UNITY_BATCH})
  foreach(source ${ARGN})
    get_filename_component(source ${source} ABSOLUTE)
    file(RELATIVE_PATH relative ${PROJECT_SOURCE_DIR}/src ${source})
    if(relative IN_LIST CONFPRO_UNITY_OWN_TU)
      set_source_files_properties(${source} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
    endif()
  endforeach()
endfunction()

# confpro_library(NAME SOURCES a.cpp b.cpp DEPS x y [PUBLIC_DEPS ...])
# A component library named confpro_<NAME> of the folder it is declared in; headers are included as
# "<component>/<file>.h".
function(confpro_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  get_filename_component(folder ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  if(NOT DEFINED CONFPRO_MAY_INCLUDE_${folder})
    message(FATAL_ERROR "cmake/confpro.cmake: no CONFPRO_MAY_INCLUDE_${folder} for component ${folder}")
  endif()
  set(view ${CMAKE_BINARY_DIR}/include/${folder})
  foreach(component ${folder} ${CONFPRO_MAY_INCLUDE_${folder}})
    if(NOT EXISTS ${view}/${component})
      file(MAKE_DIRECTORY ${view})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${component} ${view}/${component} SYMBOLIC)
    endif()
  endforeach()
  # Consumers that are not components get the whole of src/; a component gets only its own view.
  set(everything $<$<NOT:$<BOOL:$<TARGET_PROPERTY:CONFPRO_COMPONENT>>>:${PROJECT_SOURCE_DIR}/src>)
  if(ARG_SOURCES)
    add_library(confpro_${name} STATIC ${ARG_SOURCES})
    set_target_properties(confpro_${name} PROPERTIES CONFPRO_COMPONENT ON)
    target_include_directories(confpro_${name} PRIVATE ${view} INTERFACE ${everything})
    target_link_libraries(confpro_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE confpro_warnings ${ARG_DEPS})
    confpro_unity(confpro_${name} ${folder} "${CONFPRO_UNITY_EXCLUDE}" ${ARG_SOURCES})
  else()
    add_library(confpro_${name} INTERFACE)
    target_include_directories(confpro_${name} INTERFACE ${everything})
    target_link_libraries(confpro_${name} INTERFACE ${ARG_PUBLIC_DEPS})
  endif()
endfunction()

# The throw-away PostgreSQL cluster of the tests (CTest fixture confpro_pg, set up in tests/CMakeLists.txt by
# tests/pg_cluster.sh): a test that needs it adds CONFPRO_PG_TEST_PROPERTIES to its properties, which require the
# fixture and tell it where the cluster's URL is written (CONFPRO_TEST_PG_URL_FILE).
set(CONFPRO_PG_STATE_DIR ${CMAKE_BINARY_DIR}/pg-cluster)
set(CONFPRO_PG_TEST_PROPERTIES FIXTURES_REQUIRED confpro_pg
  ENVIRONMENT CONFPRO_TEST_PG_URL_FILE=${CONFPRO_PG_STATE_DIR}/url)

# Tests that keep a CPU busy while they run (compiling, unit tests, browsers, floods, the media engine measured in
# real time) add CONFPRO_CPU_TEST_PROPERTIES: each holds one slot of CTest's resource `cpus`, which `make check`
# sizes to JOBS (--resource-spec-file). The others mostly wait — on real-time prompts and audio, on protocol timers —
# and fill the rest of `make check`'s CHECK_JOBS. Without a resource spec file (a plain `ctest`) the property is
# ignored.
set(CONFPRO_CPU_TEST_PROPERTIES RESOURCE_GROUPS cpus:1)

# confpro_test(NAME SOURCES x_test.cpp DEPS confpro_x [LABELS unit] [TIMEOUT s] [PROPERTIES k v ...])
# A GoogleTest binary registered with CTest; each TEST becomes a CTest test, holding a `cpus` slot
# (CONFPRO_CPU_TEST_PROPERTIES).
include(GoogleTest)
function(confpro_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS;PROPERTIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE confpro_warnings ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  get_filename_component(folder ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  confpro_unity(${name} ${folder} "${CONFPRO_UNITY_TESTS_EXCLUDE}" ${ARG_SOURCES})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  gtest_discover_tests(${name} TEST_LIST ${name}_TESTS
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} ${CONFPRO_CPU_TEST_PROPERTIES} ${ARG_PROPERTIES}
    DISCOVERY_TIMEOUT 60 WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  confpro_label_discovered_tests(${name} "${ARG_LABELS}")
endfunction()

# confpro_label_discovered_tests(TARGET "a;b")
# Gives every test gtest_discover_tests found in TARGET (TEST_LIST TARGET_TESTS) the labels a and b.
# gtest_discover_tests' own PROPERTIES splits a list value into separate arguments (CMake 3.25), so
# `PROPERTIES LABELS "e2e;conference"` labelled the tests "e2e" only and `ctest -L conference` selected nothing;
# the labels are set by a script CTest includes after the discovered tests instead.
function(confpro_label_discovered_tests target labels)
  set(script "${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake")
  file(WRITE "${script}"
    "if(DEFINED ${target}_TESTS)\n  set_tests_properties(\${${target}_TESTS} PROPERTIES LABELS \"${labels}\")\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${script}")
endfunction()
