# SPDX-License-Identifier: GPL-2.0
# A second "host" for two-host tests (source it): a network namespace running
# its own sshd, joined to this one by a veth pair.  The DUT end (PEER_IFACE,
# 10.77.N.1/24) stays here and is what --iface names; the peer end
# (10.77.N.2) is inside PEER_NS.  The key and configs live in PEER_DIR and
# are made at set-up time; nothing is installed system-wide.
#
#   peer_ns_up || ktap_skip_all "..."   # sets PEER_SSH_CONFIG, PEER_HOST
#   "$OBENCH" run echo --iface "$PEER_IFACE" --peer "$PEER_IP" \
#       --peer-ssh "$PEER_HOST" --ssh-config "$PEER_SSH_CONFIG" ...
#   peer_ns_down
PEER_NS=obtest-peer-$$
PEER_IFACE=obt2h$$
PEER_IFACE=${PEER_IFACE:0:15}
PEER_IFACE_NS=obt2p$$
PEER_IFACE_NS=${PEER_IFACE_NS:0:15}
# a subnet of its own per test process: a leftover of a killed run cannot answer for us
PEER_NET=10.77.$(($$ % 250))
PEER_DUT_IP=$PEER_NET.1
PEER_IP=$PEER_NET.2
PEER_HOST=obpeer
PEER_DIR=

peer_ns_up() {
	local sshd=/usr/sbin/sshd i
	[ -x "$sshd" ] && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || {
		echo "openssh-server/openssh-client not installed"; return 1; }
	if ip route show "$PEER_NET.0/24" | grep -q .; then
		echo "$PEER_NET.0/24 is in use here (a leftover peer? ip link | grep obt2h)"
		return 1
	fi
	PEER_DIR=$(mktemp -d /tmp/obpeer.XXXXXX) || return 1
	chmod 700 "$PEER_DIR"
	ssh-keygen -q -t ed25519 -N '' -f "$PEER_DIR/host_key" || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$PEER_DIR/id" || return 1
	cp "$PEER_DIR/id.pub" "$PEER_DIR/authorized_keys"
	cat >"$PEER_DIR/sshd_config" <<-CFG
	ListenAddress $PEER_IP:2222
	HostKey $PEER_DIR/host_key
	AuthorizedKeysFile $PEER_DIR/authorized_keys
	PidFile $PEER_DIR/sshd.pid
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	StrictModes no
	UsePAM no
	CFG
	cat >"$PEER_DIR/ssh_config" <<-CFG
	Host $PEER_HOST
	  HostName $PEER_IP
	  Port 2222
	  User $(id -un)
	  IdentityFile $PEER_DIR/id
	  IdentitiesOnly yes
	  StrictHostKeyChecking no
	  UserKnownHostsFile /dev/null
	  LogLevel ERROR
	CFG
	PEER_SSH_CONFIG=$PEER_DIR/ssh_config
	ip netns add "$PEER_NS" || return 1
	ip link add "$PEER_IFACE" type veth peer name "$PEER_IFACE_NS" || return 1
	ip link set "$PEER_IFACE_NS" netns "$PEER_NS"
	ip addr add "$PEER_DUT_IP/24" dev "$PEER_IFACE"
	ip link set "$PEER_IFACE" up
	ip -n "$PEER_NS" addr add "$PEER_IP/24" dev "$PEER_IFACE_NS"
	ip -n "$PEER_NS" link set "$PEER_IFACE_NS" up
	ip -n "$PEER_NS" link set lo up
	# veth drops the DUT's XDP_TX frames unless the receiving end runs XDP
	# too (GRO alone did not do it on 6.12): an XDP_PASS program on the peer
	# end, as topo_create does for its client veth.  A real NIC needs none.
	ip -n "$PEER_NS" link set dev "$PEER_IFACE_NS" xdp \
		obj "$(dirname "$OBENCH")/bpf/echo.bpf.o" program xdp_pass || return 1
	mkdir -p /run/sshd
	ip netns exec "$PEER_NS" "$sshd" -f "$PEER_DIR/sshd_config" || return 1
	for i in $(seq 50); do
		ssh -F "$PEER_SSH_CONFIG" -oBatchMode=yes "$PEER_HOST" true 2>/dev/null && return 0
		sleep 0.1
	done
	echo "sshd in $PEER_NS does not answer"
	return 1
}

# The sshd pid (its listener), empty when it is not running.
peer_sshd_pid() { [ -n "$PEER_DIR" ] && cat "$PEER_DIR/sshd.pid" 2>/dev/null; }

# Processes (any) running inside the peer namespace.
peer_ns_pids() { ip netns pids "$PEER_NS" 2>/dev/null; }

peer_ns_down() {
	local p
	for p in $(peer_ns_pids); do kill -9 "$p" 2>/dev/null; done
	ip link del "$PEER_IFACE" 2>/dev/null
	ip netns del "$PEER_NS" 2>/dev/null
	[ -n "$PEER_DIR" ] && rm -rf "$PEER_DIR"
	PEER_DIR=
}
