/* The Calico v3 resource model. Each kind (Node, BGPConfiguration, BGPPeer,
 * IPPool, CalicoNodeStatus, ClusterInformation) is one descriptor table
 * (lib/kind_*.c): names, aliases, field schema, table columns. Resources are
 * jansson objects in the v3 envelope; one generic walker decodes them
 * strictly, validates them, fills defaults, orders them for JSON output and
 * renders table cells.
 *
 * Messages are calicoctl v3.32's, byte for byte. Each function documents
 * which part of the final line it produces and what the caller adds.
 *
 * Dialect: v3.32 reports a rule broken in both its Go validator and its CRD
 * (CEL) layer twice; we report the Go wording once (spec README). Rules that
 * only the CRD layer has (enums, maxLength, required keys) use its form:
 * "spec.nextHopMode (supported values: ...)".
 *
 * Not done here (the CLI's job): metadata.namespace on these cluster-scoped
 * kinds ("namespace should not be specified ..."), calicoctl's metadata
 * stripping before create and merging before update, and the datastore
 * lookups behind res_validate_ctx. */
#ifndef CALICO_RESOURCE_H
#define CALICO_RESOURCE_H

#include <stdbool.h>

#include <jansson.h>

#include "lib/err.h"

#define RES_API_VERSION "projectcalico.org/v3"

struct kind_desc;

enum res_op {
	RES_OP_CREATE,	 /* create (and the create attempt of apply) */
	RES_OP_UPDATE,	 /* replace, apply-as-update, patch, label */
	RES_OP_VALIDATE, /* calicoctl validate: the validator only, no client checks */
};

/* ---- kinds ---- */

/* CLI word (kind alias such as "bgpp", "BGPPeers", "pools"), matched
 * case-insensitively against the exact alias lists of calicoctl.md §2. NULL
 * when unknown; the CLI then prints "resource type '<word>' is not
 * supported". */
const struct kind_desc *kind_by_word(const char *word);

/* Exact Kind ("BGPPeer"), case-sensitive, as in manifests. */
const struct kind_desc *kind_by_name(const char *kind);

/* Exact list Kind ("BGPPeerList"). */
const struct kind_desc *kind_by_list_name(const char *list_kind);

/* All kinds, NULL-terminated, in a stable order. */
const struct kind_desc *const *kind_all(void);

const char *kind_name(const struct kind_desc *k);	    /* "BGPPeer" */
const char *kind_list_name(const struct kind_desc *k);	    /* "BGPPeerList" */
const char *const *kind_aliases(const struct kind_desc *k); /* NULL-terminated, lower-case */
bool kind_namespaced(const struct kind_desc *k);	    /* false for all of ours */
bool kind_readonly(const struct kind_desc *k);		    /* ClusterInformation */
bool kind_has_status(const struct kind_desc *k);

/* Checks obj's apiVersion and kind (exact match) and returns the kind.
 * Failure: -EINVAL with "unknown resource type (<kind>) and/or version
 * (<apiVersion>)"; the CLI prefixes "failed to execute command: ". */
int res_kind_of(const json_t *obj, const struct kind_desc **out, struct err *e);

/* ---- decoding ---- */

/* Strictly decodes obj in place, as calicoctl's YAML/JSON decoding into the
 * Go struct would: keys matched case-insensitively and renamed to their
 * canonical spelling; numbers and booleans in string fields become strings;
 * AS numbers (plain or dotted strings) become JSON integers; durations are
 * normalised to Go's form ("120s" -> "2m0s"); zero values of omitempty
 * non-pointer fields are dropped and always-present structs (spec, Node
 * status, ...) are added, so that output matches Go's marshalling.
 * Returns:
 *   0 on success;
 *   -EBADMSG for an unknown field: e holds the COMPLETE line calicoctl
 *     prints, "field in document is not recognized or is in the wrong
 *     location: <key>" (no prefix is added);
 *   -EINVAL for any other decode error (wrong type, bad AS number, bad
 *     duration): e holds the text that follows calicoctl's command prefix
 *     (e.g. for create -f the CLI prints "failed to execute command: <msg>"),
 *     such as "error unmarshaling JSON: while decoding JSON: invalid AS
 *     Number format (1.1.1)". */
int res_decode_strict(const struct kind_desc *k, json_t *obj, struct err *e);

/* ---- validation ---- */

/* What the client layer needs to know beyond the object itself. Any member
 * may be NULL/0. */
struct res_validate_ctx {
	/* RES_OP_UPDATE: the stored object (IPPool CIDR/blockSize/allowedUses
	 * immutability). */
	const json_t *old;
	/* RES_OP_CREATE of an IPPool: the existing pools (array), for the
	 * overlap check. */
	const json_t *pools;
	/* BGPPeer filters: does a BGPFilter of this name exist? NULL means
	 * none exist (we do not manage BGPFilters), so any filter fails. */
	bool (*filter_exists)(void *arg, const char *name);
	void *arg;
};

/* Runs every v3.32 rule for op and fills defaults in place (IPPool
 * blockSize/ipipMode/vxlanMode/nodeSelector/allowedUses/assignmentMode and
 * canonical CIDR, by the client layer: create/update only; BGPConfiguration
 * logSeverityScreen and serviceLoadBalancerAggregation, by the CRD layer:
 * every op). obj must have been through res_decode_strict.
 * RES_OP_VALIDATE runs the validator alone, as `calicoctl validate` does (no
 * client checks: no create-request metadata checks, no IPPool client checks,
 * no BGPFilter lookups, no default-only BGPConfiguration fields).
 * Failure: -EINVAL and e holds the calicoctl validation error text exactly,
 * e.g. "error with field PeerIP = '1.2.3' (Reason: failed to validate Field:
 * PeerIP because of Tag: IP:port )" or, for several fields,
 * "error with the following fields:\n-  <entry>\n-  <entry>\n". The CLI
 * wraps it verbatim, e.g. "failed to create 'BGPPeer' resource: [<msg>]".
 * Client-layer checks that need the datastore take ctx (may be NULL). For
 * RES_OP_CREATE a non-empty metadata.resourceVersion is rejected here, so the
 * CLI must call this before stripping it. */
int res_validate(const struct kind_desc *k, json_t *obj, enum res_op op,
		 const struct res_validate_ctx *ctx, struct err *e);

/* ---- output ---- */

/* A deep copy of obj with keys in Go struct order (kind, apiVersion,
 * metadata{name, ..., uid, resourceVersion, creationTimestamp, labels,
 * annotations}, spec{...}, status) for -o json; creationTimestamp is null
 * when absent. Keys the schema does not know are appended last. NULL only on
 * allocation failure. */
json_t *res_ordered(const struct kind_desc *k, const json_t *obj);

/* The List object for -o json/yaml of a list call: kind <Kind>List,
 * apiVersion, metadata{resourceVersion}, items (ordered copies of items). */
json_t *res_list_ordered(const struct kind_desc *k, const json_t *items, const char *revision);

/* The List object `get` prints for a list call, without copies: kind
 * <Kind>List, apiVersion, metadata{resourceVersion} (empty when revision is
 * NULL or ""), items (a new reference to items, or [] when NULL). The
 * streaming printers (json_print_go/yaml_print in lib/yamljson.h) print it
 * and each item exactly as res_list_ordered's copy would print. NULL only on
 * allocation failure. */
json_t *res_list(const struct kind_desc *k, json_t *items, const char *revision);

/* Column headings for -o ps (wide=false) or -o wide; NULL-terminated. */
const char *const *kind_columns(const struct kind_desc *k, bool wide);

/* True when heading is valid for -o custom-columns (any ps or wide
 * heading of the kind). */
bool kind_has_column(const struct kind_desc *k, const char *heading);

struct res_print_ctx {
	/* Node ASN column: the global default AS text used in "(<asn>)" when a
	 * node has a bgp section without asNumber: the default
	 * BGPConfiguration's asNumber, "64512" when unset, "unknown" when the
	 * lookup failed. NULL means "64512". */
	const char *global_asn;
};

/* The text of one table cell (calicoctl.md §5.1 rules), malloc'd; "" for an
 * empty cell; NULL for an unknown heading. ctx may be NULL. */
char *res_cell(const struct kind_desc *k, const json_t *obj, const char *column,
	       const struct res_print_ctx *ctx);

/* ---- small accessors ---- */

/* metadata.name, or "" when absent. */
const char *res_name(const json_t *obj);

#endif
