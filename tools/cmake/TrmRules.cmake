# The BUILD macros of //bazel:trm.bzl, for CMake. Every source path is written relative to the
# repository root (as //tests/build:cmake_sources_test reads them).
#
# Built files go to <build>/bin/<package>/<file> (bazel-bin's layout). Tests and tools with data
# get a runfiles tree of symlinks, <root>/trm/<workspace path> and <root>/arc_data, at configure
# time; tests run through run_test.sh, which sets TEST_SRCDIR, RUNFILES_DIR, TEST_TMPDIR and
# TEST_WORKSPACE and starts in <root>/trm as `bazel test` does. Tools get <tool>.runfiles beside
# them, so bin/tools/train finds its plugins and experiments like bazel-bin/tools/train.

set(TRM_BIN "${CMAKE_BINARY_DIR}/bin")
set(TRM_RUNFILES "${CMAKE_BINARY_DIR}/runfiles")
set(TRM_TESTTMP "${CMAKE_BINARY_DIR}/testtmp")
set(TRM_GEN "${CMAKE_BINARY_DIR}/gen")
file(MAKE_DIRECTORY "${TRM_GEN}")

# @arc_data (bazel/arc_data.bzl): $TRM_ARC_DIR, else ../shared/data/arc beside the checkout.
if(DEFINED ENV{TRM_ARC_DIR})
  set(_trm_arc_default "$ENV{TRM_ARC_DIR}")
else()
  get_filename_component(_trm_arc_default "${TRM_SOURCE_ROOT}/../shared/data/arc" ABSOLUTE)
endif()
set(TRM_ARC_DIR "${_trm_arc_default}" CACHE PATH "Full ARC task files for the full_data tests")
set(TRM_HAVE_ARC_DATA OFF)
if(EXISTS "${TRM_ARC_DIR}/arc-agi_training2_challenges.json")
  set(TRM_HAVE_ARC_DATA ON)
endif()

# Bazel's test sizes: timeout in seconds, times TRM_TEST_TIMEOUT_SCALE (a loaded machine).
set(TRM_TEST_TIMEOUT_SCALE 1 CACHE STRING "Multiplies every test's timeout (Bazel's by size)")
set(_trm_timeout_small 60)
set(_trm_timeout_medium 300)
set(_trm_timeout_large 900)

# What every target includes and links: the core's headers (+ generated .pb.h and the runfiles
# library) and the third-party libraries. Plugins get this and nothing of the core's code.
add_library(trm_headers INTERFACE)
target_include_directories(trm_headers INTERFACE
  "${TRM_SOURCE_ROOT}" "${TRM_GEN}" "${TRM_SOURCE_ROOT}/third_party/bazel_runfiles")
target_compile_options(trm_headers INTERFACE -Wall -Wno-sign-compare -Wno-unused-parameter)
# Abseil/Protobuf before LibTorch: their include folders must win over copies inside torch's.
target_link_libraries(trm_headers INTERFACE trm::absl trm::protobuf trm::json trm::torch)

# trm_protos(OUT_VAR proto...): generates <build>/gen/<path>.pb.{h,cc} with protoc (trm_cc_proto).
function(trm_protos out_var)
  set(sources)
  set(headers)
  foreach(proto IN LISTS ARGN)
    string(REGEX REPLACE "\\.proto$" "" base "${proto}")
    add_custom_command(
      OUTPUT "${TRM_GEN}/${base}.pb.cc" "${TRM_GEN}/${base}.pb.h"
      COMMAND "${TRM_PROTOC}" "--proto_path=${TRM_SOURCE_ROOT}" "--cpp_out=${TRM_GEN}"
              "${TRM_SOURCE_ROOT}/${proto}"
      DEPENDS "${TRM_SOURCE_ROOT}/${proto}"
      COMMENT "protoc ${proto}")
    list(APPEND sources "${TRM_GEN}/${base}.pb.cc")
    list(APPEND headers "${TRM_GEN}/${base}.pb.h")
  endforeach()
  # Everything that includes trm_headers may include a .pb.h: generate them first.
  add_custom_target(trm_protos DEPENDS ${headers})
  add_dependencies(trm_headers trm_protos)
  set(${out_var} ${sources} PARENT_SCOPE)
endfunction()

function(_trm_target_name out pkg name)
  string(REPLACE "/" "_" flat "${pkg}")
  set(${out} "${flat}_${name}" PARENT_SCOPE)
endfunction()

# Paths relative to the repository root -> absolute (generated files are absolute already).
function(_trm_abs out)
  set(paths)
  foreach(path IN LISTS ARGN)
    if(IS_ABSOLUTE "${path}")
      list(APPEND paths "${path}")
    else()
      list(APPEND paths "${TRM_SOURCE_ROOT}/${path}")
    endif()
  endforeach()
  set(${out} ${paths} PARENT_SCOPE)
endfunction()

# _trm_runfiles(ROOT item...): the symlink tree ROOT/trm/... for data items. An item is a target
# defined by these functions (its file, plus its own data), a path relative to the repository root
# (file or folder), or @arc_data.
function(_trm_runfiles root)
  file(REMOVE_RECURSE "${root}")
  file(MAKE_DIRECTORY "${root}/trm")  # the workspace folder, where tests start, even without data
  set(pending ${ARGN})
  set(seen)
  while(pending)
    list(POP_FRONT pending item)
    if(item IN_LIST seen)
      continue()
    endif()
    list(APPEND seen "${item}")
    if(item STREQUAL "@arc_data")
      set(link "${root}/arc_data")
      set(target_path "${TRM_ARC_DIR}")
    elseif(TARGET "${item}")
      get_target_property(runfile "${item}" TRM_RUNFILE)
      get_target_property(data "${item}" TRM_DATA)
      if(NOT runfile)
        message(FATAL_ERROR "trm: data target ${item} has no runfile path")
      endif()
      if(data)
        list(APPEND pending ${data})
      endif()
      set(link "${root}/trm/${runfile}")
      set(target_path "${TRM_BIN}/${runfile}")
    elseif(EXISTS "${TRM_SOURCE_ROOT}/${item}")
      set(link "${root}/trm/${item}")
      set(target_path "${TRM_SOURCE_ROOT}/${item}")
    else()
      message(FATAL_ERROR "trm: data item '${item}' is neither a target nor a file or folder")
    endif()
    get_filename_component(parent "${link}" DIRECTORY)
    file(MAKE_DIRECTORY "${parent}")
    file(CREATE_LINK "${target_path}" "${link}" SYMBOLIC)
  endwhile()
endfunction()

# _trm_link(TARGET HOST? LIBS): LIBS first (static helpers need the core after them), then the core:
# whole and exported for hosts (trm_host_binary), as an ordinary archive otherwise.
function(_trm_link target host)
  if(host)
    set(core "$<LINK_LIBRARY:WHOLE_ARCHIVE,trm_core>")
  else()
    set(core trm_core)
  endif()
  target_link_libraries(${target} PRIVATE ${ARGN} ${core} trm_headers)
endfunction()

# trm_core_library(SOURCES...): //trm:host, one static archive.
function(trm_core_library)
  _trm_abs(srcs ${ARGN})
  add_library(trm_core STATIC ${srcs})
  target_link_libraries(trm_core PUBLIC trm_headers)
endfunction()

# trm_library(PKG NAME SRCS...): a test helper library (cc_library testonly in //trm, //tests).
function(trm_library pkg name)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "SRCS;LIBS")
  _trm_target_name(target "${pkg}" "${name}")
  _trm_abs(srcs ${arg_SRCS})
  add_library(${target} STATIC ${srcs})
  target_link_libraries(${target} PUBLIC ${arg_LIBS} trm_headers)
endfunction()

# trm_plugin_library(PKG NAME SRCS...): a plugin's code, for its .so and for tests (alwayslink).
function(trm_plugin_library pkg name)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "SRCS")
  _trm_target_name(target "${pkg}" "${name}")
  _trm_abs(srcs ${arg_SRCS})
  add_library(${target} OBJECT ${srcs})
  target_link_libraries(${target} PUBLIC trm_headers)
endfunction()

# trm_plugin(PKG NAME SRCS... LIBS...): <build>/bin/PKG/libtrm_NAME.so. Core symbols stay
# undefined and bind to the host's core at dlopen.
function(trm_plugin pkg name)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "SRCS;LIBS")
  _trm_target_name(target "${pkg}" "libtrm_${name}")
  _trm_abs(srcs ${arg_SRCS})
  add_library(${target} MODULE ${srcs})
  target_link_libraries(${target} PRIVATE ${arg_LIBS} trm_headers)
  set_target_properties(${target} PROPERTIES
    PREFIX "lib" OUTPUT_NAME "trm_${name}" SUFFIX ".so"
    LIBRARY_OUTPUT_DIRECTORY "${TRM_BIN}/${pkg}"
    TRM_RUNFILE "${pkg}/libtrm_${name}.so")
endfunction()

# trm_binary(PKG NAME SRCS... [LIBS...] [HOST] [EXPORTS] [DATA...]): <build>/bin/PKG/NAME.
# HOST links the whole core (deps on //trm:host), EXPORTS adds -rdynamic (trm_host_binary has both).
function(trm_binary pkg name)
  cmake_parse_arguments(PARSE_ARGV 2 arg "HOST;EXPORTS" "" "SRCS;LIBS;DATA;DEFINES")
  _trm_target_name(target "${pkg}" "${name}")
  _trm_abs(srcs ${arg_SRCS})
  add_executable(${target} ${srcs})
  _trm_link(${target} "${arg_HOST}" ${arg_LIBS})
  target_compile_definitions(${target} PRIVATE ${arg_DEFINES})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "${name}"
    RUNTIME_OUTPUT_DIRECTORY "${TRM_BIN}/${pkg}"
    ENABLE_EXPORTS "${arg_EXPORTS}"
    TRM_RUNFILE "${pkg}/${name}"
    TRM_DATA "${arg_DATA}")
  if(arg_DATA)
    _trm_runfiles("${TRM_BIN}/${pkg}/${name}.runfiles" ${arg_DATA})
  endif()
endfunction()

# _trm_add_test(TARGET SIZE LABELS ENV DATA COMMAND...): registers a ctest test named
# "PKG:NAME" that runs in its own runfiles tree.
function(_trm_add_test test_name target size labels env data)
  if(NOT size)
    set(size small)
  endif()
  math(EXPR timeout "${_trm_timeout_${size}} * ${TRM_TEST_TIMEOUT_SCALE}")
  set(root "${TRM_RUNFILES}/${target}")
  _trm_runfiles("${root}" ${data})
  add_test(NAME "${test_name}"
           COMMAND /bin/sh "${TRM_SOURCE_ROOT}/tools/cmake/run_test.sh" "${root}"
                   "${TRM_TESTTMP}/${target}" ${ARGN})
  set_tests_properties("${test_name}" PROPERTIES
    TIMEOUT "${timeout}" LABELS "${size};${labels}" ENVIRONMENT "${env}")
  # Tests on the full ARC files (Bazel: tags = ["manual"], //tests/full_data) need them.
  if("full_data" IN_LIST labels AND NOT TRM_HAVE_ARC_DATA)
    set_tests_properties("${test_name}" PROPERTIES DISABLED ON)
  endif()
endfunction()

# trm_test(PKG NAME SRCS... [LIBS...] [HOST] [EXPORTS] [SIZE s] [DATA...] [ARGS...] [DEFINES...]
#          [ENV VAR=VALUE...] [LABELS...]): cc_test / trm_host_test.
function(trm_test pkg name)
  cmake_parse_arguments(PARSE_ARGV 2 arg "HOST;EXPORTS" "SIZE"
                        "SRCS;LIBS;DATA;ARGS;DEFINES;ENV;LABELS")
  set(flags)
  foreach(flag HOST EXPORTS)
    if(arg_${flag})
      list(APPEND flags ${flag})
    endif()
  endforeach()
  trm_binary("${pkg}" "${name}" SRCS ${arg_SRCS} LIBS ${arg_LIBS} DEFINES ${arg_DEFINES} ${flags})
  _trm_target_name(target "${pkg}" "${name}")
  _trm_add_test("${pkg}:${name}" "${target}" "${arg_SIZE}" "${arg_LABELS}" "${arg_ENV}"
                "${arg_DATA}" "$<TARGET_FILE:${target}>" ${arg_ARGS})
endfunction()

# trm_sh_test(PKG NAME SCRIPT path [SIZE s] [DATA...] [ARGS...]): sh_test.
function(trm_sh_test pkg name)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "SCRIPT;SIZE" "DATA;ARGS")
  _trm_target_name(target "${pkg}" "${name}")
  _trm_add_test("${pkg}:${name}" "${target}" "${arg_SIZE}" "" "" "${arg_DATA}"
                /bin/bash "${TRM_SOURCE_ROOT}/${arg_SCRIPT}" ${arg_ARGS})
endfunction()
