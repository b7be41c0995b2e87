/* Micro-benchmark of the wire codec: encodes 1,000,000 distinct IPv4 /24s
 * into full 4096-octet UPDATEs (one attribute set), then times decoding
 * every message and walking every prefix, the work the speaker does per
 * received table. Not a test: run build/tests/unit/bench_wire by hand.
 * usage: bench_wire [PREFIXES] [ROUNDS] */
#include "speaker/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of this thread: on a busy machine wall time mostly measures
 * waiting for a core, so both are reported. */
static double cpu(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static struct bgp_update u;

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct bgp_prefix *p = calloc(n, sizeof(*p));
	uint8_t *stream = malloc(n * 5 + 4096 * 2 + n / 500 * 200);
	size_t *offs = malloc((n / 100 + 2) * sizeof(*offs));
	struct wire_ctx ctx;
	struct wire_err we;
	struct err e;
	static const uint8_t path[] = {2, 2, 0, 0, 0xfd, 0xea, 0, 0, 0xfd, 0xf4};
	static const uint8_t comms[] = {0xfd, 0xea, 0, 1};
	struct bgp_path_attrs a = {
	    .present = WIRE_ATTR_BIT(BGP_ATTR_ORIGIN) | WIRE_ATTR_BIT(BGP_ATTR_AS_PATH) |
		       WIRE_ATTR_BIT(BGP_ATTR_MED) | WIRE_ATTR_BIT(BGP_ATTR_COMMUNITIES),
	    .origin = BGP_ORIGIN_IGP,
	    .as_path = path,
	    .as_path_len = sizeof(path),
	    .med = 10,
	    .communities = comms,
	    .communities_len = sizeof(comms),
	};
	struct bgp_nexthop nh = {.family = BGP_FAM_IPV4, .addr = {10, 0, 0, 2}};
	size_t msgs = 0, pos = 0, done = 0;

	if (!p || !stream || !offs)
		return 1;
	wire_ctx_init(&ctx);
	ctx.as4 = true;
	ctx.ebgp = true;
	ctx.local_as = 65001;
	ctx.peer_as = 65002;
	for (size_t i = 0; i < n; i++) {
		p[i].family = BGP_FAM_IPV4;
		p[i].len = 24;
		p[i].addr[0] = (uint8_t)(1 + (i >> 16));
		p[i].addr[1] = (uint8_t)(i >> 8);
		p[i].addr[2] = (uint8_t)i;
	}
	double t0 = now();
	while (done < n) {
		size_t used, len;
		if (wire_encode_update(&ctx, BGP_FAM_IPV4, &a, &nh, p + done, n - done,
				       stream + pos, 4096, &used, &len, &e) < 0) {
			fprintf(stderr, "encode: %s\n", e.msg);
			return 1;
		}
		offs[msgs++] = pos;
		pos += len;
		done += used;
	}
	double t_enc = now() - t0;
	offs[msgs] = pos;
	printf("%zu prefixes in %zu UPDATEs, %zu octets; encode %.1f ms\n", n, msgs, pos,
	       t_enc * 1e3);

	double best = 1e9, best_cpu = 1e9;
	uint64_t sum = 0;
	for (int r = 0; r < rounds; r++) {
		size_t count = 0;
		double c0 = cpu();
		t0 = now();
		for (size_t m = 0; m < msgs; m++) {
			int rc = wire_decode_update(&ctx, stream + offs[m], offs[m + 1] - offs[m],
						    &u, &we);
			if (rc != WIRE_OK) {
				fprintf(stderr, "decode: %s\n", we.e.msg);
				return 1;
			}
			sum += u.attrs_hash;
			for (unsigned k = 0; k < u.n_reach; k++) {
				struct wire_nlri_iter it;
				struct bgp_prefix q;
				wire_nlri_iter_init(&it, &u.reach[k].nlri);
				while (wire_nlri_next(&it, &q)) {
					sum += q.addr[2];
					count++;
				}
			}
		}
		double t = now() - t0, tc = cpu() - c0;
		if (tc < best_cpu)
			best_cpu = tc;
		if (count != n) {
			fprintf(stderr, "decoded %zu prefixes, want %zu\n", count, n);
			return 1;
		}
		if (t < best)
			best = t;
	}
	printf("decode + walk, best of %d rounds: wall %.1f ms, cpu %.1f ms (%.1f ns cpu per "
	       "prefix, %.0f MB/s cpu) [%llu]\n",
	       rounds, best * 1e3, best_cpu * 1e3, best_cpu * 1e9 / (double)n,
	       (double)pos / best_cpu / 1e6, (unsigned long long)(sum & 0xff));
	free(p);
	free(stream);
	free(offs);
	return 0;
}
