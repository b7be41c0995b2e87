/* store/config: CalicoAPIConfig files, the environment, defaults. */
#include "store/config.h"
#include "tests/unit/check.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse(const char *text, struct store_config *cfg, struct err *e)
{
	return store_config_parse(text, strlen(text), "/etc/x.cfg", cfg, e);
}

#define HEAD "apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\n"

static void test_file(void)
{
	struct store_config cfg;
	struct err e;

	CHECK_INT(parse(HEAD "metadata:\nspec:\n  datastoreType: sqlite\n  sqlitePath: /tmp/x.db\n",
			&cfg, &e),
		  0);
	CHECK_INT(cfg.backend, STORE_BACKEND_SQLITE);
	CHECK_STR(cfg.sqlite_path, "/tmp/x.db");
	CHECK_INT(cfg.busy_timeout_ms, STORE_DEFAULT_BUSY_TIMEOUT_MS);
	CHECK_STR(cfg.source, "file /etc/x.cfg");
	store_config_free(&cfg);

	/* Nothing set: sqlite at the default path. */
	CHECK_INT(parse(HEAD, &cfg, &e), 0);
	CHECK_INT(cfg.backend, STORE_BACKEND_SQLITE);
	CHECK_STR(cfg.datastore_type, "sqlite");
	CHECK_STR(cfg.sqlite_path, STORE_DEFAULT_SQLITE_PATH);
	store_config_free(&cfg);

	/* etcd endpoints imply etcdv3; the etcd settings are kept. */
	CHECK_INT(
	    parse(HEAD
		  "spec:\n  etcdEndpoints: http://etcd1:2379,http://etcd2:2379\n  etcdCACert: PEM\n"
		  "  EtcdUsername: me\n  sqliteBusyTimeout: 250\n",
		  &cfg, &e),
	    0);
	CHECK_INT(cfg.backend, STORE_BACKEND_ETCDV3);
	CHECK_STR(cfg.etcd_endpoints, "http://etcd1:2379,http://etcd2:2379");
	CHECK_STR(cfg.etcd_ca_cert, "PEM");
	CHECK_STR(cfg.etcd_username, "me");
	CHECK_INT(cfg.busy_timeout_ms, 250);
	store_config_free(&cfg);

	CHECK_INT(parse("{\"apiVersion\": \"projectcalico.org/v3\", \"kind\": \"CalicoAPIConfig\", "
			"\"spec\": {\"datastoreType\": \"kubernetes\", \"kubeconfig\": \"/k\", "
			"\"k8sInsecureSkipTLSVerify\": true, \"k8sClientQPS\": 5.5}}",
			&cfg, &e),
		  0);
	CHECK_INT(cfg.backend, STORE_BACKEND_KUBERNETES);
	CHECK_STR(cfg.kubeconfig, "/k");
	store_config_free(&cfg);

	CHECK_INT(parse(HEAD "spec:\n  datastoreType: consul\n", &cfg, &e), 0);
	CHECK_INT(cfg.backend, STORE_BACKEND_UNKNOWN);
	CHECK_STR(cfg.datastore_type, "consul");
	store_config_free(&cfg);

	/* Strict parsing and calicoctl's messages. */
	CHECK_INT(parse(HEAD "spec:\n  datastoreTyp: sqlite\n", &cfg, &e), -EINVAL);
	CHECK_STR(
	    e.msg,
	    "syntax error in /etc/x.cfg: failed to parse config as YAML/JSON: error unmarshaling "
	    "JSON: while decoding JSON: json: unknown field \"datastoreTyp\"");
	store_config_free(&cfg);
	CHECK_INT(parse(HEAD "extra: 1\n", &cfg, &e), -EINVAL);
	CHECK_STR(
	    e.msg,
	    "syntax error in /etc/x.cfg: failed to parse config as YAML/JSON: error unmarshaling "
	    "JSON: while decoding JSON: json: unknown field \"extra\"");
	store_config_free(&cfg);
	CHECK_INT(parse(HEAD "metadata:\n  bogus: 1\n", &cfg, &e), -EINVAL);
	store_config_free(&cfg);
	CHECK_INT(parse("apiVersion: v1\nkind: CalicoAPIConfig\n", &cfg, &e), -EINVAL);
	CHECK_STR(e.msg, "invalid config file: unknown APIVersion 'v1'");
	store_config_free(&cfg);
	CHECK_INT(parse("apiVersion: projectcalico.org/v3\nkind: BGPPeer\n", &cfg, &e), -EINVAL);
	CHECK_STR(e.msg, "invalid config file: expected kind 'CalicoAPIConfig', got 'BGPPeer'");
	store_config_free(&cfg);
	CHECK_INT(parse("", &cfg, &e), -EINVAL);
	CHECK_STR(e.msg, "invalid config file: unknown APIVersion ''");
	store_config_free(&cfg);
	CHECK_INT(parse(HEAD "spec: [\n", &cfg, &e), -EINVAL);
	CHECK(
	    strncmp(
		e.msg,
		"syntax error in /etc/x.cfg: failed to parse config as YAML/JSON: error converting "
		"YAML to JSON: yaml: line ",
		100) == 0);
	store_config_free(&cfg);
	CHECK_INT(parse(HEAD "spec:\n  k8sInsecureSkipTLSVerify: maybe\n", &cfg, &e), -EINVAL);
	CHECK_STR(
	    e.msg,
	    "syntax error in /etc/x.cfg: failed to parse config as YAML/JSON: error unmarshaling "
	    "JSON: while decoding JSON: json: cannot unmarshal string into Go struct field "
	    "CalicoAPIConfig.spec.k8sInsecureSkipTLSVerify of type bool");
	store_config_free(&cfg);
	/* A number aimed at a string setting becomes a string, as in Go. */
	CHECK_INT(parse(HEAD "spec:\n  etcdUsername: 123\n", &cfg, &e), 0);
	CHECK_STR(cfg.etcd_username, "123");
	store_config_free(&cfg);
}

static void clear_env(void)
{
	static const char *const names[] = {"DATASTORE_TYPE", "SQLITE_PATH", "SQLITE_BUSY_TIMEOUT",
					    "ETCD_ENDPOINTS", "K8S_INSECURE_SKIP_TLS_VERIFY"};
	char buf[64];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		unsetenv(names[i]);
		snprintf(buf, sizeof(buf), "CALICO_%s", names[i]);
		unsetenv(buf);
	}
}

static void test_env(void)
{
	struct store_config cfg;
	struct err e;

	clear_env();
	CHECK_INT(store_config_from_env(&cfg, &e), 0);
	CHECK_INT(cfg.backend, STORE_BACKEND_SQLITE);
	CHECK_STR(cfg.sqlite_path, STORE_DEFAULT_SQLITE_PATH);
	CHECK_STR(cfg.source, "environment");
	store_config_free(&cfg);

	/* CALICO_<NAME> wins over <NAME>. */
	setenv("SQLITE_PATH", "/plain.db", 1);
	CHECK_INT(store_config_from_env(&cfg, &e), 0);
	CHECK_STR(cfg.sqlite_path, "/plain.db");
	store_config_free(&cfg);
	setenv("CALICO_SQLITE_PATH", "/prefixed.db", 1);
	setenv("SQLITE_BUSY_TIMEOUT", "10", 1);
	CHECK_INT(store_config_from_env(&cfg, &e), 0);
	CHECK_STR(cfg.sqlite_path, "/prefixed.db");
	CHECK_INT(cfg.busy_timeout_ms, 10);
	store_config_free(&cfg);

	setenv("DATASTORE_TYPE", "kubernetes", 1);
	CHECK_INT(store_config_from_env(&cfg, &e), 0);
	CHECK_INT(cfg.backend, STORE_BACKEND_KUBERNETES);
	store_config_free(&cfg);

	setenv("K8S_INSECURE_SKIP_TLS_VERIFY", "sure", 1);
	CHECK_INT(store_config_from_env(&cfg, &e), -EINVAL);
	CHECK_STR(
	    e.msg,
	    "failed to load config from env vars: envconfig.Process: assigning "
	    "CALICO_K8S_INSECURE_SKIP_TLS_VERIFY to K8sInsecureSkipTLSVerify: converting 'sure' to "
	    "type bool. details: strconv.ParseBool: parsing \"sure\": invalid syntax");
	store_config_free(&cfg);
	clear_env();
}

static void test_load(void)
{
	char dir[] = "/tmp/test-config-XXXXXX", path[128];
	struct store_config cfg;
	struct err e;
	FILE *f;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/calicoctl.cfg", dir);

	/* A missing non-default file is an error (calicoctl prints it on stdout). */
	CHECK_INT(store_config_load(path, true, &cfg, &e), -ENOENT);
	{
		char want[200];

		snprintf(want, sizeof(want), "Error reading config file: %s", path);
		CHECK_STR(e.msg, want);
	}
	store_config_free(&cfg);

	/* A present file is used exclusively: the environment is ignored. */
	f = fopen(path, "w");
	if (f) {
		fputs(HEAD "spec:\n  sqlitePath: /from-file.db\n", f);
		fclose(f);
	}
	setenv("SQLITE_PATH", "/from-env.db", 1);
	CHECK_INT(store_config_load(path, true, &cfg, &e), 0);
	CHECK_STR(cfg.sqlite_path, "/from-file.db");
	store_config_free(&cfg);
	unsetenv("SQLITE_PATH");

	if (geteuid() != 0) {
		chmod(path, 0);
		CHECK_INT(store_config_load(path, true, &cfg, &e), -EACCES);
		{
			char want[200];

			snprintf(want, sizeof(want), "open %s: permission denied", path);
			CHECK_STR(e.msg, want);
		}
		store_config_free(&cfg);
	}
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_file();
	test_env();
	test_load();
	return check_done();
}
