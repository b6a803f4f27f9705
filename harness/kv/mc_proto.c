// SPDX-License-Identifier: GPL-2.0
#include "kv/mc_proto.h"

#include <stdio.h>
#include <string.h>

void mc_udp_hdr_put(unsigned char *buf, uint16_t req_id)
{
	buf[0] = req_id >> 8;
	buf[1] = req_id & 0xff;
	buf[2] = 0;
	buf[3] = 0;
	buf[4] = 0;
	buf[5] = 1;
	buf[6] = 0;
	buf[7] = 0;
}

int mc_udp_hdr_get(const unsigned char *buf, size_t len, struct mc_udp_hdr *h)
{
	if (len < MC_UDP_HDR)
		return -1;
	h->req_id = (uint16_t)(buf[0] << 8 | buf[1]);
	h->seq = (uint16_t)(buf[2] << 8 | buf[3]);
	h->total = (uint16_t)(buf[4] << 8 | buf[5]);
	h->reserved = (uint16_t)(buf[6] << 8 | buf[7]);
	return 0;
}

bool mc_key_valid(const char *key)
{
	size_t i, n = strlen(key);

	if (n == 0 || n > MC_KEY_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)key[i] <= ' ' || key[i] == 0x7f)
			return false;
	return true;
}

/* The frame header if @udp, then @fmt; -1 if it does not fit. */
static int put_line(char *buf, size_t cap, bool udp, uint16_t req_id, const char *key,
		    const char *cmd, const char *tail)
{
	size_t hdr = udp ? MC_UDP_HDR : 0;
	int n;

	if (!mc_key_valid(key) || cap < hdr)
		return -1;
	if (udp)
		mc_udp_hdr_put((unsigned char *)buf, req_id);
	n = snprintf(buf + hdr, cap - hdr, "%s %s%s\r\n", cmd, key, tail);
	if (n < 0 || (size_t)n >= cap - hdr)
		return -1;
	return (int)hdr + n;
}

int mc_build_get(char *buf, size_t cap, bool udp, uint16_t req_id, const char *key)
{
	return put_line(buf, cap, udp, req_id, key, "get", "");
}

int mc_build_delete(char *buf, size_t cap, bool udp, uint16_t req_id, const char *key)
{
	return put_line(buf, cap, udp, req_id, key, "delete", "");
}

int mc_build_set(char *buf, size_t cap, bool udp, uint16_t req_id, const char *key,
		 uint32_t flags, uint32_t exptime, const void *value, size_t vlen)
{
	char tail[48];
	int n;

	snprintf(tail, sizeof(tail), " %u %u %zu", flags, exptime, vlen);
	n = put_line(buf, cap, udp, req_id, key, "set", tail);
	if (n < 0 || (size_t)n + vlen + 2 > cap)
		return -1;
	memcpy(buf + n, value, vlen);
	memcpy(buf + n + vlen, "\r\n", 2);
	return n + (int)vlen + 2;
}

int mc_build_value_reply(char *buf, size_t cap, const char *key, uint32_t flags,
			 const void *value, size_t vlen)
{
	int n;

	if (!mc_key_valid(key))
		return -1;
	n = snprintf(buf, cap, "VALUE %s %u %zu\r\n", key, flags, vlen);
	if (n < 0 || (size_t)n + vlen + 7 > cap)
		return -1;
	memcpy(buf + n, value, vlen);
	memcpy(buf + n + vlen, "\r\nEND\r\n", 7);
	return n + (int)vlen + 7;
}

/* Parses an unsigned decimal ending at @stop; advances *p past it. */
static int parse_uint(const char *buf, size_t len, size_t *p, char stop, unsigned long long max,
		      unsigned long long *out)
{
	unsigned long long v = 0;
	size_t start = *p;

	for (; *p < len && buf[*p] != stop; (*p)++) {
		if (buf[*p] < '0' || buf[*p] > '9')
			return -1;
		v = v * 10 + (unsigned long long)(buf[*p] - '0');
		if (v > max)
			return -1;
	}
	if (*p == len)
		return 0;		/* incomplete */
	if (*p == start)
		return -1;
	*out = v;
	return 1;
}

static int need(const char *buf, size_t len, size_t at, const char *lit)
{
	size_t n = strlen(lit), avail = len > at ? len - at : 0;

	if (memcmp(buf + at, lit, n < avail ? n : avail))
		return -1;
	return avail >= n ? 1 : 0;
}

int mc_parse_get_reply(const char *buf, size_t len, struct mc_value *v)
{
	unsigned long long flags, bytes;
	size_t p, key;
	int r;

	memset(v, 0, sizeof(*v));
	r = need(buf, len, 0, "END\r\n");
	if (r >= 0)
		return r ? 5 : 0;
	r = need(buf, len, 0, "VALUE ");
	if (r <= 0)
		return r;
	for (p = key = 6; p < len && buf[p] != ' '; p++)
		if ((unsigned char)buf[p] < ' ' || p - key >= MC_KEY_MAX)
			return -1;
	if (p == len)
		return 0;
	if (p == key)
		return -1;
	v->key = buf + key;
	v->key_len = p - key;
	p++;
	r = parse_uint(buf, len, &p, ' ', 0xffffffffULL, &flags);
	if (r <= 0)
		return r;
	p++;
	r = parse_uint(buf, len, &p, '\r', 1ULL << 40, &bytes);
	if (r <= 0)
		return r;
	r = need(buf, len, p, "\r\n");
	if (r <= 0)
		return r;
	p += 2;
	if (len - p < bytes)
		return 0;
	v->data = buf + p;
	v->len = (size_t)bytes;
	v->flags = (uint32_t)flags;
	p += (size_t)bytes;
	r = need(buf, len, p, "\r\nEND\r\n");
	if (r <= 0)
		return r;
	v->hit = true;
	return (int)(p + 7);
}
