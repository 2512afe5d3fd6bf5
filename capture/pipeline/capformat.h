/* capformat.h - naming a capture format negcap does not read, by its magic number (not
 * public), so that the message says what the file is and how to convert it. */
#ifndef NEGSCOPE_PIPELINE_CAPFORMAT_H
#define NEGSCOPE_PIPELINE_CAPFORMAT_H

#include <stddef.h>
#include <stdint.h>

/* The name of the format the first bytes of a file announce ("a Microsoft Network
 * Monitor 1.x capture"), or NULL when they announce none negcap knows of. */
const char *capformat_name(const uint8_t *head, size_t n);

/* True when the bytes start a classic pcap file header (any byte order or variant). */
int capformat_is_pcap(const uint8_t *head, size_t n);

#endif /* NEGSCOPE_PIPELINE_CAPFORMAT_H */
