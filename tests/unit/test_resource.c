/* The resource model: kind lookup, strict decoding, validation of every
 * kind with calicoctl's exact messages, defaults, JSON order and cells. */
#include "lib/resource.h"
#include "tests/unit/check.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define HDR(kind) "{\"kind\":\"" kind "\",\"apiVersion\":\"projectcalico.org/v3\","

/* Decodes and validates doc; returns the rc and leaves the message in e and
 * the decoded object in *out (caller frees). */
static int run(const char *doc, enum res_op op, const struct res_validate_ctx *ctx, struct err *e,
	       json_t **out)
{
	json_error_t je;
	json_t *o = json_loads(doc, 0, &je);
	const struct kind_desc *k;
	int rc;

	e->msg[0] = '\0';
	if (out)
		*out = NULL;
	if (!o) {
		printf("# bad test JSON: %s: %s\n", doc, je.text);
		return -999;
	}
	rc = res_kind_of(o, &k, e);
	if (!rc)
		rc = res_decode_strict(k, o, e);
	if (!rc)
		rc = res_validate(k, o, op, ctx, e);
	if (out)
		*out = o;
	else
		json_decref(o);
	return rc;
}

struct vcase {
	const char *doc;
	enum res_op op;
	int rc;
	const char *msg; /* exact message, or NULL when rc == 0 */
};

#define OK(doc)                                                                                    \
	{                                                                                          \
		doc, RES_OP_CREATE, 0, NULL                                                        \
	}
#define BAD(doc, msg)                                                                              \
	{                                                                                          \
		doc, RES_OP_CREATE, -EINVAL, msg                                                   \
	}
#define BADOP(doc, op, msg)                                                                        \
	{                                                                                          \
		doc, op, -EINVAL, msg                                                              \
	}

static const struct vcase cases[] = {
    /* ---- envelope and decoding ---- */
    {HDR("BGPPeers") "\"metadata\":{\"name\":\"a\"}}", RES_OP_CREATE, -EINVAL,
     "unknown resource type (BGPPeers) and/or version (projectcalico.org/v3)"},
    {"{\"kind\":\"BGPPeer\",\"apiVersion\":\"v1\"}", RES_OP_CREATE, -EINVAL,
     "unknown resource type (BGPPeer) and/or version (v1)"},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"unknown\":\"thing\",\"node\":\"n\"}"
		    "}",
     RES_OP_CREATE, -EBADMSG,
     "field in document is not recognized or is in the wrong location: unknown"},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\",\"bogus\":1}}", RES_OP_CREATE, -EBADMSG,
     "field in document is not recognized or is in the wrong location: bogus"},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"extra\":{}}", RES_OP_CREATE, -EBADMSG,
     "field in document is not recognized or is in the wrong location: extra"},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"asNumber\":\"1.1.1\"}}",
     RES_OP_CREATE, -EINVAL,
     "error unmarshaling JSON: while decoding JSON: invalid AS Number format (1.1.1)"},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"asNumber\":4294967296}}",
     RES_OP_CREATE, -EINVAL,
     "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct "
     "field "
     "BGPPeerSpec.spec.asNumber of type string"},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"asNumber\":1.1}}", RES_OP_CREATE,
     -EINVAL,
     "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct "
     "field "
     "BGPPeerSpec.spec.asNumber of type string"},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"keepOriginalNextHop\":\"yes\"}}",
     RES_OP_CREATE, -EINVAL,
     "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct "
     "field "
     "BGPPeerSpec.spec.keepOriginalNextHop of type bool"},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"ttlSecurity\":256}}", RES_OP_CREATE,
     -EINVAL,
     "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number 256 into Go "
     "struct field "
     "BGPPeerSpec.spec.ttlSecurity of type uint8"},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"maxRestartTime\":\"2x\"}}",
     RES_OP_CREATE, -EINVAL,
     "error unmarshaling JSON: while decoding JSON: time: unknown unit \"x\" in duration \"2x\""},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"maxRestartTime\":120}}",
     RES_OP_CREATE, -EINVAL,
     "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct "
     "field "
     "BGPPeerSpec.spec.maxRestartTime of type string"},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":[]}", RES_OP_CREATE, -EINVAL,
     "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct "
     "field "
     "BGPPeer.spec of type BGPPeerSpec"},
    {HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{\"listenPort\":70000}}",
     RES_OP_CREATE, -EINVAL,
     "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number 70000 into Go "
     "struct field "
     "BGPConfigurationSpec.spec.listenPort of type uint16"},
    {HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
			     "\"nodeToNodeMeshEnabled\":\"true\"}}",
     RES_OP_CREATE, -EINVAL,
     "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct "
     "field "
     "BGPConfigurationSpec.spec.nodeToNodeMeshEnabled of type bool"},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\",\"creationTimestamp\":\"yesterday\"}}",
     RES_OP_CREATE, -EINVAL,
     "error unmarshaling JSON: while decoding JSON: parsing time \"yesterday\" as "
     "\"2006-01-02T15:04:05Z07:00\": "
     "cannot parse \"yesterday\" as \"2006\""},
    /* Numbers and booleans coerce into string fields; keys match case-insensitively. */
    OK(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\",\"labels\":{\"x\":1}},\"spec\":{\"node\":123,"
		      "\"PeerIP\":\"10.0.0.1\",\"asnumber\":64512}}"),

    /* ---- metadata ---- */
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"Bad_Name\"}}",
	"error with field Metadata.Name = 'Bad_Name' (name must consist of lower case alphanumeric "
	"characters, '-' "
	"or '.' (regex: [a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*))"),
    BAD(HDR("BGPPeer") "\"metadata\":{}}",
	"error with field Metadata.Name = '' (field must be set for a Create request)"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"generateName\":\"x-\"}}",
	"error with field Metadata.Name = '' (field must be set for a Create request (GenerateName "
	"is not supported))"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"12\"}}",
	"error with field Metadata.ResourceVersion = '12' (field must not be set for a Create "
	"request)"),
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"12\"}}", RES_OP_UPDATE, 0,
     NULL},
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\",\"labels\":{\"-bad\":\"x\"}}}",
	"error with field Metadata.Labels (label) = '-bad' (name part must consist of alphanumeric "
	"characters, '-', "
	"'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
	"'my.name',  or "
	"'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'))"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\",\"labels\":{\"ok\":\"bad value\"}}}",
	"error with field Metadata.Labels (value) = 'bad value' (a valid label must be an empty "
	"string or consist of "
	"alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
	"character (e.g. "
	"'MyValue',  or 'my_value',  or '12345', regex used for validation is "
	"'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'))"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\",\"annotations\":{\"/x\":\"v\"}}}",
	"error with field Metadata.Annotations (key) = '/x' (prefix part must be non-empty)"),
    OK(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\",\"annotations\":{\"Example.COM/Thing\":\"any "
		      "value at all\"}}}"),

    /* ---- BGPPeer ---- */
    OK(HDR("BGPPeer") "\"metadata\":{\"name\":\"tor\"},\"spec\":{\"peerIP\":\"192.0.2.1\","
		      "\"asNumber\":64513}}"),
    OK(HDR("BGPPeer") "\"metadata\":{\"name\":\"rack1\"},\"spec\":{\"nodeSelector\":\"rack == "
		      "'r1'\",\"peerIP\":\"[2001:db8::1]:1179\",\"asNumber\":\"1.10\","
		      "\"sourceAddress\":\"None\",\"maxRestartTime\":\"2m\"}}"),
    OK(HDR("BGPPeer") "\"metadata\":{\"name\":\"rr\"},\"spec\":{\"nodeSelector\":\"!has(route-"
		      "reflector)\",\"peerSelector\":\"has(route-reflector)\"}}"),
    OK(HDR("BGPPeer") "\"metadata\":{\"name\":\"empty\"},\"spec\":{}}"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"peerIP\":\"badpeerIP\"}}",
	"error with field PeerIP = 'badpeerIP' (Reason: failed to validate Field: PeerIP because "
	"of Tag: IP:port )"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"peerIP\":\"[fd00::1]\"}}",
	"error with field PeerIP = '[fd00::1]' (Reason: failed to validate Field: PeerIP because "
	"of Tag: IP:port )"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"node\":\"Node_1\"}}",
	"error with field Node = 'Node_1' (Reason: failed to validate Field: Node because of Tag: "
	"name )"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"nodeSelector\":\"rack == r1\"}}",
	"error with field NodeSelector = 'rack == r1' (Reason: failed to validate Field: "
	"NodeSelector because of "
	"Tag: selector )"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"sourceAddress\":\"Other\"}}",
	"error with field SourceAddress = 'Other' (Reason: failed to validate Field: SourceAddress "
	"because of Tag: "
	"sourceAddress )"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"node\":\"n1\",\"nodeSelector\":"
		       "\"all()\"}}",
	"error with field Node = 'n1' (Node field must be empty when NodeSelector is specified)"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"peerIP\":\"10.0.0.1\","
		       "\"peerSelector\":\"all()\"}}",
	"error with field PeerIP = '10.0.0.1' (PeerIP field must be empty when PeerSelector is "
	"specified)"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"asNumber\":65000,"
		       "\"peerSelector\":\"all()\"}}",
	"error with field ASNumber = '65000' (ASNumber field must be empty when PeerSelector is "
	"specified)"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"localWorkloadSelector\":\"app == "
		       "'x'\",\"peerIP\":\"10.0.0.1\",\"peerSelector\":\"all()\"}}",
	"error with the following fields:\n"
	"-  PeerIP = '10.0.0.1' (PeerIP field must be empty when PeerSelector is specified)\n"
	"-  ASNumber = '0' (ASNumber field must NOT be empty when LocalWorkloadSelector is "
	"specified)\n"
	"-  PeerIP = '10.0.0.1' (PeerIP field must be empty when LocalWorkloadSelector is "
	"specified)\n"
	"-  PeerSelector = 'all()' (PeerSelector field must be empty when LocalWorkloadSelector is "
	"specified)\n"),
    OK(HDR("BGPPeer") "\"metadata\":{\"name\":\"lw\"},\"spec\":{\"localWorkloadSelector\":\"app == "
		      "'x'\",\"asNumber\":65001}}"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"reachableBy\":\"10.0.0.254\"}}",
	"error with field ReachableBy = '' (ReachablyBy field must be empty when PeerIP is empty)"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"peerIP\":\"fd00::1\","
		       "\"reachableBy\":\"10.0.0.254\"}}",
	"error with field ReachableBy = '10.0.0.254' (ReachableBy and PeerIP address family "
	"mismatched)"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"peerIP\":\"10.0.0.1\","
		       "\"reachableBy\":\"gw\"}}",
	"error with the following fields:\n"
	"-  ReachableBy = 'gw' (Reason: failed to validate Field: ReachableBy because of Tag: "
	"reachableBy )\n"
	"-  ReachableBy = 'gw' (ReachableBy is invalid address)\n"),
    OK(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"peerIP\":\"10.0.0.1:1179\","
		      "\"reachableBy\":\"10.0.0.254\"}}"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"keepOriginalNextHop\":true,"
		       "\"nextHopMode\":\"Self\"}}",
	"error with field KeepOriginalNextHop = 'true' (The KeepOriginalNextHop field is "
	"deprecated. It must not be "
	"set to true when NextHopMode is configured.)"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"nextHopMode\":\"self\"}}",
	"error with field spec.nextHopMode (supported values: \"Auto\", \"Self\", \"Keep\")"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"reversePeering\":\"Never\"}}",
	"error with field spec.reversePeering (supported values: \"Auto\", \"Manual\")"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"filters\":[\"f1\",\"f2\"]}}",
	"error with field BGPPeer.Spec.Filters = '[f1 f2]' (BGPFilter(s) not found)"),
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"filters\":[\"Bad\"]}}",
     RES_OP_VALIDATE, -EINVAL,
     "error with field Filters[0] = 'Bad' (Reason: failed to validate Field: Filters[0] because of "
     "Tag: name )"},

    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"password\":{\"secretKeyRef\":{"
		       "\"name\":\"s\"}}}}",
	"error with field spec.password.secretKeyRef.key (Required value)"),
    OK(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"password\":{\"secretKeyRef\":{"
		      "\"name\":\"s\",\"key\":\"k\"}}}}"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"peerIP\":\"2001:0db8:0000:0000:"
		       "0000:0000:0000:0001:0001:0000:0000:0000:0000:0001:0001\"}}",
	"error with the following fields:\n"
	"-  PeerIP = '2001:0db8:0000:0000:0000:0000:0000:0001:0001:0000:0000:0000:0000:0001:0001' "
	"(Reason: failed to validate "
	"Field: PeerIP because of Tag: IP:port )\n"
	"-  spec.peerIP (may not be more than 64 bytes)\n"),
    BAD(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\",\"labels\":{\"-a\":\"x y\",\"b/c/d\":\"\"}}}",
	"error with the following fields:\n"
	"-  Metadata.Labels (label) = '-a' (name part must consist of alphanumeric characters, "
	"'-', '_' or '.', and "
	"must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
	"'123-abc', regex "
	"used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'))\n"
	"-  Metadata.Labels (value) = 'x y' (a valid label must be an empty string or consist of "
	"alphanumeric "
	"characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
	"'MyValue',  or "
	"'my_value',  or '12345', regex used for validation is "
	"'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'))\n"
	"-  Metadata.Labels (label) = 'b/c/d' (a qualified name must consist of alphanumeric "
	"characters, '-', '_' "
	"or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
	"'my.name',  or "
	"'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with "
	"an optional DNS "
	"subdomain prefix and '/' (e.g. 'example.com/MyName'))\n"),

    /* ---- BGPConfiguration ---- */
    OK(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{\"asNumber\":63400,"
			       "\"nodeToNodeMeshEnabled\":false,\"listenPort\":178,\"communities\":"
			       "[{\"name\":\"big\",\"value\":\"63400:300:100\"}],"
			       "\"prefixAdvertisements\":[{\"cidr\":\"172.218.4.0/"
			       "26\",\"communities\":[\"big\",\"63400:120\"]}]}}"),
    OK(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"node.n1\"},\"spec\":{\"listenPort\":1179,"
			       "\"logSeverityScreen\":\"Debug\"}}"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"node.n1\"},\"spec\":{\"asNumber\":1,"
				"\"nodeToNodeMeshEnabled\":true,\"serviceClusterIPs\":[{\"cidr\":"
				"\"10.96.0.0/12\"}],\"serviceExternalIPs\":[]}}",
	"error with the following fields:\n"
	"-  BGPConfiguration.Spec.NodeToNodeMeshEnabled (Cannot set nodeToNodeMeshEnabled on a non "
	"default BGP "
	"Configuration.)\n"
	"-  BGPConfiguration.Spec.ASNumber (Cannot set ASNumber on a non default BGP "
	"Configuration.)\n"
	"-  BGPConfiguration.Spec.ServiceClusterIPs (Cannot set ServiceClusterIPs on a non default "
	"BGP "
	"Configuration.)\n"),
    {HDR("BGPConfiguration") "\"metadata\":{\"name\":\"node.n1\"},\"spec\":{\"asNumber\":1}}",
     RES_OP_VALIDATE, 0, NULL},
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
				"\"logSeverityScreen\":\"info\"}}",
	"error with field LogSeverityScreen = 'info' (Reason: failed to validate Field: "
	"LogSeverityScreen because "
	"of Tag: logLevel )"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
				"\"nodeToNodeMeshEnabled\":false,\"nodeMeshPassword\":{"
				"\"secretKeyRef\":{\"name\":\"s\",\"key\":\"k\"}},"
				"\"nodeMeshMaxRestartTime\":\"90s\"}}",
	"error with the following fields:\n"
	"-  Spec.NodeMeshPassword (spec.NodeMeshPassword cannot be set if spec.NodeToNodeMesh is "
	"disabled)\n"
	"-  Spec.NodeMeshMaxRestartTime = '1m30s' (spec.NodeMeshMaxRestartTime cannot be set if "
	"spec.NodeToNodeMesh is disabled)\n"),
    OK(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{\"nodeMeshPassword\":"
			       "{\"secretKeyRef\":{\"name\":\"s\",\"key\":\"k\"}},"
			       "\"nodeMeshMaxRestartTime\":\"90s\"}}"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{\"communities\":[{"
				"\"name\":\"c\",\"value\":\"70000:1\"}],\"prefixAdvertisements\":[{"
				"\"cidr\":\"10.0.0.0/"
				"8\",\"communities\":[\"c\",\"nope\",\"1:2:4294967296\"]}]}}",
	"error with the following fields:\n"
	"-  Spec.Communities[].Value = '70000:1' (invalid community value, expected 16 bit value)\n"
	"-  Spec.PrefixAdvertisement[].Communities[] = 'nope' (community used is invalid or not "
	"defined.)\n"
	"-  Spec.PrefixAdvertisement[].Communities[] = '1:2:4294967296' (invalid community value, "
	"expected 32 bit "
	"value)\n"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{\"communities\":[{"
				"\"name\":\"c\",\"value\":\"bad\"}]}}",
	"error with the following fields:\n"
	"-  Spec.Communities[].Value = 'bad' (invalid community value or format used.)\n"
	"-  Spec.Communities[] = '[map[name:c value:bad]]' (communities are defined but not used "
	"in "
	"Spec.PrefixAdvertisement[].)\n"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
				"\"prefixAdvertisements\":[{\"cidr\":\"10.0.0.1/"
				"8\",\"communities\":[\"1:1\"]}]}}",
	"error with field CIDR = '10.0.0.1/8' (Reason: failed to validate Field: CIDR because of "
	"Tag: net )"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
				"\"serviceClusterIPs\":[{\"cidr\":\"10.96.0.1/12\"}]}}",
	"error with field CIDR = '10.96.0.1/12' (Reason: failed to validate Field: CIDR because of "
	"Tag: net )"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
				"\"ignoredInterfaces\":[\"eth*\",\"*\",\"waytoolonginterface0\"]}}",
	"error with the following fields:\n"
	"-  IgnoredInterfaces[1] = '*' (Reason: failed to validate Field: IgnoredInterfaces[1] "
	"because of Tag: "
	"ignoredInterface )\n"
	"-  IgnoredInterfaces[2] = 'waytoolonginterface0' (Reason: failed to validate Field: "
	"IgnoredInterfaces[2] "
	"because of Tag: ignoredInterface )\n"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{\"bindMode\":"
				"\"All\"}}",
	"error with field spec.bindMode (supported values: \"None\", \"NodeIP\")"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
				"\"ipv4NormalRoutePriority\":0}}",
	"error with field IPv4NormalRoutePriority = '0' (Reason: failed to validate Field: "
	"IPv4NormalRoutePriority "
	"because of Tag: gte )"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
				"\"localWorkloadPeeringIPV4\":\"fd00::1\"}}",
	"error with field LocalWorkloadPeeringIPV4 = 'fd00::1' (Reason: failed to validate Field: "
	"LocalWorkloadPeeringIPV4 because of Tag: ipv4 )"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{\"communities\":[{"
				"\"value\":\"1:1\"}],\"prefixAdvertisements\":[{\"cidr\":\"10.0.0."
				"0/8\",\"communities\":[\"1:1\"]}]}}",
	"error with field Name = '' (Reason: failed to validate Field: Name because of Tag: "
	"required )"),

    /* ---- Node ---- */
    OK(HDR("Node") "\"metadata\":{\"name\":\"node1\",\"labels\":{\"rack\":\"r1\"}},\"spec\":{"
		   "\"bgp\":{\"ipv4Address\":\"10.0.0.5/"
		   "24\",\"asNumber\":\"64512\",\"routeReflectorClusterID\":\"245.0.0.1\"}}}"),
    BAD(HDR("Node") "\"metadata\":{\"name\":\"node1\"},\"spec\":{\"bgp\":{}}}",
	"error with field BGP = '&{<nil>    }' (Spec.BGP should not be empty)"),
    BAD(HDR("Node") "\"metadata\":{\"name\":\"node1\"},\"spec\":{\"bgp\":{"
		    "\"routeReflectorClusterID\":\"300.34.3.1\"}}}",
	"error with field RouteReflectorClusterID = '300.34.3.1' (Reason: failed to validate "
	"Field: "
	"RouteReflectorClusterID because of Tag: ipv4 )"),
    BAD(HDR("Node") "\"metadata\":{\"name\":\"node1\"},\"spec\":{\"bgp\":{\"ipv4Address\":\"fd00::"
		    "1/64\",\"ipv6Address\":\"10.0.0.1\"}}}",
	"error with the following fields:\n"
	"-  IPv4Address = 'fd00::1/64' (Reason: failed to validate Field: IPv4Address because of "
	"Tag: cidrv4 )\n"
	"-  IPv6Address = '10.0.0.1' (Reason: failed to validate Field: IPv6Address because of "
	"Tag: cidrv6 )\n"),
    BAD(HDR("Node") "\"metadata\":{\"name\":\"node1\"},\"spec\":{\"vxlanTunnelMACAddr\":\"zz:00:00:"
		    "00:00:00\",\"addresses\":[{\"address\":\"10.0.0.1\",\"type\":\"Other\"}]}}",
	"error with the following fields:\n"
	"-  VXLANTunnelMACAddr = 'zz:00:00:00:00:00' (Reason: failed to validate Field: "
	"VXLANTunnelMACAddr because "
	"of Tag: mac )\n"
	"-  Type = 'Other' (Reason: failed to validate Field: Type because of Tag: ipType )\n"),
    OK(HDR("Node") "\"metadata\":{\"name\":\"node1\"},\"spec\":{\"vxlanTunnelMACAddr\":\"66:d1:0e:"
		   "4a:b8:01\",\"addresses\":[{\"address\":\"10.0.0.1\",\"type\":\"InternalIP\"}],"
		   "\"bgp\":{\"ipv6Address\":\"fd00::5/"
		   "64\"}},\"status\":{\"podCIDRs\":[\"10.244.0.0/24\"]}}"),

    /* ---- IPPool ---- */
    OK(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.1.0/"
		     "24\",\"ipipMode\":\"Always\",\"nodeSelector\":\"foo == 'bar'\"}}"),
    OK(HDR("IPPool") "\"metadata\":{\"name\":\"p6\"},\"spec\":{\"cidr\":\"fd00:10:244::/"
		     "48\",\"vxlanMode\":\"CrossSubnet\"}}"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{}}",
	"error with field IPPool.Spec.CIDR (IPPool CIDR must be specified)"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.1\"}}",
	"error with field IPPool.Spec.CIDR = '10.0.0.1' (IPPool CIDR must be a valid subnet)"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.1/24\"}}",
	"error with field IPPool.Spec.CIDR = '10.0.0.0/24' (IPPool CIDR is not strictly masked)"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		      "16\",\"blockSize\":19}}",
	"error with field IPPool.Spec.BlockSize = '19' (IPv4 block size must be between 20 and "
	"32)"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"fd00::/"
		      "64\",\"blockSize\":26}}",
	"error with the following fields:\n"
	"-  IPPool.Spec.BlockSize = '26' (IPv6 block size must be between 116 and 128)\n"
	"-  IPPool.Spec.CIDR = 'fd00::/64' (IP pool size is too small for use with Calico IPAM. It "
	"must be equal to "
	"or greater than the block size.)\n"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.0/28\"}}",
	"error with field IPPool.Spec.CIDR = '10.0.0.0/28' (IP pool size is too small for use with "
	"Calico IPAM. It "
	"must be equal to or greater than the block size.)"),
    OK(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		     "28\",\"disabled\":true}}"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"169.254.0.0/24\"}}",
	"error with field IPPool.Spec.CIDR = '169.254.0.0/24' (IPPool CIDR overlaps with IPv4 Link "
	"Local range "
	"169.254.0.0/16)"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"fe80::/64\"}}",
	"error with field IPPool.Spec.CIDR = 'fe80::/64' (IPPool CIDR overlaps with IPv6 Link "
	"Local range fe80::/10)"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		      "24\",\"ipipMode\":\"Always\",\"vxlanMode\":\"Always\"}}",
	"error with field IPPool.Spec.VXLANMode = 'Always' (Cannot enable both VXLAN and IPIP on "
	"the same IPPool)"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"fd00::/"
		      "64\",\"ipipMode\":\"CrossSubnet\"}}",
	"error with field IPPool.Spec.IPIPMode = 'CrossSubnet' (IPIP is not supported on an IPv6 "
	"IP pool)"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		      "24\",\"ipipMode\":\"Sometimes\"}}",
	"error with field IPIPMode = 'Sometimes' (Reason: failed to validate Field: IPIPMode "
	"because of Tag: "
	"ipIpMode )"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		      "24\",\"nodeSelector\":\"global()\"}}",
	"error with field IPpool.NodeSelector = 'global()' (global() selector is not valid for "
	"IPPool nodeSelector "
	"- use all() instead)"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		      "24\",\"allowedUses\":[\"Workload\",\"Other\"]}}",
	"error with field IPpool.AllowedUses = '[Workload Other]' (unknown use: Other)"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		      "24\",\"allowedUses\":[\"LoadBalancer\",\"Tunnel\"],\"disableBGPExport\":"
		      "true}}",
	"error with the following fields:\n"
	"-  IPpool.AllowedUses = '[LoadBalancer Tunnel]' (LoadBalancer cannot be used at the same "
	"time as: Tunnel)\n"
	"-  IPpool.DisableBGPExport = 'true' (IP Pool with AllowedUse LoadBalancer must have "
	"DisableBGPExport set "
	"to true)\n"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		      "24\",\"allowedUses\":[\"Tunnel\"],\"namespaceSelector\":\"a == 'b'\"}}",
	"error with field IPpool.NamespaceSelector = 'a == 'b'' (IP Pool with AllowedUse Tunnel "
	"cannot have "
	"namespaceSelector specified - tunnel IPs are not namespaced resources)"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		      "24\",\"assignmentMode\":\"Auto\"}}",
	"error with field spec.assignmentMode (supported values: \"Automatic\", \"Manual\")"),

    /* ---- more field validators ---- */
    BAD(HDR("Node") "\"metadata\":{\"name\":\"n\"},\"spec\":{\"bgp\":{\"ipv4IPIPTunnelAddr\":\"10."
		    "0.0.1/"
		    "32\"},\"ipv6VXLANTunnelAddr\":\"10.0.0.1\",\"wireguard\":{"
		    "\"interfaceIPv6Address\":\"10.0.0.2\"},\"addresses\":[{\"address\":\"10.0.0.1/"
		    "24\"}]},\"status\":{\"wireguardPublicKey\":\"abc\"}}",
	"error with the following fields:\n"
	"-  IPv4IPIPTunnelAddr = '10.0.0.1/32' (Reason: failed to validate Field: "
	"IPv4IPIPTunnelAddr because of "
	"Tag: ipv4 )\n"
	"-  IPv6VXLANTunnelAddr = '10.0.0.1' (Reason: failed to validate Field: "
	"IPv6VXLANTunnelAddr because of Tag: "
	"ipv6 )\n"
	"-  InterfaceIPv6Address = '10.0.0.2' (Reason: failed to validate Field: "
	"InterfaceIPv6Address because of "
	"Tag: ipv6 )\n"
	"-  Address = '10.0.0.1/24' (Reason: failed to validate Field: Address because of Tag: net "
	")\n"
	"-  WireguardPublicKey = 'abc' (Reason: failed to validate Field: WireguardPublicKey "
	"because of Tag: "
	"wireguardPublicKey )\n"),
    OK(HDR("Node") "\"metadata\":{\"name\":\"n\"},\"spec\":{\"wireguard\":{"
		   "\"interfaceIPv4Address\":\"10.0.0.2\"}},\"status\":{\"wireguardPublicKey\":"
		   "\"jlkVyQYooZYzI2wFfNhSZez5eWh44yfq1wKVjLvSXgY=\"}}"),
    OK(HDR("Node") "\"metadata\":{\"name\":\"n\"},\"spec\":{\"bgp\":{\"ipv4Address\":\"::ffff:10.0."
		   "0.5/120\"}}}"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
				"\"ipv6NormalRoutePriority\":2147483647,\"programClusterRoutes\":"
				"\"Yes\",\"serviceLoadBalancerAggregation\":\"enabled\"}}",
	"error with the following fields:\n"
	"-  IPv6NormalRoutePriority = '2147483647' (Reason: failed to validate Field: "
	"IPv6NormalRoutePriority "
	"because of Tag: lte )\n"
	"-  spec.serviceLoadBalancerAggregation (supported values: \"Enabled\", \"Disabled\")\n"
	"-  spec.programClusterRoutes (supported values: \"Enabled\", \"Disabled\", "
	"\"EnabledIPIPOnly\", "
	"\"EnabledNoEncapOnly\")\n"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"rack1\"},\"spec\":{"
				"\"serviceLoadBalancerIPs\":[{\"cidr\":\"10.1.0.0/"
				"16\"}],\"serviceExternalIPs\":[{\"cidr\":\"10.2.0.0/"
				"16\"}],\"nodeMeshPassword\":{\"secretKeyRef\":{\"name\":\"s\","
				"\"key\":\"k\"}},\"nodeMeshMaxRestartTime\":\"1m\"}}",
	"error with the following fields:\n"
	"-  BGPConfiguration.Spec.ServiceLoadBalancerIPs (Cannot set ServiceLoadBalancerIPs on a "
	"non default BGP "
	"Configuration.)\n"
	"-  BGPConfiguration.Spec.ServiceExternalIPs (Cannot set ServiceExternalIPs on a non "
	"default BGP "
	"Configuration.)\n"
	"-  BGPConfiguration.Spec.NodeMeshPassword (Cannot set nodeMeshPassword on a non default "
	"BGP "
	"Configuration.)\n"
	"-  BGPConfiguration.Spec.NodeMeshMaxRestartTime (Cannot set nodeMeshMaxRestartTime on a "
	"non default BGP "
	"Configuration.)\n"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
				"\"nodeMeshPassword\":{\"secretKeyRef\":{\"name\":\"s\"}}}}",
	"error with field spec.nodeMeshPassword.secretKeyRef.key (Required value)"),
    BAD(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{\"communities\":[{"
				"\"name\":\"Big\",\"value\":\"1:1\"}],\"prefixAdvertisements\":[{"
				"\"cidr\":\"10.0.0.0/8\",\"communities\":[\"Big\"]}]}}",
	"error with field Name = 'Big' (Reason: failed to validate Field: Name because of Tag: "
	"name )"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"lb\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		      "24\",\"allowedUses\":[\"LoadBalancer\"],\"ipipMode\":\"Always\","
		      "\"nodeSelector\":\"has(x)\"}}",
	"error with the following fields:\n"
	"-  IPpool.AllowedUses = '[LoadBalancer]' (Neither IPIPMode nor VXLANMode can be enabled "
	"on AllowedUses "
	"LoadBalancer IP pool)\n"
	"-  IPpool.NodeSelector = 'has(x)' (IP Pool with AllowedUse LoadBalancer must have node "
	"selector set to "
	"all())\n"),
    OK(HDR("IPPool") "\"metadata\":{\"name\":\"lb\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		     "24\",\"allowedUses\":[\"LoadBalancer\"]}}"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		      "24\",\"allowedUses\":[\"Workload\"],\"namespaceSelector\":\"global()\"}}",
	"error with field IPpool.NamespaceSelector = 'global()' (global() selector is not valid "
	"for IPPool "
	"namespaceSelector - use all() instead)"),
    BAD(HDR("IPPool") "\"metadata\":{\"name\":\"p\"},\"spec\":{\"cidr\":\"10.0.0.0/"
		      "24\",\"nodeSelector\":\"a ==\"}}",
	"error with field NodeSelector = 'a ==' (Reason: failed to validate Field: NodeSelector "
	"because of Tag: "
	"selector )"),
    {HDR("IPPool") "\"metadata\":{\"name\":\"p\"},\"spec\":{\"cidr\":\"10.0.0.1/24\"}}",
     RES_OP_VALIDATE, -EINVAL,
     "error with the following fields:\n"
     "-  CIDR = '10.0.0.1/24' (Reason: failed to validate Field: CIDR because of Tag: net )\n"
     "-  IPpool.CIDR = '10.0.0.1/24' (IP pool CIDR is not strictly masked)\n"},
    {HDR("IPPool") "\"metadata\":{\"name\":\"p\"},\"spec\":{}}", RES_OP_VALIDATE, -EINVAL,
     "error with the following fields:\n"
     "-  CIDR = '' (Reason: failed to validate Field: CIDR because of Tag: net )\n"
     "-  IPpool.CIDR = '' (IPPool CIDR must be specified)\n"
     "-  IPpool.CIDR = '' (IPPool CIDR must be a valid subnet)\n"},
    /* Decoding corner cases: nulls are zero values, keys fold case at every level. */
    OK(HDR("BGPPeer") "\"METADATA\":{\"Name\":\"a\",\"labels\":null},\"Spec\":{\"peerip\":\"10.0.0."
		      "1\",\"node\":null}}"),
    OK(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":null}"),
    BAD(HDR("CalicoNodeStatus") "\"metadata\":{\"name\":\"s\"},\"spec\":{\"node\":\"Node "
				"1\",\"classes\":[\"BGP\"],\"updatePeriodSeconds\":1}}",
	"error with field Node = 'Node 1' (Reason: failed to validate Field: Node because of Tag: "
	"name )"),

    /* ---- ClusterInformation ---- */
    OK(HDR("ClusterInformation") "\"metadata\":{\"name\":\"default\"},\"spec\":{\"clusterGUID\":"
				 "\"abc\",\"calicoVersion\":\"v3.32.1\",\"datastoreReady\":true}}"),
    {HDR("ClusterInformation") "\"metadata\":{\"name\":\"default\"},\"spec\":{\"ready\":true}}",
     RES_OP_CREATE, -EBADMSG,
     "field in document is not recognized or is in the wrong location: ready"},

    /* ---- CalicoNodeStatus ---- */
    OK(HDR("CalicoNodeStatus") "\"metadata\":{\"name\":\"s1\"},\"spec\":{\"node\":\"node1\","
			       "\"classes\":[\"Agent\",\"BGP\",\"Routes\"],\"updatePeriodSeconds\":"
			       "10}}"),
    OK(HDR("CalicoNodeStatus") "\"metadata\":{\"name\":\"s1\"},\"spec\":{\"node\":\"node1\","
			       "\"classes\":[\"BGP\"],\"updatePeriodSeconds\":0}}"),
    BAD(HDR("CalicoNodeStatus") "\"metadata\":{\"name\":\"s1\"},\"spec\":{}}",
	"error with the following fields:\n"
	"-  Node = '' (Reason: failed to validate Field: Node because of Tag: required )\n"
	"-  Classes = '[]' (Reason: failed to validate Field: Classes because of Tag: required )\n"
	"-  UpdatePeriodSeconds = '<nil>' (Reason: failed to validate Field: UpdatePeriodSeconds "
	"because of Tag: "
	"required )\n"),
    BAD(HDR("CalicoNodeStatus") "\"metadata\":{\"name\":\"s1\"},\"spec\":{\"node\":\"node1\","
				"\"classes\":[\"BGP\",\"BGP\"],\"updatePeriodSeconds\":86401}}",
	"error with the following fields:\n"
	"-  UpdatePeriodSeconds = '86401' (Reason: failed to validate Field: UpdatePeriodSeconds "
	"because of Tag: "
	"lte )\n"
	"-  Classes = '[BGP BGP]' (Reason: failed to validate Field: Classes because of Tag: "
	"unique )\n"),
    BAD(HDR("CalicoNodeStatus") "\"metadata\":{\"name\":\"s1\"},\"spec\":{\"node\":\"node1\","
				"\"classes\":[\"Peers\"],\"updatePeriodSeconds\":5}}",
	"error with field spec.classes[0] (supported values: \"Agent\", \"BGP\", \"Routes\")"),
};

/* What get -o json prints must read back, validate as an update and print
 * the same again (round trips, CONVENTIONS.md §10). */
static void check_round_trip(const char *doc, enum res_op op)
{
	const struct kind_desc *k;
	json_t *o = NULL, *ord, *again;
	char *first, *second = NULL;
	struct err e;

	run(doc, op, NULL, &e, &o);
	if (res_kind_of(o, &k, &e)) {
		json_decref(o);
		return;
	}
	ord = res_ordered(k, o);
	first = json_dumps(ord, JSON_COMPACT);
	again = json_loads(first, 0, NULL);
	if (res_decode_strict(k, again, &e) == 0 &&
	    res_validate(k, again, RES_OP_UPDATE, NULL, &e) == 0) {
		json_t *ord2 = res_ordered(k, again);

		second = json_dumps(ord2, JSON_COMPACT);
		json_decref(ord2);
	} else {
		printf("# round trip failed: %s\n", e.msg);
	}
	CHECK_STR(second, first);
	free(first);
	free(second);
	json_decref(again);
	json_decref(ord);
	json_decref(o);
}

static void test_long_values(void)
{
	char doc[2048], name[300];
	struct err e;

	memset(name, 'a', 254);
	name[254] = '\0';
	snprintf(doc, sizeof(doc),
		 HDR("BGPPeer") "\"metadata\":{\"name\":\"%s\"},\"spec\":{\"node\":\"%s\"}}", name,
		 name);
	CHECK_INT(run(doc, RES_OP_CREATE, NULL, &e, NULL), -EINVAL);
	{
		char want[1024];

		snprintf(want, sizeof(want),
			 "error with the following fields:\n"
			 "-  Metadata.Name = '%s' (name is too long by 1 bytes)\n"
			 "-  spec.node (may not be more than 253 bytes)\n",
			 name);
		CHECK_STR(e.msg, want);
	}
	name[253] = '\0';
	snprintf(doc, sizeof(doc),
		 HDR("BGPPeer") "\"metadata\":{\"name\":\"%s\"},\"spec\":{\"node\":\"%s\"}}", name,
		 name);
	CHECK_INT(run(doc, RES_OP_CREATE, NULL, &e, NULL), 0);
}

static void test_max_items(void)
{
	char doc[4096];
	size_t n;
	struct err e;

	n = (size_t)snprintf(
	    doc, sizeof(doc),
	    HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
				    "\"prefixAdvertisements\":[{\"cidr\":\"10.0.0.0/8\","
				    "\"communities\":[");
	for (int i = 0; i < 51; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s\"1:%d\"", i ? "," : "", i);
	snprintf(doc + n, sizeof(doc) - n, "]}]}}");
	CHECK_INT(run(doc, RES_OP_CREATE, NULL, &e, NULL), -EINVAL);
	CHECK_STR(e.msg,
		  "error with field spec.prefixAdvertisements[0].communities (must have at most 50 "
		  "items)");
}

static void test_validation(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err e;
		int rc = run(cases[i].doc, cases[i].op, NULL, &e, NULL);

		CHECK_MSG(rc == cases[i].rc, cases[i].doc);
		if (rc != cases[i].rc)
			printf("#   rc %d, message: %s\n", rc, e.msg);
		if (cases[i].msg)
			CHECK_STR(e.msg, cases[i].msg);
		if (cases[i].rc == 0 && rc == 0 && cases[i].op != RES_OP_VALIDATE)
			check_round_trip(cases[i].doc, cases[i].op);
	}
}

static const char *js_kind(const json_t *o)
{
	return json_string_value(json_object_get(o, "kind"));
}

static char *dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT);
}

static void check_ordered(const char *doc, const char *want)
{
	json_t *o = NULL, *ord;
	struct err e;
	const struct kind_desc *k;
	char *got;

	run(doc, RES_OP_CREATE, NULL, &e, &o);
	if (!o || res_kind_of(o, &k, &e)) {
		CHECK_MSG(0, doc);
		json_decref(o);
		return;
	}
	ord = res_ordered(k, o);
	got = dump(ord);
	CHECK_STR(got, want);
	free(got);
	json_decref(ord);
	json_decref(o);
}

static void test_defaults_and_order(void)
{
	check_ordered(
	    HDR("BGPPeer") "\"metadata\":{\"labels\":{\"a\":\"b\"},\"name\":\"p\",\"uid\":\"u1\"},"
			   "\"spec\":{\"reversePeering\":\"Manual\",\"asNumber\":\"1.10\","
			   "\"peerIP\":\"10.0.0.1\",\"maxRestartTime\":\"120s\",\"node\":\"n1\","
			   "\"keepOriginalNextHop\":false,\"ttlSecurity\":0}}",
	    "{\"kind\":\"BGPPeer\",\"apiVersion\":\"projectcalico.org/"
	    "v3\",\"metadata\":{\"name\":\"p\","
	    "\"uid\":\"u1\",\"creationTimestamp\":null,\"labels\":{\"a\":\"b\"}},\"spec\":{"
	    "\"node\":\"n1\","
	    "\"peerIP\":\"10.0.0.1\",\"asNumber\":65546,\"maxRestartTime\":\"2m0s\","
	    "\"ttlSecurity\":0,"
	    "\"reversePeering\":\"Manual\"}}");
	check_ordered(HDR("Node") "\"metadata\":{\"name\":\"n\",\"annotations\":{\"z\":\"1\",\"b\":"
				  "\"2\"},\"labels\":{\"rack\":\"r1\",\"a\":\"x\"}},\"status\":{"
				  "\"podCIDRs\":[\"10.0.0.0/"
				  "24\"]},\"spec\":{\"bgp\":{\"routeReflectorClusterID\":\"1.0.0."
				  "1\",\"ipv4Address\":\"10.0.0.1/24\"}}}",
		      "{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/"
		      "v3\",\"metadata\":{\"name\":\"n\","
		      "\"creationTimestamp\":null,\"labels\":{\"a\":\"x\",\"rack\":\"r1\"},"
		      "\"annotations\":{\"b\":\"2\","
		      "\"z\":\"1\"}},\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.1/"
		      "24\",\"routeReflectorClusterID\":"
		      "\"1.0.0.1\"}},\"status\":{\"podCIDRs\":[\"10.0.0.0/24\"]}}");
	check_ordered(HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
					      "\"asNumber\":64513}}",
		      "{\"kind\":\"BGPConfiguration\",\"apiVersion\":\"projectcalico.org/"
		      "v3\",\"metadata\":{\"name\":"
		      "\"default\",\"creationTimestamp\":null},\"spec\":{\"logSeverityScreen\":"
		      "\"Info\",\"asNumber\":64513,"
		      "\"serviceLoadBalancerAggregation\":\"Enabled\"}}");
	check_ordered(
	    HDR("IPPool") "\"metadata\":{\"name\":\"p\"},\"spec\":{\"cidr\":\"fd00:0:0::/64\"}}",
	    "{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/"
	    "v3\",\"metadata\":{\"name\":\"p\","
	    "\"creationTimestamp\":null},\"spec\":{\"cidr\":\"fd00::/"
	    "64\",\"vxlanMode\":\"Never\",\"ipipMode\":"
	    "\"Never\",\"blockSize\":122,\"nodeSelector\":\"all()\",\"allowedUses\":[\"Workload\","
	    "\"Tunnel\"],"
	    "\"assignmentMode\":\"Automatic\"}}");
	check_ordered(HDR("Node") "\"metadata\":{\"name\":\"n\",\"creationTimestamp\":\"2026-01-"
				  "02T04:04:05+01:00\"}}",
		      "{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/"
		      "v3\",\"metadata\":{\"name\":\"n\","
		      "\"creationTimestamp\":\"2026-01-02T03:04:05Z\"},\"spec\":{},\"status\":{}}");
	check_ordered(
	    HDR("CalicoNodeStatus") "\"metadata\":{\"name\":\"s\"},\"spec\":{"
				    "\"updatePeriodSeconds\":0,\"classes\":[\"BGP\"],\"node\":"
				    "\"n\"}}",
	    "{\"kind\":\"CalicoNodeStatus\",\"apiVersion\":\"projectcalico.org/"
	    "v3\",\"metadata\":{\"name\":"
	    "\"s\",\"creationTimestamp\":null},\"spec\":{\"node\":\"n\",\"classes\":[\"BGP\"],"
	    "\"updatePeriodSeconds\":0},\"status\":{\"lastUpdated\":null,\"agent\":{\"birdV4\":{},"
	    "\"birdV6\":{}},"
	    "\"bgp\":{\"numberEstablishedV4\":0,\"numberNotEstablishedV4\":0,"
	    "\"numberEstablishedV6\":0,"
	    "\"numberNotEstablishedV6\":0},\"routes\":{}}}");
}

static void test_ippool_ctx(void)
{
	json_t *pools = json_loads("[{\"kind\":\"IPPool\",\"metadata\":{\"name\":\"p1\"},\"spec\":{"
				   "\"cidr\":\"10.0.0.0/16\",\"blockSize\":26}}]",
				   0, NULL);
	struct res_validate_ctx ctx = {.pools = pools};
	struct err e;

	CHECK_INT(
	    run(HDR("IPPool") "\"metadata\":{\"name\":\"p2\"},\"spec\":{\"cidr\":\"10.0.5.0/24\"}}",
		RES_OP_CREATE, &ctx, &e, NULL),
	    -EINVAL);
	CHECK_STR(e.msg, "error with field IPPool.Spec.CIDR = '10.0.5.0/24' (IPPool(p2) CIDR "
			 "overlaps with IPPool(p1) "
			 "CIDR 10.0.0.0/16)");
	CHECK_INT(
	    run(HDR("IPPool") "\"metadata\":{\"name\":\"p2\"},\"spec\":{\"cidr\":\"10.1.0.0/24\"}}",
		RES_OP_CREATE, &ctx, &e, NULL),
	    0);
	ctx.old = json_array_get(pools, 0);
	CHECK_INT(run(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.0/"
				    "17\",\"blockSize\":27}}",
		      RES_OP_UPDATE, &ctx, &e, NULL),
		  -EINVAL);
	CHECK_STR(e.msg, "error with the following fields:\n"
			 "-  IPPool.Spec.CIDR = '10.0.0.0/17' (IPPool CIDR cannot be modified)\n"
			 "-  IPPool.Spec.BlockSize = '27' (IPPool BlockSize cannot be modified)\n");
	CHECK_INT(
	    run(HDR("IPPool") "\"metadata\":{\"name\":\"p1\"},\"spec\":{\"cidr\":\"10.0.0.0/16\"}}",
		RES_OP_UPDATE, &ctx, &e, NULL),
	    0);
	json_decref(pools);
}

static bool filter_exists(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "f1") == 0;
}

static void test_filters_ctx(void)
{
	struct res_validate_ctx ctx = {.filter_exists = filter_exists};
	struct err e;

	CHECK_INT(
	    run(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"filters\":[\"f1\"]}}",
		RES_OP_CREATE, &ctx, &e, NULL),
	    0);
	CHECK_INT(run(HDR("BGPPeer") "\"metadata\":{\"name\":\"a\"},\"spec\":{\"filters\":[\"f1\","
				     "\"f2\"]}}",
		      RES_OP_CREATE, &ctx, &e, NULL),
		  -EINVAL);
	CHECK_STR(e.msg, "error with field BGPPeer.Spec.Filters = '[f2]' (BGPFilter(s) not found)");
}

static void test_kinds(void)
{
	static const struct {
		const char *word, *kind;
	} words[] = {
	    {"bgppeer", "BGPPeer"},
	    {"BGPPeers", "BGPPeer"},
	    {"bgpp", "BGPPeer"},
	    {"bps", "BGPPeer"},
	    {"bgpconfig", "BGPConfiguration"},
	    {"BGPConfigurations", "BGPConfiguration"},
	    {"no", "Node"},
	    {"nodes", "Node"},
	    {"ipp", "IPPool"},
	    {"pools", "IPPool"},
	    {"nodestatus", "CalicoNodeStatus"},
	    {"caliconodestatuses", "CalicoNodeStatus"},
	    {"clusterinfo", "ClusterInformation"},
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const struct kind_desc *k = kind_by_word(words[i].word);

		CHECK_MSG(k && strcmp(kind_name(k), words[i].kind) == 0, words[i].word);
	}
	CHECK(kind_by_word("peer") == NULL);
	CHECK(kind_by_word("bgpfilter") == NULL);
	CHECK(kind_by_name("bgppeer") == NULL);
	CHECK(kind_by_name("BGPPeer") == kind_by_word("bp"));
	CHECK(kind_by_list_name("IPPoolList") == kind_by_word("ippool"));
	CHECK_STR(kind_list_name(kind_by_word("node")), "NodeList");
	CHECK(kind_readonly(kind_by_word("clusterinformation")));
	CHECK(!kind_readonly(kind_by_word("bgppeer")));
	CHECK(kind_has_status(kind_by_word("node")));
	CHECK(!kind_has_status(kind_by_word("bgppeer")));
	CHECK(!kind_namespaced(kind_by_word("bgppeer")));
	for (const struct kind_desc *const *k = kind_all(); *k; k++)
		n++;
	CHECK_INT(n, 6);
	CHECK(kind_has_column(kind_by_word("ippool"), "ASSIGNMENTMODE"));
	CHECK(!kind_has_column(kind_by_word("ippool"), "ASN"));
	CHECK(res_cell(kind_by_word("ippool"), NULL, "ASN", NULL) == NULL);
}

struct cell_case {
	const char *doc, *column, *want;
	const char *global_asn;
};

static const struct cell_case cell_cases[] = {
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"rack1-tor\"},\"spec\":{\"peerIP\":\"192.0.2.1\","
		    "\"asNumber\":64513}}",
     "NODE", "(global)", NULL},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"x\"},\"spec\":{\"peerIP\":\"192.0.2.2:1790\","
		    "\"node\":\"node1\",\"asNumber\":65001}}",
     "PEERIP", "192.0.2.2:1790", NULL},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"x\"},\"spec\":{\"peerIP\":\"192.0.2.2:1790\","
		    "\"node\":\"node1\",\"asNumber\":65001}}",
     "NODE", "node1", NULL},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"rr\"},\"spec\":{\"nodeSelector\":\"has(rr)\","
		    "\"peerSelector\":\"has(rr)\"}}",
     "NODE", "has(rr)", NULL},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"rr\"},\"spec\":{\"nodeSelector\":\"has(rr)\","
		    "\"peerSelector\":\"has(rr)\"}}",
     "ASN", "0", NULL},
    {HDR("BGPPeer") "\"metadata\":{\"name\":\"rr\"},\"spec\":{}}", "NAME", "rr", NULL},
    {HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{}}", "MESHENABLED", "-",
     NULL},
    {HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{"
			     "\"nodeToNodeMeshEnabled\":false}}",
     "MESHENABLED", "false", NULL},
    {HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{}}", "ASNUMBER", "-",
     NULL},
    {HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{\"asNumber\":\"1.1\"}}",
     "ASNUMBER", "65537", NULL},
    {HDR("BGPConfiguration") "\"metadata\":{\"name\":\"default\"},\"spec\":{}}", "LOGSEVERITY",
     "Info", NULL},
    {HDR("Node") "\"metadata\":{\"name\":\"n\"},\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.1/"
		 "24\"}}}",
     "ASN", "(64512)", NULL},
    {HDR("Node") "\"metadata\":{\"name\":\"n\"},\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.1/"
		 "24\"}}}",
     "ASN", "(63400)", "63400"},
    {HDR("Node") "\"metadata\":{\"name\":\"n\"},\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.1/"
		 "24\"}}}",
     "ASN", "(unknown)", "unknown"},
    {HDR("Node") "\"metadata\":{\"name\":\"n\"},\"spec\":{\"bgp\":{\"asNumber\":65001,"
		 "\"ipv4Address\":\"10.0.0.1/24\"}}}",
     "ASN", "65001", "63400"},
    {HDR("Node") "\"metadata\":{\"name\":\"n\"},\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.1/"
		 "24\"}}}",
     "IPV4", "10.0.0.1/24", NULL},
    {HDR("Node") "\"metadata\":{\"name\":\"n\"},\"spec\":{}}", "ASN", "", NULL},
    {HDR("Node") "\"metadata\":{\"name\":\"n\"},\"spec\":{}}", "IPV6", "", NULL},
    {HDR("IPPool") "\"metadata\":{\"name\":\"p\"},\"spec\":{\"cidr\":\"10.0.1.0/"
		   "24\",\"ipipMode\":\"Always\",\"nodeSelector\":\"foo == 'bar'\"}}",
     "SELECTOR", "foo == 'bar'", NULL},
    {HDR("IPPool") "\"metadata\":{\"name\":\"p\"},\"spec\":{\"cidr\":\"10.0.1.0/"
		   "24\",\"ipipMode\":\"Always\"}}",
     "IPIPMODE", "Always", NULL},
    {HDR("IPPool") "\"metadata\":{\"name\":\"p\"},\"spec\":{\"cidr\":\"10.0.1.0/24\"}}",
     "VXLANMODE", "Never", NULL},
    {HDR("IPPool") "\"metadata\":{\"name\":\"p\"},\"spec\":{\"cidr\":\"10.0.1.0/24\"}}", "NAT",
     "false", NULL},
    {HDR("IPPool") "\"metadata\":{\"name\":\"p\"},\"spec\":{\"cidr\":\"10.0.1.0/24\"}}",
     "ASSIGNMENTMODE", "Automatic", NULL},
    {HDR("IPPool") "\"metadata\":{\"name\":\"p\"},\"spec\":{\"cidr\":\"10.0.1.0/24\"}}", "SELECTOR",
     "all()", NULL},
    {HDR("CalicoNodeStatus") "\"metadata\":{\"name\":\"s\"},\"spec\":{\"node\":\"n1\",\"classes\":["
			     "\"Agent\",\"BGP\"],\"updatePeriodSeconds\":5}}",
     "CLASSES", "Agent,BGP", NULL},
    {HDR("CalicoNodeStatus") "\"metadata\":{\"name\":\"s\"},\"spec\":{\"node\":\"n1\",\"classes\":["
			     "\"Agent\",\"BGP\"],\"updatePeriodSeconds\":5}}",
     "NODE", "n1", NULL},
};

static void test_cells(void)
{
	for (size_t i = 0; i < sizeof(cell_cases) / sizeof(cell_cases[0]); i++) {
		struct res_print_ctx ctx = {.global_asn = cell_cases[i].global_asn};
		const struct kind_desc *k;
		json_t *o = NULL;
		struct err e;
		char *got;

		run(cell_cases[i].doc, RES_OP_CREATE, NULL, &e, &o);
		if (!o || res_kind_of(o, &k, &e)) {
			CHECK_MSG(0, cell_cases[i].doc);
			json_decref(o);
			continue;
		}
		got = res_cell(k, o, cell_cases[i].column, &ctx);
		CHECK_STR(got, cell_cases[i].want);
		free(got);
		json_decref(o);
	}
}

static void test_list(void)
{
	json_t *items =
	    json_loads("[{\"spec\":{\"peerIP\":\"10.0.0.1\"},\"metadata\":{\"name\":\"a\"},"
		       "\"kind\":\"BGPPeer\",\"apiVersion\":\"projectcalico.org/v3\"}]",
		       0, NULL);
	json_t *list = res_list_ordered(kind_by_word("bgppeer"), items, "42");
	char *got = dump(list);

	CHECK_STR(got,
		  "{\"kind\":\"BGPPeerList\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{"
		  "\"resourceVersion\":\"42\"},\"items\":[{\"kind\":\"BGPPeer\",\"apiVersion\":"
		  "\"projectcalico.org/"
		  "v3\",\"metadata\":{\"name\":\"a\",\"creationTimestamp\":null},\"spec\":{"
		  "\"peerIP\":\"10.0.0.1\"}}]}");
	free(got);
	json_decref(list);
	list = res_list_ordered(kind_by_word("bgppeer"), NULL, "7");
	got = dump(list);
	CHECK_STR(got,
		  "{\"kind\":\"BGPPeerList\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{"
		  "\"resourceVersion\":\"7\"},\"items\":[]}");
	free(got);
	json_decref(list);
	json_decref(items);
}

/* Robustness: every known-good document with one value replaced by a value
 * of each JSON type must give 0, -EINVAL or -EBADMSG, never a crash (run
 * under ASan), and whatever is accepted must print. */
static json_t *replacement(unsigned n)
{
	switch (n % 9) {
	case 0:
		return json_null();
	case 1:
		return json_integer(-1);
	case 2:
		return json_real(1.5);
	case 3:
		return json_string("");
	case 4:
		return json_string("x == 'y' ::");
	case 5:
		return json_true();
	case 6:
		return json_array();
	case 7:
		return json_pack("{s:s}", "unknownKey", "v");
	default:
		return json_pack("[s,i]", "a", 4294967296);
	}
}

/* Replaces the pick-th value (depth first) of v; returns how many values
 * were seen. */
static unsigned mutate(json_t *v, unsigned pick, unsigned *seen, unsigned kind)
{
	const char *key;
	json_t *val;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, val)
		{
			if ((*seen)++ == pick) {
				json_object_set_new(v, key, replacement(kind));
				return *seen;
			}
			mutate(val, pick, seen, kind);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, val)
		{
			if ((*seen)++ == pick) {
				json_array_set_new(v, i, replacement(kind));
				return *seen;
			}
			mutate(val, pick, seen, kind);
		}
	}
	return *seen;
}

static void test_mutations(void)
{
	unsigned runs = 0, bad_rc = 0;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		json_t *base = json_loads(cases[c].doc, 0, NULL);
		unsigned total = 0;

		if (cases[c].rc != 0 || !base) {
			json_decref(base);
			continue;
		}
		mutate(base, UINT32_MAX, &total, 0);
		for (unsigned pick = 2; pick < total; pick++) { /* keep kind and apiVersion */
			for (unsigned kind = 0; kind < 9; kind++) {
				json_t *o = json_deep_copy(base);
				const struct kind_desc *k = kind_by_name(js_kind(o));
				unsigned seen = 0;
				struct err e;
				int rc;

				mutate(o, pick, &seen, kind);
				rc = res_decode_strict(k, o, &e);
				if (rc == 0)
					rc = res_validate(k, o, RES_OP_CREATE, NULL, &e);
				if (rc == 0) {
					json_t *ord = res_ordered(k, o);

					for (const char *const *col = kind_columns(k, true); *col;
					     col++)
						free(res_cell(k, o, *col, NULL));
					json_decref(ord);
				}
				if (rc != 0 && rc != -EINVAL && rc != -EBADMSG)
					bad_rc++;
				runs++;
				json_decref(o);
			}
		}
		json_decref(base);
	}
	printf("# %u mutated documents\n", runs);
	CHECK(runs > 1000);
	CHECK_INT(bad_rc, 0);
}

int main(void)
{
	test_kinds();
	test_validation();
	test_long_values();
	test_max_items();
	test_defaults_and_order();
	test_ippool_ctx();
	test_filters_ctx();
	test_cells();
	test_list();
	test_mutations();
	return check_done();
}
