// SPDX-License-Identifier: GPL-2.0
/* obench peer-agent (hidden): the peer's end of two-host mode, see net/peer.h. */
#include "cli/commands.h"
#include "net/peer.h"

int cmd_peer_agent(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return peer_agent_main();
}
