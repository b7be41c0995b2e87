/* Protocol constants and the small value types every part of the speaker
 * shares (wire codec, sessions, RIB, policy). Richer types live with the
 * part that owns them: decoded messages in wire.h, routes in rib.h. */
#ifndef CALICO_BGP_H
#define CALICO_BGP_H

#include <stdbool.h>
#include <stdint.h>

#define BGP_PORT 179
#define BGP_HEADER_LEN 19
#define BGP_MAX_MSG_LEN 4096
#define BGP_EXT_MAX_MSG_LEN 65535 /* RFC 8654 */
#define BGP_AS_TRANS 23456	  /* RFC 6793 */

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5,
};

enum bgp_afi {
	BGP_AFI_IPV4 = 1,
	BGP_AFI_IPV6 = 2,
};

enum bgp_safi {
	BGP_SAFI_UNICAST = 1,
};

/* Address family index used for per-family arrays. */
enum bgp_family {
	BGP_FAM_IPV4,
	BGP_FAM_IPV6,
	BGP_FAM_COUNT
};

/* Path attribute type codes we understand (RFC 4271 and later). */
enum bgp_attr_type {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,
	BGP_ATTR_ORIGINATOR_ID = 9,
	BGP_ATTR_CLUSTER_LIST = 10,
	BGP_ATTR_MP_REACH_NLRI = 14,
	BGP_ATTR_MP_UNREACH_NLRI = 15,
	BGP_ATTR_AS4_PATH = 17,
	BGP_ATTR_AS4_AGGREGATOR = 18,
	BGP_ATTR_LARGE_COMMUNITIES = 32,
};

/* Attribute flag bits (RFC 4271 §4.3). */
#define BGP_ATTR_FLAG_OPTIONAL 0x80
#define BGP_ATTR_FLAG_TRANSITIVE 0x40
#define BGP_ATTR_FLAG_PARTIAL 0x20
#define BGP_ATTR_FLAG_EXTENDED 0x10

enum bgp_origin {
	BGP_ORIGIN_IGP = 0,
	BGP_ORIGIN_EGP = 1,
	BGP_ORIGIN_INCOMPLETE = 2,
};

/* NOTIFICATION error codes (RFC 4271 §4.5, RFC 4486 for Cease subcodes). */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD_TIMER = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_ROUTE_REFRESH = 7, /* RFC 7313 */
};

/* Capability codes (IANA registry). */
enum bgp_cap_code {
	BGP_CAP_MP = 1,
	BGP_CAP_ROUTE_REFRESH = 2,
	BGP_CAP_EXT_NEXTHOP = 5,
	BGP_CAP_EXT_MESSAGE = 6,
	BGP_CAP_GRACEFUL_RESTART = 64,
	BGP_CAP_AS4 = 65,
	BGP_CAP_ADD_PATH = 69,
	BGP_CAP_ENHANCED_RR = 70,
	BGP_CAP_LLGR = 71,
	BGP_CAP_FQDN = 73,
};

/* A prefix of either family. addr holds the network in network byte order,
 * host bits zero; path_id is the RFC 7911 path identifier (0 without
 * ADD-PATH). */
struct bgp_prefix {
	uint8_t family; /* enum bgp_family */
	uint8_t len;
	uint8_t addr[16];
	uint32_t path_id;
};

#endif
