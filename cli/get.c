/* get: one Get per named resource (or per resource of -f), one List call
 * without names, printed through the printer chosen from -o
 * (calicoctl.md §4.5, §5). Output first, then every error on stderr. */
#include "cli/crud.h"
#include "cli/print.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- a region for the results' jansson values ----
 * A list of 10,000 resources is about 300,000 small jansson allocations
 * that live until the process exits (cli_release), and glibc's malloc was
 * a quarter of `get bgppeers`. While `get` reads, jansson allocates from
 * 2 MiB chunks by bumping a pointer; its frees of region memory do
 * nothing and other pointers go to free(), so values made before the
 * switch stay valid. Only for the SQLite store, whose read path hands
 * back no jansson-allocated memory for callers to free() (json_dumps
 * output would be such memory), and never in sanitizer builds, where
 * results are freed so that leak checking stays meaningful. */
#ifndef CLI_FREE_AT_EXIT
#define REGION_CHUNK (2u << 20)
#define REGION_MAX_CHUNKS 4096

static struct {
	char *chunks[REGION_MAX_CHUNKS];
	size_t nchunks, used;
} region;

static void *region_alloc(size_t n)
{
	char *chunk;

	n = (n + 15) & ~(size_t)15; /* malloc's alignment */
	if (region.nchunks && region.used + n <= REGION_CHUNK) {
		chunk = region.chunks[region.nchunks - 1] + region.used;
		region.used += n;
		return chunk;
	}
	if (n > REGION_CHUNK / 4 || region.nchunks == REGION_MAX_CHUNKS)
		return malloc(n); /* big or too many: the heap, freed normally */
	if (posix_memalign((void **)&chunk, REGION_CHUNK, REGION_CHUNK) != 0)
		return NULL;
	madvise(chunk, REGION_CHUNK, MADV_HUGEPAGE);
	region.chunks[region.nchunks++] = chunk;
	region.used = n;
	return chunk;
}

static void region_free(void *p)
{
	for (size_t i = region.nchunks; i-- > 0;)
		if ((char *)p >= region.chunks[i] && (char *)p < region.chunks[i] + REGION_CHUNK)
			return;
	free(p);
}

static void region_begin(const struct cli *c)
{
	if (c->cfg.backend == STORE_BACKEND_SQLITE)
		json_set_alloc_funcs(region_alloc, region_free);
}
#else
static void region_begin(const struct cli *c)
{
	(void)c;
}
#endif

/* The default AS text the Node ASN column shows in parentheses. */
static void fill_global_asn(struct cli *c, char *buf, size_t len)
{
	struct err e;
	json_t *cfg = NULL;
	int rc = store_get(c->st, "BGPConfiguration", "default", &cfg, &e);
	json_t *asn = json_object_get(json_object_get(cfg, "spec"), "asNumber");

	if (rc == -ENOENT || (rc == 0 && !json_is_integer(asn)))
		snprintf(buf, len, "64512");
	else if (rc < 0)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(asn));
	json_decref(cfg);
}

/* --export: what calicoctl clears from named results. */
static void strip_for_export(json_t *obj)
{
	static const char *const keys[] = { "namespace", "uid", "resourceVersion",
					    "creationTimestamp", "deletionTimestamp",
					    "deletionGracePeriodSeconds" };
	json_t *md = json_object_get(obj, "metadata");

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_del(md, keys[i]);
}

/* Get or list one request; appends the result (as stored: the printers
 * put keys in Go's order themselves) to `results` or the error text to
 * `errs`. */
static void get_one(struct cli *c, const json_t *req, bool export, json_t *results,
		    struct strbuf *errs)
{
	const struct kind_desc *k = crud_kind(req);
	const char *name = res_name(req);
	struct err e = { "" };
	json_t *obj = NULL;
	int rc = cli_check_namespace(c, k, req, &e);

	if (rc == 0 && !*name) {
		json_t *items = NULL;
		int64_t rev = 0;
		char revtext[32];
		rc = store_list(c->st, kind_name(k), NULL, &items, &rev, &e);
		if (rc == 0) {
			snprintf(revtext, sizeof(revtext), "%" PRId64, rev);
			json_array_append_new(results, res_list(k, items, revtext));
			json_decref(items);
			return;
		}
	} else if (rc == 0) {
		rc = store_get(c->st, kind_name(k), name, &obj, &e);
		if (rc == 0) {
			if (export)
				strip_for_export(obj);
			json_array_append(results, obj);
			json_decref(obj);
			return;
		}
	}
	if (errs->len)
		sb_add(errs, "\n");
	sb_add(errs, e.msg);
}

static bool has_kind(const json_t *results, const char *kind, const char *list_kind)
{
	size_t i;
	const json_t *obj;

	json_array_foreach(results, i, obj) {
		const char *k = json_string_value(json_object_get(obj, "kind"));
		if (k && (!strcmp(k, kind) || !strcmp(k, list_kind)))
			return true;
	}
	return false;
}

int cmd_get(struct cli *c)
{
	struct printer p;
	struct err e = { "" };
	struct text_out out;
	struct strbuf errs;
	json_t *reqs = NULL, *results, *req;
	char asn[32];
	bool from_file = c->o.set[OPT_FILENAME];
	/* --export only applies to names given on the command line. */
	bool export = c->o.set[OPT_EXPORT] && !from_file && c->o.npos > 1;
	size_t i;
	int rc;

	if (printer_init(&p, opts_get(&c->o, OPT_OUTPUT, "ps"), &e) < 0) {
		printer_free(&p);
		return cli_fail(c, "%s", e.msg);
	}
	if (cli_check_version(c) < 0)
		goto fail;
	rc = from_file ? crud_load_files(c, &reqs)
		       : crud_from_args(c, "failed to get resources: ", true, &reqs);
	if (rc < 0)
		goto fail;
	if (json_array_size(reqs) && cli_open_store(c) < 0)
		goto fail;
	if (!from_file && crud_empty_name(reqs)) {
		cli_fail(c, "failed to get resources: resource name may not be empty");
		goto fail;
	}

	region_begin(c);
	results = json_array();
	sb_init(&errs);
	json_array_foreach(reqs, i, req)
		get_one(c, req, export, results, &errs);
	json_decref(reqs);
	reqs = NULL;

	if (printer_is_table(&p) && has_kind(results, "Node", "NodeList")) {
		fill_global_asn(c, asn, sizeof(asn));
		p.ctx.global_asn = asn;
	}
	/* Streamed through one 64 KiB buffer: no copy of the whole output. */
	tout_init(&out, stdout);
	rc = printer_print(&p, results, &out, &e);
	if (tout_flush(&out) < 0 && rc == 0)
		rc = err_set(&e, out.err, "error writing the output");
	tout_free(&out);
	cli_release(results);
	printer_free(&p);
	if (rc < 0) {
		sb_free(&errs);
		return cli_fail(c, "%s", e.msg);
	}
	if (errs.len)
		return cli_fail_take(c, sb_detach(&errs));
	sb_free(&errs);
	return CLI_OK;
fail:
	json_decref(reqs);
	printer_free(&p);
	return CLI_FAIL;
}
