"""Lambda: answer an analyst question about a corpus (and optionally a run) with cited evidence."""

from rehearsal.analyst.service import AskRequest, ask
from rehearsal.service.lambdas import stage_handler

lambda_handler = stage_handler("analyst", AskRequest, ask)
