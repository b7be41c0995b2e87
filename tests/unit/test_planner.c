/* The peering planner, rule by rule (spec calicoctl.md §8, README
 * decisions): each case is a small set of resources and the sessions one
 * node must get, one line per session (see planner_util.h for the line
 * format: name, type, peer[:port], "as" peer AS[/local AS], then only the
 * parameters that differ from the defaults). Every plan is also checked for
 * the invariants: sorted, JSON round trip, independent of input order. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/sha256.h"
#include "planner_util.h"

/* Nodes: N4 with an IPv4 address only, NB with any bgp object, NL with
 * labels too. */
#define N4(name, ip) "{'metadata':{'name':'" name "'},'spec':{'bgp':{'ipv4Address':'" ip "'}}}"
#define NB(name, bgp) "{'metadata':{'name':'" name "'},'spec':{'bgp':" bgp "}}"
#define NL(name, bgp, labels) \
	"{'metadata':{'name':'" name "','labels':" labels "},'spec':{'bgp':" bgp "}}"
#define CFG(name, spec) "{'metadata':{'name':'" name "'},'spec':" spec "}"
#define PEER(name, spec) "{'metadata':{'name':'" name "'},'spec':" spec "}"
#define MESH_OFF CFG("default", "{'nodeToNodeMeshEnabled':false}")

#define MESH3 N4("a", "10.0.0.1/24") "," N4("b", "10.0.0.2/24") "," N4("c", "10.0.0.3/24")

#define RR_NODES                                                                                   \
	N4("node-a", "10.0.0.1/24") "," N4("node-b", "10.0.0.2/24") ","                           \
		NL("rr-1", "{'ipv4Address':'10.0.0.11/24','routeReflectorClusterID':'224.0.0.1'}", \
		   "{'route-reflector':'true'}") ","                                              \
		NL("rr-2", "{'ipv4Address':'10.0.0.12/24','routeReflectorClusterID':'224.0.0.1'}", \
		   "{'route-reflector':'true'}")
#define RR_PEER(extra)                                                                             \
	PEER("peer-with-route-reflectors", "{'nodeSelector':'all()','peerSelector':"               \
					   "'route-reflector == \\'true\\''" extra "}")

struct pcase {
	const char *what;
	const char *world;
	const char *node;
	const char *want;
	const char *warning; /* expected in the warnings, or NULL for none */
};

static const struct pcase cases[] = {
	/* §8.2 mesh and the lexical passive rule */
	{ "full mesh, first node", "{'nodes':[" MESH3 "]}", "a",
	  "Mesh_10_0_0_2 mesh 10.0.0.2 as 64512 passive src 10.0.0.1\n"
	  "Mesh_10_0_0_3 mesh 10.0.0.3 as 64512 passive src 10.0.0.1\n", NULL },
	{ "full mesh, middle node", "{'nodes':[" MESH3 "]}", "b",
	  "Mesh_10_0_0_1 mesh 10.0.0.1 as 64512 src 10.0.0.2\n"
	  "Mesh_10_0_0_3 mesh 10.0.0.3 as 64512 passive src 10.0.0.2\n", NULL },
	{ "lexical passive rule: '10.0.0.10' < '10.0.0.9'",
	  "{'nodes':[" N4("x", "10.0.0.9") "," N4("y", "10.0.0.10") "]}", "x",
	  "Mesh_10_0_0_10 mesh 10.0.0.10 as 64512 src 10.0.0.9\n", NULL },
	{ "lexical passive rule, other side",
	  "{'nodes':[" N4("x", "10.0.0.9") "," N4("y", "10.0.0.10") "]}", "y",
	  "Mesh_10_0_0_9 mesh 10.0.0.9 as 64512 passive src 10.0.0.10\n", NULL },
	{ "mesh disabled", "{'nodes':[" MESH3 "],'configs':[" MESH_OFF "]}", "a", "", NULL },
	{ "nodes without BGP are not in the mesh",
	  "{'nodes':[" N4("a", "10.0.0.1") ",{'metadata':{'name':'nobgp'},'spec':{}}]}", "a", "",
	  NULL },
	{ "a node with our address is ourselves",
	  "{'nodes':[" N4("a", "10.0.0.1") "," N4("a-old", "10.0.0.1") "]}", "a", "", NULL },

	/* seed guide: global BGP peer (ToR) */
	{ "global ToR peer",
	  "{'nodes':[" MESH3 "],'peers':[" PEER("my-global-peer",
						 "{'peerIP':'192.20.30.40','asNumber':64567}") "]}",
	  "c",
	  "Global_192_20_30_40 global 192.20.30.40 as 64567 src 10.0.0.3\n"
	  "Mesh_10_0_0_1 mesh 10.0.0.1 as 64512 src 10.0.0.3\n"
	  "Mesh_10_0_0_2 mesh 10.0.0.2 as 64512 src 10.0.0.3\n", NULL },

	/* seed guide: per-node peer by rack label */
	{ "per-node peer, selected node",
	  "{'nodes':[" NL("a", "{'ipv4Address':'10.0.0.1/24'}", "{'rack':'rack-1'}") "," NL(
		  "b", "{'ipv4Address':'10.0.0.2/24'}", "{'rack':'rack-2'}") "],'peers':[" PEER("rack1-tor",
		  "{'peerIP':'192.20.30.40','asNumber':64567,'nodeSelector':'rack == \\'rack-1\\''}") "]}",
	  "a",
	  "Mesh_10_0_0_2 mesh 10.0.0.2 as 64512 passive src 10.0.0.1\n"
	  "Node_192_20_30_40 node 192.20.30.40 as 64567 src 10.0.0.1\n", NULL },
	{ "per-node peer, other rack",
	  "{'nodes':[" NL("a", "{'ipv4Address':'10.0.0.1/24'}", "{'rack':'rack-1'}") "," NL(
		  "b", "{'ipv4Address':'10.0.0.2/24'}", "{'rack':'rack-2'}") "],'peers':[" PEER("rack1-tor",
		  "{'peerIP':'192.20.30.40','asNumber':64567,'nodeSelector':'rack == \\'rack-1\\''}") "]}",
	  "b", "Mesh_10_0_0_1 mesh 10.0.0.1 as 64512 src 10.0.0.2\n", NULL },
	{ "peer for one node by name",
	  "{'nodes':[" MESH3 "],'configs':[" MESH_OFF "],'peers':[" PEER("tor-b",
		  "{'node':'b','peerIP':'192.0.2.1','asNumber':65000}") "]}", "b",
	  "Node_192_0_2_1 node 192.0.2.1 as 65000 src 10.0.0.2\n", NULL },

	/* §8.6 worked example: route reflectors, mesh disabled */
	{ "RR example: client node",
	  "{'nodes':[" RR_NODES "],'configs':[" MESH_OFF "],'peers':[" RR_PEER("") "]}", "node-a",
	  "Node_10_0_0_11 node 10.0.0.11 as 64512 src 10.0.0.1\n"
	  "Node_10_0_0_12 node 10.0.0.12 as 64512 src 10.0.0.1\n", NULL },
	{ "RR example: reflector",
	  "{'nodes':[" RR_NODES "],'configs':[" MESH_OFF "],'peers':[" RR_PEER("") "]}", "rr-1",
	  "Node_10_0_0_1 node 10.0.0.1 as 64512 rr 224.0.0.1 src 10.0.0.11\n"
	  "Node_10_0_0_12 node 10.0.0.12 as 64512 src 10.0.0.11\n"
	  "Node_10_0_0_2 node 10.0.0.2 as 64512 rr 224.0.0.1 src 10.0.0.11\n", NULL },
	{ "RR example with the mesh: clients mesh, reflectors do not",
	  "{'nodes':[" RR_NODES "],'peers':[" RR_PEER("") "]}", "node-a",
	  "Mesh_10_0_0_2 mesh 10.0.0.2 as 64512 passive src 10.0.0.1\n"
	  "Node_10_0_0_11 node 10.0.0.11 as 64512 src 10.0.0.1\n"
	  "Node_10_0_0_12 node 10.0.0.12 as 64512 src 10.0.0.1\n", NULL },
	{ "RR example with the mesh: reflector has no mesh",
	  "{'nodes':[" RR_NODES "],'peers':[" RR_PEER("") "]}", "rr-2",
	  "Node_10_0_0_1 node 10.0.0.1 as 64512 rr 224.0.0.1 src 10.0.0.12\n"
	  "Node_10_0_0_11 node 10.0.0.11 as 64512 src 10.0.0.12\n"
	  "Node_10_0_0_2 node 10.0.0.2 as 64512 rr 224.0.0.1 src 10.0.0.12\n", NULL },
	{ "reversePeering Manual: no automatic reverse sessions",
	  "{'nodes':[" RR_NODES "],'configs':[" MESH_OFF "],'peers':[" RR_PEER(
		  ",'reversePeering':'Manual'") "]}", "rr-1",
	  "Node_10_0_0_12 node 10.0.0.12 as 64512 src 10.0.0.11\n", NULL },
	{ "reversePeering Manual: forward sessions unchanged",
	  "{'nodes':[" RR_NODES "],'configs':[" MESH_OFF "],'peers':[" RR_PEER(
		  ",'reversePeering':'Manual'") "]}", "node-b",
	  "Node_10_0_0_11 node 10.0.0.11 as 64512 src 10.0.0.2\n"
	  "Node_10_0_0_12 node 10.0.0.12 as 64512 src 10.0.0.2\n", NULL },
	{ "global peerSelector peer: Global_ to the selected nodes",
	  "{'nodes':[" RR_NODES "],'configs':[" MESH_OFF "],'peers':[" PEER("rrs",
		  "{'peerSelector':'has(route-reflector)'}") "]}", "node-b",
	  "Global_10_0_0_11 global 10.0.0.11 as 64512 src 10.0.0.2\n"
	  "Global_10_0_0_12 global 10.0.0.12 as 64512 src 10.0.0.2\n", NULL },
	{ "global peerSelector peer: selected nodes see the others as Node_",
	  "{'nodes':[" RR_NODES "],'configs':[" MESH_OFF "],'peers':[" PEER("rrs",
		  "{'peerSelector':'has(route-reflector)'}") "]}", "rr-1",
	  "Global_10_0_0_12 global 10.0.0.12 as 64512 src 10.0.0.11\n"
	  "Node_10_0_0_1 node 10.0.0.1 as 64512 rr 224.0.0.1 src 10.0.0.11\n"
	  "Node_10_0_0_2 node 10.0.0.2 as 64512 rr 224.0.0.1 src 10.0.0.11\n", NULL },
	{ "peerIP peer to a Calico node: reverse peering on that node",
	  "{'nodes':[" MESH3 "],'configs':[" MESH_OFF "],'peers':[" PEER("a-to-c",
		  "{'node':'a','peerIP':'10.0.0.3','asNumber':64512}") "]}", "c",
	  "Node_10_0_0_1 node 10.0.0.1 as 64512 src 10.0.0.3\n", NULL },
	{ "peerIP peer to a Calico node: no reverse when the AS differs",
	  "{'nodes':[" MESH3 "],'configs':[" MESH_OFF "],'peers':[" PEER("a-to-c",
		  "{'node':'a','peerIP':'10.0.0.3','asNumber':65000}") "]}", "c", "", NULL },

	/* RR client vs non-client: AS equality and cluster ids */
	{ "RR: external iBGP is a client, eBGP is not, localASNumber counts",
	  "{'nodes':[" RR_NODES "],'configs':[" MESH_OFF "],'peers':["
	  PEER("ext-ebgp", "{'peerIP':'192.0.2.2','asNumber':65000}") ","
	  PEER("ext-ibgp", "{'peerIP':'192.0.2.1','asNumber':64512}") ","
	  PEER("ext-local", "{'peerIP':'192.0.2.3','asNumber':65000,'localASNumber':65000}") "]}",
	  "rr-1",
	  "Global_192_0_2_1 global 192.0.2.1 as 64512 rr 224.0.0.1 src 10.0.0.11\n"
	  "Global_192_0_2_2 global 192.0.2.2 as 65000 src 10.0.0.11\n"
	  "Global_192_0_2_3 global 192.0.2.3 as 65000/65000 rr 224.0.0.1 src 10.0.0.11\n", NULL },
	{ "RR: a non-reflector never has clients",
	  "{'nodes':[" RR_NODES "],'configs':[" MESH_OFF "],'peers':["
	  PEER("ext-ibgp", "{'peerIP':'192.0.2.1','asNumber':64512}") "]}", "node-a",
	  "Global_192_0_2_1 global 192.0.2.1 as 64512 src 10.0.0.1\n", NULL },
	{ "RR: another cluster's reflector is a client",
	  "{'nodes':[" N4("a", "10.0.0.1") ","
	  NL("r1", "{'ipv4Address':'10.0.0.11','routeReflectorClusterID':'224.0.0.1'}", "{'rr':'y'}") ","
	  NL("r2", "{'ipv4Address':'10.0.0.12','routeReflectorClusterID':'224.0.0.2'}", "{'rr':'y'}")
	  "],'configs':[" MESH_OFF "],'peers':[" PEER("rrs", "{'nodeSelector':'has(rr)',"
	  "'peerSelector':'has(rr)'}") "]}", "r1",
	  "Node_10_0_0_12 node 10.0.0.12 as 64512 rr 224.0.0.1 src 10.0.0.11\n", NULL },

	/* seed guide: AS changes */
	{ "global AS changed (string, as calicoctl patch writes it)",
	  "{'nodes':[" MESH3 "],'configs':[" CFG("default", "{'asNumber':'64513'}") "]}", "a",
	  "Mesh_10_0_0_2 mesh 10.0.0.2 as 64513 passive src 10.0.0.1\n"
	  "Mesh_10_0_0_3 mesh 10.0.0.3 as 64513 passive src 10.0.0.1\n", NULL },
	{ "one node's AS changed: its peers see eBGP",
	  "{'nodes':[" NB("a", "{'ipv4Address':'10.0.0.1/24','asNumber':64514}") ","
	  N4("b", "10.0.0.2/24") "," N4("c", "10.0.0.3/24") "]}", "b",
	  "Mesh_10_0_0_1 mesh 10.0.0.1 as 64514 src 10.0.0.2\n"
	  "Mesh_10_0_0_3 mesh 10.0.0.3 as 64512 passive src 10.0.0.2\n", NULL },
	{ "one node's AS changed: that node",
	  "{'nodes':[" NB("a", "{'ipv4Address':'10.0.0.1/24','asNumber':'64514'}") ","
	  N4("b", "10.0.0.2/24") "," N4("c", "10.0.0.3/24") "]}", "a",
	  "Mesh_10_0_0_2 mesh 10.0.0.2 as 64512 passive src 10.0.0.1\n"
	  "Mesh_10_0_0_3 mesh 10.0.0.3 as 64512 passive src 10.0.0.1\n", NULL },
	{ "dotted AS numbers", "{'nodes':[" NB("a", "{'ipv4Address':'10.0.0.1','asNumber':'1.10'}")
	  "],'peers':[" PEER("p", "{'peerIP':'192.0.2.1','asNumber':'2.5'}") "]}", "a",
	  "Global_192_0_2_1 global 192.0.2.1 as 131077 src 10.0.0.1\n", NULL },

	/* IPv6 */
	{ "dual stack mesh; IPv6 names compressed, passive rule on the written text",
	  "{'nodes':[" NB("a", "{'ipv4Address':'10.0.0.1/24','ipv6Address':'fd00::1/64'}") ","
	  NB("b", "{'ipv4Address':'10.0.0.2/24','ipv6Address':'fd00:0:0::2/64'}") "]}", "a",
	  "Mesh_10_0_0_2 mesh 10.0.0.2 as 64512 passive src 10.0.0.1\n"
	  "Mesh_fd00__2 mesh fd00::2 as 64512 src fd00::1\n", NULL },
	{ "dual stack mesh, other side",
	  "{'nodes':[" NB("a", "{'ipv4Address':'10.0.0.1/24','ipv6Address':'fd00::1/64'}") ","
	  NB("b", "{'ipv4Address':'10.0.0.2/24','ipv6Address':'fd00:0:0::2/64'}") "]}", "b",
	  "Mesh_10_0_0_1 mesh 10.0.0.1 as 64512 src 10.0.0.2\n"
	  "Mesh_fd00__1 mesh fd00::1 as 64512 passive src fd00::2\n", NULL },
	{ "IPv4-only node: no IPv6 sessions at all",
	  "{'nodes':[" N4("a", "10.0.0.1") "," NB("b", "{'ipv4Address':'10.0.0.2',"
	  "'ipv6Address':'fd00::2'}") "],'peers':[" PEER("v6", "{'peerIP':'fd00::99',"
	  "'asNumber':65000}") "]}", "a", "Mesh_10_0_0_2 mesh 10.0.0.2 as 64512 passive src 10.0.0.1\n",
	  NULL },
	{ "peerSelector peers: one session per family",
	  "{'nodes':[" NB("a", "{'ipv4Address':'10.0.0.1','ipv6Address':'fd00::1'}") ","
	  NL("r", "{'ipv4Address':'10.0.0.9','ipv6Address':'fd00::9'}", "{'rr':'y'}")
	  "],'configs':[" MESH_OFF "],'peers':[" PEER("p", "{'node':'a','peerSelector':'has(rr)'}")
	  "]}", "a",
	  "Node_10_0_0_9 node 10.0.0.9 as 64512 src 10.0.0.1\n"
	  "Node_fd00__9 node fd00::9 as 64512 src fd00::1\n", NULL },
	{ "reverse of a peerIP peer: that family only",
	  "{'nodes':[" NB("a", "{'ipv4Address':'10.0.0.1','ipv6Address':'fd00::1'}") ","
	  NB("b", "{'ipv4Address':'10.0.0.2','ipv6Address':'fd00::2'}")
	  "],'configs':[" MESH_OFF "],'peers':[" PEER("p", "{'node':'a','peerIP':'fd00::2',"
	  "'asNumber':64512}") "]}", "b", "Node_fd00__1 node fd00::1 as 64512 src fd00::2\n", NULL },

	/* ports */
	{ "listenPort: mesh peers use each node's port",
	  "{'nodes':[" MESH3 "],'configs':[" CFG("default", "{'listenPort':1790}") ","
	  CFG("node.b", "{'listenPort':1791}") "]}", "a",
	  "Mesh_10_0_0_2 mesh 10.0.0.2:1791 as 64512 passive src 10.0.0.1\n"
	  "Mesh_10_0_0_3 mesh 10.0.0.3:1790 as 64512 passive src 10.0.0.1\n", NULL },
	{ "explicit ports in peerIP; 179 written is named, same peering as none",
	  "{'nodes':[" NB("a", "{'ipv4Address':'10.0.0.1','ipv6Address':'fd00::1'}") "],"
	  "'peers':[" PEER("p1", "{'peerIP':'[fd00::9]:1179','asNumber':65000}") ","
	  PEER("p2", "{'peerIP':'192.0.2.9:179','asNumber':65000}") ","
	  PEER("p3", "{'node':'a','peerIP':'192.0.2.9','asNumber':65001}") ","
	  PEER("p4", "{'peerIP':'192.0.2.9:1790','asNumber':65002}") "]}", "a",
	  "Global_192_0_2_9_port_179 global 192.0.2.9 as 65000 src 10.0.0.1\n"
	  "Global_192_0_2_9_port_1790 global 192.0.2.9:1790 as 65002 src 10.0.0.1\n"
	  "Global_fd00__9_port_1179 global fd00::9:1179 as 65000 src fd00::1\n", NULL },
	{ "peerIP of a Calico node without a port: its listen port, named",
	  "{'nodes':[" N4("a", "10.0.0.1") "," N4("b", "10.0.0.2") "],'configs':["
	  CFG("default", "{'nodeToNodeMeshEnabled':false,'listenPort':1790}") "],'peers':["
	  PEER("a-b", "{'node':'a','peerIP':'10.0.0.2','asNumber':64512}") "]}", "a",
	  "Node_10_0_0_2_port_1790 node 10.0.0.2:1790 as 64512 src 10.0.0.1\n", NULL },
	{ "peerIP of a Calico node without a port: the reverse side",
	  "{'nodes':[" N4("a", "10.0.0.1") "," N4("b", "10.0.0.2") "],'configs':["
	  CFG("default", "{'nodeToNodeMeshEnabled':false,'listenPort':1790}") "],'peers':["
	  PEER("a-b", "{'node':'a','peerIP':'10.0.0.2','asNumber':64512}") "]}", "b",
	  "Node_10_0_0_1_port_1790 node 10.0.0.1:1790 as 64512 src 10.0.0.2\n", NULL },

	/* duplicates: one session per address and port */
	{ "explicit global peer to a mesh node wins over the mesh (README)",
	  "{'nodes':[" N4("a", "10.0.0.1") "," N4("b", "10.0.0.2") "],'peers':["
	  PEER("to-b", "{'peerIP':'10.0.0.2','asNumber':64512}") "]}", "a",
	  "Global_10_0_0_2 global 10.0.0.2 as 64512 passive src 10.0.0.1\n", NULL },
	{ "...and its reverse peering wins over the mesh on the other node",
	  "{'nodes':[" N4("a", "10.0.0.1") "," N4("b", "10.0.0.2") "],'peers':["
	  PEER("to-b", "{'peerIP':'10.0.0.2','asNumber':64512}") "]}", "b",
	  "Node_10_0_0_1 node 10.0.0.1 as 64512 src 10.0.0.2\n", NULL },
	{ "global peering beats a node one; first by name among node ones; ports differ",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':["
	  PEER("n", "{'node':'a','peerIP':'192.0.2.7','asNumber':65004}") ","
	  PEER("g", "{'peerIP':'192.0.2.7','asNumber':65003}") ","
	  PEER("p-b", "{'node':'a','peerIP':'192.0.2.1','asNumber':65002}") ","
	  PEER("p-a", "{'node':'a','peerIP':'192.0.2.1','asNumber':65001,'ttlSecurity':1}") ","
	  PEER("q1", "{'peerIP':'192.0.2.8','asNumber':1}") ","
	  PEER("q2", "{'peerIP':'192.0.2.8:1790','asNumber':1}") "]}", "a",
	  "Global_192_0_2_7 global 192.0.2.7 as 65003 src 10.0.0.1\n"
	  "Global_192_0_2_8 global 192.0.2.8 as 1 src 10.0.0.1\n"
	  "Global_192_0_2_8_port_1790 global 192.0.2.8:1790 as 1 src 10.0.0.1\n"
	  "Node_192_0_2_1 node 192.0.2.1 as 65001 ttl 1 src 10.0.0.1\n", NULL },
	{ "reverse entries never replace forward ones",
	  "{'nodes':[" RR_NODES "],'configs':[" MESH_OFF "],'peers':[" RR_PEER("") ","
	  PEER("rr1-to-a", "{'node':'rr-1','peerIP':'10.0.0.1','asNumber':64512,'ttlSecurity':3}")
	  "]}", "rr-1",
	  "Node_10_0_0_1 node 10.0.0.1 as 64512 rr 224.0.0.1 ttl 3 src 10.0.0.11\n"
	  "Node_10_0_0_12 node 10.0.0.12 as 64512 src 10.0.0.11\n"
	  "Node_10_0_0_2 node 10.0.0.2 as 64512 rr 224.0.0.1 src 10.0.0.11\n", NULL },

	/* per-session parameters */
	{ "every BGPPeer parameter",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':[" PEER("ext", "{'peerIP':'192.0.2.1',"
	  "'asNumber':65000,'localASNumber':65100,'sourceAddress':'None','ttlSecurity':2,"
	  "'nextHopMode':'Self','maxRestartTime':'5m','keepaliveTime':'20s',"
	  "'numAllowedLocalASNumbers':2}") "]}", "a",
	  "Global_192_0_2_1 global 192.0.2.1 as 65000/65100 nh Self ttl 2 ka 20 gr 300 allowas 2\n",
	  NULL },
	{ "keepOriginalNextHop: eBGP only; nextHopMode Keep; rounding",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':["
	  PEER("ebgp", "{'peerIP':'192.0.2.2','asNumber':65000,'keepOriginalNextHop':true}") ","
	  PEER("ibgp", "{'peerIP':'192.0.2.3','asNumber':64512,'keepOriginalNextHop':true}") ","
	  PEER("keep", "{'peerIP':'192.0.2.4','asNumber':64512,'nextHopMode':'Keep',"
	  "'maxRestartTime':'1m29.5s','sourceAddress':'UseNodeIP'}") "]}", "a",
	  "Global_192_0_2_2 global 192.0.2.2 as 65000 keepnh src 10.0.0.1\n"
	  "Global_192_0_2_3 global 192.0.2.3 as 64512 src 10.0.0.1\n"
	  "Global_192_0_2_4 global 192.0.2.4 as 64512 nh Keep src 10.0.0.1 gr 90\n", NULL },
	{ "values that cannot be honoured: the session carries an error",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':["
	  PEER("ka", "{'peerIP':'192.0.2.5','asNumber':65000,'keepaliveTime':'5m'}") ","
	  PEER("gr", "{'peerIP':'192.0.2.6','asNumber':65000,'maxRestartTime':'2h'}") "]}", "a",
	  "Global_192_0_2_5 global 192.0.2.5 as 65000 src 10.0.0.1 err keepaliveTime = 300s: must "
	  "be below the hold time (240 s)\n"
	  "Global_192_0_2_6 global 192.0.2.6 as 65000 src 10.0.0.1 err maxRestartTime = 7200s: at "
	  "most 4095 s\n", NULL },
	{ "nodeMeshMaxRestartTime applies to mesh sessions only",
	  "{'nodes':[" N4("a", "10.0.0.1") "," N4("b", "10.0.0.2") "],'configs':["
	  CFG("default", "{'nodeMeshMaxRestartTime':'90s'}") "],'peers':["
	  PEER("tor", "{'peerIP':'192.0.2.1','asNumber':65000}") "]}", "a",
	  "Global_192_0_2_1 global 192.0.2.1 as 65000 src 10.0.0.1\n"
	  "Mesh_10_0_0_2 mesh 10.0.0.2 as 64512 passive src 10.0.0.1 gr 90\n", NULL },

	/* bad inputs: skipped with a warning naming the resource, as Calico does */
	{ "peer with a malformed peerIP",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':[" PEER("bad-ip", "{'peerIP':'10.0.0.300',"
	  "'asNumber':1}") "]}", "a", "",
	  "BGPPeer(bad-ip): peerIP = '10.0.0.300': not an IP address with an optional port; peer "
	  "skipped" },
	{ "peerIP peer without asNumber",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':[" PEER("no-as", "{'peerIP':'192.0.2.1'}")
	  "]}", "a", "", "BGPPeer(no-as): asNumber: required with peerIP; peer skipped" },
	{ "node and nodeSelector together",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':[" PEER("both", "{'node':'a','nodeSelector':"
	  "'all()','peerIP':'192.0.2.2','asNumber':1}") "]}", "a", "",
	  "BGPPeer(both): node and nodeSelector cannot both be set; peer skipped" },
	{ "unparsable selector",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':[" PEER("bad-sel", "{'nodeSelector':"
	  "'rack ==','peerIP':'192.0.2.3','asNumber':1}") "]}", "a", "",
	  "BGPPeer(bad-sel): nodeSelector = 'rack ==': " },
	{ "keepOriginalNextHop with nextHopMode",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':[" PEER("nh", "{'peerIP':'192.0.2.4',"
	  "'asNumber':1,'keepOriginalNextHop':true,'nextHopMode':'Self'}") "]}", "a", "",
	  "BGPPeer(nh): keepOriginalNextHop and nextHopMode cannot both be set; peer skipped" },
	{ "peerSelector with asNumber",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':[" PEER("sel-as", "{'peerSelector':'all()',"
	  "'asNumber':5}") "]}", "a", "",
	  "BGPPeer(sel-as): asNumber must not be set with peerSelector; peer skipped" },
	{ "localWorkloadSelector",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':[" PEER("lws", "{'localWorkloadSelector':"
	  "'all()','asNumber':1}") "]}", "a", "",
	  "BGPPeer(lws): localWorkloadSelector: local workload peering is not supported" },
	{ "empty spec",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':[" PEER("empty", "{}") "]}", "a", "",
	  "BGPPeer(empty): neither peerIP nor peerSelector is set; peer skipped" },
	{ "bad enum values",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':[" PEER("src", "{'peerIP':'192.0.2.1',"
	  "'asNumber':1,'sourceAddress':'Other'}") "]}", "a", "",
	  "BGPPeer(src): sourceAddress: must be UseNodeIP or None; peer skipped" },
	{ "a bad peer does not hide the good ones",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':[" PEER("bad", "{'peerIP':'x','asNumber':1}")
	  "," PEER("ok", "{'peerIP':'192.0.2.9','asNumber':65000}") "]}", "a",
	  "Global_192_0_2_9 global 192.0.2.9 as 65000 src 10.0.0.1\n", "BGPPeer(bad): peerIP" },
	{ "a node with a malformed address is not a peer",
	  "{'nodes':[" N4("a", "10.0.0.1") "," N4("b", "10.0.0.300") "]}", "a", "",
	  "Node(b): spec.bgp.ipv4Address = '10.0.0.300': not an IPv4 address; ignored" },
	{ "two nodes with one address: one mesh session",
	  "{'nodes':[" N4("a", "10.0.0.1") "," N4("b", "10.0.0.2") "," N4("b2", "10.0.0.2") "]}",
	  "a", "Mesh_10_0_0_2 mesh 10.0.0.2 as 64512 passive src 10.0.0.1\n",
	  "Node(b) and Node(b2) both have address 10.0.0.2: one mesh session to it" },
	{ "filters are not applied, said so",
	  "{'nodes':[" N4("a", "10.0.0.1") "],'peers':[" PEER("f", "{'peerIP':'192.0.2.1',"
	  "'asNumber':1,'filters':['export-only']}") "]}", "a",
	  "Global_192_0_2_1 global 192.0.2.1 as 1 src 10.0.0.1\n",
	  "BGPPeer(f): filters: BGPFilter is not supported" },
};

static void run_case(const struct pcase *c)
{
	struct peering_plan *p;
	struct err e;
	char *got;

	p = plan_world(c->world, c->node, NULL, false, &e);
	if (!p) {
		printf("# %s: %s\n", c->what, e.msg);
		CHECK_MSG(0, c->what);
		return;
	}
	got = plan_lines(p);
	check_report(strcmp(got, c->want) == 0, c->what, __FILE__, __LINE__);
	if (strcmp(got, c->want))
		printf("#   got:\n%s#   want:\n%s", got, c->want);
	if (c->warning) {
		CHECK_MSG(strstr(warnings, c->warning) != NULL, c->warning);
		if (!strstr(warnings, c->warning))
			printf("#   warnings: %s\n", warnings);
	} else if (warnings[0]) {
		printf("#   unexpected warnings: %s\n", warnings);
		CHECK_MSG(0, "no warnings");
	}
	check_invariants(c->what, c->world, c->node, NULL, p);
	free(got);
	peering_plan_free(p);
}

/* --- the plan's top level ------------------------------------------------ */

static void test_top_level(void)
{
	struct peering_plan *p;
	struct err e;
	const char *w = "{'nodes':[" NB("a", "{'ipv4Address':'10.0.0.1/24','asNumber':64600}") ","
			N4("b", "10.0.0.2") "],'configs':[" CFG("default",
			"{'asNumber':64513,'listenPort':1790,'bindMode':'NodeIP'}") ","
			CFG("node.a", "{'listenPort':1791}") "]}";

	p = plan_world(w, "a", NULL, false, &e);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_STR(p->node, "a");
	CHECK_INT(p->router_id, 0x0a000001);
	CHECK_INT(p->local_as, 64600);
	CHECK_INT(p->listen_port, 1791);
	CHECK(p->has_listen_addr);
	CHECK_STR(p->listen_addr.text, "10.0.0.1");
	CHECK(p->has_ipv4 && !p->has_ipv6);
	CHECK_INT(p->ipv4_prefix_len, 24);
	peering_plan_free(p);

	p = plan_world(w, "b", NULL, false, &e);
	CHECK(p && p->local_as == 64513 && p->listen_port == 1790 && p->ipv4_prefix_len == 32);
	peering_plan_free(p);

	/* dual stack and bindMode NodeIP: one listening address cannot serve
	 * both families, so all addresses, with a warning */
	p = plan_world("{'nodes':[" NB("a", "{'ipv4Address':'10.0.0.1','ipv6Address':'fd00::1/64'}")
		       "],'configs':[" CFG("default", "{'bindMode':'NodeIP'}") "]}", "a", NULL,
		       false, &e);
	CHECK(p && !p->has_listen_addr && p->listen_port == 179 && p->ipv6_prefix_len == 64);
	CHECK(strstr(warnings, "bindMode NodeIP with IPv4 and IPv6") != NULL);
	peering_plan_free(p);

	p = plan_world("{'nodes':[" NB("a", "{'ipv6Address':'fd00::1'}") "],'configs':["
		       CFG("default", "{'bindMode':'NodeIP'}") "]}", "a", "1.2.3.4", false, &e);
	CHECK(p && p->has_listen_addr && strcmp(p->listen_addr.text, "fd00::1") == 0);
	CHECK(p && p->router_id == 0x01020304);
	peering_plan_free(p);
}

/* --- router id ------------------------------------------------------------ */

static void test_router_id(void)
{
	struct peering_plan *p;
	struct err e;
	char buf[20];
	int rc;

	id_text(planner_router_id_hash("nodeTest"), buf, sizeof(buf));
	CHECK_STR(buf, "109.174.215.226");
	id_text(planner_router_id_hash("Testrobin123"), buf, sizeof(buf));
	CHECK_STR(buf, "207.94.5.27");

	p = plan_world("{'nodes':[" N4("nodeTest", "10.0.0.1") "]}", "nodeTest", "hash", false, &e);
	CHECK(p && p->router_id == planner_router_id_hash("nodeTest"));
	peering_plan_free(p);
	p = plan_world("{'nodes':[" N4("a", "10.0.0.1") "]}", "a", "192.168.7.7", false, &e);
	CHECK(p && p->router_id == 0xc0a80707);
	peering_plan_free(p);
	p = plan_world("{'nodes':[" N4("a", "10.0.0.1") "]}", "a", "", false, &e);
	CHECK(p && p->router_id == 0x0a000001);
	peering_plan_free(p);

	p = plan_world("{'nodes':[" N4("a", "10.0.0.1") "]}", "a", "not-an-ip", false, &e);
	CHECK(p == NULL);
	CHECK_STR(e.msg, "CALICO_ROUTER_ID = 'not-an-ip': not an IPv4 address or \"hash\"");
	p = plan_world("{'nodes':[" N4("a", "10.0.0.1") "]}", "a", "0.0.0.0", false, &e);
	CHECK(p == NULL && strstr(e.msg, "router id 0.0.0.0") != NULL);
	p = plan_world("{'nodes':[" NB("v6", "{'ipv6Address':'fd00::1'}") "]}", "v6", NULL, false,
		       &e);
	CHECK(p == NULL);
	CHECK_STR(e.msg, "Node(v6) has no IPv4 address for the router id: set CALICO_ROUTER_ID "
			 "(an IPv4 address or \"hash\")");
	p = plan_world("{'nodes':[" NB("v6", "{'ipv6Address':'fd00::1'}") "," NB("w6",
		       "{'ipv6Address':'fd00::2'}") "]}", "v6", "hash", false, &e);
	CHECK(p && p->n_sessions == 1 && strcmp(p->sessions[0].name, "Mesh_fd00__2") == 0);
	if (p)
		check_invariants("IPv6-only with a hashed router id", "{'nodes':[" NB("v6",
				 "{'ipv6Address':'fd00::1'}") "," NB("w6", "{'ipv6Address':'fd00::2'}")
				 "]}", "v6", "hash", p);
	peering_plan_free(p);

	/* planner_plan() itself fails cleanly on a missing or BGP-less node */
	{
		struct planner_input in = { 0 };
		json_t *nodes = jq("[{'kind':'Node','metadata':{'name':'x'},'spec':{}}]");

		in.nodes = nodes;
		rc = planner_plan(&in, "zzz", NULL, &p, &e);
		CHECK_INT(rc, -ENOENT);
		CHECK_STR(e.msg, "Node(zzz) does not exist");
		rc = planner_plan(&in, "x", NULL, &p, &e);
		CHECK_INT(rc, -EINVAL);
		CHECK_STR(e.msg, "Node(x) has no BGP address (spec.bgp.ipv4Address or "
				 "spec.bgp.ipv6Address)");
		CHECK(p == NULL);
		rc = planner_plan(&in, "", NULL, &p, &e);
		CHECK_INT(rc, -EINVAL);
		json_decref(nodes);
		nodes = jq("[{'metadata':{'name':'x'},'spec':{'bgp':{'ipv4Address':'10.0.0.1'}}},"
			   "{'metadata':{'name':'x'},'spec':{'bgp':{'ipv4Address':'10.0.0.2'}}}]");
		in.nodes = nodes;
		rc = planner_plan(&in, "x", NULL, &p, &e);
		CHECK_INT(rc, -EINVAL);
		CHECK_STR(e.msg, "Node(x) listed twice");
		json_decref(nodes);
	}
}

/* FIPS 180-4 test vectors (NIST CSRC examples), one-shot and in pieces. */
static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < SHA256_DIGEST_LEN; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_sha256(void)
{
	static const struct {
		const char *in, *digest;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
		  "klmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	uint8_t d[SHA256_DIGEST_LEN];
	char h[2 * SHA256_DIGEST_LEN + 1], block[1000];
	struct sha256 c;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha256(v[i].in, strlen(v[i].in), d);
		hex(d, h);
		CHECK_STR(h, v[i].digest);
		/* byte by byte crosses every block boundary */
		sha256_init(&c);
		for (const char *p = v[i].in; *p; p++)
			sha256_update(&c, p, 1);
		sha256_final(&c, d);
		hex(d, h);
		CHECK_STR(h, v[i].digest);
	}
	/* one million 'a' */
	memset(block, 'a', sizeof(block));
	sha256_init(&c);
	for (int i = 0; i < 1000; i++)
		sha256_update(&c, block, sizeof(block));
	sha256_final(&c, d);
	hex(d, h);
	CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_env(void)
{
	struct planner_env env;

	setenv("CALICO_ROUTER_ID", "hash", 1);
	setenv("CALICO_SECRETS_DIR", "/run/secrets", 1);
	planner_env_from_environ(&env);
	CHECK_STR(env.router_id, "hash");
	CHECK_STR(env.secrets_dir, "/run/secrets");
	CHECK(env.warn == NULL);
	unsetenv("CALICO_ROUTER_ID");
	unsetenv("CALICO_SECRETS_DIR");
	planner_env_from_environ(&env);
	CHECK(env.router_id == NULL && env.secrets_dir == NULL);
}

/* --- passwords ------------------------------------------------------------ */

static void write_file(const char *dir, const char *sub, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void test_passwords(void)
{
	const char *w =
		"{'nodes':[" N4("a", "10.0.0.1") "," N4("b", "10.0.0.2") "],'configs':["
		CFG("default", "{'nodeMeshPassword':{'secretKeyRef':{'name':'bgp','key':'mesh'}}}")
		"],'peers':["
		PEER("tor", "{'peerIP':'192.0.2.1','asNumber':65000,'password':{'secretKeyRef':"
		     "{'name':'bgp','key':'pw'}}}") ","
		PEER("tor2", "{'peerIP':'192.0.2.2','asNumber':65000,'password':{'secretKeyRef':"
		     "{'name':'bgp','key':'missing'}}}") ","
		PEER("tor3", "{'peerIP':'192.0.2.3','asNumber':65000,'password':{'secretKeyRef':"
		     "{'name':'bgp','key':'missing','optional':true}}}") ","
		PEER("tor4", "{'peerIP':'192.0.2.4','asNumber':65000,'password':{'secretKeyRef':"
		     "{'name':'..','key':'passwd'}}}") ","
		PEER("tor5", "{'peerIP':'192.0.2.5','asNumber':65000,'password':{'secretKeyRef':"
		     "{'name':'bgp','key':'long'}}}") "]}";
	struct peering_plan *p;
	struct err e;
	char want[2048], *got;

	write_file(secrets_dir, "bgp", "pw", "s3cret\n");
	write_file(secrets_dir, "bgp", "long", "0123456789012345678901234567890123456789"
					       "0123456789012345678901234567890123456789x");
	p = plan_world(w, "a", NULL, false, &e);
	CHECK(p != NULL);
	if (!p)
		return;
	snprintf(want, sizeof(want),
		 "Global_192_0_2_1 global 192.0.2.1 as 65000 pw s3cret src 10.0.0.1\n"
		 "Global_192_0_2_2 global 192.0.2.2 as 65000 src 10.0.0.1 err password secret "
		 "%s/bgp/missing: No such file or directory\n"
		 "Global_192_0_2_3 global 192.0.2.3 as 65000 src 10.0.0.1\n"
		 "Global_192_0_2_4 global 192.0.2.4 as 65000 src 10.0.0.1 err password secret name "
		 "'..' key 'passwd': not a file name\n"
		 "Global_192_0_2_5 global 192.0.2.5 as 65000 src 10.0.0.1 err password secret "
		 "%s/bgp/long: longer than 80 bytes (TCP MD5 limit)\n"
		 "Mesh_10_0_0_2 mesh 10.0.0.2 as 64512 passive src 10.0.0.1 err password secret "
		 "%s/bgp/mesh: No such file or directory\n",
		 secrets_dir, secrets_dir, secrets_dir);
	got = plan_lines(p);
	CHECK_STR(got, want);
	check_invariants("passwords", w, "a", NULL, p);
	free(got);
	peering_plan_free(p);

	/* the secret appears: the mesh session gets its password, no error */
	write_file(secrets_dir, "bgp", "mesh", "m3sh");
	p = plan_world(w, "b", NULL, false, &e);
	CHECK(p && p->n_sessions == 6);
	if (p) {
		const struct peering_session *s = &p->sessions[5];

		CHECK_STR(s->name, "Mesh_10_0_0_1");
		CHECK(s->password && strcmp(s->password, "m3sh") == 0 && !s->error);
	}
	peering_plan_free(p);
}

/* --- the migration from mesh to route reflectors (seed guide) ------------ */

static const struct peering_session *find(const struct peering_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_sessions; i++)
		if (strcmp(p->sessions[i].name, name) == 0)
			return &p->sessions[i];
	return NULL;
}

static void test_migration(void)
{
	/* steps 1-2: reflectors provisioned and peered while the mesh runs;
	 * step 4: the mesh disabled. The reflector sessions must be identical
	 * in both plans, so the speaker leaves them running throughout. */
	const char *before = "{'nodes':[" RR_NODES "],'peers':[" RR_PEER("") "]}";
	const char *after = "{'nodes':[" RR_NODES "],'configs':[" MESH_OFF "],'peers':["
			    RR_PEER("") "]}";
	const char *nodes[] = { "node-a", "node-b", "rr-1", "rr-2" };
	struct err e;

	for (size_t n = 0; n < 4; n++) {
		struct peering_plan *p1 = plan_world(before, nodes[n], NULL, false, &e);
		struct peering_plan *p2 = plan_world(after, nodes[n], NULL, false, &e);
		size_t kept = 0, mesh = 0;
		bool same = true;

		CHECK(p1 && p2);
		if (!p1 || !p2)
			continue;
		for (size_t i = 0; i < p1->n_sessions; i++) {
			const struct peering_session *s = &p1->sessions[i], *t = find(p2, s->name);

			if (s->type == PEERING_MESH) {
				mesh++;
				same = same && !t;
			} else {
				kept++;
				same = same && t && peering_session_equal(s, t);
			}
		}
		CHECK_MSG(same && kept == p2->n_sessions, "migration: reflector sessions unchanged, "
							  "mesh sessions gone");
		CHECK_INT(mesh, n < 2 ? 1 : 0);
		peering_plan_free(p1);
		peering_plan_free(p2);
	}
}

/* A cluster large enough to exercise the tables' index growth: 300 nodes
 * in the mesh, one explicit peering to a mesh node (which must replace
 * that mesh entry) and a route reflector pair with reverse peerings. The
 * BGPConfiguration and IPPool lists are NULL ("none"): defaults apply. */
static void test_large_cluster(void)
{
	json_t *nodes = json_array(), *peers = json_array();
	struct planner_input in;
	struct planner_env env = { .warn = collect_warning };
	struct peering_plan *p = NULL;
	struct err e;
	char name[32], ip[32];
	size_t mesh = 0, global = 0, node = 0;
	int rc;

	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "n%03d", i);
		snprintf(ip, sizeof(ip), "10.1.%d.%d/16", i / 250, i % 250 + 1);
		json_array_append_new(nodes, json_pack("{s:s,s:{s:s,s:{s:s}},s:{s:{s:s}}}", "kind",
						       "Node", "metadata", "name", name, "labels",
						       "rr", i >= 298 ? "y" : "n", "spec", "bgp",
						       "ipv4Address", ip));
	}
	json_array_append_new(peers, json_pack("{s:{s:s},s:{s:s,s:i}}", "metadata", "name", "to-150",
					       "spec", "peerIP", "10.1.0.151", "asNumber", 64512));
	json_array_append_new(peers, json_pack("{s:{s:s},s:{s:s,s:s}}", "metadata", "name", "rrs",
					       "spec", "nodeSelector", "rr == 'y'", "peerSelector",
					       "rr == 'y'"));
	in = (struct planner_input){ nodes, NULL, peers, NULL };
	warnings[0] = '\0';
	rc = planner_plan(&in, "n010", &env, &p, &e);
	CHECK_INT(rc, 0);
	for (size_t i = 0; p && i < p->n_sessions; i++) {
		mesh += p->sessions[i].type == PEERING_MESH;
		global += p->sessions[i].type == PEERING_GLOBAL;
		node += p->sessions[i].type == PEERING_NODE;
	}
	CHECK_INT(mesh, 298);
	CHECK_INT(global, 1);
	CHECK_INT(node, 0);
	CHECK(p && find(p, "Global_10_1_0_151") && !find(p, "Mesh_10_1_0_151"));
	peering_plan_free(p);
	/* on the node the peering targets: a reverse Node_ to all 299 others
	 * replaces every mesh entry */
	rc = planner_plan(&in, "n150", &env, &p, &e);
	CHECK_INT(rc, 0);
	CHECK(p && p->n_sessions == 299);
	mesh = 0;
	for (size_t i = 0; p && i < p->n_sessions; i++)
		mesh += p->sessions[i].type == PEERING_MESH;
	CHECK_INT(mesh, 0);
	peering_plan_free(p);
	CHECK(warnings[0] == '\0');
	json_decref(nodes);
	json_decref(peers);
}

int main(void)
{
	char dir[] = "/tmp/test_planner.XXXXXX";

	secrets_dir = mkdtemp(dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_top_level();
	test_router_id();
	test_sha256();
	test_env();
	test_passwords();
	test_migration();
	test_large_cluster();
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return check_done();
}
