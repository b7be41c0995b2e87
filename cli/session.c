/* What the runner opens for commands that touch the datastore: the
 * connection settings, the store, calicoctl's version-mismatch check and its
 * "ensure initialized" step for write commands. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"

const char *cli_config_path(const struct cli *c)
{
	return opts_get(&c->o, OPT_CONFIG, STORE_DEFAULT_CONFIG_PATH);
}

/* Loads the settings once; later calls repeat the first result. */
int cli_load_config(struct cli *c, struct err *e)
{
	const char *path = cli_config_path(c);

	if (!c->config_loaded) {
		c->config_rc = store_config_load(path, strcmp(path, STORE_DEFAULT_CONFIG_PATH) != 0,
						 &c->cfg, &c->config_err);
		c->config_loaded = true;
	}
	if (c->config_rc < 0)
		*e = c->config_err;
	return c->config_rc;
}

int cli_open_store(struct cli *c)
{
	struct err e = { "" };
	int rc;

	if (c->st)
		return CLI_OK;
	rc = cli_load_config(c, &e);
	if (rc == -ENOENT && !strncmp(e.msg, "Error reading config file", 25))
		return cli_fail_stdout(c, "%s", e.msg);
	if (rc == 0)
		rc = store_open(&c->cfg, &c->st, &e);
	if (rc < 0)
		return cli_fail_stdout(c, "Failed to create Calico API client: %s", e.msg);
	return CLI_OK;
}

/* "v3.32.1-5-gabc" -> "3.32.1" (calicoctl compares only this part). */
static void short_version(const char *v, char *out, size_t len)
{
	size_t n;

	if (*v == 'v')
		v++;
	n = strcspn(v, "-");
	if (n >= len)
		n = len - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

int cli_check_version(struct cli *c)
{
	struct err e = { "" };
	json_t *ci = NULL;
	char client_v[64], cluster_v[64];
	const char *v;
	int rc;

	if (c->o.set[OPT_ALLOW_MISMATCH])
		return CLI_OK;
	/* No datastore: skip, the command itself will report the problem. */
	if (!c->st) {
		if (cli_load_config(c, &e) < 0 || store_open(&c->cfg, &c->st, &e) < 0) {
			c->st = NULL;
			return CLI_OK;
		}
	}
	rc = store_get(c->st, "ClusterInformation", "default", &ci, &e);
	if (rc == -ENOENT)
		return CLI_OK;
	if (rc < 0)
		return cli_fail(c,
				"unable to get Cluster Information to verify version mismatch: %s\n"
				"Use --allow-version-mismatch to override.\n",
				e.msg);
	v = json_string_value(json_object_get(json_object_get(ci, "spec"), "calicoVersion"));
	if (!v || !*v) {
		json_decref(ci);
		return CLI_OK;
	}
	short_version(v, cluster_v, sizeof(cluster_v));
	short_version(CALICOCTL_C_VERSION, client_v, sizeof(client_v));
	json_decref(ci);
	if (strcmp(client_v, cluster_v) != 0)
		return cli_fail(c,
				"version mismatch.\nClient Version:   %s\nCluster Version:  %s\n"
				"Use --allow-version-mismatch to override.\n",
				CALICOCTL_C_VERSION, cluster_v);
	return CLI_OK;
}

/* A random cluster GUID as Calico makes one: 32 lower-case hex digits. */
static void random_guid(char out[33])
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(b)) {
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(rand() & 0xff);
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

void cli_ensure_initialized(struct cli *c)
{
	struct err e = { "" };
	json_t *ci = NULL;
	char guid[33];

	if (!c->st)
		return;
	if (store_get(c->st, "ClusterInformation", "default", &ci, &e) == 0) {
		json_decref(ci);
		return;
	}
	random_guid(guid);
	ci = json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:b}}", "apiVersion", RES_API_VERSION, "kind",
		       "ClusterInformation", "metadata", "name", "default", "spec", "clusterGUID",
		       guid, "datastoreReady", 1);
	/* Best effort, as in calicoctl: a failure here must not fail the
	 * user's command. */
	if (ci && store_create(c->st, ci, &e) < 0)
		log_info("Unable to initialize datastore: %s", e.msg);
	json_decref(ci);
}

int cli_check_namespace(const struct cli *c, const struct kind_desc *k, const json_t *obj,
			struct err *e)
{
	const char *ns = json_string_value(json_object_get(json_object_get(obj, "metadata"),
							   "namespace"));

	if (kind_namespaced(k))
		return 0;
	if (ns && *ns)
		return err_set(e, -EINVAL,
			       "namespace should not be specified for a non-namespaced resource. %s is "
			       "not a namespaced resource",
			       kind_name(k));
	if (c->o.set[OPT_ALL_NAMESPACES] || (c->o.set[OPT_NAMESPACE] && *c->o.val[OPT_NAMESPACE]))
		return err_set(e, -EINVAL, "%s is not namespaced", kind_name(k));
	return 0;
}
