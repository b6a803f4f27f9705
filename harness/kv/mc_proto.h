/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memcached ASCII protocol, as far as obench speaks it: requests
 * (get/set/delete, over TCP or over UDP behind the 8-byte frame header) and
 * the parsing of get replies.  Shared by the tests, the kvcache user side
 * and the memcached load generator.
 */
#ifndef OBENCH_MC_PROTO_H
#define OBENCH_MC_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MC_UDP_HDR	8	/* request id, sequence, datagrams, reserved: big-endian u16 each */
#define MC_KEY_MAX	250
#define MC_UDP_MAX	1400	/* memcached's largest UDP payload per datagram */

struct mc_udp_hdr {
	uint16_t req_id;
	uint16_t seq;
	uint16_t total;
	uint16_t reserved;
};

/* Writes the frame header (sequence 0 of 1) into @buf[0..8). */
void mc_udp_hdr_put(unsigned char *buf, uint16_t req_id);

/* Reads it; -1 if @len < 8. */
int mc_udp_hdr_get(const unsigned char *buf, size_t len, struct mc_udp_hdr *h);

/*
 * Requests.  With @udp the frame header (request id @req_id) comes first.
 * Each returns the request's length, or -1 if it does not fit in @cap or
 * the key is not a valid memcached key (1..250 bytes, no space/control).
 */
int mc_build_get(char *buf, size_t cap, bool udp, uint16_t req_id, const char *key);
int mc_build_set(char *buf, size_t cap, bool udp, uint16_t req_id, const char *key,
		 uint32_t flags, uint32_t exptime, const void *value, size_t vlen);
int mc_build_delete(char *buf, size_t cap, bool udp, uint16_t req_id, const char *key);

/* The exact reply memcached sends for a hit: "VALUE k f n\r\n<data>\r\nEND\r\n". */
int mc_build_value_reply(char *buf, size_t cap, const char *key, uint32_t flags,
			 const void *value, size_t vlen);

bool mc_key_valid(const char *key);

/* One get reply (without the UDP frame header). */
struct mc_value {
	bool hit;
	const char *key;	/* inside the parsed buffer */
	size_t key_len;
	uint32_t flags;
	const char *data;	/* inside the parsed buffer */
	size_t len;
};

/*
 * Parses one get reply at the start of @buf: "END\r\n" (miss) or one
 * "VALUE k f n\r\n<data>\r\n" then "END\r\n".  Returns the bytes it took
 * (> 0), 0 if @buf holds only the beginning of it (read more), -1 if it is
 * something else (an error line, several values, a gets reply).
 */
int mc_parse_get_reply(const char *buf, size_t len, struct mc_value *v);

#endif
