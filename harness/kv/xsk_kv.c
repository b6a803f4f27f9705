// SPDX-License-Identifier: GPL-2.0
#include "kv/xsk_kv.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include <obench/kvcache.h>
#include "core/cpupin.h"
#include "net/echo_servers.h"
#include "kv/mc_proto.h"
#include "xsk_kv.skel.h"

#define NUM_FRAMES	4096
#define FRAME_SIZE	XSK_UMEM__DEFAULT_FRAME_SIZE
#define RING_SIZE	2048
#define BATCH		64
#define MAX_FRAME	1514	/* veth MTU 1500 + Ethernet header */
#define HDRS		(sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr))
#define BUCKETS		4096
#define FNV32_OFFSET_	2166136261U
#define FNV32_PRIME_	16777619U

struct item {
	struct item *next;
	uint32_t flags;
	size_t klen, vlen;
	char *key;		/* klen bytes, then the value */
	char *data;
};

struct xsk_kv {
	struct xsk_kv_config cfg;
	struct xsk_kv_bpf *skel;
	struct bpf_link *srv_link, *cli_link;
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	int cache_fd, stats_fd;
	int srv_fd;			/* the server's XDP link */
	pthread_t th;
	bool running;
	volatile int stop;
	volatile bool fastpath;
	struct xsk_kv_stats st;		/* user-space counters, written by the thread */
	struct item *buckets[BUCKETS];
	char reply[MC_UDP_MAX + 64];	/* the reply body being built */
	struct kv_entry ent;		/* scratch for cache writes */
};

/* ---------------- the item table ---------------- */

static uint32_t fnv1a(const char *k, size_t n)
{
	uint32_t h = FNV32_OFFSET_;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (uint8_t)k[i];
		h *= FNV32_PRIME_;
	}
	return h;
}

static struct item **item_slot(struct xsk_kv *s, const char *k, size_t n)
{
	struct item **p = &s->buckets[fnv1a(k, n) % BUCKETS];

	for (; *p; p = &(*p)->next)
		if ((*p)->klen == n && !memcmp((*p)->key, k, n))
			break;
	return p;
}

static int item_set(struct xsk_kv *s, const char *k, size_t n, uint32_t flags,
		    const char *v, size_t vlen)
{
	struct item **p = item_slot(s, k, n), *it = malloc(sizeof(*it) + n + vlen);

	if (!it)
		return -ENOMEM;
	it->key = (char *)(it + 1);
	it->data = it->key + n;
	memcpy(it->key, k, n);
	memcpy(it->data, v, vlen);
	it->klen = n;
	it->vlen = vlen;
	it->flags = flags;
	it->next = *p ? (*p)->next : NULL;
	free(*p);
	*p = it;
	return 0;
}

static bool item_delete(struct xsk_kv *s, const char *k, size_t n)
{
	struct item **p = item_slot(s, k, n), *it = *p;

	if (!it)
		return false;
	*p = it->next;
	free(it);
	return true;
}

static void items_free(struct xsk_kv *s)
{
	unsigned int i;

	for (i = 0; i < BUCKETS; i++)
		while (s->buckets[i])
			item_delete(s, s->buckets[i]->key, s->buckets[i]->klen);
}

/* ---------------- the XDP cache (kvcache's kv_cache map) ---------------- */
/*
 * XDP readers take no lock: they read seq, copy, and re-read seq.  Every
 * write here is one BPF_F_LOCK update (the whole value under the entry's
 * lock), but a copy's stores need not become visible in order, so a fill
 * takes three: seq odd (readers miss), the new contents with seq still odd,
 * then the same contents with seq even and valid set.
 */
static int cache_read(struct xsk_kv *s, uint32_t idx)
{
	return bpf_map_lookup_elem_flags(s->cache_fd, &idx, &s->ent, BPF_F_LOCK) ? -errno : 0;
}

static int cache_write(struct xsk_kv *s, uint32_t idx)
{
	return bpf_map_update_elem(s->cache_fd, &idx, &s->ent, BPF_F_LOCK) ? -errno : 0;
}

static uint32_t cache_idx(struct xsk_kv *s, const char *k, size_t n)
{
	return fnv1a(k, n) & (s->cfg.cache_entries - 1);
}

static void cache_invalidate(struct xsk_kv *s, const char *k, size_t n)
{
	uint32_t idx = cache_idx(s, k, n);

	if (cache_read(s, idx) || !s->ent.valid || s->ent.key_len != n || memcmp(s->ent.key, k, n))
		return;
	s->ent.valid = 0;
	s->ent.seq += 2;
	if (!cache_write(s, idx))
		s->st.invalidations++;
}

/* Stores the reply body @rep of a one-key get of @it, if the fast path may serve it. */
static void cache_fill(struct xsk_kv *s, const struct item *it, const char *rep, size_t len)
{
	uint32_t idx = cache_idx(s, it->key, it->klen), seq;

	if (it->vlen > s->cfg.max_value || it->klen > KV_KEY_MAX || len > KV_REPLY_MAX)
		return;
	if (cache_read(s, idx))
		return;
	seq = (s->ent.seq | 1) + 2;	/* odd, and past any value a reader saw */
	s->ent.seq = seq;
	s->ent.valid = 0;
	if (cache_write(s, idx))
		return;
	memset(s->ent.key, 0, sizeof(s->ent.key));
	memcpy(s->ent.key, it->key, it->klen);
	memcpy(s->ent.reply, rep, len);
	s->ent.key_len = (uint32_t)it->klen;
	s->ent.flags = it->flags;
	s->ent.value_len = (uint32_t)it->vlen;
	s->ent.reply_len = (uint32_t)len;
	if (cache_write(s, idx))
		return;
	s->ent.seq = seq + 1;
	s->ent.valid = 1;
	if (!cache_write(s, idx))
		s->st.fills++;
}

static int cache_clear(struct xsk_kv *s)
{
	uint32_t i;
	int err;

	for (i = 0; i < s->cfg.cache_entries; i++) {
		memset(&s->ent, 0, sizeof(s->ent));
		err = cache_write(s, i);
		if (err)
			return err;
	}
	return 0;
}

/* ---------------- requests ---------------- */

/* The next space/CR-separated token of line[*p..n); its length, 0 if none. */
static size_t token(const char *line, size_t n, size_t *p, const char **tok)
{
	size_t start;

	while (*p < n && line[*p] == ' ')
		(*p)++;
	start = *p;
	while (*p < n && line[*p] != ' ' && line[*p] != '\r')
		(*p)++;
	*tok = line + start;
	return *p - start;
}

static bool parse_u32(const char *t, size_t n, uint32_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (!n || n > 10)
		return false;
	for (i = 0; i < n; i++) {
		if (t[i] < '0' || t[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(t[i] - '0');
	}
	if (x > 0xffffffffULL)
		return false;
	*v = (uint32_t)x;
	return true;
}

#define REPLY(lit) (memcpy(s->reply, lit, sizeof(lit) - 1), sizeof(lit) - 1)

/* get k1 [k2 ...]: the VALUE blocks, then END.  One key served here fills the cache. */
static size_t do_get(struct xsk_kv *s, const char *line, size_t n, size_t p, size_t cap)
{
	const struct item *one = NULL;
	size_t len = 0, kl, keys = 0;
	const char *k;

	s->st.gets++;
	while ((kl = token(line, n, &p, &k)) > 0) {
		const struct item *it = *item_slot(s, k, kl);
		int h;

		keys++;
		if (!it || kl > MC_KEY_MAX)
			continue;
		h = snprintf(s->reply + len, cap - len, "VALUE %.*s %u %zu\r\n", (int)kl, k,
			     it->flags, it->vlen);
		if (h < 0 || len + (size_t)h + it->vlen + 7 > cap)
			return REPLY("SERVER_ERROR object too large for cache\r\n");
		len += (size_t)h;
		memcpy(s->reply + len, it->data, it->vlen);
		memcpy(s->reply + len + it->vlen, "\r\n", 2);
		len += it->vlen + 2;
		one = it;
	}
	memcpy(s->reply + len, "END\r\n", 5);
	len += 5;
	if (s->fastpath && keys == 1 && one)
		cache_fill(s, one, s->reply, len);
	return len;
}

/* set <key> <flags> <exptime> <bytes> [noreply]\r\n<data>\r\n (exptime is ignored) */
static size_t do_set(struct xsk_kv *s, const char *line, size_t n, size_t p, size_t body,
		     const char *req, size_t plen)
{
	const char *k, *t;
	size_t kl, tl;
	uint32_t flags, exptime, bytes;
	bool noreply;

	s->st.sets++;
	kl = token(line, n, &p, &k);
	tl = token(line, n, &p, &t);
	if (!kl || kl > MC_KEY_MAX || !parse_u32(t, tl, &flags))
		return REPLY("CLIENT_ERROR bad command line format\r\n");
	tl = token(line, n, &p, &t);
	if (!parse_u32(t, tl, &exptime))
		return REPLY("CLIENT_ERROR bad command line format\r\n");
	tl = token(line, n, &p, &t);
	if (!parse_u32(t, tl, &bytes))
		return REPLY("CLIENT_ERROR bad command line format\r\n");
	tl = token(line, n, &p, &t);
	noreply = tl == 7 && !memcmp(t, "noreply", 7);
	if (body + bytes + 2 != plen || memcmp(req + body + bytes, "\r\n", 2))
		return REPLY("CLIENT_ERROR bad data chunk\r\n");
	if (s->fastpath)
		cache_invalidate(s, k, kl);
	if (item_set(s, k, kl, flags, req + body, bytes))
		return REPLY("SERVER_ERROR out of memory storing object\r\n");
	return noreply ? 0 : REPLY("STORED\r\n");
}

static size_t do_delete(struct xsk_kv *s, const char *line, size_t n, size_t p)
{
	const char *k, *t;
	size_t kl, tl;
	bool found;

	s->st.deletes++;
	kl = token(line, n, &p, &k);
	if (!kl || kl > MC_KEY_MAX)
		return REPLY("CLIENT_ERROR bad command line format\r\n");
	tl = token(line, n, &p, &t);
	if (s->fastpath)
		cache_invalidate(s, k, kl);
	found = item_delete(s, k, kl);
	if (tl == 7 && !memcmp(t, "noreply", 7))
		return 0;
	return found ? REPLY("DELETED\r\n") : REPLY("NOT_FOUND\r\n");
}

/* The reply body for request @req[0..plen) (frame header stripped) in s->reply; 0: none. */
static size_t handle_request(struct xsk_kv *s, const char *req, size_t plen, size_t cap)
{
	const char *eol = memchr(req, '\n', plen), *cmd;
	size_t n, p = 0, cl;

	if (!eol || eol == req || eol[-1] != '\r') {
		s->st.errors++;
		return REPLY("ERROR\r\n");
	}
	n = (size_t)(eol - req) - 1;	/* the command line without \r\n */
	cl = token(req, n, &p, &cmd);
	if (cl == 3 && !memcmp(cmd, "get", 3))
		return do_get(s, req, n, p, cap);
	if (cl == 3 && !memcmp(cmd, "set", 3))
		return do_set(s, req, n, p, n + 2, req, plen);
	if (cl == 6 && !memcmp(cmd, "delete", 6))
		return do_delete(s, req, n, p);
	s->st.errors++;
	return REPLY("ERROR\r\n");
}

static uint16_t ip_csum(const struct iphdr *ip)
{
	const uint16_t *w = (const uint16_t *)ip;
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i < sizeof(*ip) / 2; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Turns the request frame @pkt (@len bytes, @room available) into its reply,
 * in place, the way kvcache's XDP write stage does (so a fast-path answer
 * and ours are byte-identical).  Returns the reply's length, 0 for none.
 */
static uint32_t handle_frame(struct xsk_kv *s, uint8_t *pkt, uint32_t len, uint32_t room)
{
	struct ethhdr *eth = (struct ethhdr *)pkt;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	uint8_t *fh = (uint8_t *)(udp + 1), mac[ETH_ALEN];
	size_t plen, rlen, cap;
	uint32_t a;
	uint16_t port;

	if (len < HDRS + MC_UDP_HDR || eth->h_proto != htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP || udp->dest != htons(s->cfg.port))
		return 0;
	plen = ntohs(udp->len);
	if (plen < sizeof(*udp) + MC_UDP_HDR || HDRS - sizeof(*udp) + plen > len)
		return 0;
	/* one datagram only: sequence 0 of 1 */
	if (fh[2] | fh[3] | fh[4] | (fh[5] != 1))
		return 0;
	plen -= sizeof(*udp) + MC_UDP_HDR;
	cap = (room < MAX_FRAME ? room : MAX_FRAME) - HDRS - MC_UDP_HDR;
	if (cap > sizeof(s->reply))
		cap = sizeof(s->reply);
	rlen = handle_request(s, (const char *)fh + MC_UDP_HDR, plen, cap);
	if (!rlen)
		return 0;
	memcpy(fh + MC_UDP_HDR, s->reply, rlen);
	memcpy(mac, eth->h_source, ETH_ALEN);
	memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	memcpy(eth->h_dest, mac, ETH_ALEN);
	a = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = a;
	port = udp->source;
	udp->source = udp->dest;
	udp->dest = port;
	memset(fh + 2, 0, 6);
	fh[5] = 1;
	udp->len = htons((uint16_t)(sizeof(*udp) + MC_UDP_HDR + rlen));
	udp->check = 0;
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + sizeof(*udp) + MC_UDP_HDR + rlen));
	ip->check = 0;
	ip->check = ip_csum(ip);
	return (uint32_t)(HDRS + MC_UDP_HDR + rlen);
}

/* ---------------- the rings ---------------- */

static void recycle_completions(struct xsk_kv *s)
{
	uint32_t i, n, idx_c = 0, idx_f = 0;

	n = xsk_ring_cons__peek(&s->comp, BATCH, &idx_c);
	if (!n)
		return;
	/* the fill ring holds every frame: there is always room */
	while (xsk_ring_prod__reserve(&s->fill, n, &idx_f) != n)
		;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&s->fill, idx_f + i) =
			*xsk_ring_cons__comp_addr(&s->comp, idx_c + i);
	xsk_ring_prod__submit(&s->fill, n);
	xsk_ring_cons__release(&s->comp, n);
}

static void fill_back(struct xsk_kv *s, const uint64_t *addr, uint32_t n)
{
	uint32_t idx = 0, i;

	if (!n)
		return;
	/* the fill ring has room for every frame: this never spins for long */
	while (xsk_ring_prod__reserve(&s->fill, n, &idx) != n)
		;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&s->fill, idx + i) = addr[i];
	xsk_ring_prod__submit(&s->fill, n);
}

static void *server_loop(void *arg)
{
	struct xsk_kv *s = arg;

	cpu_pin(s->cfg.cpu);
	while (!s->stop) {
		uint32_t idx_rx = 0, idx_tx = 0, n, i, ntx = 0, nfill = 0;
		uint64_t back[BATCH];
		struct xdp_desc out[BATCH];

		recycle_completions(s);
		n = xsk_ring_cons__peek(&s->rx, BATCH, &idx_rx);
		if (!n)
			continue;
		s->st.rx += n;
		for (i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&s->rx, idx_rx + i);
			uint64_t addr = xsk_umem__add_offset_to_addr(d->addr);
			uint32_t room = FRAME_SIZE - (uint32_t)(addr % FRAME_SIZE);
			uint32_t len = handle_frame(s, xsk_umem__get_data(s->area, addr), d->len, room);

			if (len)
				out[ntx++] = (struct xdp_desc){ .addr = d->addr, .len = len };
			else
				back[nfill++] = d->addr;
		}
		xsk_ring_cons__release(&s->rx, n);
		fill_back(s, back, nfill);
		if (!ntx)
			continue;
		while (xsk_ring_prod__reserve(&s->tx, ntx, &idx_tx) != ntx) {
			recycle_completions(s);
			sendto(xsk_socket__fd(s->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
			if (s->stop)
				return NULL;
		}
		for (i = 0; i < ntx; i++)
			*xsk_ring_prod__tx_desc(&s->tx, idx_tx + i) = out[i];
		xsk_ring_prod__submit(&s->tx, ntx);
		s->st.replies += ntx;
		/* copy mode transmits from the syscall: always kick */
		sendto(xsk_socket__fd(s->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
	}
	return NULL;
}

/* ---------------- set-up ---------------- */

static int attach(struct xsk_kv *s, enum topo_side side)
{
	const struct topo *t = s->cfg.t;
	struct bpf_link **l = side == TOPO_SERVER ? &s->srv_link : &s->cli_link;
	struct bpf_program *p = side == TOPO_SERVER ? s->skel->progs.xsk_kv_xdp :
						       s->skel->progs.xsk_kv_pass;
	int err = topo_enter(t, side);

	if (err)
		return err;
	/*
	 * Native mode by default: kvcache's write stage grows a request into its
	 * reply at the head where veth leaves no tailroom, and XDP_TX on veth
	 * reaches the client because xsk_kv_pass runs on its side.  Generic
	 * (skb) mode on request.  Both through a link, so nothing outlives us.
	 */
	if (side == TOPO_SERVER) {
		LIBBPF_OPTS(bpf_link_create_opts, o,
			    .flags = s->cfg.skb_mode ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);

		s->srv_fd = bpf_link_create(bpf_program__fd(p), t->server.ifindex, BPF_XDP, &o);
		err = s->srv_fd < 0 ? -errno : 0;
	} else {
		*l = bpf_program__attach_xdp(p, t->client.ifindex);
		err = *l ? 0 : -errno;
	}
	topo_leave(t);
	return err;
}

/* The socket, created inside the server namespace; EBUSY right after a close: retry. */
static int bind_xsk(struct xsk_kv *s)
{
	struct xsk_socket_config xc = {
		.rx_size = RING_SIZE, .tx_size = RING_SIZE,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = XDP_FLAGS_DRV_MODE, .bind_flags = XDP_COPY,
	};
	int err, tries;

	for (tries = 0; tries < 40; tries++) {
		err = topo_enter(s->cfg.t, TOPO_SERVER);
		if (err)
			return err;
		err = xsk_socket__create(&s->xsk, s->cfg.t->server.ifname, 0, s->umem,
					 &s->rx, &s->tx, &xc);
		topo_leave(s->cfg.t);
		if (err != -EBUSY)
			break;
		usleep(100000 + 50000 * (useconds_t)(tries < 8 ? tries : 8));
	}
	if (err)
		return err;
	return xsk_socket__update_xskmap(s->xsk, bpf_map__fd(s->skel->maps.xsks_map));
}

static int setup_umem(struct xsk_kv *s)
{
	struct xsk_umem_config uc = {
		.fill_size = NUM_FRAMES, .comp_size = NUM_FRAMES,
		.frame_size = FRAME_SIZE, .frame_headroom = 0,
	};
	uint32_t idx = 0, i;
	int err;

	s->area = mmap(NULL, (size_t)NUM_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->area == MAP_FAILED) {
		s->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&s->umem, s->area, (uint64_t)NUM_FRAMES * FRAME_SIZE,
			       &s->fill, &s->comp, &uc);
	if (err)
		return err;
	if (xsk_ring_prod__reserve(&s->fill, NUM_FRAMES, &idx) != NUM_FRAMES)
		return -ENOSPC;
	for (i = 0; i < NUM_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&s->fill, idx + i) = (uint64_t)i * FRAME_SIZE;
	xsk_ring_prod__submit(&s->fill, NUM_FRAMES);
	return 0;
}

#define FAIL(e, ...) do { err = (e); snprintf(why, whylen, __VA_ARGS__); goto fail; } while (0)

int xsk_kv_start(struct xsk_kv **out, const struct xsk_kv_config *cfg, char *why, size_t whylen)
{
	struct xsk_kv *s = calloc(1, sizeof(*s));
	int err;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->srv_fd = -1;
	if (!s->cfg.cache_entries || (s->cfg.cache_entries & (s->cfg.cache_entries - 1)))
		FAIL(-EINVAL, "cache entries must be a power of two");
	if (s->cfg.max_value > KV_VALUE_MAX)
		s->cfg.max_value = KV_VALUE_MAX;
	s->skel = xsk_kv_bpf__open();
	if (!s->skel)
		FAIL(-errno, "cannot open the xsk_kv BPF object");
	s->skel->rodata->mc_port = cfg->port;
	s->skel->rodata->mc_addr = cfg->t->server.addr.s_addr;
	s->skel->rodata->cache_mask = s->cfg.cache_entries - 1;
	s->skel->rodata->max_value = s->cfg.max_value;
	bpf_map__set_max_entries(s->skel->maps.kv_cache, s->cfg.cache_entries);
	err = xsk_kv_bpf__load(s->skel);
	if (err)
		FAIL(err, "the kernel rejected the xsk_kv XDP program (%s)", strerror(-err));
	s->cache_fd = bpf_map__fd(s->skel->maps.kv_cache);
	s->stats_fd = bpf_map__fd(s->skel->maps.kv_stats);
	err = attach(s, TOPO_SERVER);
	/* native XDP_TX on veth only reaches a peer that runs a program too */
	if (!err && !s->cfg.skb_mode && !cfg->t->hardware)
		err = attach(s, TOPO_CLIENT);
	if (err)
		FAIL(err, "cannot attach XDP (%s mode) to the veth pair (%s)",
		     s->cfg.skb_mode ? "skb" : "native", strerror(-err));
	/* the UMEM's socket becomes the first XSK: it must live in the server namespace */
	err = topo_enter(cfg->t, TOPO_SERVER);
	if (!err) {
		err = setup_umem(s);
		topo_leave(cfg->t);
	}
	if (err)
		FAIL(err, "cannot create the AF_XDP UMEM (%s)", strerror(-err));
	err = bind_xsk(s);
	if (err)
		FAIL(err, "cannot bind an AF_XDP socket in copy mode on %s queue 0 (%s)",
		     cfg->t->server.ifname, strerror(-err));
	err = -pthread_create(&s->th, NULL, server_loop, s);
	if (err)
		FAIL(err, "cannot start the server thread (%s)", strerror(-err));
	s->running = true;
	*out = s;
	return 0;
fail:
	xsk_kv_stop(s);
	return err;
}

void xsk_kv_stop(struct xsk_kv *s)
{
	if (!s)
		return;
	if (s->running) {
		s->stop = 1;
		pthread_join(s->th, NULL);
	}
	if (s->srv_fd >= 0)
		close(s->srv_fd);
	bpf_link__destroy(s->srv_link);
	bpf_link__destroy(s->cli_link);
	if (s->xsk)
		xsk_socket__delete(s->xsk);
	if (s->umem)
		xsk_umem__delete(s->umem);
	if (s->area)
		munmap(s->area, (size_t)NUM_FRAMES * FRAME_SIZE);
	xsk_kv_bpf__destroy(s->skel);
	items_free(s);
	free(s);
}

int xsk_kv_set_fastpath(struct xsk_kv *s, bool on)
{
	int err;

	if (on && !s->fastpath) {
		/* entries left from an earlier fast-path period may be stale */
		err = cache_clear(s);
		if (err)
			return err;
	}
	s->fastpath = on;
	s->skel->bss->fastpath = on;
	return 0;
}

static uint64_t stat_sum(struct xsk_kv *s, uint32_t key)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t v[256], sum = 0;

	if (ncpu <= 0 || ncpu > 256 || bpf_map_lookup_elem(s->stats_fd, &key, v))
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

void xsk_kv_get_stats(struct xsk_kv *s, struct xsk_kv_stats *st)
{
	struct xdp_statistics xs;
	socklen_t len = sizeof(xs);

	*st = s->st;
	st->xdp_hits = stat_sum(s, KV_STAT_HIT);
	st->xdp_misses = stat_sum(s, KV_STAT_MISS);
	st->xdp_redirected = s->skel->bss->redirected;
	if (!getsockopt(xsk_socket__fd(s->xsk), SOL_XDP, XDP_STATISTICS, &xs, &len)) {
		st->xsk_dropped = xs.rx_dropped + xs.rx_ring_full + xs.rx_invalid_descs;
		st->xsk_fill_empty = xs.rx_fill_ring_empty_descs;
	}
}

int xsk_kv_call(int fd, const void *req, size_t len, void *rep, size_t cap, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	/* drop what an earlier, timed-out call left behind */
	while (recv(fd, rep, cap, MSG_DONTWAIT) >= 0)
		;
	if (send(fd, req, len, 0) != (ssize_t)len)
		return -errno;
	r = poll(&pfd, 1, timeout_ms);
	if (r <= 0)
		return r ? -errno : -ETIMEDOUT;
	n = recv(fd, rep, cap, MSG_DONTWAIT);
	return n < 0 ? -errno : (int)n;
}
