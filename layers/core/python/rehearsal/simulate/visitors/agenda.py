"""Agenda-based visitor (after Schatzmann et al., 2007): a stack of dialogue acts derived from the goal.

The agenda starts as [bye, thank, volunteered informs…, request] (top last). Each agent turn is heard as
dialogue acts (fact requests, yes/no questions, denials, policy talk…); answers are pushed on top and the
visitor pops what it says next. Facts come only from the scenario (``world.knows``, the active goal's
``facts``, the persona's own name): anything else is "I don't know", so the visitor never invents a fact.
Behaviour policies and persona style shape the acts and their words.
"""

from __future__ import annotations

import random
from collections import Counter

from rehearsal.simulate.records import ActType, DialogueAct, VisitorTermination
from rehearsal.simulate.specs.common import placeholders
from rehearsal.simulate.specs.persona import Persona, Tone
from rehearsal.simulate.specs.scenario import Goal, Scenario, ScheduledUtterance, fact_text
from rehearsal.simulate.visitors.base import VisitorTurn
from rehearsal.simulate.visitors.perception import GoalWatch, Heard, Perception, builtin_facts
from rehearsal.simulate.visitors.style import Style

_REASK_LIMIT = 2  # a fact asked for more often than this means the conversation is going round in circles


class AgendaVisitor:
    """Seeded and deterministic: the same scenario and seed give the same words for the same agent turns."""

    def __init__(self, scenario: Scenario, *, seed: int, random_phrasing: bool = True) -> None:
        if not isinstance(scenario.persona, Persona):
            raise TypeError("the scenario's persona must be resolved (see simulate.items.expand)")
        self._persona = scenario.persona
        self._policies = scenario.policies
        self._rng = random.Random(seed)
        self._style = Style(self._persona, self._rng, random_phrasing=random_phrasing)
        self._world_facts = scenario.world_facts()
        self.known_facts = self._facts_for(scenario.goal)  # what it knows now: the world's and its goal's
        self._withhold = scenario.policies.withhold_until_asked
        facts = [*scenario.fact_values(), *scenario.world.does_not_know, *scenario.world.cues]
        self._perception = Perception(facts, scenario.world.cues, fallback=builtin_facts())
        self._goal = GoalWatch(scenario.goal)
        self._second: Goal | None = self._policies.second_issue
        self._agenda: list[DialogueAct] = []
        self._plan(scenario.goal)
        self._moods = [self._persona.tone, *self._persona.emotional_arc]
        self._mood = 0
        self._turn = 0
        self._unproductive = 0
        self._asked: Counter[str] = Counter()
        self._pushed_back = False
        self._misunderstood = False
        self._asked_human = False
        self._changed_mind = False
        self._last_utterance: str | None = None

    # --- the interface -----------------------------------------------------------------------------------

    def opening(self) -> VisitorTurn:
        self._turn += 1
        scheduled = self._scheduled()
        if scheduled is not None:
            return scheduled
        return self._say(self._pop_request(), opening=True)

    def reply(self, agent_messages: list[str], *, agent_ended: bool) -> VisitorTurn:
        self._turn += 1
        heard = self._perception.hear(" ".join(agent_messages))
        if agent_ended:
            return VisitorTurn.stop(self._ending(heard), goal=self._goal.goal.intent)
        if self._goal.met_by(heard):
            return self._goal_met()
        scheduled = self._scheduled()
        if scheduled is not None:
            return scheduled
        change = self._policies.change_mind
        if change is not None and not self._changed_mind and self._turn >= change.at_turn:
            return self._change_mind(change.goal)
        acts, productive = self._respond(heard)
        if productive:
            self._unproductive = 0
            return self._say(acts)
        return self._unproductive_turn(acts)

    async def aopening(self) -> VisitorTurn:
        return self.opening()

    async def areply(self, agent_messages: list[str], *, agent_ended: bool) -> VisitorTurn:
        return self.reply(agent_messages, agent_ended=agent_ended)

    # --- agenda ------------------------------------------------------------------------------------------

    def _plan(self, goal: Goal) -> None:
        """Push the goal's acts: the request on top, then volunteered facts (unless withholding)."""
        if not self._agenda:
            self._agenda = [DialogueAct(type=ActType.BYE), DialogueAct(type=ActType.THANK)]
        if not self._withhold:
            for fact in reversed(goal.provides):
                self._push_inform(fact)
        self._agenda.append(DialogueAct(type=ActType.REQUEST, slot=goal.intent))

    def _push_inform(self, fact: str) -> None:
        self._agenda = [act for act in self._agenda if act.slot != fact]
        if fact in self.known_facts:
            act = DialogueAct(type=ActType.INFORM, slot=fact, value=self.known_facts[fact])
        else:
            act = DialogueAct(type=ActType.DONT_KNOW, slot=fact)
        self._agenda.append(act)

    def _pop_request(self) -> list[DialogueAct]:
        """The request and, unless withholding, the facts volunteered with it (one only when piecemeal)."""
        acts = [self._agenda.pop()]
        limit = 1 if self._policies.piecemeal else len(self._agenda)
        while limit and self._agenda and self._agenda[-1].type is ActType.INFORM:
            acts.append(self._agenda.pop())
            limit -= 1
        return acts

    def _pop_answers(self, count: int) -> list[DialogueAct]:
        acts = []
        while count and self._agenda and self._agenda[-1].type in {ActType.INFORM, ActType.DONT_KNOW}:
            acts.append(self._agenda.pop())
            count -= 1
        return acts

    # --- reacting ----------------------------------------------------------------------------------------

    def _respond(self, heard: Heard) -> tuple[list[DialogueAct], bool]:
        if heard.requested:
            return self._answer(heard.requested)
        if heard.yes_no:
            return [DialogueAct(type=ActType.AFFIRM)], True
        if heard.open_question:
            return self._restate(ActType.REQUEST), self._turn <= 2
        policies = self._policies
        if self._goal.denies(heard):
            if policies.push_back_once and not self._pushed_back:
                self._pushed_back = True
                return [DialogueAct(type=ActType.PUSH_BACK)], False
            if heard.policy and policies.misunderstand_policy_once and not self._misunderstood:
                self._misunderstood = True
                return [DialogueAct(type=ActType.MISUNDERSTAND)], False
            return self._restate(ActType.REPHRASE), False
        if heard.policy and policies.misunderstand_policy_once and not self._misunderstood:
            self._misunderstood = True
            return [DialogueAct(type=ActType.MISUNDERSTAND)], True
        pending = self._pop_answers(1)
        if pending and not heard.fallback and not heard.anything_else:
            return pending, True
        return self._restate(ActType.REPHRASE), False

    def _answer(self, requested: list[str]) -> tuple[list[DialogueAct], bool]:
        productive = False
        for fact in reversed(requested):
            self._asked[fact] += 1
            self._push_inform(fact)
            known = fact in self.known_facts
            productive |= known and self._asked[fact] <= _REASK_LIMIT
            productive |= not known and self._asked[fact] == 1
        count = 1 if self._policies.piecemeal else len(requested)
        return self._pop_answers(count), productive

    def _restate(self, kind: ActType) -> list[DialogueAct]:
        return [DialogueAct(type=kind, slot=self._goal.goal.intent)]

    def _unproductive_turn(self, acts: list[DialogueAct]) -> VisitorTurn:
        self._unproductive += 1
        self._mood = min(self._mood + 1, len(self._moods) - 1)
        if self._unproductive >= self._persona.patience:
            turn = self._say([], escalated=True, extra=self._style.phrase("give_up"))
            turn.termination = VisitorTermination.GAVE_UP
            return turn
        threshold = self._policies.ask_for_human_after
        if self._asked_human or (threshold is not None and self._unproductive >= threshold):
            self._asked_human = True
            acts = [DialogueAct(type=ActType.ASK_HUMAN)]
        return self._say(acts, escalated=True)

    def _goal_met(self) -> VisitorTurn:
        if self._second is not None:
            goal, self._second = self._second, None
            self._switch(goal)
            return self._say([DialogueAct(type=ActType.THANK), *self._pop_request_as(ActType.SECOND_ISSUE)])
        turn = self._say([DialogueAct(type=ActType.THANK), DialogueAct(type=ActType.BYE)], calm=True)
        turn.termination = VisitorTermination.GOAL_MET
        return turn

    def _change_mind(self, goal: Goal) -> VisitorTurn:
        self._changed_mind = True
        self._agenda = [act for act in self._agenda if act.type is not ActType.REQUEST]
        self._switch(goal)
        return self._say(self._pop_request_as(ActType.CHANGE_MIND))

    def _switch(self, goal: Goal) -> None:
        self._goal = GoalWatch(goal)
        self.known_facts = self._facts_for(goal)
        self._unproductive = 0
        self._pushed_back = False
        self._asked.clear()
        self._plan(goal)

    def _pop_request_as(self, kind: ActType) -> list[DialogueAct]:
        first, *rest = self._pop_request()
        return [DialogueAct(type=kind, slot=first.slot), *rest]

    def _scheduled(self) -> VisitorTurn | None:
        for kind, spec in (
            (ActType.INJECTION, self._policies.prompt_injection),
            (ActType.OFF_TOPIC, self._policies.off_topic),
        ):
            if spec is not None and spec.at_turn == self._turn:
                return self._say_scheduled(kind, spec)
        return None

    def _say_scheduled(self, kind: ActType, spec: ScheduledUtterance) -> VisitorTurn:
        text, disclosed = self._fill(self._style.pick(spec.texts))
        act = DialogueAct(type=kind, value=text)
        return VisitorTurn(
            text=text, acts=[act], disclosed=disclosed, mood=self._current_mood, goal=self._goal.goal.intent
        )

    def _ending(self, heard: Heard) -> VisitorTermination:
        if self._goal.met_by(heard) and self._second is None:
            return VisitorTermination.GOAL_MET
        if self._asked_human and heard.handoff:
            return VisitorTermination.ASKED_FOR_HUMAN
        return VisitorTermination.AGENT_ENDED

    # --- words -------------------------------------------------------------------------------------------

    @property
    def _current_mood(self) -> Tone:
        return self._moods[self._mood]

    def _say(
        self,
        acts: list[DialogueAct],
        *,
        opening: bool = False,
        escalated: bool = False,
        calm: bool = False,
        extra: str = "",
    ) -> VisitorTurn:
        mood = self._style.mood_words(self._current_mood, opening=opening, escalated=escalated)
        parts = ["" if calm else mood, self._style.filler()]
        disclosed: dict[str, str] = {}
        for act in acts:
            if act.type in {ActType.REQUEST, ActType.REPHRASE, ActType.CHANGE_MIND, ActType.SECOND_ISSUE}:
                template = self._style.pick(self._utterances())
                self._last_utterance = template
                request, facts = self._fill(template)
                disclosed.update(facts)
                self._agenda = [a for a in self._agenda if a.slot not in facts]
                parts.append(
                    request if act.type is ActType.REQUEST else self._style.act(act, request=request)
                )
            elif act.type is ActType.INFORM and act.slot:
                if act.slot not in disclosed:  # not already stated in the request itself
                    disclosed[act.slot] = act.value or ""
                    parts.append(self._style.act(act))
            else:
                parts.append(self._style.act(act))
        parts.append(extra)
        return VisitorTurn(
            text=self._style.join(parts),
            acts=acts,
            disclosed=disclosed,
            mood=self._current_mood,
            goal=self._goal.goal.intent,
        )

    def _utterances(self) -> list[str]:
        """Ways to state the goal: plain ones when withholding, and not the one just used (a rephrase)."""
        utterances = self._goal.goal.utterances
        if self._withhold:
            utterances = [u for u in utterances if not placeholders(u)] or utterances
        return [u for u in utterances if u != self._last_utterance] or utterances

    def _fill(self, template: str) -> tuple[str, dict[str, str]]:
        facts = {name: self.known_facts[name] for name in placeholders(template) if name in self.known_facts}
        return self._style.fill(template, facts), facts

    def _facts_for(self, goal: Goal) -> dict[str, str]:
        return self._world_facts | {name: fact_text(value) for name, value in goal.facts.items()}
