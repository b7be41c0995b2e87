/* ClusterInformation: cluster-wide facts calicoctl keeps itself (the
 * `default` object: cluster GUID, Calico version for the version-mismatch
 * check and `calicoctl version`). Read-only to users (calicoctl.md §1.3, §2). */
#include <string.h>

#include "lib/schema.h"

static const char *const aliases[] = {"clusterinformation", "clusterinformations", "clusterinfo",
				      "clusterinfos", NULL};
static const char *const columns[] = {"NAME", NULL};

/* clang-format off */
static const struct field spec_fields[] = {
	{.json = "clusterGUID", .go = "ClusterGUID", .type = FT_STRING, .gotype = "string"},
	{.json = "clusterType", .go = "ClusterType", .type = FT_STRING, .gotype = "string"},
	{.json = "calicoVersion", .go = "CalicoVersion", .type = FT_STRING, .gotype = "string"},
	{.json = "datastoreReady", .go = "DatastoreReady", .type = FT_BOOL, .flags = F_PTR, .gotype = "bool"},
	{.json = "variant", .go = "Variant", .type = FT_STRING, .gotype = "string"},
	{0},
};
/* clang-format on */

static char *cell(const json_t *obj, const char *heading, const struct res_print_ctx *pctx)
{
	(void)obj;
	(void)heading;
	(void)pctx;
	return xstrdup("");
}

/* clang-format off */
const struct kind_desc kind_clusterinfo = {
	.name = "ClusterInformation",
	.list_name = "ClusterInformationList",
	.aliases = aliases,
	.readonly = true,
	.spec = spec_fields,
	.spec_type = "ClusterInformationSpec",
	.columns = columns,
	.wide_columns = columns,
	.cell = cell,
};
/* clang-format on */
