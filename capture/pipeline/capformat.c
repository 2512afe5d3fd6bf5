/* capformat.c - capture formats recognised only to be named.
 *
 * Magic numbers as Wireshark's wiretap recognises them (its file-type list): Network
 * Monitor "RTSS"/"GMBU", Sun snoop "snoop\0\0\0", NetXRay/Sniffer Windows "XCP\0",
 * Sniffer DOS "TRSNIFF data    \x1a", and the modified pcap magics (Kuznetzov's patched
 * libpcap 0xa1b2cd34, Navtel 0xa12b3c4d).
 */
#include "pipeline/capformat.h"

#include <string.h>

static const struct {
	const char *magic;
	size_t len;
	const char *name;
} formats[] = {
	{"RTSS", 4, "a Microsoft Network Monitor 1.x capture"},
	{"GMBU", 4, "a Microsoft Network Monitor 2.x capture"},
	{"snoop\0\0\0", 8, "a Sun snoop capture"},
	{"XCP\0", 4, "a NetXRay / Sniffer for Windows capture"},
	{"TRSNIFF data    \x1a", 17, "a Sniffer (DOS) capture"},
	{"\x34\xcd\xb2\xa1", 4, "a modified (Kuznetzov) pcap capture"},
	{"\xa1\xb2\xcd\x34", 4, "a modified (Kuznetzov) pcap capture"},
	{"\x4d\x3c\x2b\xa1", 4, "a Navtel pcap capture"},
	{"\xa1\x2b\x3c\x4d", 4, "a Navtel pcap capture"},
	{"<?xml", 5, "an XML file (a PDML or other export, not a capture)"},
};

const char *capformat_name(const uint8_t *head, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (n >= formats[i].len && memcmp(head, formats[i].magic, formats[i].len) == 0)
			return formats[i].name;
	return NULL;
}

int capformat_is_pcap(const uint8_t *head, size_t n)
{
	static const uint8_t magics[][4] = {
		{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4},
		{0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d},
	};
	size_t i;

	for (i = 0; n >= 4 && i < sizeof(magics) / sizeof(magics[0]); i++)
		if (memcmp(head, magics[i], 4) == 0)
			return 1;
	return 0;
}
