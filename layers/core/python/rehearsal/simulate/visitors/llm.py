"""LLM visitor: a persona prompt to an OpenAI-compatible model, with the agenda visitor's termination.

The model plays the customer; it ends the conversation by writing ``###STOP:<reason>###`` (goal_met,
gave_up, asked_for_human). It is told its known facts and the facts it does not know; the driver's
self-check still flags any fact-like token it invents, and a goal it claims met that the agent never met.
"""

from __future__ import annotations

import re

from rehearsal.llm.ports import ChatCompletion, ChatModel
from rehearsal.simulate.records import SimulatorIssue, VisitorTermination
from rehearsal.simulate.specs.persona import Persona
from rehearsal.simulate.specs.scenario import BehaviourPolicies, Scenario
from rehearsal.simulate.visitors.base import VisitorTurn
from rehearsal.simulate.visitors.perception import GoalWatch, Perception, label_of

STOP = re.compile(r"#{0,3}\s*\bSTOP\s*:\s*([a-z_]+)\s*#{0,3}", re.IGNORECASE)  # lenient on the hashes
_REASONS = {
    "goal_met": VisitorTermination.GOAL_MET,
    "gave_up": VisitorTermination.GAVE_UP,
    "asked_for_human": VisitorTermination.ASKED_FOR_HUMAN,
}
_ASKED_HUMAN = re.compile(r"\b(?:human|real person|agent|someone|representative|manager)\b", re.IGNORECASE)
_START = "(You are connected to the support chat. Write your first message.)"
_TEMPERATURE = 0.7
_MAX_TOKENS = 200


class LLMVisitor:
    def __init__(self, scenario: Scenario, model: ChatModel, *, seed: int) -> None:
        if not isinstance(scenario.persona, Persona):
            raise TypeError("the scenario's persona must be resolved (see simulate.items.expand)")
        self._model = model
        self.seed = seed
        goals = scenario.goals()
        self._facts = scenario.fact_values()
        self._watches = [GoalWatch(goal) for goal in goals]
        self._perception = Perception([])
        self._goal = scenario.goal.intent
        self._messages: list[dict[str, str]] = [{"role": "system", "content": persona_prompt(scenario)}]
        self._goal_seen = False
        self._asked_human = False
        self._handoff = False

    def opening(self) -> VisitorTurn:
        return self._turn(
            self._model.complete(self._prompt(_START), temperature=_TEMPERATURE, max_tokens=_MAX_TOKENS)
        )

    async def aopening(self) -> VisitorTurn:
        completion = await self._model.acomplete(
            self._prompt(_START), temperature=_TEMPERATURE, max_tokens=_MAX_TOKENS
        )
        return self._turn(completion)

    def reply(self, agent_messages: list[str], *, agent_ended: bool) -> VisitorTurn:
        if self._heard(agent_messages, agent_ended):
            return self._ended()
        text = "\n".join(agent_messages) or "(no answer)"
        return self._turn(
            self._model.complete(self._prompt(text), temperature=_TEMPERATURE, max_tokens=_MAX_TOKENS)
        )

    async def areply(self, agent_messages: list[str], *, agent_ended: bool) -> VisitorTurn:
        if self._heard(agent_messages, agent_ended):
            return self._ended()
        text = "\n".join(agent_messages) or "(no answer)"
        completion = await self._model.acomplete(
            self._prompt(text), temperature=_TEMPERATURE, max_tokens=_MAX_TOKENS
        )
        return self._turn(completion)

    def _prompt(self, agent_text: str) -> list[dict[str, str]]:
        self._messages.append({"role": "user", "content": agent_text})
        return self._messages

    def _heard(self, agent_messages: list[str], agent_ended: bool) -> bool:
        """Note whether the agent met a goal; True when the agent ended the conversation."""
        heard = self._perception.hear(" ".join(agent_messages))
        self._goal_seen |= any(watch.met_by(heard) for watch in self._watches)
        self._handoff = heard.handoff
        return agent_ended

    def _ended(self) -> VisitorTurn:
        if self._goal_seen:
            return VisitorTurn.stop(VisitorTermination.GOAL_MET, goal=self._goal)
        if self._asked_human and self._handoff:
            return VisitorTurn.stop(VisitorTermination.ASKED_FOR_HUMAN, goal=self._goal)
        return VisitorTurn.stop(VisitorTermination.AGENT_ENDED, goal=self._goal)

    def _turn(self, completion: ChatCompletion) -> VisitorTurn:
        content = completion.content or ""
        self._messages.append({"role": "assistant", "content": content})
        issues: list[SimulatorIssue] = []
        termination = None
        stop = STOP.search(content)
        if stop is not None:
            reason = stop.group(1).lower()
            termination = _REASONS.get(reason)
            if termination is None:
                issues.append(SimulatorIssue(kind="protocol", detail=f"unknown stop reason {reason!r}"))
                termination = VisitorTermination.GAVE_UP
            if termination is VisitorTermination.GOAL_MET and not self._goal_seen:
                issues.append(
                    SimulatorIssue(
                        kind="false_goal_claim", detail="stopped as goal_met; no agent turn met it"
                    )
                )
        text = STOP.sub("", content).strip()
        if not text and termination is None:
            issues.append(SimulatorIssue(kind="protocol", detail="an empty message without a stop token"))
            termination = VisitorTermination.GAVE_UP
        self._asked_human |= bool(_ASKED_HUMAN.search(text)) and termination is None
        lowered = text.casefold()
        disclosed = {
            name: value
            for name, values in self._facts.items()
            for value in values
            if value.casefold() in lowered
        }
        return VisitorTurn(
            text=text or None,
            disclosed=disclosed,
            termination=termination,
            goal=self._goal,
            cost_usd=completion.cost_usd,
            issues=issues,
        )


def persona_prompt(scenario: Scenario) -> str:
    """The system prompt: who the customer is, what they want and know, how they behave, how to stop."""
    persona = scenario.persona
    assert isinstance(persona, Persona)
    goal = scenario.goal
    knows = "\n".join(
        f"- {label_of(name)}: {' or '.join(sorted(values))}"
        for name, values in scenario.fact_values().items()
    )
    unknown = ", ".join(label_of(name) for name in scenario.world.does_not_know) or "none"
    lines = [
        f"You are {persona.name}, a customer writing to a company's support chat. Stay in character; you are "
        "not an assistant. Write short chat messages (one to three sentences), one message per reply.",
        f"Your tone: {persona.tone.value}." + (f" {persona.description}" if persona.description else ""),
        f"What you want: {goal.description or goal.utterances[0]}",
        f"For example you might say: {goal.utterances[0]!r}",
        f"Facts you know (use them exactly, only when relevant):\n{knows or '- nothing'}",
        f"Facts you do NOT know (say you don't know if asked; never make them up): {unknown}.",
        "Never invent order numbers, emails, names, amounts or any other fact not listed above.",
        *_policy_lines(scenario.policies, persona),
        "When your goal is met, thank the agent and end your message with ###STOP:goal_met###. "
        "If you give up, end with ###STOP:gave_up###. If you asked for a human and are being transferred, "
        "end with ###STOP:asked_for_human###.",
    ]
    return "\n\n".join(lines)


def _policy_lines(policies: BehaviourPolicies, persona: Persona) -> list[str]:
    lines = [f"Your patience: you give up after about {persona.patience} unhelpful replies."]
    if policies.withhold_until_asked:
        lines.append("Do not volunteer details; give a fact only when the agent asks for it.")
    if policies.piecemeal:
        lines.append("Give at most one fact per message.")
    if policies.push_back_once:
        lines.append("If the agent says no, push back once before accepting it.")
    if policies.misunderstand_policy_once:
        lines.append(
            "Misunderstand the first policy the agent explains, then understand it when re-explained."
        )
    if policies.ask_for_human_after:
        lines.append(f"After {policies.ask_for_human_after} unhelpful replies, ask to speak to a human.")
    if policies.second_issue:
        lines.append(
            f"Once your goal is met, bring up a second issue: {policies.second_issue.utterances[0]!r}"
        )
    if policies.change_mind:
        change = policies.change_mind
        lines.append(f"At your message {change.at_turn}, change your mind: {change.goal.utterances[0]!r}")
    for label, scheduled in (("say, off topic", policies.off_topic), ("try", policies.prompt_injection)):
        if scheduled:
            lines.append(f"At your message {scheduled.at_turn}, {label}: {scheduled.texts[0]!r}")
    return lines
