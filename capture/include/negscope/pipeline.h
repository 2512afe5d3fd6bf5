/* pipeline.h - packets in, protocol events out.
 *
 * The capture pipeline reads link-layer frames (from libpcap or from memory),
 * decodes link/IP/TCP/UDP, reassembles TCP per direction, finds HTTP/1.x by
 * content on any port and Kerberos on port 88, and hands each complete
 * message to a sink as an event.  It never judges: the analysis layer
 * (findings/) consumes events.
 *
 * Lifetimes: every pointer inside an event is valid only during the callback
 * (libpcap's "valid until the next call" rule).  A sink that keeps anything
 * copies it.
 *
 * Frame numbers are 1-based positions in the input, as tshark numbers them;
 * a message reassembled from several TCP segments carries the frame that
 * completes it (and the first frame it began in).
 */
#ifndef NEGSCOPE_PIPELINE_H
#define NEGSCOPE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"
#include "negscope/http1.h"
#include "negscope/net.h"
#include "negscope/tls.h"

struct cap_endpoint {
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16];
	uint16_t port;
};

/* Formats "1.2.3.4:80" or "[::1]:80" into buf (at least 64 bytes). */
const char *cap_endpoint_str(const struct cap_endpoint *e, char *buf, size_t len);
/* Formats only the address. */
const char *cap_addr_str(const struct cap_endpoint *e, char *buf, size_t len);

/* struct cap_http_header and the CAP_HTTP_ANOM_* bits live in http1.h. */

enum cap_http_close {
	CAP_HTTP_CLOSE_NONE = 0,
	CAP_HTTP_CLOSE_HEADER,  /* Connection: close */
	CAP_HTTP_CLOSE_HTTP10   /* HTTP/1.0 without keep-alive */
};

/* What a TLS connection showed (in the clear, or once decrypted with a key log). */
struct cap_tls_info {
	uint16_t version;      /* negotiated (0x0303 TLS 1.2, 0x0304 TLS 1.3); 0 unknown */
	uint16_t cipher;       /* negotiated suite; 0 unknown */
	char sni[CAP_TLS_SNI_MAX];          /* ClientHello server_name, "" when absent */
	char alpn[CAP_TLS_ALPN_MAX];        /* the server's choice ("h2", "http/1.1"), or "" */
	char alpn_offered[CAP_TLS_ALPN_MAX]; /* the client's list, comma-separated */
	uint64_t hello_frame;  /* the ClientHello's frame (0: not captured) */
	uint64_t data_frame;   /* the first application data record's frame */
	bool decrypted;        /* application data was decrypted */
	bool no_keys;          /* protected records seen, and the key log has no secret for them */
	bool bad_keys;         /* secrets found, but records did not authenticate */
	bool has_cert;         /* cert below: the server's certificate (clear or decrypted) */
	bool resumed;          /* TLS 1.3 PSK, or a TLS 1.2 session id/ticket accepted */
	struct cap_tls_cert cert;
};

/* The TLS state of a connection, told when it changes (hello, certificate, first
 * application data): the last event of a stream is what is known of it. */
struct cap_tls_event {
	uint64_t frame;
	double ts;
	uint32_t stream;
	struct cap_endpoint client, server;
	const struct cap_tls_info *info;
};

struct cap_http_msg {
	uint64_t frame;       /* frame that completes the header block (bodies are skipped,
			       * not waited for: tshark with http.desegment_body off) */
	uint64_t first_frame; /* frame where the message began */
	double ts;            /* seconds since the epoch, of `frame` */
	uint32_t stream;      /* TCP stream index, 0-based in order of first sight (tshark tcp.stream) */
	struct cap_endpoint client, server;
	bool is_request;
	int version_minor;      /* HTTP/1.x */
	struct cap_span method; /* requests */
	struct cap_span target; /* requests */
	int status;             /* responses */
	struct cap_span reason; /* responses */
	const struct cap_http_header *headers;
	size_t nheaders;
	uint64_t header_bytes;  /* size of the header block on the wire */
	uint64_t body_bytes;    /* declared or counted body length, when known */
	enum cap_http_close close;
	uint32_t anomalies;     /* CAP_HTTP_ANOM_* bits */
	uint64_t paired_frame;  /* responses: frame of the request answered (0 unknown) */
	bool chunked;           /* Transfer-Encoding: chunked */
	bool body_to_close;     /* responses: body delimited by the connection close */
	bool http2;             /* an HTTP/2 header block (version_minor unused) */
	uint32_t h2_stream_id;  /* HTTP/2: its stream */
	const struct cap_tls_info *tls; /* inside TLS (decrypted); NULL in the clear */
};

enum cap_transport { CAP_TRANSPORT_UDP = 0, CAP_TRANSPORT_TCP = 1 };

/* One Kerberos PDU to or from port 88 (TCP record marker already removed). */
struct cap_krb_pdu {
	uint64_t frame;
	double ts;
	enum cap_transport transport;
	uint32_t stream; /* TCP stream index; for UDP an index per address/port pair
			  * (0-based over port-88 UDP pairs only: not tshark's udp.stream) */
	struct cap_endpoint client, server; /* server = the port-88 side */
	bool from_server;
	struct cap_span bytes;
};

enum cap_conn_kind {
	CAP_CONN_OPEN,  /* SYN seen (or first packet of a mid-stream connection) */
	CAP_CONN_FIN,   /* a FIN from `from_server` side */
	CAP_CONN_RST,   /* a RST from `from_server` side */
	CAP_CONN_GAP,   /* bytes missing in one direction; `gap_bytes` */
	CAP_CONN_EVICTED, /* dropped from the flow table by a cap */
	/* HTTP/2: the server refused a stream (RST_STREAM, or GOAWAY for the connection)
	 * with HTTP_1_1_REQUIRED (RFC 9113 section 7); `h2_stream_id` */
	CAP_CONN_H2_REFUSED
};

struct cap_conn_event {
	enum cap_conn_kind kind;
	uint64_t frame;
	double ts;
	uint32_t stream;
	struct cap_endpoint client, server; /* client = SYN sender when known, else decided by the
					     * data (an HTTP request line marks the client, port 88
					     * the server), else the lower-port-is-server guess; an
					     * OPEN event carries the roles known at that moment */
	bool from_server;
	uint64_t gap_bytes;
	bool is_http; /* the stream has carried HTTP */
	bool is_krb;  /* the stream is Kerberos over TCP */
	/* CAP_CONN_H2_REFUSED: RST_STREAM names the refused stream in h2_stream_id; GOAWAY
	 * (h2_goaway) carries its last_stream_id there, the last stream the server accepted
	 * (RFC 9113 section 6.8): the refused requests are on the streams above it, or, when
	 * it covers them, those that got no response. */
	uint32_t h2_stream_id;
	bool h2_goaway;
};

/* ICMP/ICMPv6 destination unreachable, with the quoted header it answers. */
struct cap_icmp_unreach {
	uint64_t frame;
	double ts;
	uint8_t type, code;
	struct cap_endpoint reporter;       /* the router/host that sent the ICMP */
	struct cap_endpoint orig_src, orig_dst; /* from the quoted packet */
	uint8_t orig_proto;                 /* 6 TCP, 17 UDP */
};

struct cap_sink {
	void *ctx;
	void (*http)(void *ctx, const struct cap_http_msg *m);
	void (*krb)(void *ctx, const struct cap_krb_pdu *k);
	void (*conn)(void *ctx, const struct cap_conn_event *e);
	void (*icmp)(void *ctx, const struct cap_icmp_unreach *u);
	void (*tls)(void *ctx, const struct cap_tls_event *t); /* may be NULL */
};

/* Caps; 0 in a field means the default. Hitting a cap is counted, never fatal. */
struct cap_pipeline_limits {
	size_t max_flows;          /* default 65536; least recently used evicted */
	size_t max_stream_buffer;  /* bytes buffered per direction; default 256 KiB */
	size_t max_total_buffer;   /* bytes buffered over all flows; default 32 MiB */
	size_t max_header_line;    /* default 64 KiB */
	size_t max_headers;        /* default 256 */
	size_t max_frag_bytes;     /* IPv4 fragment reassembly total; default 4 MiB */
	size_t max_message;        /* largest HTTP head or Kerberos message decoded; 128 KiB */
};

struct cap_pipeline_stats {
	uint64_t packets, bytes;
	uint64_t truncated_packets;  /* caplen < wire length in a header we needed */
	uint64_t undecodable;        /* unknown link type/ethertype etc. */
	uint64_t ip_fragments, ip_reassembled;
	uint64_t tcp_segments, tcp_retransmissions, tcp_out_of_order, tcp_gaps, tcp_gap_bytes;
	uint64_t flows_created, flows_evicted, flows_peak;
	uint64_t buffer_cap_hits;
	uint64_t http_messages, http_parse_errors;
	uint64_t krb_pdus;
	uint64_t icmp_unreach;
	/* Added with the implementation: */
	uint64_t ip_frag_dropped;      /* fragments given up: timeout, cap, overlap */
	uint64_t tcp_overlaps;         /* segments partly overlapping delivered data */
	uint64_t tcp_ignored_segments; /* payload of streams neither HTTP nor Kerberos */
	uint64_t ooo_cap_hits;         /* out-of-order ranges beyond the per-direction limit */
	uint64_t http_cap_hits;        /* head over max_stream_buffer or max_message, header caps */
	uint64_t krb_cap_hits;         /* record over max_stream_buffer: skipped */
	uint64_t flows_active;         /* in the table now */
	uint64_t buffer_bytes_peak;    /* most bytes buffered at once over all flows */
	/* Each cap's hits, by the flag that sets it (negcap's summary "caps"): */
	uint64_t stream_cap_hits;      /* max_stream_buffer: bytes of one direction */
	uint64_t total_cap_hits;       /* max_total_buffer */
	uint64_t header_line_cap_hits; /* max_header_line: messages with a longer line */
	uint64_t headers_cap_hits;     /* max_headers: messages with more headers */
	uint64_t frag_cap_hits;        /* max_frag_bytes: datagrams given up */
	uint64_t message_cap_hits;     /* max_message: heads and Kerberos messages skipped */
	/* undecodable split by reason (enum cap_undec; cap_undec_name() names them) */
	uint64_t undecodable_by[CAP_UNDEC_N];
	uint64_t tunneled_packets;     /* packets decoded inside a tunnel (GRE, VXLAN, ...) */
	uint64_t tls_conns;            /* TLS connections recognised */
	uint64_t tls_decrypted_conns;  /* of which application data was decrypted */
	uint64_t tls_records, tls_records_decrypted;
	uint64_t tls_decrypt_failures; /* records that did not authenticate with the keys */
	uint64_t tls_cap_hits;         /* handshake messages or plaintext over max_message */
};

struct cap_pipeline;

/* TLS secrets for decryption (NSS key log table; kept by the caller, who may add to it
 * while packets flow, e.g. from pcapng Decryption Secrets Blocks).  NULL: none. */
void cap_pipeline_set_keylog(struct cap_pipeline *pl, const struct cap_tls_keylog *k);

/* `linktype` is a libpcap DLT_* value. Returns NULL on allocation failure. */
struct cap_pipeline *cap_pipeline_new(int linktype, const struct cap_pipeline_limits *lim,
				      const struct cap_sink *sink);
/* Feeds one frame; frame numbers are assigned in call order starting at 1.
 * `caplen` bytes are present, `wirelen` were on the wire. */
void cap_pipeline_packet(struct cap_pipeline *pl, double ts, const uint8_t *data,
			 size_t caplen, size_t wirelen);
/* Counts n frames of the input that are not fed (rejected by a filter, or of an
 * unsupported link type), so that later frame numbers stay positions in the input. */
void cap_pipeline_skip_frames(struct cap_pipeline *pl, uint64_t n);
/* Changes the link type between inputs (several -r files); frame numbering continues. */
int cap_pipeline_set_linktype(struct cap_pipeline *pl, int linktype);
/* Flushes what is buffered (close-delimited bodies, pending messages). */
void cap_pipeline_finish(struct cap_pipeline *pl);
/* The counters, brought up to date (they are gathered here, not per packet). */
const struct cap_pipeline_stats *cap_pipeline_stats(struct cap_pipeline *pl);
void cap_pipeline_free(struct cap_pipeline *pl);

/* True when libpcap's DLT value is one the pipeline decodes. */
bool cap_linktype_supported(int linktype);

#endif /* NEGSCOPE_PIPELINE_H */
