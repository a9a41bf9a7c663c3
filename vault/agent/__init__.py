"""The agent that holds the unlocked key: client, server and their protocol."""
