/* Large arrays of the RIB (prefix table, paths): a hint to back them with
 * transparent huge pages.
 *
 * A full table is ~40 MB of arrays touched at random (hash slots) or grown
 * by realloc. With 4 KiB pages that is one page fault per 4 KiB on first
 * touch and a TLB miss on most random accesses; with 2 MiB pages the kernel
 * faults and zeroes in 2 MiB steps and the TLB covers the whole table. The
 * kernel's default here is THP "madvise" (only regions that ask get huge
 * pages), so the RIB asks for its big arrays. */
#ifndef CALICO_BIGMEM_H
#define CALICO_BIGMEM_H

#include <stddef.h>

/* Asks for huge pages on the whole 2 MiB-aligned part of [p, p + bytes);
 * does nothing for blocks under 4 MiB. Only a hint: errors are ignored. */
void bigmem_hint(void *p, size_t bytes);

#endif
