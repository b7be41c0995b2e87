/* calicoctl's docopt rules (cli/opts.c) and Go tabwriter layout
 * (cli/print.c tab_render). */
#include "cli/opts.h"
#include "cli/print.h"
#include "tests/unit/check.h"

#include <errno.h>
#include <stdlib.h>

static const int ids[] = { OPT_HELP, OPT_FILENAME, OPT_RECURSIVE, OPT_SKIP_EMPTY, OPT_SKIP_EXISTS,
			   OPT_OUTPUT, OPT_CONFIG, OPT_CONTEXT, -1 };

static int parse(struct opts *o, char *msg, int argc, char **argv)
{
	return opts_parse(ids, argc, argv, false, o, msg, 256);
}

int main(void)
{
	struct opts o;
	char msg[256];

	{
		char *a[] = { "-f", "x.yaml", "bgppeer", "--out=yaml", "-Rc", "cfg" };
		CHECK_INT(parse(&o, msg, 6, a), 0);
		CHECK_STR(o.val[OPT_FILENAME], "x.yaml");
		CHECK_STR(o.val[OPT_OUTPUT], "yaml");
		CHECK(o.set[OPT_RECURSIVE]);
		CHECK_STR(o.val[OPT_CONFIG], "cfg");
		CHECK_INT(o.npos, 1);
		CHECK_STR(o.pos[0], "bgppeer");
		opts_free(&o);
	}
	{
		char *a[] = { "-oyaml", "--filename", "-" };
		CHECK_INT(parse(&o, msg, 3, a), 0);
		CHECK_STR(o.val[OPT_OUTPUT], "yaml");
		CHECK_STR(o.val[OPT_FILENAME], "-");
		opts_free(&o);
	}
	{
		char *a[] = { "--skip", "x" };
		CHECK_INT(parse(&o, msg, 2, a), -EINVAL);
		CHECK_STR(msg, "--skip is not a unique prefix: --skip-empty, --skip-exists?");
		opts_free(&o);
	}
	{
		char *a[] = { "--co", "x" };
		CHECK_INT(parse(&o, msg, 2, a), -EINVAL);
		CHECK_STR(msg, "--co is not a unique prefix: --config, --context?");
		opts_free(&o);
	}
	{
		char *a[] = { "-f" };
		CHECK_INT(parse(&o, msg, 1, a), -EINVAL);
		CHECK_STR(msg, "-f requires argument");
		opts_free(&o);
	}
	{
		char *a[] = { "--filename" };
		CHECK_INT(parse(&o, msg, 1, a), -EINVAL);
		CHECK_STR(msg, "--filename requires argument");
		opts_free(&o);
	}
	{
		char *a[] = { "--recursive=yes" };
		CHECK_INT(parse(&o, msg, 1, a), -EINVAL);
		CHECK_STR(msg, "--recursive must not have an argument");
		opts_free(&o);
	}
	{
		char *a[] = { "--bogus", "-x", "--he" };
		CHECK_INT(parse(&o, msg, 3, a), 0);
		CHECK(o.unknown);
		CHECK(o.help);
		opts_free(&o);
	}
	{
		char *a[] = { "-f", "a", "-f", "b" };
		CHECK_INT(parse(&o, msg, 4, a), 0);
		CHECK(o.repeated);
		opts_free(&o);
	}
	{
		char *a[] = { "create", "-f", "x" };
		CHECK_INT(opts_parse(ids, 3, a, true, &o, msg, 256), 0);
		CHECK_INT(o.npos, 3);
		CHECK(!o.set[OPT_FILENAME]);
		opts_free(&o);
	}
	{
		char *h[] = { "NAME", "PEERIP", "NODE", "ASN" };
		char *r1[] = { "rack1-tor", "192.0.2.1", "(global)", "64513" };
		char *r2[] = { "rr-mesh", "", "has(rr)", "0" };
		char **rows[] = { h, r1, r2 };
		struct strbuf sb;
		sb_init(&sb);
		tab_render(rows, 3, 4, &sb);
		CHECK_STR(sb.buf, "NAME        PEERIP      NODE       ASN     \n"
				  "rack1-tor   192.0.2.1   (global)   64513   \n"
				  "rr-mesh                 has(rr)    0       \n");
		sb_free(&sb);
		char **empty[] = { h };
		sb_init(&sb);
		tab_render(empty, 1, 4, &sb);
		CHECK_STR(sb.buf, "NAME   PEERIP   NODE   ASN   \n");
		sb_free(&sb);
	}
	return check_done();
}
