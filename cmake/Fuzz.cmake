# NEGSCOPE_FUZZ: libFuzzer targets in tests/fuzz (clang only).
#
# Everything is compiled with coverage instrumentation for libFuzzer (fuzzer-no-link) and
# with ASan + UBSan, as OSS-Fuzz builds libraries; only the fuzz_* executables link the
# libFuzzer runtime (-fsanitize=fuzzer, see tests/fuzz/CMakeLists.txt).  The rest of the
# tree (unit tests, negcap, negprobe) still links and runs: the sanitizer runtimes provide
# the coverage callbacks.  Included before the targets are defined, so the flags reach them.
if(NEGSCOPE_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "NEGSCOPE_FUZZ=ON needs clang (libFuzzer): "
      "configure with -DCMAKE_C_COMPILER=clang")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
