// SPDX-License-Identifier: GPL-2.0
#include "kv/kvcache.h"
#include <obench/kvcache.h>	/* struct kv_entry, enum kv_stat: shared with BPF */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include "core/bpfutil.h"
#include "core/netns.h"
#include "kvcache.skel.h"
#include "kv/mc_proto.h"

const char *const kvcache_variant_names[KVC_NR_VARIANTS + 1] = {
	[KVC_TAIL_CONST] = "tail-const",
	[KVC_TAIL_DYN] = "tail-dyn",
	[KVC_INLINED] = "inlined",
	[KVC_BPF2BPF] = "bpf2bpf",
	[KVC_GLOBAL] = "global",
};

const char *kvcache_variant_name(enum kvcache_variant v)
{
	return v < KVC_NR_VARIANTS ? kvcache_variant_names[v] : "?";
}

/* The XDP programs of @v: entry first; NULL-terminated. */
static void variant_progs(struct kvcache_bpf *s, enum kvcache_variant v, struct bpf_program **p)
{
	switch (v) {
	case KVC_TAIL_CONST:
		p[0] = s->progs.kv_tail_const;
		p[1] = s->progs.kv_const_hash;
		p[2] = s->progs.kv_const_lookup;
		p[3] = s->progs.kv_tail_write;
		p[4] = NULL;
		break;
	case KVC_TAIL_DYN:
		p[0] = s->progs.kv_tail_dyn;
		p[1] = s->progs.kv_dyn_hash;
		p[2] = s->progs.kv_dyn_lookup;
		p[3] = s->progs.kv_tail_write;
		p[4] = NULL;
		break;
	case KVC_INLINED:
		p[0] = s->progs.kv_inlined;
		p[1] = NULL;
		break;
	case KVC_BPF2BPF:
		p[0] = s->progs.kv_bpf2bpf;
		p[1] = NULL;
		break;
	default:
		p[0] = s->progs.kv_global;
		p[1] = NULL;
		break;
	}
}

static bool in_list(struct bpf_program *prog, struct bpf_program **list)
{
	for (; *list; list++)
		if (*list == prog)
			return true;
	return false;
}

/* Copies the verifier's reason for a rejection: the line before "processed N insns". */
static void keep_reason(struct kvcache *kc, const char *log)
{
	const char *end = strstr(log, "processed "), *start;

	if (!end) {
		end = log + strlen(log);
	}
	while (end > log && (end[-1] == '\n'))
		end--;
	start = end;
	while (start > log && start[-1] != '\n')
		start--;
	snprintf(kc->verifier_log, sizeof(kc->verifier_log), "%.*s", (int)(end - start), start);
}

/* @log: the verifier's log of the last program loaded (the failing one), or NULL. */
static int open_configured(struct kvcache *kc, struct bpf_program **mine, char *log, size_t sz)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .kernel_log_buf = log,
		    .kernel_log_size = log ? sz : 0, .kernel_log_level = log ? 1 : 0);
	struct kvcache_bpf *s = kvcache_bpf__open_opts(&opts);
	struct bpf_program *prog;

	if (!s)
		return -errno;
	s->rodata->mc_port = kc->cfg.port;
	s->rodata->mc_addr = kc->cfg.server_addr;
	s->rodata->cache_mask = kc->cfg.entries - 1;
	s->rodata->max_value = kc->cfg.max_value;
	s->rodata->unsafe_fills = kc->cfg.unsafe_fills;
	bpf_map__set_max_entries(s->maps.kv_cache, kc->cfg.entries);
	variant_progs(s, kc->cfg.variant, mine);
	bpf_object__for_each_program(prog, s->obj) {
		bool keep = in_list(prog, mine) || prog == s->progs.kv_fill_egress ||
			    prog == s->progs.kv_inval_ingress || prog == s->progs.kv_xdp_pass;

		bpf_program__set_autoload(prog, keep);
	}
	kc->skel = s;
	return 0;
}

/* Sum of the verifier's processed instructions over the variant's programs. */
static unsigned int verified_insns(struct bpf_program **mine)
{
	unsigned int sum = 0;

	for (; *mine; mine++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(bpf_program__fd(*mine), &info, &len))
			sum += info.verified_insns;
	}
	return sum;
}

static int fill_prog_array(struct bpf_map *map, struct bpf_program **mine)
{
	__u32 stage;

	/* mine[0] is the entry (stage 0); the rest are stages 1.. */
	for (stage = 1; stage < KV_NR_STAGES && mine[stage]; stage++) {
		int fd = bpf_program__fd(mine[stage]);

		if (bpf_map_update_elem(bpf_map__fd(map), &stage, &fd, BPF_ANY))
			return -errno;
	}
	return 0;
}

int kvcache_load(struct kvcache *kc, const struct kvcache_config *cfg)
{
	struct bpf_program *mine[8];
	char *log;
	int err;

	memset(kc, 0, sizeof(*kc));
	kc->nsfd = kc->peer_nsfd = -1;
	kc->xdp_fd = -1;
	kc->cfg = *cfg;
	if (!kc->cfg.entries)
		kc->cfg.entries = 4096;
	if (!kc->cfg.max_value)
		kc->cfg.max_value = KV_VALUE_MAX;
	if (kc->cfg.entries & (kc->cfg.entries - 1) || kc->cfg.max_value > KV_VALUE_MAX ||
	    kc->cfg.variant >= KVC_NR_VARIANTS || !kc->cfg.port)
		return -EINVAL;

	err = open_configured(kc, mine, NULL, 0);
	if (err)
		return err;
	err = kvcache_bpf__load(kc->skel);
	if (err) {
		/* load again with a verbose log just to say why (the log rotates: its end stays) */
		size_t sz = 4 << 20;

		kvcache_bpf__destroy(kc->skel);
		kc->skel = NULL;
		log = calloc(1, sz);
		if (log && !open_configured(kc, mine, log, sz)) {
			if (kvcache_bpf__load(kc->skel))
				keep_reason(kc, log);
			else
				snprintf(kc->verifier_log, sizeof(kc->verifier_log),
					 "load failed (%d) once, then succeeded", err);
		}
		free(log);
		kvcache_bpf__destroy(kc->skel);
		kc->skel = NULL;
		return err;
	}
	kc->xdp_fd = bpf_program__fd(mine[0]);
	kc->verified_insns = verified_insns(mine);
	snprintf(kc->verifier_log, sizeof(kc->verifier_log), "processed %u insns",
		 kc->verified_insns);
	if (cfg->variant == KVC_TAIL_CONST)
		err = fill_prog_array(kc->skel->maps.kv_jmp_const, mine);
	else if (cfg->variant == KVC_TAIL_DYN)
		err = fill_prog_array(kc->skel->maps.kv_jmp_dyn, mine);
	if (err) {
		kvcache_bpf__destroy(kc->skel);
		kc->skel = NULL;
	}
	return err;
}

static int tc_attach_one(int ifindex, enum bpf_tc_attach_point where, int fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = fd, .handle = 0x6b76, .priority = 1);

	return bpf_tc_attach(&hook, &opts);
}

static void tc_detach_one(int ifindex, enum bpf_tc_attach_point where)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 0x6b76, .priority = 1);

	bpf_tc_detach(&hook, &opts);
}

int kvcache_attach(struct kvcache *kc, int nsfd, int ifindex, __u32 xdp_flags)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int orig, err;

	if (!kc->skel)
		return -EINVAL;
	err = netns_enter(nsfd, &orig);
	if (err)
		return err;
	kc->ifindex = ifindex;
	kc->nsfd = nsfd;
	kc->xdp_flags = xdp_flags;
	err = bpf_xdp_attach(ifindex, kc->xdp_fd, xdp_flags, NULL);
	if (err)
		goto out;
	kc->xdp_attached = true;
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		goto out;
	kc->qdisc_created = !err;
	kc->tc_attached = true;
	err = tc_attach_one(ifindex, BPF_TC_EGRESS, bpf_program__fd(kc->skel->progs.kv_fill_egress));
	if (!err)
		err = tc_attach_one(ifindex, BPF_TC_INGRESS,
				    bpf_program__fd(kc->skel->progs.kv_inval_ingress));
out:
	netns_leave(&orig);
	if (err)
		kvcache_detach(kc);
	return err;
}

int kvcache_attach_peer_pass(struct kvcache *kc, int nsfd, int ifindex)
{
	int orig, err;

	if (!kc->skel)
		return -EINVAL;
	err = netns_enter(nsfd, &orig);
	if (err)
		return err;
	err = bpf_xdp_attach(ifindex, bpf_program__fd(kc->skel->progs.kv_xdp_pass),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (!err) {
		kc->peer_attached = true;
		kc->peer_ifindex = ifindex;
		kc->peer_nsfd = nsfd;
	}
	netns_leave(&orig);
	return err;
}

void kvcache_detach(struct kvcache *kc)
{
	int orig;

	if (kc->peer_attached && !netns_enter(kc->peer_nsfd, &orig)) {
		bpf_xdp_detach(kc->peer_ifindex, XDP_FLAGS_DRV_MODE, NULL);
		netns_leave(&orig);
		kc->peer_attached = false;
	}
	if (!(kc->xdp_attached || kc->tc_attached) || netns_enter(kc->nsfd, &orig))
		return;
	if (kc->xdp_attached)
		bpf_xdp_detach(kc->ifindex, kc->xdp_flags, NULL);
	if (kc->tc_attached) {
		if (kc->qdisc_created) {
			LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = kc->ifindex,
				    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

			bpf_tc_hook_destroy(&hook);	/* the clsact qdisc and its filters */
		} else {
			tc_detach_one(kc->ifindex, BPF_TC_EGRESS);
			tc_detach_one(kc->ifindex, BPF_TC_INGRESS);
		}
	}
	kc->xdp_attached = kc->tc_attached = kc->qdisc_created = false;
	netns_leave(&orig);
}

void kvcache_destroy(struct kvcache *kc)
{
	kvcache_detach(kc);
	kvcache_bpf__destroy(kc->skel);
	kc->skel = NULL;
}

int kvcache_read_stats(const struct kvcache *kc, struct kvcache_stats *s)
{
	uint64_t out[KV_NR_STATS] = {}, *vals;
	int ncpu = libbpf_num_possible_cpus(), fd, i;
	__u32 key;

	if (!kc->skel || ncpu <= 0)
		return -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	fd = bpf_map__fd(kc->skel->maps.kv_stats);
	for (key = 0; key < KV_NR_STATS; key++) {
		if (bpf_map_lookup_elem(fd, &key, vals)) {
			free(vals);
			return -errno;
		}
		for (i = 0; i < ncpu; i++)
			out[key] += vals[i];
	}
	free(vals);
	s->hit = out[KV_STAT_HIT];
	s->miss = out[KV_STAT_MISS];
	s->bypass = out[KV_STAT_BYPASS];
	s->inval = out[KV_STAT_INVAL];
	s->fill = out[KV_STAT_FILL];
	s->fill_skip = out[KV_STAT_FILL_SKIP];
	s->fill_large = out[KV_STAT_FILL_LARGE];
	s->race = out[KV_STAT_RACE];
	s->chain_fail = out[KV_STAT_CHAIN_FAIL];
	s->grow_fail = out[KV_STAT_GROW_FAIL];
	s->fill_race = out[KV_STAT_FILL_RACE];
	s->gen_bump = out[KV_STAT_GEN_BUMP];
	s->poison = out[KV_STAT_POISON];
	return 0;
}

const char *kvcache_off_reason(const struct kvcache *kc)
{
	static const char *const why[] = {
		[KV_OFF_UNKNOWN_CMD] = "a meta, binary or unknown command",
		[KV_OFF_PIPELINED] = "several commands in one datagram or TCP segment",
		[KV_OFF_FRAGMENTED] = "a fragmented or multi-datagram request",
		[KV_OFF_TCP_STREAM] = "a TCP segment that does not start a command",
		[KV_OFF_FLUSH_DELAYED] = "flush_all with a delay or noreply",
	};
	struct kv_ctl c;
	__u32 zero = 0;

	if (!kc->skel || bpf_map_lookup_elem(bpf_map__fd(kc->skel->maps.kv_ctl), &zero, &c) ||
	    !c.off)
		return NULL;
	return c.off < sizeof(why) / sizeof(why[0]) && why[c.off] ? why[c.off] : "unknown";
}

int kvcache_reset_stats(const struct kvcache *kc)
{
	int ncpu = libbpf_num_possible_cpus(), fd;
	uint64_t *zero;
	__u32 key;

	if (!kc->skel || ncpu <= 0)
		return -EINVAL;
	zero = calloc((size_t)ncpu, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	fd = bpf_map__fd(kc->skel->maps.kv_stats);
	for (key = 0; key < KV_NR_STATS; key++)
		bpf_map_update_elem(fd, &key, zero, BPF_ANY);
	free(zero);
	return 0;
}

int kvcache_turn_on(struct kvcache *kc)
{
	struct kv_ctl c;
	__u32 zero = 0;
	int fd;

	if (!kc->skel)
		return -EINVAL;
	fd = bpf_map__fd(kc->skel->maps.kv_ctl);
	if (bpf_map_lookup_elem(fd, &zero, &c))
		return -errno;
	c.off = 0;
	c.gen++;
	return bpf_map_update_elem(fd, &zero, &c, BPF_ANY) ? -errno : 0;
}

int kvcache_clear(struct kvcache *kc)
{
	struct kv_entry *zero = calloc(1, sizeof(*zero));
	__u32 i;
	int fd, err = 0;

	if (!zero)
		return -ENOMEM;
	fd = kc->skel ? bpf_map__fd(kc->skel->maps.kv_cache) : -1;
	for (i = 0; fd >= 0 && i < kc->cfg.entries && !err; i++)
		if (bpf_map_update_elem(fd, &i, zero, BPF_ANY))
			err = -errno;
	free(zero);
	return fd < 0 ? -EINVAL : err;
}

int kvcache_xdp_fd(const struct kvcache *kc)
{
	return kc->xdp_fd;
}

int kvcache_fill_fd(const struct kvcache *kc)
{
	return kc->skel ? bpf_program__fd(kc->skel->progs.kv_fill_egress) : -1;
}

int kvcache_inval_fd(const struct kvcache *kc)
{
	return kc->skel ? bpf_program__fd(kc->skel->progs.kv_inval_ingress) : -1;
}

/* A UDP frame between 10.0.0.2:40000 and the server carrying @body (to the server, or from it). */
static size_t put_frame(struct kvcache *kc, unsigned char *frame, size_t cap, bool to_server,
			uint16_t req_id, const char *body, size_t blen)
{
	const size_t hdr = sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr);
	struct iphdr *ip = (struct iphdr *)(frame + sizeof(struct ethhdr));
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	__u32 client = htonl(0x0a000002), server = kc->cfg.server_addr ?: htonl(0x0a000001);
	__u16 cport = htons(40000), sport = htons(kc->cfg.port);

	if (hdr + MC_UDP_HDR + blen > cap)
		return 0;
	build_udp_frame(frame, hdr);
	mc_udp_hdr_put(frame + hdr, req_id);
	memcpy(frame + hdr + MC_UDP_HDR, body, blen);
	ip->saddr = to_server ? client : server;
	ip->daddr = to_server ? server : client;
	udp->source = to_server ? cport : sport;
	udp->dest = to_server ? sport : cport;
	udp->len = htons((uint16_t)(sizeof(*udp) + MC_UDP_HDR + blen));
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + sizeof(*udp) + MC_UDP_HDR + blen));
	return hdr + MC_UDP_HDR + blen;
}

/* Runs request @cmd through the fast path; its action in *@ret. */
static int put_request(struct kvcache *kc, uint16_t req_id, const char *cmd, __u32 *ret)
{
	unsigned char frame[512];
	size_t n = put_frame(kc, frame, sizeof(frame), true, req_id, cmd, strlen(cmd));

	return n ? testrun_once(kc->xdp_fd, frame, n, NULL, NULL, ret) : -EINVAL;
}

/* Runs memcached's reply @body to request @req_id through the fill program. */
static int put_reply(struct kvcache *kc, uint16_t req_id, const char *body, size_t blen)
{
	unsigned char frame[2048];
	size_t n = put_frame(kc, frame, sizeof(frame), false, req_id, body, blen);
	__u32 ret;

	return n ? testrun_once(kvcache_fill_fd(kc), frame, n, NULL, NULL, &ret) : -EINVAL;
}

/*
 * "get @key" through the fast path, so that its miss leaves a ticket; if the
 * key is cached, a delete and its acknowledgement go first.
 */
static int leave_ticket(struct kvcache *kc, const char *key)
{
	char cmd[300];
	__u32 ret = 0;
	int err;

	if (!mc_key_valid(key))
		return -EINVAL;
	snprintf(cmd, sizeof(cmd), "get %s\r\n", key);
	err = put_request(kc, 0, cmd, &ret);
	if (err || ret != XDP_TX)
		return err;
	snprintf(cmd, sizeof(cmd), "delete %s\r\n", key);
	err = put_request(kc, 1, cmd, &ret);
	if (!err)
		err = put_reply(kc, 1, "DELETED\r\n", 9);
	snprintf(cmd, sizeof(cmd), "get %s\r\n", key);
	return err ?: put_request(kc, 0, cmd, &ret);
}

int kvcache_put(struct kvcache *kc, const char *key, uint32_t flags,
		const void *value, size_t vlen)
{
	struct kvcache_stats before, after;
	char body[2048];
	int n, err;

	n = mc_build_value_reply(body, sizeof(body), key, flags, value, vlen);
	if (n < 0)
		return -EINVAL;
	err = leave_ticket(kc, key);
	if (!err)
		err = kvcache_read_stats(kc, &before);
	if (!err)
		err = put_reply(kc, 0, body, (size_t)n);
	if (!err)
		err = kvcache_read_stats(kc, &after);
	if (err)
		return err;
	if (after.fill > before.fill)
		return 0;
	return after.fill_large > before.fill_large ? -E2BIG : -EAGAIN;
}
