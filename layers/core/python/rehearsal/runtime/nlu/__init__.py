"""Natural-language understanding for the flow engine: intents learned from the bundle, typed slot values."""

from rehearsal.runtime.nlu.intents import IntentMatch, IntentRecognizer
from rehearsal.runtime.nlu.slots import SlotExtractor

__all__ = ["IntentMatch", "IntentRecognizer", "SlotExtractor"]
