/* Shared by the reliability fuzz targets: an invariant check that aborts
 * (libFuzzer and the replay runner both report an abort as a failure). */
#ifndef CALICO_FUZZ_INV_H
#define CALICO_FUZZ_INV_H

#include <stdio.h>
#include <stdlib.h>

#define INVARIANT(cond)                                                                            \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__,         \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
