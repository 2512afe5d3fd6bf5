/* fuzz_target.h - the libFuzzer entry point every tests/fuzz/fuzz_*.c defines.
 *
 * Each target is built twice: with -fsanitize=fuzzer (clang, NEGSCOPE_FUZZ=ON) as a
 * libFuzzer binary, and with onefile.c (any compiler) as a replay driver that ctest runs
 * over the committed corpus and the regression inputs.
 */
#ifndef NEGSCOPE_FUZZ_TARGET_H
#define NEGSCOPE_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

/* Inputs longer than this are ignored by every target: the decoders' own caps are far
 * below it, and libFuzzer's -max_len keeps to it as well. */
#define FUZZ_MAX_INPUT (256u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* NEGSCOPE_FUZZ_TARGET_H */
