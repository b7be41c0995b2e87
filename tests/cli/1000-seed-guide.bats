#!/usr/bin/env bats
# Every datastore step of the BGP peering guide
# (shared/spec/seed-configure-bgp-peering.md), in order, on one datastore.

load ../lib/common

setup() {
	setup_datastore
	seed_nodes
}

@test "configure a global BGP peer" {
	run_split calicoctl create -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: my-global-peer
	spec:
	  peerIP: 192.20.30.40
	  asNumber: 64567
	YAML
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully created 1 'BGPPeer' resource(s)" ]
	run calicoctl get bgppeer my-global-peer
	[ "${lines[1]}" = "my-global-peer   192.20.30.40   (global)   64567   " ]
}

@test "configure a per-node BGP peer with a nodeSelector" {
	run_split calicoctl create -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: rack1-tor
	spec:
	  peerIP: 192.20.30.40
	  asNumber: 64567
	  nodeSelector: rack == 'rack-1'
	YAML
	[ "$status" -eq 0 ]
	run calicoctl get bgppeer rack1-tor
	[ "${lines[1]}" = "rack1-tor   192.20.30.40   rack == 'rack-1'   64567   " ]
}

@test "configure a node as route reflector, label it, peer with reflectors" {
	run_split calicoctl patch node my-node -p '{"spec": {"bgp": {"routeReflectorClusterID": "244.0.0.1"}}}'
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully patched 1 'Node' resource" ]
	run_split calicoctl label node my-node route-reflector=true
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully set label route-reflector on node my-node" ]
	run_split calicoctl create -f - <<-'YAML'
	kind: BGPPeer
	apiVersion: projectcalico.org/v3
	metadata:
	  name: peer-with-route-reflectors
	spec:
	  nodeSelector: all()
	  peerSelector: route-reflector == 'true'
	YAML
	[ "$status" -eq 0 ]
	run calicoctl get node my-node -o yaml
	[[ "$output" == *"routeReflectorClusterID: 244.0.0.1"* ]]
	[[ "$output" == *'route-reflector: "true"'* ]]
	run calicoctl get bgppeer peer-with-route-reflectors
	[ "${lines[1]}" = "peer-with-route-reflectors            all()   0     " ]
}

@test "disable the node-to-node mesh (the default BGPConfiguration must exist)" {
	run_split calicoctl patch bgpconfiguration default -p '{"spec": {"nodeToNodeMeshEnabled": false}}'
	[ "$status" -eq 1 ]
	[ "$stderr" = "hit error: resource does not exist: BGPConfiguration(default) with error: <nil>" ]
	calicoctl create -f - >/dev/null <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPConfiguration
	metadata:
	  name: default
	spec: {}
	YAML
	run_split calicoctl patch bgpconfiguration default -p '{"spec": {"nodeToNodeMeshEnabled": false}}'
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully patched 1 'BGPConfiguration' resource" ]
	run calicoctl get bgpconfig default
	[[ "${lines[1]}" == "default   "*"false "* ]]
}

@test "change the default global AS number (string in the patch)" {
	calicoctl create -f - >/dev/null <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPConfiguration
	metadata:
	  name: default
	spec:
	  nodeToNodeMeshEnabled: false
	YAML
	run_split calicoctl patch bgpconfiguration default -p '{"spec": {"asNumber": "64513"}}'
	[ "$status" -eq 0 ]
	run calicoctl get bgpconfiguration default -o yaml
	[[ "$output" == *"asNumber: 64513"* ]]
	run calicoctl get nodes -o wide
	[[ "$output" == *"node-1    (64513)   10.0.0.1/24"* ]]
}

@test "change the AS number of one node" {
	run_split calicoctl patch node node-1 -p '{"spec": {"bgp": {"asNumber": "64514"}}}'
	[ "$status" -eq 0 ]
	run calicoctl get node node-1 -o yaml
	[[ "$output" == *"asNumber: 64514"* ]]
	run calicoctl get nodes -o wide
	[[ "$output" == *"node-1    64514     10.0.0.1/24"* ]]
	[[ "$output" == *"node-2    (64512)   10.0.0.2/24"* ]]
}

@test "the whole guide in sequence leaves the expected datastore" {
	peer_yaml my-global-peer 192.20.30.40 64567 | calicoctl create -f - >/dev/null
	calicoctl patch node my-node -p '{"spec": {"bgp": {"routeReflectorClusterID": "244.0.0.1"}}}' >/dev/null
	calicoctl label node my-node route-reflector=true >/dev/null
	calicoctl apply -f - >/dev/null <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPConfiguration
	metadata:
	  name: default
	spec:
	  nodeToNodeMeshEnabled: true
	YAML
	calicoctl patch bgpconfiguration default -p '{"spec": {"nodeToNodeMeshEnabled": false}}' >/dev/null
	calicoctl patch bgpconfiguration default -p '{"spec": {"asNumber": "64513"}}' >/dev/null
	calicoctl patch node node-1 -p '{"spec": {"bgp": {"asNumber": "64514"}}}' >/dev/null
	run calicoctl get bgpconfig
	[ "${lines[1]}" = "default   Info          false         64513      " ]
	run calicoctl get nodes -o wide
	[ "${lines[0]}" = "NAME      ASN       IPV4          IPV6   " ]
	[ "${lines[1]}" = "my-node   (64513)   10.0.0.3/24          " ]
	[ "${lines[2]}" = "node-1    64514     10.0.0.1/24          " ]
	[ "${lines[3]}" = "node-2    (64513)   10.0.0.2/24          " ]
}
