#include "lib/err.h"
#include "lib/log.h"
#include "tests/unit/check.h"

#include <errno.h>

int main(void)
{
	struct err e;

	CHECK_INT(err_set(&e, -EINVAL, "bad %s", "thing"), -EINVAL);
	CHECK_STR(e.msg, "bad thing");
	err_prefix(&e, "failed to %s: ", "create");
	CHECK_STR(e.msg, "failed to create: bad thing");
	CHECK_INT(err_set(NULL, -ENOENT, "ignored"), -ENOENT);
	CHECK_INT(log_level_parse("debug"), LOG_DEBUG);
	CHECK_INT(log_level_parse("panic"), LOG_PANIC);
	CHECK_INT(log_level_parse("verbose"), -1);
	CHECK_STR(log_level_name(LOG_WARN), "warn");
	return check_done();
}
