/* Scalar formats: AS numbers, IPs, CIDRs, peerIP[:port], names, labels,
 * communities and durations, against the Go behaviour in resources.md §4. */
#include "lib/scalar.h"
#include "tests/unit/check.h"

#include <errno.h>
#include <stdint.h>

struct asn_case {
	const char *in;
	int rc;
	uint32_t want;
};

static const struct asn_case asn_cases[] = {
    {"0", 0, 0},
    {"64512", 0, 64512},
    {"4294967295", 0, 4294967295u},
    {"4294967296", -EINVAL, 0},
    {"-1", -EINVAL, 0},
    {"1.10", 0, 65546},
    {"00.01", 0, 1},
    {"65535.65535", 0, 4294967295u},
    {"0.0", 0, 0},
    {"1.1.1", -EINVAL, 0},
    {"65536.65535", -EINVAL, 0},
    {"65535.65536", -EINVAL, 0},
    {"0.-1", -EINVAL, 0},
    {"", -EINVAL, 0},
    {"1.", -EINVAL, 0},
    {".1", -EINVAL, 0},
    {"abc", -EINVAL, 0},
    {" 1", -EINVAL, 0},
    {"+1", -EINVAL, 0},
    {"0064512", 0, 64512},
};

static void test_asn(void)
{
	for (size_t i = 0; i < sizeof(asn_cases) / sizeof(asn_cases[0]); i++) {
		uint32_t v = 12345;
		int rc = asn_parse(asn_cases[i].in, &v);

		CHECK_MSG(rc == asn_cases[i].rc, asn_cases[i].in);
		if (rc == 0)
			CHECK_INT(v, asn_cases[i].want);
	}
}

struct ip_case {
	const char *in;
	int family;	   /* 0 = invalid */
	const char *canon; /* Go String() */
};

static const struct ip_case ip_cases[] = {
    {"10.0.0.1", 4, "10.0.0.1"},
    {"255.255.255.255", 4, "255.255.255.255"},
    {"0.0.0.0", 4, "0.0.0.0"},
    {"256.0.0.1", 0, NULL},
    {"010.0.0.1", 0, NULL},
    {"10.0.0", 0, NULL},
    {"10.0.0.1.2", 0, NULL},
    {"192.168.0.330", 0, NULL},
    {"fd00::1", 6, "fd00::1"},
    {"FD00::1", 6, "fd00::1"},
    {"2001:db8:0:0:0:0:0:1", 6, "2001:db8::1"},
    {"2001:db8:0:1:0:0:0:1", 6, "2001:db8:0:1::1"},
    {"2001:0:0:1:0:0:0:1", 6, "2001:0:0:1::1"},
    {"::", 6, "::"},
    {"::1", 6, "::1"},
    {"1::", 6, "1::"},
    {"1:2:3:4:5:6:7:8", 6, "1:2:3:4:5:6:7:8"},
    {"1:0:3:4:5:6:7:8", 6, "1:0:3:4:5:6:7:8"},
    {"::ffff:10.1.2.3", 4, "10.1.2.3"},
    {"64:ff9b::10.1.2.3", 6, "64:ff9b::a01:203"},
    {"fd5f::6::ee", 0, NULL},
    {"9000::FFFFF", 0, NULL},
    {"fe80::1%eth0", 0, NULL},
    {"[fd00::1]", 0, NULL},
    {"", 0, NULL},
    {"badpeerIP", 0, NULL},
    {"10.0.0.1/32", 0, NULL},
};

static void test_ip(void)
{
	for (size_t i = 0; i < sizeof(ip_cases) / sizeof(ip_cases[0]); i++) {
		struct ip_addr ip;
		char buf[IP_STRLEN];
		int rc = ip_parse(ip_cases[i].in, &ip);

		CHECK_MSG((rc == 0) == (ip_cases[i].family != 0), ip_cases[i].in);
		if (rc == 0 && ip_cases[i].family) {
			CHECK_INT(ip.family, ip_cases[i].family);
			CHECK_STR(ip_format(&ip, buf), ip_cases[i].canon);
		}
	}
}

struct cidr_case {
	const char *in;
	bool or_ip; /* parse with cidr_parse_or_ip */
	int rc;
	const char *canon;
	bool masked;
};

static const struct cidr_case cidr_cases[] = {
    {"10.0.0.0/8", false, 0, "10.0.0.0/8", true}, {"10.1.2.3/8", false, 0, "10.0.0.0/8", false},
    {"10.0.0.1", false, -EINVAL, NULL, false},	  {"10.0.0.1", true, 0, "10.0.0.1/32", true},
    {"fd00::1", true, 0, "fd00::1/128", true},	  {"fd00::/64", false, 0, "fd00::/64", true},
    {"fd00::1/64", false, 0, "fd00::/64", false}, {"10.0.0.0/33", false, -EINVAL, NULL, false},
    {"fd00::/129", false, -EINVAL, NULL, false},  {"10.0.0.0/", false, -EINVAL, NULL, false},
    {"10.0.0.0/08", false, -EINVAL, NULL, false}, {"10.0.0.0/-1", false, -EINVAL, NULL, false},
    {"/8", false, -EINVAL, NULL, false},	  {"10.0.0.0/0", false, 0, "0.0.0.0/0", false},
    {"0.0.0.0/0", false, 0, "0.0.0.0/0", true},	  {"::/0", false, 0, "::/0", true},
    {"300.0.0.0/8", false, -EINVAL, NULL, false}, {"10.0.0.5/24", true, 0, "10.0.0.0/24", false},
};

static void test_cidr(void)
{
	for (size_t i = 0; i < sizeof(cidr_cases) / sizeof(cidr_cases[0]); i++) {
		struct ip_cidr c;
		char buf[IP_STRLEN];
		int rc = cidr_cases[i].or_ip ? cidr_parse_or_ip(cidr_cases[i].in, &c)
					     : cidr_parse(cidr_cases[i].in, &c);

		CHECK_MSG(rc == cidr_cases[i].rc, cidr_cases[i].in);
		if (rc == 0) {
			CHECK_STR(cidr_format(&c, buf), cidr_cases[i].canon);
			CHECK_MSG(cidr_is_masked(&c) == cidr_cases[i].masked, cidr_cases[i].in);
		}
	}
	/* Overlaps and containment. */
	{
		struct ip_cidr a, b, ll;
		struct ip_addr ip;

		cidr_parse("10.0.0.0/16", &a);
		cidr_parse("10.0.5.0/24", &b);
		CHECK(cidr_overlaps(&a, &b) && cidr_overlaps(&b, &a));
		cidr_parse("10.1.0.0/16", &b);
		CHECK(!cidr_overlaps(&a, &b));
		cidr_parse("fd00::/8", &b);
		CHECK(!cidr_overlaps(&a, &b));
		cidr_parse("169.254.0.0/16", &ll);
		cidr_parse("169.0.0.0/8", &b);
		CHECK(cidr_overlaps(&ll, &b));
		ip_parse("10.0.200.1", &ip);
		CHECK(cidr_contains(&a, &ip));
		ip_parse("10.2.0.1", &ip);
		CHECK(!cidr_contains(&a, &ip));
	}
}

struct peer_case {
	const char *in;
	bool ok;
	const char *host;
	unsigned port;
};

static const struct peer_case peer_cases[] = {
    {"10.0.0.1", true, "10.0.0.1", 0},
    {"10.0.0.1:179", true, "10.0.0.1", 179},
    {"192.168.1.1:500", true, "192.168.1.1", 500},
    {"fd00::1", true, "fd00::1", 0},
    {"[fd00::1]:179", true, "fd00::1", 179},
    {"[9000::]:500", true, "9000::", 500},
    {"[fd00::1]", false, NULL, 0},
    {"10.0.0.1:0", false, NULL, 0},
    {"10.0.0.1:65536", false, NULL, 0},
    {"10.0.0.1:65535", true, "10.0.0.1", 65535},
    {"[9000::]:0", false, NULL, 0},
    {"[9000::]:65536", false, NULL, 0},
    {"192.168.0.0:", false, NULL, 0},
    {"[9000::]:", false, NULL, 0},
    {":8552", false, NULL, 0},
    {"[]:8552", false, NULL, 0},
    {"192.168.0.330:170", false, NULL, 0},
    {"[9000::FFFFF]:170", false, NULL, 0},
    {"badpeerIP", false, NULL, 0},
    {"fd5f::6::ee", false, NULL, 0},
    {"[192.168.0.1]:179", true, "192.168.0.1", 179},
    {"fd00::1:179", true, "fd00::1:179", 0},
    {"", false, NULL, 0},
    {"10.0.0.1:00179", true, "10.0.0.1", 179},
    {"1a2b3c4:179", false, NULL, 0},
};

static void test_peerip(void)
{
	for (size_t i = 0; i < sizeof(peer_cases) / sizeof(peer_cases[0]); i++) {
		struct ip_addr ip;
		uint16_t port = 7;
		char host[IP_STRLEN] = "";
		int rc = peerip_parse(peer_cases[i].in, &ip, &port, host);

		CHECK_MSG((rc == 0) == peer_cases[i].ok, peer_cases[i].in);
		if (rc == 0 && peer_cases[i].ok) {
			CHECK_STR(host, peer_cases[i].host);
			CHECK_INT(port, peer_cases[i].port);
		}
	}
}

static void test_names(void)
{
	static const struct {
		const char *in;
		bool ok;
	} cases[] = {
	    {"a", true},     {"node-1", true},
	    {"a.b.c", true}, {"1abc", true},
	    {"a-", false},   {"-a", false},
	    {"A", false},    {"a_b", false},
	    {"a..b", false}, {".a", false},
	    {"a.", false},   {"", false},
	    {"a b", false},  {"node.rack-1.example", true},
	};
	char reason[1024];
	char long_name[300];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_MSG(name_valid(cases[i].in) == cases[i].ok, cases[i].in);
	memset(long_name, 'a', 254);
	long_name[254] = '\0';
	CHECK(name_valid(long_name)); /* no length limit in the pattern */
	CHECK(!dns1123_subdomain_valid(long_name, reason, sizeof(reason)));
	CHECK_STR(reason, "must be no more than 253 characters");

	CHECK(label_key_valid("app", reason, sizeof(reason)));
	CHECK(label_key_valid("kubernetes.io/hostname", reason, sizeof(reason)));
	CHECK(label_key_valid("My_Label.x-1", reason, sizeof(reason)));
	CHECK(!label_key_valid("-app", reason, sizeof(reason)));
	CHECK_STR(reason, "name part must consist of alphanumeric characters, '-', '_' or '.', and "
			  "must start and end "
			  "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
			  "'123-abc', regex used "
			  "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
	CHECK(!label_key_valid("/app", reason, sizeof(reason)));
	CHECK_STR(reason, "prefix part must be non-empty");
	CHECK(!label_key_valid("a/b/c", reason, sizeof(reason)));
	CHECK(!label_key_valid("Example.com/app", reason, sizeof(reason)));
	CHECK_STR(
	    reason,
	    "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
	    "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
	    "'example.com', regex used for validation is "
	    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
	CHECK(!label_key_valid("", reason, sizeof(reason)));
	CHECK(strstr(reason, "name part must be non-empty\n") == reason);
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	CHECK(!label_key_valid(long_name, reason, sizeof(reason)));
	CHECK_STR(reason, "name part must be no more than 63 characters");

	CHECK(label_value_valid("", reason, sizeof(reason)));
	CHECK(label_value_valid("r1", reason, sizeof(reason)));
	CHECK(label_value_valid("a_b.c-d", reason, sizeof(reason)));
	CHECK(!label_value_valid("a b", reason, sizeof(reason)));
	CHECK_STR(reason,
		  "a valid label must be an empty string or consist of alphanumeric characters, "
		  "'-', '_' or "
		  "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
		  "'my_value',  or '12345', regex used for validation is "
		  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
	CHECK(!label_value_valid(long_name, reason, sizeof(reason)));
	CHECK_STR(reason, "must be no more than 63 characters");
}

static void test_communities(void)
{
	int bits = 0, nbad = 0;

	CHECK_INT(community_check("65000:100", &bits, &nbad), 0);
	CHECK_INT(bits, 16);
	CHECK_INT(community_check("63400:300:100", &bits, &nbad), 0);
	CHECK_INT(bits, 32);
	CHECK_INT(community_check("4294967295:0:1", &bits, &nbad), 0);
	CHECK_INT(community_check("65536:1", &bits, &nbad), -ERANGE);
	CHECK_INT(bits, 16);
	CHECK_INT(nbad, 1);
	CHECK_INT(community_check("70000:70000", &bits, &nbad), -ERANGE);
	CHECK_INT(nbad, 2);
	CHECK_INT(community_check("4294967296:1:1", &bits, &nbad), -ERANGE);
	CHECK_INT(bits, 32);
	CHECK_INT(community_check("1:2:3:4", &bits, &nbad), -EINVAL);
	CHECK_INT(community_check("1", &bits, &nbad), -EINVAL);
	CHECK_INT(community_check("a:b", &bits, &nbad), -EINVAL);
	CHECK_INT(community_check(":1", &bits, &nbad), -EINVAL);
	CHECK_INT(community_check("1:", &bits, &nbad), -EINVAL);
	CHECK_INT(community_check("", &bits, &nbad), -EINVAL);
	CHECK_INT(community_check("001:002", &bits, &nbad), 0);
}

struct dur_case {
	const char *in;
	int rc;
	const char *out; /* Duration.String() or the error */
};

static const struct dur_case dur_cases[] = {
    {"120s", 0, "2m0s"},
    {"10s", 0, "10s"},
    {"2m", 0, "2m0s"},
    {"1h30m", 0, "1h30m0s"},
    {"90s", 0, "1m30s"},
    {"1.5h", 0, "1h30m0s"},
    {"1.5s", 0, "1.5s"},
    {"0", 0, "0s"},
    {"0s", 0, "0s"},
    {"-2m", 0, "-2m0s"},
    {"+5s", 0, "5s"},
    {"100ms", 0, "100ms"},
    {"1500ms", 0, "1.5s"},
    {"1us", 0, "1\xc2\xb5s"},
    {"1\xc2\xb5s", 0, "1\xc2\xb5s"},
    {"42ns", 0, "42ns"},
    {"1h0m1s", 0, "1h0m1s"},
    {".5s", 0, "500ms"},
    {"5.s", 0, "5s"},
    {"1m1.000000001s", 0, "1m1.000000001s"},
    {"", -EINVAL, "time: invalid duration \"\""},
    {"abc", -EINVAL, "time: invalid duration \"abc\""},
    {"10", -EINVAL, "time: missing unit in duration \"10\""},
    {"10x", -EINVAL, "time: unknown unit \"x\" in duration \"10x\""},
    {"1d", -EINVAL, "time: unknown unit \"d\" in duration \"1d\""},
    {".s", -EINVAL, "time: invalid duration \".s\""},
    {"-", -EINVAL, "time: invalid duration \"-\""},
    {"9999999999h", -EINVAL, "time: invalid duration \"9999999999h\""},
    {"2562047h", 0, "2562047h0m0s"},
};

static void test_durations(void)
{
	for (size_t i = 0; i < sizeof(dur_cases) / sizeof(dur_cases[0]); i++) {
		char msg[128] = "", buf[64];
		int64_t ns = 0;
		int rc = duration_parse(dur_cases[i].in, &ns, msg, sizeof(msg));

		CHECK_MSG(rc == dur_cases[i].rc, dur_cases[i].in);
		if (rc == 0)
			CHECK_STR(duration_format(ns, buf, sizeof(buf)), dur_cases[i].out);
		else
			CHECK_STR(msg, dur_cases[i].out);
	}
}

int main(void)
{
	test_asn();
	test_ip();
	test_cidr();
	test_peerip();
	test_names();
	test_communities();
	test_durations();
	return check_done();
}
