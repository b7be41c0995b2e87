/* Huge-page hints for the RIB's large arrays; see bigmem.h. */
#define _DEFAULT_SOURCE
#include "speaker/bigmem.h"

#include <stdint.h>
#include <sys/mman.h>

#define HUGE_SZ ((uintptr_t)2 << 20)

void bigmem_hint(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a = (uintptr_t)p, lo = (a + HUGE_SZ - 1) & ~(HUGE_SZ - 1),
		  hi = (a + bytes) & ~(HUGE_SZ - 1);

	if (!p || bytes < 2 * HUGE_SZ || hi <= lo)
		return;
	(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}
