"""Lambda: answer one visitor message from a channel with the live bundle (A/B split honoured)."""

from rehearsal.service.conversations import ChannelMessage, reply_to_channel
from rehearsal.service.lambdas import stage_handler

lambda_handler = stage_handler("runtime", ChannelMessage, reply_to_channel)
