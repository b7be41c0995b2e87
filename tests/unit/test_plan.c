/* Plan parsing: defaults, names, canonical round trip, and the error each
 * kind of bad input gets (naming the field). */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/peering.h"
#include "tests/unit/check.h"

static struct peering_plan *parse(const char *text, struct err *e)
{
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);
	struct peering_plan *p = NULL;

	if (!doc) {
		snprintf(e->msg, sizeof(e->msg), "test json: %s", je.text);
		return NULL;
	}
	if (peering_plan_parse(doc, &p, e))
		p = NULL;
	json_decref(doc);
	return p;
}

/* Expects text to fail with a message containing want. */
static void bad(const char *text, const char *want)
{
	struct err e = { "" };
	struct peering_plan *p = parse(text, &e);
	int ok = !p && strstr(e.msg, want) != NULL;

	check_report(ok, want, __FILE__, __LINE__);
	if (!ok)
		printf("#   input: %s\n#   got: %s\n", text, p ? "(parsed)" : e.msg);
	peering_plan_free(p);
}

static void test_defaults(void)
{
	struct err e = { "" };
	struct peering_plan *p = parse("{\"ipv4Address\":\"10.0.0.1\",\"sessions\":[{\"peerIP\":"
				       "\"10.0.0.2\",\"peerASNumber\":64512,\"type\":\"mesh\"}]}",
				       &e);

	CHECK_MSG(p != NULL, e.msg);
	if (!p)
		return;
	CHECK_INT(p->router_id, 0x0a000001);
	CHECK_INT(p->local_as, 64512);
	CHECK_INT(p->listen_port, 179);
	CHECK_INT(p->n_sessions, 1);
	CHECK_STR(p->sessions[0].name, "Mesh_10_0_0_2");
	CHECK_INT(p->sessions[0].port, 179);
	CHECK_INT(p->sessions[0].hold_time, 240);
	CHECK_INT(peering_session_keepalive(&p->sessions[0]), 80);
	CHECK_INT(p->sessions[0].max_restart_time, 120);
	CHECK_INT(p->sessions[0].families, PEERING_FAM_BIT(PEERING_FAM_IPV4));
	CHECK(p->sessions[0].add_path);
	CHECK(!p->sessions[0].passive);
	CHECK(p->sessions[0].password == NULL);
	peering_plan_free(p);
}

static void test_names_and_sort(void)
{
	struct err e = { "" };
	struct peering_plan *p = parse(
		"{\"routerID\":\"1.2.3.4\",\"asNumber\":65000,\"sessions\":["
		"{\"peerIP\":\"fd00::2\",\"peerASNumber\":65000,\"type\":\"node\"},"
		"{\"peerIP\":\"10.0.0.254\",\"port\":1790,\"peerASNumber\":64567,\"type\":\"global\","
		"\"password\":\"pw\",\"ttlSecurity\":1,\"keepaliveTime\":20,\"localASNumber\":65001},"
		"{\"peerIP\":\"10.0.0.3\",\"port\":179,\"peerASNumber\":65000,\"type\":\"node\"}]}",
		&e);

	CHECK_MSG(p != NULL, e.msg);
	if (!p)
		return;
	CHECK_STR(p->sessions[0].name, "Global_10_0_0_254_port_1790");
	CHECK_STR(p->sessions[1].name, "Node_10_0_0_3_port_179");
	CHECK_STR(p->sessions[2].name, "Node_fd00__2");
	CHECK_INT(p->sessions[0].local_as, 65001);
	CHECK_INT(p->sessions[2].local_as, 65000);
	CHECK_STR(p->sessions[0].password, "pw");
	CHECK_INT(p->sessions[0].ttl_security, 1);
	CHECK_INT(peering_session_keepalive(&p->sessions[0]), 20);
	CHECK_INT(p->sessions[2].families, PEERING_FAM_BIT(PEERING_FAM_IPV6));
	{
		struct peering_addr a;

		CHECK_INT(peering_addr_parse("fd00:0::2", &a), 0);
		CHECK(peering_plan_find(p, &a, 0) == &p->sessions[2]);
		CHECK(peering_plan_find(p, &a, 1790) == NULL);
		CHECK_INT(peering_addr_parse("10.0.0.9", &a), 0);
		CHECK(peering_plan_find(p, &a, 0) == NULL);
	}
	peering_plan_free(p);
}

/* The canonical JSON parses back to an equal plan and prints identically. */
static void test_round_trip(void)
{
	struct err e = { "" };
	struct peering_plan *p = parse(
		"{\"node\":\"n1\",\"routerID\":\"1.2.3.4\",\"ipv6Address\":\"fd00::1\","
		"\"listenAddress\":\"fd00::1\",\"listenPort\":1790,\"sessions\":["
		"{\"peerIP\":\"10.0.0.2\",\"peerASNumber\":64512,\"rrClient\":true,"
		"\"nextHopMode\":\"Self\",\"families\":[\"ipv4\",\"ipv6\"],\"sourceAddress\":"
		"\"10.0.0.1\",\"maxRestartTime\":300,\"addPaths\":false,\"error\":\"no secret\"}],"
		"\"routes\":[{\"prefix\":\"10.244.0.0/26\",\"communities\":[\"65000:100\","
		"\"1:2:3\"]},{\"prefix\":\"fd10::/64\"}]}",
		&e);
	struct peering_plan *q = NULL;
	json_t *j1, *j2;
	char *s1, *s2;

	CHECK_MSG(p != NULL, e.msg);
	if (!p)
		return;
	CHECK_INT(p->sessions[0].cluster_id, 0x01020304); /* defaults to router id */
	CHECK_INT(p->routes[0].n_communities, 1);
	CHECK_INT(p->routes[0].communities[0], (65000u << 16) | 100);
	CHECK_INT(p->routes[0].n_large, 1);
	CHECK_INT(p->routes[0].large[0].local2, 3);
	CHECK_INT(p->routes[1].len, 64);
	j1 = peering_plan_to_json(p);
	CHECK_INT(peering_plan_parse(j1, &q, &e), 0);
	if (q) {
		CHECK(peering_session_equal(&p->sessions[0], &q->sessions[0]));
		j2 = peering_plan_to_json(q);
		s1 = json_dumps(j1, JSON_SORT_KEYS);
		s2 = json_dumps(j2, JSON_SORT_KEYS);
		CHECK_STR(s2, s1);
		free(s1);
		free(s2);
		json_decref(j2);
		q->sessions[0].hold_time = 90;
		CHECK(!peering_session_equal(&p->sessions[0], &q->sessions[0]));
	}
	json_decref(j1);
	peering_plan_free(q);
	peering_plan_free(p);
}

static void test_bad_input(void)
{
	bad("[]", "plan: must be a JSON object");
	bad("{\"routerID\":\"1.2.3.4\",\"bogus\":1}", "bogus: unknown field");
	bad("{\"version\":2}", "version = 2: only version 1");
	bad("{}", "routerID: required");
	bad("{\"routerID\":\"1.2.3\"}", "routerID = '1.2.3': must be a dotted-quad");
	bad("{\"routerID\":\"0.0.0.0\"}", "must not be 0.0.0.0");
	bad("{\"routerID\":\"1.2.3.4\",\"asNumber\":4294967296}", "asNumber = 4294967296");
	bad("{\"routerID\":\"1.2.3.4\",\"asNumber\":\"x\"}", "asNumber: must be an integer");
	bad("{\"routerID\":\"1.2.3.4\",\"ipv4Address\":\"fd00::1\"}", "not an IPv4 address");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":{}}", "sessions: must be a list");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerASNumber\":1}]}",
	    "sessions[0].peerIP: required");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"10.0.0.300\",\"peerASNumber\":1}]}",
	    "sessions[0].peerIP = '10.0.0.300': not an IPv4 or IPv6 address");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"10.0.0.3\"}]}",
	    "sessions[0].peerASNumber: required");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":1,"
	    "\"type\":\"ebgp\"}]}",
	    "sessions[0].type = 'ebgp': must be one of mesh, global, node");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":1,"
	    "\"port\":0}]}",
	    "sessions[0].port = 0");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":1,"
	    "\"holdTime\":2}]}",
	    "sessions[0].holdTime = 2: must be 0 or at least 3");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":1,"
	    "\"keepaliveTime\":300}]}",
	    "sessions[0].keepaliveTime = 300: must be below holdTime 240");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":1,"
	    "\"ttlSecurity\":256}]}",
	    "sessions[0].ttlSecurity = 256");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":1,"
	    "\"sourceAddress\":\"fd00::1\"}]}",
	    "sessions[0].sourceAddress = 'fd00::1': family differs");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":1,"
	    "\"rrClient\":true}]}",
	    "sessions[0].rrClient: a route-reflector client must be iBGP");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":1,"
	    "\"families\":[\"ipv5\"]}]}",
	    "sessions[0].families[0]: must be \"ipv4\" or \"ipv6\"");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":1,"
	    "\"passive\":\"yes\"}]}",
	    "sessions[0].passive: must be true or false");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":1,"
	    "\"colour\":1}]}",
	    "sessions[0].colour: unknown field");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":1},"
	    "{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":2,\"type\":\"global\"}]}",
	    "both peer with 1.1.1.1 port 179");
	bad("{\"routerID\":\"1.2.3.4\",\"sessions\":[{\"peerIP\":\"1.1.1.1\",\"peerASNumber\":1,"
	    "\"name\":\"x\"},{\"peerIP\":\"1.1.1.2\",\"peerASNumber\":2,\"name\":\"x\"}]}",
	    "sessions: name 'x' used twice");
	bad("{\"routerID\":\"1.2.3.4\",\"routes\":[{\"prefix\":\"10.0.0.1/24\"}]}",
	    "routes[0].prefix = '10.0.0.1/24': host bits set");
	bad("{\"routerID\":\"1.2.3.4\",\"routes\":[{\"prefix\":\"10.0.0.0/33\"}]}",
	    "routes[0].prefix = '10.0.0.0/33': not an IPv4 or IPv6 CIDR");
	bad("{\"routerID\":\"1.2.3.4\",\"routes\":[{\"prefix\":\"10.0.0.0\"}]}",
	    "routes[0].prefix = '10.0.0.0'");
	bad("{\"routerID\":\"1.2.3.4\",\"routes\":[{\"prefix\":\"10.0.0.0/8\",\"communities\":"
	    "[\"65536:1\"]}]}",
	    "routes[0].communities[0]");
	bad("{\"routerID\":\"1.2.3.4\",\"routes\":[{\"prefix\":\"10.0.0.0/8\",\"communities\":"
	    "[\"1:2:3:4\"]}]}",
	    "routes[0].communities[0]");
	bad("{\"routerID\":\"1.2.3.4\",\"routes\":[{}]}", "routes[0].prefix: required");
}

static void test_load_errors(void)
{
	struct err e = { "" };
	struct peering_plan *p = NULL;
	char path[] = "/tmp/test_plan_XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	CHECK_INT(peering_plan_load("/nonexistent/plan.json", &p, &e), -ENOENT);
	CHECK(strstr(e.msg, "/nonexistent/plan.json") != NULL);
	if (!f)
		return;
	fputs("{\"routerID\": \"1.2.3.4\",\n \"sessions\": [}\n", f);
	fclose(f);
	CHECK_INT(peering_plan_load(path, &p, &e), -EINVAL);
	CHECK_MSG(strstr(e.msg, ":2:") != NULL, e.msg); /* names the line */
	unlink(path);
}

int main(void)
{
	test_defaults();
	test_names_and_sort();
	test_round_trip();
	test_bad_input();
	test_load_errors();
	return check_done();
}
