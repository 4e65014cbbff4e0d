# Third-party libraries of the CMake build, as imported targets named like third_party/system.BUILD:
#   trm::torch (+ TRM_WITH_CUDA when the LibTorch has CUDA), trm::absl, trm::protobuf (+ TRM_PROTOC),
#   trm::json, trm::gtest, trm::gtest_main, trm::gmock, trm::gmock_main, trm::benchmark,
#   trm::benchmark_main.
# LibTorch comes from find_package(Torch) (CMAKE_PREFIX_PATH or Torch_DIR); everything else from
# TRM_DEPS_PREFIX (a folder with include/, lib/ and bin/, as tools/gpu/pack_deps.sh writes it)
# and then from the system.

set(TRM_DEPS_PREFIX "" CACHE PATH
    "Folder with include/, lib/, bin/ holding Abseil, Protobuf, GoogleTest, Benchmark, nlohmann-json")
set(TRM_WITH_NCCL AUTO CACHE STRING "NCCL communicator: AUTO (when nccl.h is found), ON or OFF")
set(TRM_NCCL_ROOT "" CACHE PATH "Folder whose include/ holds nccl.h (e.g. site-packages/nvidia/nccl)")

find_package(Torch REQUIRED)
find_package(Threads REQUIRED)

# Torch's own flags (-D_GLIBCXX_USE_CXX11_ABI=...) must match the libraries below; Debian's and
# pack_deps.sh's are built with the new ABI.
separate_arguments(_trm_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
if("-D_GLIBCXX_USE_CXX11_ABI=0" IN_LIST _trm_torch_flags)
  message(FATAL_ERROR "trm: this LibTorch uses the old C++ ABI (_GLIBCXX_USE_CXX11_ABI=0); "
                      "Abseil/Protobuf/GoogleTest here use the new one. Use a cxx11-ABI LibTorch.")
endif()

set(_trm_hint_lib)
set(_trm_hint_inc)
set(_trm_hint_bin)
if(TRM_DEPS_PREFIX)
  set(_trm_hint_lib "${TRM_DEPS_PREFIX}/lib")
  set(_trm_hint_inc "${TRM_DEPS_PREFIX}/include")
  set(_trm_hint_bin "${TRM_DEPS_PREFIX}/bin")
endif()

# _trm_find_header(VAR RELATIVE_PATH WHAT)
function(_trm_find_header var header what)
  find_path(${var} "${header}" HINTS ${_trm_hint_inc})
  if(NOT ${var})
    message(FATAL_ERROR "trm: ${what} headers (${header}) not found; install them or set "
                        "-DTRM_DEPS_PREFIX=DIR (tools/gpu/pack_deps.sh)")
  endif()
endfunction()

# _trm_find_lib(VAR NAME WHAT): NAME is a file name (libgtest.a) or a library name (protobuf).
function(_trm_find_lib var name what)
  find_library(${var} NAMES "${name}" HINTS ${_trm_hint_lib})
  if(NOT ${var})
    message(FATAL_ERROR "trm: ${what} library (${name}) not found; install it or set "
                        "-DTRM_DEPS_PREFIX=DIR (tools/gpu/pack_deps.sh)")
  endif()
endfunction()

# _trm_import(NAME INCLUDE_DIR LIBS...): an INTERFACE target trm::NAME.
function(_trm_import name include_dir)
  add_library(trm::${name} INTERFACE IMPORTED GLOBAL)
  if(include_dir)
    target_include_directories(trm::${name} SYSTEM INTERFACE "${include_dir}")
  endif()
  target_link_libraries(trm::${name} INTERFACE ${ARGN})
endfunction()

_trm_find_header(TRM_ABSL_INCLUDE absl/base/config.h "Abseil")
_trm_find_lib(TRM_ABSL_BASE absl_base "Abseil")
get_filename_component(_trm_absl_dir "${TRM_ABSL_BASE}" DIRECTORY)
# Every libabsl_*.so, as system.BUILD does: simpler than Abseil's per-component targets.
file(GLOB _trm_absl_libs "${_trm_absl_dir}/libabsl_*.so")
_trm_import(absl "${TRM_ABSL_INCLUDE}" ${_trm_absl_libs})

_trm_find_header(TRM_PROTOBUF_INCLUDE google/protobuf/message.h "Protobuf")
_trm_find_lib(TRM_PROTOBUF_LIB protobuf "Protobuf")
_trm_import(protobuf "${TRM_PROTOBUF_INCLUDE}" "${TRM_PROTOBUF_LIB}" Threads::Threads)
find_program(TRM_PROTOC protoc HINTS ${_trm_hint_bin})
if(NOT TRM_PROTOC)
  message(FATAL_ERROR "trm: protoc not found; install protobuf-compiler or set -DTRM_DEPS_PREFIX")
endif()

_trm_find_header(TRM_JSON_INCLUDE nlohmann/json.hpp "nlohmann-json")
_trm_import(json "${TRM_JSON_INCLUDE}")

# GoogleTest: Debian ships static archives only; pack_deps.sh copies them.
_trm_find_header(TRM_GTEST_INCLUDE gtest/gtest.h "GoogleTest")
_trm_find_header(TRM_GMOCK_INCLUDE gmock/gmock.h "GoogleMock")
_trm_find_lib(TRM_GTEST_LIB libgtest.a "GoogleTest")
_trm_find_lib(TRM_GTEST_MAIN_LIB libgtest_main.a "GoogleTest")
_trm_find_lib(TRM_GMOCK_LIB libgmock.a "GoogleMock")
_trm_find_lib(TRM_GMOCK_MAIN_LIB libgmock_main.a "GoogleMock")
_trm_import(gtest "${TRM_GTEST_INCLUDE}" "${TRM_GTEST_LIB}" Threads::Threads)
_trm_import(gtest_main "" "${TRM_GTEST_MAIN_LIB}" trm::gtest)
_trm_import(gmock "${TRM_GMOCK_INCLUDE}" "${TRM_GMOCK_LIB}" trm::gtest)
_trm_import(gmock_main "" "${TRM_GMOCK_MAIN_LIB}" trm::gmock)

_trm_find_header(TRM_BENCHMARK_INCLUDE benchmark/benchmark.h "Google Benchmark")
_trm_find_lib(TRM_BENCHMARK_LIB benchmark "Google Benchmark")
_trm_find_lib(TRM_BENCHMARK_MAIN_LIB libbenchmark_main.a "Google Benchmark")
_trm_import(benchmark "${TRM_BENCHMARK_INCLUDE}" "${TRM_BENCHMARK_LIB}" Threads::Threads)
_trm_import(benchmark_main "" "${TRM_BENCHMARK_MAIN_LIB}" trm::benchmark)

# c10d's ProcessGroupGloo.hpp includes Gloo's headers: pip wheels ship them in torch's include
# folder (use those: they match the library), Debian needs libgloo-dev (or TRM_DEPS_PREFIX/gloo).
set(_trm_gloo_include)
foreach(_dir IN LISTS TORCH_INCLUDE_DIRS)
  if(EXISTS "${_dir}/gloo/rendezvous/store.h")
    set(_trm_gloo_include "${_dir}")
  endif()
endforeach()
if(NOT _trm_gloo_include)
  find_path(TRM_GLOO_INCLUDE gloo/rendezvous/store.h HINTS "${TRM_DEPS_PREFIX}/gloo/include")
  if(NOT TRM_GLOO_INCLUDE)
    message(FATAL_ERROR "trm: Gloo headers (gloo/rendezvous/store.h) not found; install "
                        "libgloo-dev or set -DTRM_DEPS_PREFIX (tools/gpu/pack_deps.sh)")
  endif()
  set(_trm_gloo_include "${TRM_GLOO_INCLUDE}")
endif()

# CUDA: a LibTorch built with it exports c10_cuda. TRM_WITH_CUDA is what Bazel's --config=cuda
# defines (trm/plugin/plugin_api.h records it in every plugin).
set(TRM_CUDA OFF)
if(TARGET c10_cuda)
  set(TRM_CUDA ON)
endif()
set(_trm_torch_defines USE_C10D_GLOO)
set(_trm_torch_includes "${_trm_gloo_include}")
set(_trm_torch_libs ${TORCH_LIBRARIES} Threads::Threads ${CMAKE_DL_LIBS})
if(TRM_CUDA)
  list(APPEND _trm_torch_defines TRM_WITH_CUDA)
  list(APPEND _trm_torch_libs c10_cuda)
  # NCCL's header comes with the nvidia-nccl pip package or the CUDA toolkit, not with torch.
  if(NOT TRM_WITH_NCCL STREQUAL "OFF")
    find_path(TRM_NCCL_INCLUDE nccl.h HINTS ${TRM_NCCL_ROOT}/include ${CUDAToolkit_INCLUDE_DIRS}
                                            /usr/local/cuda/include)
    if(TRM_NCCL_INCLUDE)
      list(APPEND _trm_torch_defines USE_C10D_NCCL)
      list(APPEND _trm_torch_includes "${TRM_NCCL_INCLUDE}")
    elseif(TRM_WITH_NCCL STREQUAL "ON")
      message(FATAL_ERROR "trm: TRM_WITH_NCCL=ON but nccl.h not found (set TRM_NCCL_ROOT)")
    endif()
  endif()
endif()
add_library(trm::torch INTERFACE IMPORTED GLOBAL)
target_include_directories(trm::torch SYSTEM INTERFACE ${_trm_torch_includes})
target_compile_definitions(trm::torch INTERFACE ${_trm_torch_defines})
target_compile_options(trm::torch INTERFACE ${_trm_torch_flags})
target_link_libraries(trm::torch INTERFACE ${_trm_torch_libs})

message(STATUS "trm: LibTorch ${Torch_VERSION} (CUDA ${TRM_CUDA}, defines ${_trm_torch_defines}), "
               "protoc ${TRM_PROTOC}, Abseil ${TRM_ABSL_INCLUDE}")
