/* Translation between the codec's view of path attributes (wire.h: values
 * in wire byte order, pointing into a decoded message) and the RIB's
 * interned form (attr.h: host-order integers). The session layer is the
 * only place where both meet. */
#ifndef CALICO_XLATE_H
#define CALICO_XLATE_H

#include <stddef.h>
#include <stdint.h>

#include "speaker/attr.h"
#include "speaker/wire.h"

/* Growable scratch space the translations write into; reuse one per thread. */
struct xlate_scratch {
	uint32_t *words;
	size_t n_words;
	uint8_t *bytes;
	size_t n_bytes;
};

void xlate_scratch_free(struct xlate_scratch *sc);

/* Fills *in from a decoded attribute set and the next hop its NLRI came
 * with. Pointers in *in alias pa and sc. Returns 0 or -ENOMEM. */
int xlate_from_wire(const struct bgp_path_attrs *pa, const struct bgp_nexthop *nh,
		    struct attr_in *in, struct xlate_scratch *sc);

/* Fills *pa and *nh from an interned set (as export made it) for encoding
 * a prefix of family fam. Pointers in *pa alias a and sc. Returns 0,
 * -ENOMEM, or -EINVAL when the set has no usable next hop for fam. */
int xlate_to_wire(const struct attr_set *a, enum bgp_family fam, struct bgp_path_attrs *pa,
		  struct bgp_nexthop *nh, struct xlate_scratch *sc);

#endif
