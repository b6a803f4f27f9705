// SPDX-License-Identifier: GPL-2.0
/* obench peer-agent (hidden): the peer's end of two-host mode, see net/peer.h. */
#include "cli/commands.h"
#include "kv/peer_mc.h"
#include "net/peer.h"

/* The agent's commands from above the net layer. */
static const struct peer_agent_cmd agent_cmds[] = {
	{ "mcwin ", peer_mc_window_cmd },
	{ "mcopen ", peer_mc_open_cmd },
	{ NULL, NULL },
};

int cmd_peer_agent(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return peer_agent_main(agent_cmds);
}
